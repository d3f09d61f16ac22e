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

// Numbers and their units (GB/T 15834 and common typesetting practice): a
// number is never split, nor cut from the unit that follows it ("2015年",
// "159万元", "12个月"), nor is a date ("2026年1月1日") or a range of
// numbers ("2023.07-2024.01") broken unless it is wider than a line.

// isDigit reports ASCII and full-width digits.
func isDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= '０' && r <= '９'
}

// unitLen is the length in runes of the unit or counter at runes[j]
// that may follow a number: a multi-character unit (万元, 平方米, 个月,
// 人次) or a single one (年, 元, 家, 人, 天, %), 0 if none.
func unitLen(runes []rune, j int) int {
	for _, u := range multiUnits {
		if hasPrefixRunes(runes[j:], u) {
			return len(u)
		}
	}
	if isUnit(runes[j]) {
		return 1
	}
	return 0
}

var multiUnits = [][]rune{
	[]rune("平方公里"), []rune("平方米"), []rune("立方米"), []rune("万人次"), []rune("万元"), []rune("亿元"),
	[]rune("千元"), []rune("百万"), []rune("万人"), []rune("万亩"), []rune("万吨"), []rune("人次"), []rune("户次"),
	[]rune("公里"), []rune("公斤"), []rune("公顷"), []rune("千米"), []rune("千克"), []rune("千瓦"), []rune("个月"),
	[]rune("小时"), []rune("分钟"), []rune("周岁"), []rune("年度"), []rune("季度"),
}

func hasPrefixRunes(runes, p []rune) bool {
	if len(runes) < len(p) {
		return false
	}
	for i, r := range p {
		if runes[i] != r {
			return false
		}
	}
	return true
}

// isUnit reports a character used alone as a unit or counter after a
// number.
func isUnit(r rune) bool {
	switch r {
	case '年', '月', '日', '号', '时', '分', '秒', '周', '岁', '天', '旬', '季', '期', '届', '轮',
		'元', '角', '万', '亿',
		'个', '家', '人', '次', '项', '份', '件', '台', '套', '座', '辆', '艘', '架', '部', '批', '类', '种',
		'篇', '册', '本', '张', '场', '位', '间', '栋', '层', '处', '所', '名', '条', '户', '组', '支', '株', '棵', '头', '只',
		'亩', '米', '吨', '斤', '克', '升', '度', '倍', '顷', '瓦', '帧', '宗', '点', '门', '节', '课', '床', '孔', '块',
		'%', '％', '‰', '℃':
		return true
	}
	return false
}

// isNumberJoiner reports characters inside a number or between the two
// numbers of a range or date: 1,234.56 2023.07-2024.01 10:30 1/2 3~5.
func isNumberJoiner(r rune) bool {
	switch r {
	case '.', ',', ':', '/', '-', '~', '．', '，', '：', '／', '－', '～', '至', '–':
		return r != '，' // a full-width comma ends a clause, it never joins digits
	}
	return false
}

// isRangeJoiner reports where a number or date range wider than a line may
// be broken as a last resort: after the dash, tilde or 至.
func isRangeJoiner(r rune) bool {
	return r == '-' || r == '~' || r == '－' || r == '～' || r == '至' || r == '–' || r == '/'
}

// isSign reports a sign or comparison that belongs to the number after it
// (≥80%, ±5, ＞90).
func isSign(r rune) bool {
	switch r {
	case '+', '-', '±', '≥', '≤', '>', '<', '=', '＞', '＜', '＝', '＋', '－', '≈', '~', '～', '约', '第':
		return true
	}
	return false
}

