package layout

import "unicode"

// The GB/T 15834-2011 line-breaking rules (禁则), applied on top of the
// break opportunities of Unicode UAX #14. Each predicate is about one rune
// (or one pair) so the tests can list rune, answer and reason.

// noLineStart reports whether r must not begin a line: closing
// punctuation, pause and stop marks, closing quotes and brackets, and the
// two-em dash and ellipsis (which also must not be split).
func noLineStart(r rune) bool {
	switch r {
	case '，', '。', '、', '；', '：', '？', '！', '．',
		'）', '》', '」', '』', '〕', '】', '〗', '］', '｝', '〉', '〙', '〛',
		'”', '’', '…', '⋯', '—', '～', '·', '・', '‧', '々', '〃',
		',', '.', ';', ':', '?', '!', ')', ']', '}', '%', '‰', '℃':
		return true
	}
	return false
}

// noLineEnd reports whether r must not end a line: opening brackets,
// quotes and title marks belong with what follows.
func noLineEnd(r rune) bool {
	switch r {
	case '（', '《', '「', '『', '〔', '【', '〖', '［', '｛', '〈', '〘', '〚',
		'“', '‘', '(', '[', '{', '￥', '¥', '$':
		return true
	}
	return false
}

// inseparable reports whether a line must not break between a and b: the
// halves of a two-em dash —— or of an ellipsis …… (each is one mark).
func inseparable(a, b rune) bool {
	return a == b && (a == '—' || a == '…' || a == '⋯')
}

// isSpace reports whether r is a space a line may end with without its
// width counting (it hangs in the margin): it is kept, never dropped.
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\u3000' || r == '\u00a0'
}

// isExtend reports whether r continues the character before it (combining
// marks, variation selectors, joiners): a forced break never separates them.
func isExtend(r rune) bool {
	if r < 0x300 || r >= 0x3400 && r <= 0x9fff || r >= 0xac00 && r <= 0xd7a3 {
		return false // Latin-1 and the CJK blocks: the hot path
	}
	return r == '\u200d' || r == '\u200c' || (r >= '\ufe00' && r <= '\ufe0f') ||
		(r >= 0xe0100 && r <= 0xe01ef) || unicode.In(r, unicode.Mn, unicode.Me)
}

// breakAllowed applies 禁则 to a break between a and b that UAX #14 allows;
// c is the rune after b (0 at the end).
func breakAllowed(a, b, c rune) bool {
	return !noLineStart(b) && !noLineEnd(a) && !inseparable(a, b) && !isExtend(b) && !suffixPlus(b, c)
}

// suffixPlus reports whether b is a plus sign used as a suffix, as in
// "互联网+、": UAX #14 treats + as a numeric prefix and allows a break
// before it, which would start a line with "+、". Before a digit it stays a
// prefix ("+86").
func suffixPlus(b, c rune) bool {
	return (b == '+' || b == '＋') && !(c >= '0' && c <= '9')
}
