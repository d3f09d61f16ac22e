package layout

import (
	"slices"
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
	ok    []uint8 // ok[i]: may a line start at rune i (breakOK, breakSoft)
	adv   []float64
	// Per paragraph: prefix sums of widths, squeezes and stretchable
	// gaps, line starts, and the total-fit candidates and nodes.
	px, sq []float64
	gp     []int32
	starts []int
	cand   []int32
	nodes  []fitNode
	forced bool
	size   float64
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
	breakNo   = 0
	breakOK   = 1 // UAX #14 and 禁则 allow a break
	breakSoft = 2 // allowed, but inside a URL or a range: only when it is wider than a line
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
	b.size = size
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
	keepNumbers(runes, ok)

	// Prefix sums: px[k] is the width of runes[:k]; sq[k] the squeeze of
	// the pair (k-1, k) summed up to k; gp[k] the stretchable gaps up to k.
	b.px = growF(b.px, n+1)
	b.sq = growF(b.sq, n+1)
	px, sq := b.px, b.sq
	px[0], sq[0] = 0, 0
	for k := 0; k < n; k++ {
		px[k+1] = px[k] + advs[k]
		if k == 0 {
			continue
		}
		s := 0.0
		if r := runes[k]; r > 0x2000 && (isClosingMark(runes[k-1]) || isOpeningMark(r)) {
			s = squeezeEm(runes[k-1], r, advs[k-1]/size, advs[k]/size) * size
		}
		sq[k] = sq[k-1] + s
	}
	sq[n] = sq[n-1]

	b.starts = b.greedy(b.starts[:0], width)
	if !b.forced && len(b.starts) > 1 && b.needsFit(width, size) {
		b.totalFit(width, size)
	}
	for i, s := range b.starts {
		e := n
		if i+1 < len(b.starts) {
			e = b.starts[i+1]
		}
		dst = append(dst, p[b.offs[s]:b.offs[e]])
	}
	return dst
}

func growF(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n, n+n/2)
	}
	return s[:n]
}

func growI(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n, n+n/2)
	}
	return s[:n]
}

// natural is the width of runes[i:j] set on one line (adjacent marks
// squeezed), trailing spaces included.
func (b *Breaker) natural(i, j int) float64 {
	w := b.px[j] - b.px[i]
	if j-1 > i {
		w -= b.sq[j-1] - b.sq[i]
	}
	return w
}

// trimEnd is j less the spaces before it (they hang), but at least i.
func (b *Breaker) trimEnd(i, j int) int {
	for j > i && isSpace(b.runes[j-1]) {
		j--
	}
	return j
}

// greedy fills each line with as much as fits (first fit) and appends the
// start of each line to starts. It sets b.forced when a unit wider than a
// line had to be split between characters.
func (b *Breaker) greedy(starts []int, width float64) []int {
	runes, advs, ok := b.runes, b.adv, b.ok
	n := len(runes)
	b.forced = false
	starts = append(starts, 0)
	lineStart := 0
	lastBreak := 0 // latest i > lineStart with ok[i]
	for i := 0; i < n; i++ {
		r := runes[i]
		if ok[i] == breakOK && i > lineStart {
			lastBreak = i
		}
		if isSpace(r) {
			continue
		}
		for i > lineStart && !b.fitsAbs(lineStart, i+1, width) {
			// A unit too wide for any line (a long URL) is not moved to a
			// line of its own first: it starts here and fills this line.
			if lastBreak > lineStart && !tooWide(runes, advs, ok, lastBreak, width) {
				starts = append(starts, lastBreak)
				lineStart = lastBreak
				continue
			}
			// One unit is wider than the line. A URL or a range breaks
			// after a slash or dash if it can; anything else between
			// characters, stepping back a little to honour 禁则 and keep
			// marks attached.
			b.forced = true
			j := i
			for k := i; k > max(lineStart, lastBreak-1); k-- {
				if ok[k] == breakSoft {
					j = -k
					break
				}
			}
			if j < 0 {
				j = -j
			} else {
				for k := i; k > lineStart+1 && k > i-4; k-- {
					if breakAllowed(runes[k-1], runes[k], runeAt(runes, k+1)) && !(isDigit(runes[k-1]) && isDigit(runes[k])) {
						j = k
						break
					}
				}
			}
			for j > lineStart+1 && isExtend(runes[j]) {
				j--
			}
			starts = append(starts, j)
			lineStart = j
		}
	}
	return starts
}

// fitsAbs reports whether runes[i:j] fit width, a closing mark at the end
// allowed to overhang by its blank half.
func (b *Breaker) fitsAbs(i, j int, width float64) bool {
	te := b.trimEnd(i, j)
	if te <= i {
		return true
	}
	w := b.natural(i, te)
	return w <= width || w-endSqueezeAbs(b.runes[te-1], b.adv[te-1], b.size) <= width
}

// endSqueezeAbs is endSqueezeEm in points.
func endSqueezeAbs(r rune, adv, size float64) float64 {
	if size <= 0 {
		return 0
	}
	return endSqueezeEm(r, adv/size) * size
}