// keepNumbers removes the break opportunities inside numbers, between a
// number and its unit, inside a date and inside a range (marking the
// positions after a range joiner breakSoft, usable only when the whole is
// wider than a line), and between a sign and its number.
func keepNumbers(runes []rune, ok []uint8) {
	n := len(runes)
	for i := 0; i < n; i++ {
		if !isDigit(runes[i]) {
			continue
		}
		// A sign right before the number (≥80, 第3).
		if i > 0 && isSign(runes[i-1]) && ok[i] == breakOK {
			ok[i] = breakNo
		}
		j := i // end of the numeric run
		for j < n {
			switch r := runes[j]; {
			case isDigit(r):
				j++
				continue
			case isNumberJoiner(r) && j+1 < n && (isDigit(runes[j+1]) || isSign(runes[j+1]) && j+2 < n && isDigit(runes[j+2])):
				j++
				continue
			case unitLen(runes, j) > 0:
				// A unit (万元, 个月); a date continues after 年 and 月
				// ("2026年1月1日", "2023年7月-2024年1月").
				k := j + unitLen(runes, j)
				if k+1 < n && (runes[k] == '/' || runes[k] == '／') && unitLen(runes, k+1) > 0 {
					k += 1 + unitLen(runes, k+1) // 1600元/亩
				}
				last := runes[k-1]
				if k < n && isDigit(runes[k]) && (last == '年' || last == '月' || last == '时') {
					j = k
					continue
				}
				if k+1 < n && isNumberJoiner(runes[k]) && isDigit(runes[k+1]) && (last == '年' || last == '月' || last == '日') {
					j = k
					continue
				}
				j = k
			}
			break
		}
		for k := i + 1; k < j; k++ {
			// Where a number meets its unit, or a date part the next
			// number, the whole may break if it is wider than a line
			// (2015年 in a column two characters wide); so may a range
			// after its dash.
			a, c := runes[k-1], runes[k]
			if isRangeJoiner(a) || isDigit(a) && !isDigit(c) && !isNumberJoiner(c) || !isDigit(a) && !isNumberJoiner(a) && isDigit(c) {
				ok[k] = breakSoft
			} else {
				ok[k] = breakNo
			}
		}
		i = j - 1
	}
}

// Punctuation compression (标点挤压, clreq §3.1.6 and JIS X 4051): a
// full-width closing mark has its ink in the left half of the em and an
// opening mark in the right half, so two of them side by side show a full
// em of blank. Where they meet the pair is set half an em tighter, and a
// closing mark at a line end may take only its inked half.

// isClosingMark reports closing marks whose right half is blank in
// Simplified Chinese fonts (？ and ！ are centred in some fonts and are
// left alone).
func isClosingMark(r rune) bool {
	switch r {
	case '，', '。', '、', '；', '：', '）', '》', '」', '』', '〕', '】', '〗', '］', '｝', '〉', '〙', '〛', '”', '’':
		return true
	}
	return false
}

// isOpeningMark reports opening marks whose left half is blank.
func isOpeningMark(r rune) bool {
	switch r {
	case '（', '《', '「', '『', '〔', '【', '〖', '［', '｛', '〈', '〘', '〚', '“', '‘':
		return true
	}
	return false
}

// squeezeEm is how much (in em) the space between a and b shrinks: half
// an em where a closing mark meets another mark, or two opening marks
// meet. advA and advB are their advances in em: marks a font draws
// narrow are not squeezed.
func squeezeEm(a, b rune, advA, advB float64) float64 {
	switch {
	case isClosingMark(a) && (isClosingMark(b) || isOpeningMark(b)) && advA >= 0.9:
		return 0.5
	case isOpeningMark(a) && isOpeningMark(b) && advB >= 0.9:
		return 0.5
	}
	return 0
}

// endSqueezeEm is how much a line ending with r (advance adv em) may
// overhang the measure: the blank half of a closing mark.
func endSqueezeEm(r rune, adv float64) float64 {
	if isClosingMark(r) && adv >= 0.9 {
		return 0.5
	}
	return 0
}

// isRunChar reports characters of a Latin word or a number, between which
// justification never adds space.
func isRunChar(r rune) bool {
	return r < 0x2e80 && !isSpace(r) || r >= 0xff01 && r <= 0xff5e && (isDigit(r) || r >= 'Ａ' && r <= 'ｚ')
}

// stretchable reports whether justification may widen the gap between a
// and b: gaps next to a Chinese character or mark, never inside a digit or
// Latin run.
func stretchable(a, b rune) bool {
	return !(isRunChar(a) && isRunChar(b)) && !isSpace(a) && !isSpace(b) && !isExtend(b)
}
