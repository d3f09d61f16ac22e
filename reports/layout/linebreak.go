package layout

import (
	"unicode/utf8"

	"github.com/go-text/typesetting/segmenter"
)

// Breaker breaks text into lines. It keeps its buffers between calls, so one
// Breaker per goroutine (Paginate uses one per document) avoids allocating
// per paragraph; the zero value is ready to use.
type Breaker struct {
	seg   segmenter.Segmenter
	runes []rune
	offs  []int   // byte offset of each rune, plus the end
	ok    []uint8 // ok[i]: may a line start at rune i (breakOK, breakInURL)
	adv   []float64
	// lost collects the runes the Measurer lacked since the last
	// takeLost, so Paginate can report them without measuring twice.
	lost []rune
}

// takeLost returns and forgets the runes the Measurer reported missing.
func (b *Breaker) takeLost() []rune {
	l := b.lost
	b.lost = b.lost[:0]
	return l
}

// Values of Breaker.ok.
const (
	breakNo    = 0
	breakOK    = 1 // UAX #14 and 禁则 allow a break
	breakInURL = 2 // allowed, but inside a URL: only when the URL is too long
)

// Break is Breaker.Break with a fresh Breaker.
func Break(text string, width, size float64, role Role, m Measurer) []string {
	var b Breaker
	return b.Break(text, width, size, role, m)
}

// Break splits text into lines no wider than width points at size points.
// Break opportunities are those of Unicode UAX #14 minus the GB/T 15834
// rules (no line starts with ，。、；：？！）》」』〕】…— or a closing quote,
// none ends with an opening bracket or quote, —— and …… stay whole); URLs,
// Latin words and numbers stay whole unless longer than a line, when they
// are split between characters. Each "\n" (or "\r\n", "\r") ends a line and
// is consumed; nothing else is ever dropped, added or reordered: the lines
// joined are text without those newlines. Spaces at a line end are kept
// and hang (they do not count towards the width). Text of zero lines ("")
// gives one empty line. A rune the Measurer lacks counts as 1 em; Paginate
// reports such runes separately.
func (b *Breaker) Break(text string, width, size float64, role Role, m Measurer) []string {
	return b.AppendBreak(nil, text, width, size, role, m)
}

// AppendBreak is Break appending to dst. The lines are substrings of text.
func (b *Breaker) AppendBreak(dst []string, text string, width, size float64, role Role, m Measurer) []string {
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '\n' && c != '\r' {
			continue
		}
		dst = b.paragraph(dst, text[start:i], width, size, role, m)
		if c == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		start = i + 1
	}
	return b.paragraph(dst, text[start:], width, size, role, m)
}

