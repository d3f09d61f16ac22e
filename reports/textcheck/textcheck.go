// Package textcheck verifies that a rendered document carries every
// character of its form: each cell's text must be present, and readable in
// order within a short window (a repeated table header or a 续 mark inside a
// split cell is allowed). It is how reportd proves, in tests and with
// `reportd verify`, that no character was dropped at a line or page break.
//
// The comparison ignores whitespace, applies Unicode NFKC, treats ≤/≥ and
// <=/>= alike, and compares numbers and dates by their digits, so 790,000.00
// may be printed as 790000.00.
package textcheck

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
)

var numeric = regexp.MustCompile(`^[\d,.\-/:%=<>≤≥+ ]+$`)

// Normalize is the form both sides are compared in.
func Normalize(s string) string {
	s = norm.NFKC.String(s)
	s = strings.NewReplacer("≤", "<=", "≥", ">=").Replace(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// Result lists what is missing; it is empty when the text is complete.
type Result struct {
	Cells, Chars int      // what was checked
	Problems     []string // one line each
}

// OK reports whether nothing is missing.
func (r Result) OK() bool { return len(r.Problems) == 0 }

func (r Result) String() string {
	if r.OK() {
		return fmt.Sprintf("OK %d cells, %d characters present in order", r.Cells, r.Chars)
	}
	p := r.Problems
	more := ""
	if len(p) > 20 {
		p, more = p[:20], fmt.Sprintf("\n… and %d more", len(r.Problems)-20)
	}
	return fmt.Sprintf("FAIL %d problems (%d cells, %d characters):\n%s%s", len(r.Problems), r.Cells, r.Chars, strings.Join(p, "\n"), more)
}

// Check compares the expected cell texts with a document's text.
func Check(cells []string, text string) Result {
	t := []rune(Normalize(text))
	tdigits := digits(string(t))
	have := map[rune]int{}
	for _, r := range t {
		have[r]++
	}
	need := map[rune]int{}
	var res Result
	var order []rune // first-seen order, for stable messages
	for _, c := range cells {
		c = strings.TrimRight(Normalize(c), ":")
		if c == "" {
			continue
		}
		res.Cells++
		counted := c
		isNum := numeric.MatchString(c)
		if isNum {
			counted = digits(c)
		}
		for _, r := range counted {
			if need[r] == 0 {
				order = append(order, r)
			}
			need[r]++
			res.Chars++
		}
		if isNum {
			if d := digits(c); d != "" && !strings.Contains(tdigits, d) {
				res.Problems = append(res.Problems, fmt.Sprintf("number %q not found", c))
			}
			continue
		}
		rc := []rune(c)
		slack := 40 + len(rc)/2
		if len(rc) > 200 {
			slack += 400
		}
		if !inOrder(rc, t, slack) {
			res.Problems = append(res.Problems, fmt.Sprintf("text not found in order: %q", clip(c)))
		}
	}
	for _, r := range order {
		if have[r] < need[r] {
			res.Problems = append(res.Problems, fmt.Sprintf("character %q (U+%04X): %d in the form, %d in the document", r, r, need[r], have[r]))
		}
	}
	return res
}

// inOrder reports whether token's runes appear in text, in order, inside a
// window of len(token)+slack runes.
func inOrder(token, text []rune, slack int) bool {
	limit := len(token) + slack
	for start := 0; start < len(text); start++ {
		if text[start] != token[0] {
			continue
		}
		i, j := 1, start+1
		for i < len(token) && j < len(text) && j-start < limit {
			if text[j] == token[i] {
				i++
			}
			j++
		}
		if i == len(token) {
			return true
		}
	}
	return false
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// FormCells lists the texts a rendered form must carry: every filled field,
// fund amount (in 万元 when wanYuan, as such families print them), extra
// field and indicator cell. Level-1/level-2 values are listed once per run
// of equal rows, as they print in merged cells.
func FormCells(f *reports.Form, wanYuan bool) []string {
	return formCells(f, func(key string) (string, bool) {
		if reports.IsMoney(key) && wanYuan {
			m := f.Amount(key)
			return m.WanYuan(2), true
		}
		return "", false
	})
}

// FamilyCells is FormCells with every amount (fund rows and extra money
// fields) as the form's family prints it: in its unit, with the decimals
// of its column.
func FamilyCells(f *reports.Form, fam *family.Family) []string {
	printed := map[string]string{}
	for _, r := range layout.Build(f, fam).Rows {
		for _, c := range r.Cells {
			if c.Kind == layout.KindMoney && c.Path != "" {
				printed[c.Path] = c.Text
			}
		}
	}
	return formCells(f, func(key string) (string, bool) {
		s, ok := printed[key]
		return s, ok
	})
}

func formCells(f *reports.Form, money func(key string) (string, bool)) []string {
	var out []string
	add := func(s string) {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	for _, fd := range reports.Fields {
		switch {
		case fd.Key == "title" || fd.Key == "funds_heading" || fd.Key == "targets_heading":
			// families may print their own headings
		default:
			if s, ok := money(fd.Key); ok {
				add(s)
			} else {
				add(f.Get(fd.Key))
			}
		}
	}
	for _, k := range sortedKeys(f.Extra) {
		if s, ok := money("extra." + k); ok {
			add(s)
		} else {
			add(f.Extra[k])
		}
	}
	for i, in := range f.Indicators {
		newL1 := i == 0 || in.Level1 != f.Indicators[i-1].Level1
		if newL1 {
			add(in.Level1)
		}
		if newL1 || in.Level2 != f.Indicators[i-1].Level2 {
			add(in.Level2)
		}
		add(in.Level3)
		add(string(in.Target))
		for _, k := range sortedKeys(in.Extra) {
			add(in.Extra[k])
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// PDFText extracts a PDF's text with pdftotext (Debian: poppler-utils).
func PDFText(ctx context.Context, pdf []byte) (string, error) {
	cmd := exec.CommandContext(ctx, "pdftotext", "-enc", "UTF-8", "-raw", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("pdftotext: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}
