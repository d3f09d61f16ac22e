package xlsx

import (
	"unicode"

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
// width. It uses layout's line breaking (UAX #14 plus the GB/T 15834 禁则),
// which never puts more on a line than Excel's, WPS's or LibreOffice's own
// Chinese wrapping does; with conservative advances the count is an upper
// bound of what the application shows.
type wrapper struct {
	m     layout.Measurer
	br    layout.Breaker
	lines []string
}

// count returns the number of lines text takes at widthEm (in em of the
// cell's font size). Empty text takes one line.
func (w *wrapper) count(role layout.Role, text string, widthEm float64) int {
	w.lines = w.br.AppendBreak(w.lines[:0], text, widthEm, 1, role, w.m)
	return len(w.lines)
}
