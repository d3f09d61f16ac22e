package xlsx

import (
	"unicode"

	"github.com/go-text/typesetting/segmenter"
	"golang.org/x/text/width"

	"github.com/reportd/reportd/reports/layout"
)

// SpreadsheetMeasurer is a conservative layout.Measurer for the fonts a
// spreadsheet shows our cells in. We cannot know them: 宋体/黑体/仿宋 on
// Windows, substitutes on WPS for Linux or LibreOffice. So widths are upper
// bounds: East Asian wide, fullwidth and ambiguous characters (the Chinese
// quotes “” are ambiguous and full width in Chinese fonts) take 1 em,
// everything else the widest it is in common Latin fonts. Overestimating
// costs a little white space; underestimating cuts text off in print.
type SpreadsheetMeasurer struct{}

var _ layout.Measurer = SpreadsheetMeasurer{}

// Advance implements layout.Measurer. Every rune is "found": the spreadsheet
// application substitutes a font itself.
func (SpreadsheetMeasurer) Advance(role layout.Role, r rune) (float64, bool) {
	em := advance(r)
	if role != layout.RoleBody && em < 1 {
		em *= 1.08 // bold Latin is wider
	}
	return em, true
}

func advance(r rune) float64 {
	switch {
	case r == '\t':
		return 2
	case r < 0x20 || r == 0x7f:
		return 0
	case r == ' ':
		return 0.35
	case r < 0x7f:
		switch {
		case r == 'M' || r == 'W' || r == 'm' || r == 'w' || r == '@' || r == '%':
			return 0.95
		case r >= 'A' && r <= 'Z':
			return 0.75
		case r == 'i' || r == 'l' || r == 'j' || r == '.' || r == ',' || r == ':' || r == ';' || r == '!' || r == '|' || r == '\'':
			return 0.35
		}
		return 0.62
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth, width.EastAsianAmbiguous:
		return 1
	case width.EastAsianHalfwidth:
		return 0.62
	}
	if unicode.Is(unicode.Mn, r) {
		return 0
	}
	if r >= 0x10000 {
		return 1 // supplementary ideographs (𠮷) and symbols
	}
	return 0.8
}

// wrapper counts the lines a spreadsheet needs to show text wrapped at a
// width. No application wraps exactly like another, so it takes the larger
// of two counts, both with conservative advances:
//
//   - layout's line breaking (UAX #14 plus the GB/T 15834 禁则), which
//     never puts more on a line than Excel's, WPS's or LibreOffice's own
//     Chinese wrapping does;
//   - the applications' handling of long units: a word or URL that does not
//     fit the rest of a line starts a new one, and is split between
//     characters only when longer than a whole line. (layout fills the
//     current line with such a unit instead, which for print is nicer but
//     can take one line less.)
type wrapper struct {
	m     layout.Measurer
	br    layout.Breaker
	lines []string
	seg   segmenter.Segmenter
	buf   []rune
}

// count returns the number of lines text takes at widthEm (in em of the
// cell's font size). Empty text takes one line.
func (w *wrapper) count(role layout.Role, text string, widthEm float64) int {
	if w.fits(role, text, widthEm) {
		return 1
	}
	return w.slowCount(role, text, widthEm)
}

func (w *wrapper) slowCount(role layout.Role, text string, widthEm float64) int {
	w.lines = w.br.AppendBreak(w.lines[:0], text, widthEm, 1, role, w.m)
	return max(len(w.lines), w.greedy(role, text, widthEm))
}

// fits reports whether text, without a line break, is narrower than
// widthEm: one line however it would be broken. Most cells are, and
// breaking them is most of a workbook's cost.
func (w *wrapper) fits(role layout.Role, text string, widthEm float64) bool {
	total := 0.0
	for _, r := range text {
		if r == '\n' {
			return false
		}
		a, _ := w.m.Advance(role, r)
		if total += a; total > widthEm {
			return false
		}
	}
	return true
}

// greedy counts lines the way spreadsheet applications fill them: whole
// units while they fit, a unit that does not fit on a new line, a unit
// longer than a line split between characters. Units are the UAX #14 ones,
// except that a run of narrow characters without spaces (a URL, a
// hyphenated number) is one unit, as applications break it, if at all, at
// places we cannot predict.
func (w *wrapper) greedy(role layout.Role, text string, widthEm float64) int {
	if text == "" {
		return 1
	}
	w.buf = w.buf[:0]
	for _, r := range text {
		if r != '\r' {
			w.buf = append(w.buf, r)
		}
	}
	w.seg.Init(w.buf)
	n, cur := 1, 0.0
	place := func(unit []rune) {
		newline := len(unit) > 0 && unit[len(unit)-1] == '\n'
		if newline {
			unit = unit[:len(unit)-1]
		}
		// Trailing spaces may hang past the edge; the rest must fit.
		trim := len(unit)
		for trim > 0 && (unit[trim-1] == ' ' || unit[trim-1] == '\u3000') {
			trim--
		}
		ink := w.width(role, unit[:trim])
		if cur > 0 && cur+ink > widthEm {
			n++
			cur = 0
		}
		if ink > widthEm {
			for _, r := range unit {
				a, _ := w.m.Advance(role, r)
				if cur > 0 && cur+a > widthEm {
					n++
					cur = 0
				}
				cur += a
			}
		} else {
			cur += ink + w.width(role, unit[trim:])
		}
		if newline {
			n++
			cur = 0
		}
	}
	start, end := 0, 0 // the pending unit is w.buf[start:end]
	it := w.seg.LineIterator()
	for it.Next() {
		l := it.Line()
		if end > start && narrowJoin(w.buf[end-1], w.buf[l.Offset]) {
			end = l.Offset + len(l.Text)
			continue
		}
		if end > start {
			place(w.buf[start:end])
		}
		start, end = l.Offset, l.Offset+len(l.Text)
	}
	if end > start {
		place(w.buf[start:end])
	}
	return n
}

// narrowJoin reports whether a and b belong to one run of narrow
// characters that applications keep together.
func narrowJoin(a, b rune) bool {
	narrow := func(r rune) bool { return r > ' ' && r != '\u3000' && advance(r) < 1 }
	return narrow(a) && narrow(b)
}

func (w *wrapper) width(role layout.Role, rs []rune) float64 {
	total := 0.0
	for _, r := range rs {
		a, _ := w.m.Advance(role, r)
		total += a
	}
	return total
}
