package reports

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date is a calendar date or month as forms write it. Day is 0 when only a
// month is given ("2023.07", "202001").
type Date struct {
	Year, Month, Day int
}

var datePatterns = []*regexp.Regexp{
	regexp.MustCompile(`^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`),
	regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`),
	regexp.MustCompile(`^(\d{4})[-./](\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})年(\d{1,2})月$`),
	regexp.MustCompile(`^(\d{4})(\d{2})$`),
}

// ParseDate reads "2020-01-01", "2020/1/1", "2020.01.01", "2020年1月1日",
// "20200101", or a month: "2023.07", "2023-07", "202001", "2023年7月".
// The date must exist on the calendar.
func ParseDate(s string) (Date, error) {
	t := strings.TrimSpace(s)
	for _, re := range datePatterns {
		m := re.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d := 0
		if len(m) > 3 {
			d, _ = strconv.Atoi(m[3])
		}
		if y < 1900 || y > 2200 {
			return Date{}, fmt.Errorf("「%s」：年份%d超出范围", s, y)
		}
		if mo < 1 || mo > 12 {
			return Date{}, fmt.Errorf("「%s」：没有%d月", s, mo)
		}
		if len(m) > 3 {
			last := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			if d < 1 || d > last {
				return Date{}, fmt.Errorf("「%s」：%d年%d月没有%d日", s, y, mo, d)
			}
		}
		return Date{Year: y, Month: mo, Day: d}, nil
	}
	return Date{}, fmt.Errorf("「%s」不是日期（应如 2020-01-01）", s)
}

// ParsePeriod reads a start and end written in one cell: "2023.07-2024.01",
// "202001-202012", "2020-01-01至2020-12-31".
func ParsePeriod(s string) (start, end Date, err error) {
	t := strings.TrimSpace(s)
	for _, sep := range []string{"至", "～", "~", "—", "－"} {
		if a, b, ok := strings.Cut(t, sep); ok {
			return parsePeriodParts(s, a, b)
		}
	}
	// A hyphen separates the dates only when the halves are dates themselves.
	for i := 0; i < len(t); i++ {
		if t[i] != '-' {
			continue
		}
		if a, err1 := ParseDate(t[:i]); err1 == nil {
			if b, err2 := ParseDate(t[i+1:]); err2 == nil {
				return a, b, nil
			}
		}
	}
	return Date{}, Date{}, fmt.Errorf("「%s」不是起止期间（应如 2023.07-2024.01）", s)
}

func parsePeriodParts(s, a, b string) (Date, Date, error) {
	da, err := ParseDate(a)
	if err != nil {
		return Date{}, Date{}, fmt.Errorf("期间「%s」：%w", s, err)
	}
	db, err := ParseDate(b)
	if err != nil {
		return Date{}, Date{}, fmt.Errorf("期间「%s」：%w", s, err)
	}
	return da, db, nil
}

// IsMonth reports whether only year and month are known.
func (d Date) IsMonth() bool { return d.Day == 0 }

// Time is the start of the date (or of the month) in UTC, for spreadsheets.
func (d Date) Time() time.Time {
	day := d.Day
	if day == 0 {
		day = 1
	}
	return time.Date(d.Year, time.Month(d.Month), day, 0, 0, 0, 0, time.UTC)
}

// Before reports whether d is strictly earlier than e, comparing months when
// either is only a month.
func (d Date) Before(e Date) bool {
	a, b := d, e
	if a.Day == 0 || b.Day == 0 {
		a.Day, b.Day = 0, 0
	}
	return a.Year < b.Year || a.Year == b.Year && (a.Month < b.Month || a.Month == b.Month && a.Day < b.Day)
}

// String is ISO 8601: "2020-01-01", or "2023-07" for a month.
func (d Date) String() string {
	if d.Day == 0 {
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}