// Total fit. Breaking greedily fills every line but the last, which can
// hold a single character (是否含有政府购买服/务), and leaves a line short
// where a long number or word did not fit at its end. totalFit chooses
// among all break opportunities the set with the fewest lines (never more
// than greedy gives) and, among those, the least demerits: a line's
// demerits grow with the cube of the space justification must add per
// stretchable gap, and a last line of one Chinese character costs more
// than any spacing, so it is avoided whenever another break allows it.
const (
	stretchPerGapEm = 0.25 // the spacing one gap takes at badness 100
	widowDemerits   = 1e12
	squeezeDemerits = 20 // a line-end mark set half-width, preferred only when it helps
)

func (b *Breaker) totalFit(width, size float64) {
	runes := b.runes
	n := len(runes)
	// gp[k]: the stretchable gaps (k'-1, k') for k' <= k, squeezed pairs
	// aside.
	b.gp = growI(b.gp, n+1)
	gp := b.gp
	gp[0] = 0
	for k := 1; k < n; k++ {
		gp[k] = gp[k-1]
		if b.sq[k] == b.sq[k-1] && stretchable(runes[k-1], runes[k]) {
			gp[k]++
		}
	}
	gp[n] = gp[n-1]
	// Candidates: 0, every breakOK position, n.
	b.cand = append(b.cand[:0], 0)
	for k := 1; k < n; k++ {
		if b.ok[k] == breakOK {
			b.cand = append(b.cand, int32(k))
		}
	}
	b.cand = append(b.cand, int32(n))
	nc := len(b.cand)
	if cap(b.nodes) < nc {
		b.nodes = make([]fitNode, nc, nc+nc/2)
	}
	nodes := b.nodes[:nc]
	for k := range nodes {
		nodes[k] = fitNode{lines: -1}
	}
	nodes[0] = fitNode{lines: 0, prev: -1}
	for cj := 1; cj < nc; cj++ {
		j := int(b.cand[cj])
		last := j == n
		for ci := cj - 1; ci >= 0; ci-- {
			i := int(b.cand[ci])
			te := b.trimEnd(i, j)
			if te <= i {
				continue
			}
			w := b.natural(i, te)
			dem := 0.0
			if w > width {
				es := endSqueezeAbs(runes[te-1], b.adv[te-1], size)
				if w-es > width {
					break // widths only grow as i moves back
				}
				w, dem = width, squeezeDemerits
			}
			from := nodes[ci]
			if from.lines < 0 {
				continue
			}
			if last {
				if from.lines > 0 && b.widow(i, te) {
					dem += widowDemerits
				}
			} else {
				slack := width - w
				g := float64(b.gp[te-1] - b.gp[i])
				ratio := slack / (max(g, 0.1) * stretchPerGapEm * size)
				bad := 100 * ratio * ratio * ratio
				dem += (1 + bad) * (1 + bad)
			}
			lines, total := from.lines+1, from.dem+dem
			if to := &nodes[cj]; to.lines < 0 || lines < to.lines || lines == to.lines && total < to.dem {
				*to = fitNode{lines: lines, dem: total, prev: int32(ci)}
			}
		}
	}
	end := nodes[nc-1]
	if end.lines < 0 || end.lines > len(b.starts) {
		return // keep greedy's breaks
	}
	b.starts = b.starts[:0]
	for k := nc - 1; k > 0; k = int(nodes[k].prev) {
		b.starts = append(b.starts, int(b.cand[nodes[k].prev]))
	}
	slices.Reverse(b.starts)
}

// needsFit reports whether first fit left something total fit would
// improve: a one-character last line, or a line whose slack justification
// could only hide with visible spacing. Most paragraphs of Chinese text
// have neither (every character is a break opportunity), and total fit,
// which would find the same breaks, is skipped for them.
func (b *Breaker) needsFit(width, size float64) bool {
	n := len(b.runes)
	last := b.starts[len(b.starts)-1]
	if b.widow(last, b.trimEnd(last, n)) {
		return true
	}
	for k := 0; k+1 < len(b.starts); k++ {
		i, j := b.starts[k], b.starts[k+1]
		te := b.trimEnd(i, j)
		if te <= i {
			continue
		}
		// A line short by more than an em (before a long number or word)
		// is worth spreading over the paragraph.
		if width-b.natural(i, te) > size {
			return true
		}
	}
	return false
}

type fitNode struct {
	lines int
	dem   float64
	prev  int32
}

// widow reports whether runes[i:te], the last line of a paragraph, holds
// one Chinese character and nothing else but closing marks.
func (b *Breaker) widow(i, te int) bool {
	core := 0
	for _, r := range b.runes[i:te] {
		if noLineStart(r) || isExtend(r) {
			continue
		}
		if !isWide(r) {
			return false
		}
		core++
	}
	return core == 1
}

// tooWide reports whether the Latin unit (word, number, URL) starting at
// rune from, up to the next break opportunity, is wider than a whole line.
// Short Chinese units (“好”。) are left to move whole.
func tooWide(runes []rune, advs []float64, ok []uint8, from int, width float64) bool {
	if !isASCIIAlnum(runes[from]) && !isDigit(runes[from]) && !isSign(runes[from]) {
		return false
	}
	// A number is measured to its unit or range dash, where it may break
	// when too wide; a URL or word to its end.
	stop := uint8(breakOK)
	if isDigit(runes[from]) || isSign(runes[from]) {
		stop = breakSoft
	}
	w := advs[from]
	for k := from + 1; k < len(advs) && ok[k] != breakOK && ok[k] != stop; k++ {
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
				ok[k] = breakSoft
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
