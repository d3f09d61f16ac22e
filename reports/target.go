package reports

import (
	"fmt"
	"strings"
	"unicode"
)

// Target is an indicator's target value (指标目标值) exactly as entered:
// "=90%", ">=10%", "<=450家", "≥80M", "=100.00(%)", "1600元/亩", or a
// qualitative word such as "规范". The verbatim text is what gets printed;
// Parse derives its structure.
type Target string

// Measure is the parsed form of a quantitative Target.
type Measure struct {
	Op     string // "=", ">=", "<=", ">", "<", or "" when the text has no operator ("250万", "10")
	Number string // the decimal number as written, e.g. "2500", "100.00"
	Unit   string // what follows the number: "%", "家", "元/亩", "(%)"; may be ""
}

// Parse classifies the target. Qualitative targets ("规范", "可控", "降低")
// give ok=false and no error. A target that starts like a quantity but is
// malformed (">=", "=abc", "≥ 9 0") is an error.
func (t Target) Parse() (m Measure, ok bool, err error) {
	s := strings.TrimSpace(string(t))
	op, rest := splitOperator(s)
	num, unit := splitNumber(rest)
	if op == "" {
		if num == "" {
			return Measure{}, false, nil // qualitative text
		}
		return Measure{Number: num, Unit: strings.TrimSpace(unit)}, true, nil
	}
	if num == "" {
		if rest == "" {
			return Measure{}, false, fmt.Errorf("「%s」有比较符号但没有数值", string(t))
		}
		return Measure{}, false, fmt.Errorf("「%s」：「%s」之后应为数字", string(t), op)
	}
	unit = strings.TrimSpace(unit)
	for _, r := range unit {
		if unicode.IsDigit(r) && !strings.ContainsAny(unit, "/年月日") {
			return Measure{}, false, fmt.Errorf("「%s」：单位「%s」中含有数字", string(t), unit)
		}
		if strings.ContainsRune("=<>≥≤", r) {
			return Measure{}, false, fmt.Errorf("「%s」：比较符号多于一个", string(t))
		}
	}
	return Measure{Op: op, Number: num, Unit: unit}, true, nil
}

// splitOperator removes a leading comparison operator, normalising ≥ ≤ ＝ ＞ ＜
// to ASCII.
func splitOperator(s string) (op, rest string) {
	for _, p := range []struct{ text, op string }{
		{">=", ">="}, {"<=", "<="}, {"≥", ">="}, {"≤", "<="}, {"＞＝", ">="}, {"＜＝", "<="},
		{"=", "="}, {"＝", "="}, {">", ">"}, {"<", "<"}, {"＞", ">"}, {"＜", "<"},
	} {
		if strings.HasPrefix(s, p.text) {
			return p.op, strings.TrimSpace(s[len(p.text):])
		}
	}
	return "", s
}

// splitNumber takes a leading decimal number (optionally signed, with
// thousands separators) off s.
func splitNumber(s string) (num, rest string) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	start := i
	digits, dot := 0, false
	for i < len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		case c == ',' && digits > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
		default:
			goto done
		}
		i++
	}
done:
	if digits == 0 || i == start {
		return "", s
	}
	num = s[:i]
	if strings.HasSuffix(num, ".") {
		num, i = num[:len(num)-1], i-1
	}
	return num, s[i:]
}

// Comparison spells the operator for people: "≥" for ">=", and so on.
func (m Measure) Comparison() string {
	switch m.Op {
	case ">=":
		return "≥"
	case "<=":
		return "≤"
	}
	return m.Op
}
