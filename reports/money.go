package reports

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in 分 (hundredths of a yuan). Set is false for a
// field left blank in a draft; a zero amount that was entered is Set.
type Money struct {
	Fen int64
	Set bool
}

// Yuan returns the Money for a whole number of yuan; handy in tests and generators.
func Yuan(y int64) Money { return Money{Fen: y * 100, Set: true} }

// maxFen keeps every amount far from int64 overflow even when a batch sums
// thousands of forms (10^15 分 = 10 万亿元).
const maxFen = 1_000_000_000_000_000

// ParseMoney reads an amount in 元 as printed on forms: "790,000.00", "790000",
// "1，234.5" (full-width comma), optional leading "+" or "-" and "￥"/"¥".
// More than two decimals is an error: money is never rounded silently.
// A blank string gives an unset Money and no error.
func ParseMoney(s string) (Money, error) {
	return parseScaled(s, 2)
}

// ParseWanYuan reads an amount written in 万元 (ten thousand yuan), as some
// issuers print it, and converts it exactly to 分: up to six decimals. The
// unit may be written after the number, as published forms do ("10000万元",
// "250万").
func ParseWanYuan(s string) (Money, error) {
	t := strings.TrimSpace(s)
	for _, unit := range []string{"万元", "万"} {
		if u, ok := strings.CutSuffix(t, unit); ok {
			if m, err := parseScaled(u, 6); err == nil && m.Set {
				return m, nil
			}
		}
	}
	return parseScaled(s, 6)
}

func parseScaled(s string, maxDecimals int) (Money, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Money{}, nil
	}
	t = strings.NewReplacer(",", "", "，", "", "￥", "", "¥", "", " ", "").Replace(t)
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	intPart, frac, hasDot := strings.Cut(t, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return Money{}, fmt.Errorf("「%s」不是金额", s)
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return Money{}, fmt.Errorf("「%s」不是金额（应为数字，可带千分位逗号和小数点，如 790,000.00）", s)
	}
	if len(frac) > maxDecimals {
		return Money{}, fmt.Errorf("「%s」有%d位小数，最多%d位", s, len(frac), maxDecimals)
	}
	// Padding the fraction to maxDecimals places gives the amount in 分:
	// 元 have 2 decimal places of 分, 万元 have 6.
	digits := strings.TrimLeft(intPart+frac+strings.Repeat("0", maxDecimals-len(frac)), "0")
	if digits == "" {
		return Money{Set: true}, nil
	}
	if len(digits) > 18 {
		return Money{}, fmt.Errorf("「%s」金额过大", s)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > maxFen {
		return Money{}, fmt.Errorf("「%s」金额过大", s)
	}
	if neg {
		n = -n
	}
	return Money{Fen: n, Set: true}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats the amount in 元 with thousands separators and two
// decimals, the way forms print it: "790,000.00". Unset gives "".
func (m Money) String() string {
	if !m.Set {
		return ""
	}
	return formatScaled(m.Fen, 2, true)
}

// Plain formats the amount in 元 without separators: "790000.00".
func (m Money) Plain() string {
	if !m.Set {
		return ""
	}
	return formatScaled(m.Fen, 2, false)
}

// WanYuan formats the amount in 万元 with the given number of decimals
// (trailing digits below the precision are kept if non-zero, never rounded).
func (m Money) WanYuan(decimals int) string {
	if !m.Set {
		return ""
	}
	s := formatScaled(m.Fen, 6, true)
	// Trim trailing zeros down to the requested precision.
	for strings.Contains(s, ".") && len(s)-strings.IndexByte(s, '.')-1 > decimals && strings.HasSuffix(s, "0") {
		s = s[:len(s)-1]
	}
	return strings.TrimSuffix(s, ".")
}

// formatScaled prints fen/10^decimals: decimals=2 gives 元, 6 gives 万元.
func formatScaled(fen int64, decimals int, sep bool) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	digits := strconv.FormatInt(fen, 10)
	for len(digits) <= decimals {
		digits = "0" + digits
	}
	intPart, frac := digits[:len(digits)-decimals], digits[len(digits)-decimals:]
	if sep {
		intPart = groupThousands(intPart)
	}
	out := intPart
	if decimals > 0 {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func groupThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// MarshalText writes the plain amount ("790000.00"), or "" when unset, so JSON
// carries money as an exact string, never a float.
func (m Money) MarshalText() ([]byte, error) { return []byte(m.Plain()), nil }

// UnmarshalText accepts what ParseMoney accepts.
func (m *Money) UnmarshalText(b []byte) error {
	v, err := ParseMoney(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Decimals is how many decimals the amount needs to be printed exactly in
// 元 (wan false: 0 to 2) or 万元 (0 to 6).
func (m Money) Decimals(wan bool) int {
	d := 2
	if wan {
		d = 6
	}
	fen := m.Fen
	for d > 0 && fen%10 == 0 {
		fen /= 10
		d--
	}
	return d
}

// Format prints the amount in 元 or 万元 with thousands separators and
// exactly decimals decimals (0 to 6). An amount that needs more is rounded
// half away from zero: for print only, the Money itself stays exact.
// Unset gives "".
func (m Money) Format(wan bool, decimals int) string {
	if !m.Set {
		return ""
	}
	scale := 2
	if wan {
		scale = 6
	}
	decimals = max(0, min(decimals, 6))
	fen := m.Fen
	if decimals < scale {
		unit := int64(1)
		for range scale - decimals {
			unit *= 10
		}
		q, r := fen/unit, fen%unit
		if r < 0 {
			r = -r
		}
		if 2*r >= unit {
			if fen < 0 {
				q--
			} else {
				q++
			}
		}
		return formatScaled(q, decimals, true)
	}
	s := formatScaled(fen, scale, true)
	if decimals > scale {
		if scale == 0 {
			s += "."
		}
		s += strings.Repeat("0", decimals-scale)
	}
	return s
}
