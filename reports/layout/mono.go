package layout

import "unicode"

// MonoMeasurer is a fixed-width Measurer for tests and previews: wide
// (CJK, full-width) characters are 1 em, everything else 0.5 em, whatever
// the role. Runes in Missing report ok=false, as a font lacking them would.
type MonoMeasurer struct {
	Missing map[rune]bool
}

// Advance implements Measurer.
func (m MonoMeasurer) Advance(_ Role, r rune) (float64, bool) {
	if m.Missing[r] {
		return 0, false
	}
	if isWide(r) {
		return 1, true
	}
	if isExtend(r) {
		return 0, true
	}
	return 0.5, true
}

// isWide approximates East Asian Width W/F: Han, kana, Hangul, CJK
// punctuation and full-width forms.
func isWide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0x303e, r >= 0x3041 && r <= 0x33ff,
		r >= 0x3400 && r <= 0x4dbf, r >= 0x4e00 && r <= 0x9fff, r >= 0xa000 && r <= 0xa4cf,
		r >= 0xac00 && r <= 0xd7a3, r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f,
		r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6, r >= 0x20000 && r <= 0x3fffd:
		return true
	case r == '“' || r == '”' || r == '‘' || r == '’' || r == '—' || r == '…' || r == '·':
		return true // printed full-width in Chinese fonts
	}
	return unicode.Is(unicode.Han, r)
}