func (b *Breaker) paragraph(dst []string, p string, width, size float64, role Role, m Measurer) []string {
	if p == "" {
		return append(dst, "")
	}
	b.runes, b.offs, b.adv = b.runes[:0], b.offs[:0], b.adv[:0]
	total, trimmed := 0.0, 0.0 // trimmed: without trailing spaces
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		em, found := m.Advance(role, r)
		if !found {
			em = 1
			b.lost = append(b.lost, r)
		}
		w := em * size
		total += w
		if !isSpace(r) {
			trimmed = total
		}
		b.runes = append(b.runes, r)
		b.offs = append(b.offs, i)
		b.adv = append(b.adv, w)
		i += n
	}
	if trimmed <= width {
		return append(dst, p) // the common case: no need to look for breaks
	}
	b.offs = append(b.offs, len(p))
	runes, advs := b.runes, b.adv
	n := len(runes)
	if cap(b.ok) < n+1 {
		b.ok = make([]uint8, n+1)
	}
	ok := b.ok[:n+1]
	clear(ok)
	b.seg.Init(runes)
	it := b.seg.LineIterator()
	for it.Next() {
		if off := it.Line().Offset; off > 0 {
			if breakAllowed(runes[off-1], runes[off], runeAt(runes, off+1)) {
				ok[off] = breakOK
			}
		}
	}
	keepURLs(runes, ok)

	lineStart := 0
	lineW := 0.0   // width of runes[lineStart:i]
	lastBreak := 0 // latest i > lineStart with ok[i]
	wAtBreak := 0.0
	for i := 0; i < n; i++ {
		r := runes[i]
		if ok[i] == breakOK && i > lineStart {
			lastBreak, wAtBreak = i, lineW
		}
		w := advs[i]
		for lineW+w > width && i > lineStart && !isSpace(r) {
			// A unit too wide for any line (a long URL) is not moved to a
			// line of its own first: it starts here and fills this line.
			if lastBreak > lineStart && !tooWide(runes, advs, ok, lastBreak, width) {
				dst = append(dst, p[b.offs[lineStart]:b.offs[lastBreak]])
				lineStart, lineW = lastBreak, lineW-wAtBreak
				continue
			}
			// One unit is wider than the line. A URL breaks after a slash or
			// the like if it can; anything else between characters, stepping
			// back a little to honour 禁则 and keep marks attached.
			j := i
			for k := i; k > max(lineStart, lastBreak-1); k-- {
				if ok[k] == breakInURL {
					j = -k
					break
				}
			}
			if j < 0 {
				j = -j
			} else {
				for k := i; k > lineStart+1 && k > i-4; k-- {
					if breakAllowed(runes[k-1], runes[k], runeAt(runes, k+1)) {
						j = k
						break
					}
				}
			}
			for j > lineStart+1 && isExtend(runes[j]) {
				j--
			}
			dst = append(dst, p[b.offs[lineStart]:b.offs[j]])
			lw := 0.0
			for k := j; k < i; k++ {
				lw += advs[k]
			}
			lineStart, lineW = j, lw
		}
		lineW += w
	}
	return append(dst, p[b.offs[lineStart]:])
}

// tooWide reports whether the Latin unit (word, number, URL) starting at
// rune from, up to the next break opportunity, is wider than a whole line.
// Short Chinese units (“好”。) are left to move whole.
func tooWide(runes []rune, advs []float64, ok []uint8, from int, width float64) bool {
	if !isASCIIAlnum(runes[from]) {
		return false
	}
	w := advs[from]
	for k := from + 1; k < len(advs) && ok[k] != breakOK; k++ {
		w += advs[k]
		if w > width {
			return true
		}
	}
	return w > width
}

// keepURLs removes break opportunities inside URLs (http://, https://,
// ftp://, www.) so a URL moves to the next line whole when it fits there.
func keepURLs(runes []rune, ok []uint8) {
	n := len(runes)
	for i := 0; i < n; i++ {
		if !urlStart(runes, i) {
			continue
		}
		j := i
		for j < n && isURLRune(runes[j]) {
			j++
		}
		// Sentence punctuation after a URL is not part of it.
		for j > i && isTrailingPunct(runes[j-1]) {
			j--
		}
		for k := i + 1; k < j; k++ {
			if ok[k] == breakOK {
				ok[k] = breakInURL
			}
		}
		i = j
	}
}

func urlStart(runes []rune, i int) bool {
	if i > 0 && isASCIIAlnum(runes[i-1]) {
		return false
	}
	for _, p := range [...]string{"https://", "http://", "ftp://", "www."} {
		if hasPrefixFold(runes[i:], p) {
			return true
		}
	}
	return false
}

func hasPrefixFold(runes []rune, p string) bool {
	if len(runes) < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		r := runes[k]
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if r != rune(p[k]) {
			return false
		}
	}
	return true
}

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// isURLRune is RFC 3986's unreserved, reserved and percent characters.
func isURLRune(r rune) bool {
	if isASCIIAlnum(r) {
		return true
	}
	switch r {
	case '-', '.', '_', '~', ':', '/', '?', '#', '[', ']', '@', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', '%':
		return true
	}
	return false
}

func isTrailingPunct(r rune) bool {
	switch r {
	case '.', ',', ';', ':', '!', '?', ')', '\'':
		return true
	}
	return false
}

// runeAt is runes[i], or 0 past the end.
func runeAt(runes []rune, i int) rune {
	if i < len(runes) {
		return runes[i]
	}
	return 0
}
