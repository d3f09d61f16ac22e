package layout

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Marks printed by the paginator itself.
const (
	ContinuedTable = "续表"  // top of every page after the first
	ContinuedMark  = "（续）" // after a merged level or a label repeated on a new page
	DraftMark      = "草稿"  // on every page of a draft
	pageNumberDash = "—"   // GB/T 9704: "— 1 —"
	mmToPt         = 72 / 25.4
	ascent         = 0.88 // baseline below the top of the ideographic em box, in em
)

// Default page setup (GB/T 9704-2012) for a Grid whose family left it zero.
var defaultPage = PageSetup{
	WidthMM: 210, HeightMM: 297, TopMM: 37, BottomMM: 35, LeftMM: 28, RightMM: 26, FooterMM: 24,
	TitleSize: 22, SubtitleSize: 14, HeadingSize: 12, BodySize: 10.5, PageNumberSize: 14, Leading: 1.5, PaddingMM: 1.5,
}

// Rule widths and fill grays.
const (
	ruleWidth   = 0.5 // inner rules unless the family says otherwise
	frameWidth  = 1   // the table's outer frame
	keepLines   = 6   // rows of at most this many lines are not split
	minTailRows = 3   // the last page holds at least this many rows if it can
	labelGray   = 0.92
	headGray    = 0.86
	draftGray   = 0.88
	draftSize   = 96
	titleLeadF  = 1.35 // title line height / size
	headerGapEm = 0.6  // space between the header lines and the table, in body em
)

// MissingGlyph is a character no font of its role has.
type MissingGlyph struct {
	Rune  rune
	Path  string // field path ("overview", "indicators[2].target"), or "title", "header", "label"…
	Label string // the field's Chinese label, or the label text itself
}

func (g MissingGlyph) String() string {
	return fmt.Sprintf("U+%04X %s in %s (%s)", g.Rune, string(g.Rune), g.Label, g.Path)
}

// MissingGlyphsError lists every character that cannot be printed, once
// per field. Paginate returns it instead of dropping or boxing a character.
type MissingGlyphsError struct {
	Missing []MissingGlyph
}

func (e *MissingGlyphsError) Error() string {
	parts := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		parts[i] = m.String()
	}
	return "no font has these characters: " + strings.Join(parts, "; ")
}

// Paginate typesets g on pages: the title block on the first page, then the
// bordered table, rows split line by line across pages, the indicator
// header repeated and 续表 on continued pages, merged levels repeated with
// （续）, page numbers "— N —" and, for drafts, a 草稿 mark on every page.
// It fails with *MissingGlyphsError when m lacks a character.
func Paginate(g *Grid, m Measurer) (*Document, error) {
	if err := checkGrid(g); err != nil {
		return nil, err
	}
	p := newPaginator(g, m)
	if len(p.missing) > 0 {
		return nil, &MissingGlyphsError{Missing: p.missing}
	}
	p.run()
	return p.doc, nil
}

// checkGrid refuses a Grid whose cells fall outside its columns (only a
// Grid built by hand can be so).
func checkGrid(g *Grid) error {
	if len(g.Columns) == 0 {
		return fmt.Errorf("paginate: the grid has no columns")
	}
	for i, w := range g.Columns {
		if !(w > 0) {
			return fmt.Errorf("paginate: column %d has width %g", i, w)
		}
	}
	for ri, row := range g.Rows {
		for ci, c := range row.Cells {
			if c.Col < 0 || c.Span < 1 || c.Col+c.Span > len(g.Columns) || c.RowSpan < 1 {
				return fmt.Errorf("paginate: row %d cell %d (col %d, span %d, row span %d) does not fit the %d columns",
					ri, ci, c.Col, c.Span, c.RowSpan, len(g.Columns))
			}
		}
	}
	return nil
}

// lost records the runes the last breakText found no glyph for.
func (p *paginator) lost(path, label string) {
	for _, r := range p.br.takeLost() {
		mg := MissingGlyph{Rune: r, Path: path, Label: label}
		if p.seen == nil {
			p.seen = map[MissingGlyph]bool{}
		}
		if !p.seen[mg] {
			p.seen[mg] = true
			p.missing = append(p.missing, mg)
		}
	}
}

// checkMarks checks the marks the paginator adds itself.
func (p *paginator) checkMarks() {
	check := func(s string, role Role, label string) {
		for _, r := range s {
			if _, ok := p.m.Advance(role, r); !ok {
				p.br.lost = append(p.br.lost, r)
			}
		}
		p.lost("page", label)
	}
	check(ContinuedTable, RoleHeading, ContinuedTable)
	check(ContinuedMark, RoleHeading, ContinuedMark)
	check(ContinuedMark, RoleBody, ContinuedMark)
	check(pageNumberDash+" 0123456789", RoleBody, "页码")
	if p.g.Draft {
		check(DraftMark, RoleHeading, DraftMark)
	}
}

// span is a run of lines in paginator.lines.
type span struct{ start, n int }

type cellInfo struct {
	c     Cell // the grid cell (a synthetic blank one under a demoted merge)
	lines span
	cont  span // a label repeated with （续） on a continued page
	size  float64
	lh    float64 // line height
	x, w  float64 // cell box
	merge bool    // a merged level: drawn as a segment per page
}

// piece is part (or all) of one row on one page.
type piece struct {
	row      int
	from, to []int // line range per cell
	y, h     float64
	cont     bool       // the row began on an earlier page
	repeat   bool       // the column header repeated on a continued page
	closing  []*segment // merged cells whose span ends with this piece
}

// segment is the part of a merged level cell on the current page.
type segment struct {
	row, cell int // the cell
	end       int // first row after the span
	startY    float64
	need      float64
	lines     span
	cont      bool
	readRow   int // the row it is read with: its own, or the first on a continued page
}

type paginator struct {
	g    *Grid
	m    Measurer
	br   Breaker
	ps   PageSetup
	doc  *Document
	page *Page

	left, right, top, yMax float64
	lf, pad                float64
	xs                     []float64 // column boundaries
	lines                  []string
	parEnd                 []bool // parEnd[i]: lines[i] ends a paragraph
	cells                  [][]cellInfo
	y                      float64
	pending                *piece
	segs                   []*segment // by grid column
	header                 int        // index of the indicator header row, -1 if none
	rowsOnPage             int        // pieces of rows placed on the page, repeated header aside
	titleLines             []span     // title, subtitle, header lines
	footLines              []span     // footer lines under the table
	missing                []MissingGlyph
	seen                   map[MissingGlyph]bool
	hdrH                   float64   // height of the repeated indicator header
	dxBuf                  []float64 // backing store of the Texts' DX
	ems                    []float64 // scratch: advances of a line
	keep                   int       // PageSetup.KeepLines or its default
	frame, rulew           float64   // rule widths
	tableTop               float64   // top of the table on the page, -1 before its first row
	tableStart             int       // index of the page's first table Text
	repeating              bool      // putting the repeated column header
	blocks                 [][]int   // Block of each cell, 0 until drawn
	rowPage                []int     // page each row starts on
	rowTop                 []float64 // where each row starts on its page
	pageEnd                []float64 // bottom of the table on each page
	forceBreak             int       // break the page before this row (balancing the last page), -1 if none
}

func newPaginator(g *Grid, m Measurer) *paginator {
	ps := g.Page
	if ps.WidthMM <= 0 || ps.HeightMM <= 0 || ps.BodySize <= 0 {
		ps = defaultPage
	}
	if ps.Leading <= 0 {
		ps.Leading = defaultPage.Leading
	}
	if ps.PaddingMM <= 0 {
		ps.PaddingMM = defaultPage.PaddingMM
	}
	if ps.PageNumberSize <= 0 {
		ps.PageNumberSize = defaultPage.PageNumberSize
	}
	for _, s := range []*float64{&ps.TitleSize, &ps.SubtitleSize, &ps.HeadingSize} {
		if *s <= 0 {
			*s = ps.BodySize
		}
	}
	p := &paginator{g: g, m: m, ps: ps, header: -1, keep: ps.KeepLines, frame: ps.FramePt, rulew: ps.RulePt, forceBreak: -1}
	if p.keep <= 0 {
		p.keep = keepLines
	}
	if p.frame <= 0 {
		p.frame = frameWidth
	}
	if p.rulew <= 0 {
		p.rulew = ruleWidth
	}
	p.doc = &Document{WidthPt: ps.WidthMM * mmToPt, HeightPt: ps.HeightMM * mmToPt, Meta: g.Meta, Draft: g.Draft}
	p.left = ps.LeftMM * mmToPt
	p.right = p.doc.WidthPt - ps.RightMM*mmToPt
	p.top = ps.TopMM * mmToPt
	p.yMax = p.doc.HeightPt - ps.BottomMM*mmToPt
	p.lf = ps.Leading
	p.pad = ps.PaddingMM * mmToPt

	total := 0.0
	for _, c := range g.Columns {
		total += c
	}
	p.xs = make([]float64, len(g.Columns)+1)
	acc := 0.0
	for i, c := range g.Columns {
		p.xs[i] = p.left + (p.right-p.left)*acc/total
		acc += c
	}
	p.xs[len(g.Columns)] = p.right
	p.segs = make([]*segment, len(g.Columns))

	nlines := 0
	for _, row := range g.Rows {
		for _, c := range row.Cells {
			nlines += 2 + len(c.Text)/64 // a line holds ~30 CJK characters (90 bytes)
		}
	}
	p.lines = make([]string, 0, nlines)
	p.parEnd = make([]bool, 0, nlines)
	p.cells = make([][]cellInfo, len(g.Rows))
	for ri, row := range g.Rows {
		if row.Kind == RowTableHeader && p.header < 0 {
			p.header = ri
		}
		infos := make([]cellInfo, len(row.Cells))
		for ci, c := range row.Cells {
			size := ps.BodySize
			if c.Kind == KindSection {
				size = ps.HeadingSize
			}
			end := c.Col + c.Span
			info := cellInfo{c: c, size: size, lh: size * p.lf, x: p.xs[c.Col], w: p.xs[end] - p.xs[c.Col],
				merge: c.Kind == KindIndicatorL1 || c.Kind == KindIndicatorL2 || c.RowSpan > 1}
			info.lines = p.breakText(c.Text, info.w-2*p.pad, size, c.Role)
			if c.Path != "" {
				label := c.Label
				if label == "" {
					label = c.Path
				}
				p.lost(c.Path, label)
			} else {
				p.lost("label", c.Text)
			}
			if c.Kind == KindLabel && row.Kind == RowField {
				info.cont = p.breakText(c.Text+ContinuedMark, info.w-2*p.pad, size, c.Role)
				p.br.takeLost()
			}
			infos[ci] = info
		}
		p.cells[ri] = infos
	}
	w := p.right - p.left
	p.titleLines = append(p.titleLines, p.breakText(g.Title, w, ps.TitleSize, RoleTitle))
	p.lost("title", "标题")
	p.titleLines = append(p.titleLines, p.breakText(g.Subtitle, w, ps.SubtitleSize, RoleBody))
	p.lost("subtitle", "副标题")
	for i, h := range g.Header {
		hw := w
		if i < len(g.HeaderRight) && g.HeaderRight[i] != "" {
			r := g.HeaderRight[i]
			p.br.AppendBreak(nil, r, w, ps.HeadingSize, RoleBody, p.m) // only for the glyph check
			p.lost("header", r)
			hw = max(w-p.width(r, ps.HeadingSize, RoleBody)-ps.HeadingSize, w/3)
		}
		p.titleLines = append(p.titleLines, p.breakText(h, hw, ps.HeadingSize, RoleBody))
		p.lost("header", h)
	}
	for _, l := range g.Footer {
		p.footLines = append(p.footLines, p.breakText(l, w, ps.BodySize, RoleBody))
		p.lost("footer", l)
	}
	p.checkMarks()
	if p.header >= 0 {
		p.hdrH, _ = p.remaining(p.header, make([]int, len(p.cells[p.header])))
	}
	p.demoteTallMerges()
	return p
}

func (p *paginator) breakText(s string, width, size float64, role Role) span {
	start := len(p.lines)
	p.lines = p.br.AppendBreak(p.lines, s, width, size, role, p.m)
	// Mark the lines that end a paragraph (before a newline or at the
	// end): they are never justified.
	pos := 0
	for _, l := range p.lines[start:] {
		pos += len(l)
		end := pos >= len(s) || s[pos] == '\n' || s[pos] == '\r'
		if end && pos < len(s) {
			if s[pos] == '\r' && pos+1 < len(s) && s[pos+1] == '\n' {
				pos++
			}
			pos++
		}
		p.parEnd = append(p.parEnd, end)
	}
	return span{start, len(p.lines) - start}
}

func (p *paginator) width(s string, size float64, role Role) float64 {
	s = strings.TrimRight(s, " \t\u3000\u00a0")
	w := 0.0
	for _, r := range s {
		em, ok := p.m.Advance(role, r)
		if !ok {
			em = 1
		}
		w += em
	}
	return w * size
}

func (p *paginator) text(x, y float64, role Role, size float64, s string, block int) {
	p.page.Texts = append(p.page.Texts, Text{X: x, Y: y, Role: role, Size: size, S: s, Block: block})
}

// rule draws an inner rule; those on the table's outer frame are left to
// finishPage, which draws the frame heavier.
func (p *paginator) rule(x1, y1, x2, y2 float64) {
	const eps = 0.01
	if x1 == x2 && (abs(x1-p.left) < eps || abs(x1-p.right) < eps) || y1 == y2 && abs(y1-p.tableTop) < eps {
		return
	}
	p.page.Rules = append(p.page.Rules, Rule{X1: x1, Y1: y1, X2: x2, Y2: y2, Width: p.rulew})
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// newBlock adds a logical element and returns its number for Text.Block.
func (p *paginator) newBlock(b Block) int {
	p.doc.Blocks = append(p.doc.Blocks, b)
	return len(p.doc.Blocks)
}

// cellBlock is the Block of cell ci of row r, made when first drawn.
func (p *paginator) cellBlock(r, ci int) int {
	if id := p.blocks[r][ci]; id != 0 {
		return id
	}
	c := p.cells[r][ci].c
	b := Block{Kind: BlockCell, Row: r, Col: c.Col, RowSpan: max(c.RowSpan, 1), ColSpan: max(c.Span, 1)}
	switch c.Kind {
	case KindLabel, KindIndicatorL1, KindIndicatorL2:
		b.Kind, b.Scope = BlockHeaderCell, ScopeRow
	case KindColumnHead, KindSection:
		b.Kind, b.Scope = BlockHeaderCell, ScopeColumn
	}
	id := p.newBlock(b)
	p.blocks[r][ci] = id
	return id
}

func (p *paginator) newPage() {
	// Typical pages hold ~40 cells: sizing once avoids regrowing per item.
	p.doc.Pages = append(p.doc.Pages, Page{Fills: make([]Rect, 0, 16), Texts: make([]Text, 0, 96), Rules: make([]Rule, 0, 128)})
	p.page = &p.doc.Pages[len(p.doc.Pages)-1]
	p.page.FirstRow = -1
	if p.g.Draft {
		// Light, behind the content, centred on the type area, on every page.
		w := p.width(DraftMark, draftSize, RoleHeading)
		p.page.Background = append(p.page.Background, Text{X: (p.left + p.right - w) / 2, Y: (p.top+p.yMax)/2 + draftSize*0.35,
			Role: RoleHeading, Size: draftSize, S: DraftMark, Gray: draftGray})
	}
	p.y = p.top
	p.rowsOnPage = 0
	p.tableTop = -1
	p.tableStart = -1
}

// run typesets the pages, then balances the last one: when it holds less
// than a quarter of the type area or fewer than three rows, the break before it moves up row by row
// (never splitting a row that was whole, never stranding a heading) until
// the last page holds a quarter and three rows, or the page before would
// drop below half;
// the number of pages never changes. A last page of two or three rows
// after a full one looks like an afterthought and is easily lost.
func (p *paginator) run() {
	p.layoutPages()
	n := len(p.doc.Pages)
	if n < 2 {
		return
	}
	capacity := p.yMax - p.tableTopContinued()
	short := func() bool {
		rows := 0
		for r := range p.rowPage {
			if p.rowPage[r] == n-1 {
				rows++
			}
		}
		if len(p.pageEnd) != n {
			return false // the last page is the footer's or the title's: nothing to balance
		}
		return p.pageEnd[n-1]-p.tableTopContinued() < capacity/4 || rows < minTailRows
	}
	if !short() {
		return
	}
	last, prev := p.doc.Pages[n-1], p.doc.Pages[n-2]
	if last.FirstRow < 0 || last.Continued {
		return
	}
	orig := *p.doc
	lo := prev.FirstRow + 1
	// Rows that must move at least: skip the tries that cannot be enough.
	deficit := capacity/4 - (p.pageEnd[n-1] - p.tableTopContinued())
	tailRows := 0
	for r := range p.rowPage {
		if p.rowPage[r] == n-1 {
			tailRows++
		}
	}
	prevEnd := p.pageEnd[n-2]
	rowTop, rowPage := slices.Clone(p.rowTop), slices.Clone(p.rowPage)
	for q, tries := last.FirstRow-1, 0; q >= lo && tries < 8; q-- {
		if rowPage[q] != n-2 || p.g.Rows[q-1].Kind == RowSection || p.g.Rows[q-1].Kind == RowTableHeader {
			continue
		}
		if prevEnd-rowTop[q] < deficit || last.FirstRow-q+tailRows < minTailRows {
			continue // moving the break here cannot balance the pages
		}
		tries++
		p.forceBreak = q
		p.layoutPages()
		if len(p.doc.Pages) != n || len(p.pageEnd) != n || p.pageEnd[n-2]-p.tableTopContinued() < capacity/2 {
			break
		}
		if !short() {
			p.forceBreak = -1
			return
		}
	}
	p.forceBreak = -1
	*p.doc = orig
}

// layoutPages typesets every row from scratch (run may call it again with
// a forced break).
func (p *paginator) layoutPages() {
	p.doc.Pages, p.doc.Blocks = nil, nil
	p.pending = nil
	clear(p.segs)
	p.blocks = make([][]int, len(p.cells))
	for r := range p.cells {
		p.blocks[r] = make([]int, len(p.cells[r]))
	}
	p.rowPage = make([]int, len(p.cells))
	p.rowTop = make([]float64, len(p.cells))
	p.pageEnd = p.pageEnd[:0]
	p.newPage()
	p.titleBlock()
	from := make([]int, 0, 8)
	for r := 0; r < len(p.g.Rows); {
		from = from[:0]
		for range p.cells[r] {
			from = append(from, 0)
		}
		cont := false
		for {
			done, placed := p.place(r, from, cont)
			if done {
				break
			}
			cont = cont || placed
		}
		r++
	}
	p.finishPage()
	if len(p.footLines) > 0 {
		p.y += headerGapEm * p.ps.BodySize / 2
		for _, sp := range p.footLines {
			p.block(sp, RoleBody, p.ps.BodySize, p.ps.BodySize*p.lf, false, p.newBlock(Block{Kind: BlockParagraph, Row: -1, Col: -1}))
		}
	}
	p.pageNumbers()
}

// demoteTallMerges turns a merged level whose text could not fit on one
// page (an absurdly long level name) into an ordinary cell of its first row,
// whose lines split across pages like any value, and gives the rows it
// covered blank cells. The merge is lost but nothing overflows the page.
func (p *paginator) demoteTallMerges() {
	capacity := p.yMax - p.tableTopContinued() - p.hdrH
	for ri := range p.cells {
		for ci := range p.cells[ri] {
			info := &p.cells[ri][ci]
			if !info.merge || p.segNeed(info.lines.n+2, info.lh) <= capacity {
				continue
			}
			info.merge = false
			info.c.Kind, info.c.Align = KindValue, AlignLeft
			for r := ri + 1; r < ri+info.c.RowSpan && r < len(p.cells); r++ {
				blank := *info
				blank.c.Text, blank.c.Path, blank.c.RowSpan, blank.c.Label = "", "", 1, ""
				blank.lines = p.breakText("", info.w, info.size, info.c.Role)
				p.cells[r] = append(p.cells[r], blank)
			}
			info.c.RowSpan = 1
		}
	}
}

// titleBlock sets the title, the subtitle and the header lines above the
// table. They only run onto a second page when absurdly long.
func (p *paginator) titleBlock() {
	ps := p.ps
	if p.g.Title != "" {
		p.block(p.titleLines[0], RoleTitle, ps.TitleSize, ps.TitleSize*titleLeadF, true, p.newBlock(Block{Kind: BlockTitle, Row: -1, Col: -1}))
	}
	if p.g.Subtitle != "" {
		p.block(p.titleLines[1], RoleBody, ps.SubtitleSize, ps.SubtitleSize*p.lf, true, p.newBlock(Block{Kind: BlockParagraph, Row: -1, Col: -1}))
	}
	for i, sp := range p.titleLines[2:] {
		if i < len(p.g.HeaderRight) && p.g.HeaderRight[i] != "" {
			// The right-hand text sits on the first line of its left one.
			lh := ps.HeadingSize * p.lf
			if p.y+lh > p.yMax {
				p.newPage()
			}
			r := p.g.HeaderRight[i]
			p.text(p.right-p.width(r, ps.HeadingSize, RoleBody), p.y+(lh-ps.HeadingSize)/2+ascent*ps.HeadingSize, RoleBody, ps.HeadingSize, r,
				p.newBlock(Block{Kind: BlockParagraph, Row: -1, Col: -1}))
			if sp.n == 0 {
				p.y += lh
			}
		}
		p.block(sp, RoleBody, ps.HeadingSize, ps.HeadingSize*p.lf, false, p.newBlock(Block{Kind: BlockParagraph, Row: -1, Col: -1}))
	}
	p.y += headerGapEm * ps.BodySize
}

func (p *paginator) block(sp span, role Role, size, lh float64, center bool, block int) {
	w := p.right - p.left
	for _, l := range p.lines[sp.start : sp.start+sp.n] {
		if p.y+lh > p.yMax {
			p.newPage()
		}
		x := p.left
		if center {
			x += (w - p.width(l, size, role)) / 2
		}
		p.text(x, p.y+(lh-size)/2+ascent*size, role, size, l, block)
		p.y += lh
	}
}

// remaining is the height the row still needs from the given line offsets,
// merged cells aside.
func (p *paginator) remaining(r int, from []int) (h float64, lines int) {
	for ci, info := range p.cells[r] {
		if info.merge {
			continue
		}
		n := info.lines.n - from[ci]
		if n <= 0 && from[ci] > 0 && info.cont.n > 0 {
			n = info.cont.n // the label is repeated with （续）
		}
		n = max(n, 0)
		h = max(h, float64(n)*info.lh)
		lines = max(lines, n)
	}
	if mh := p.g.Rows[r].MinHeightMM * mmToPt; mh > 0 && isStart(from) {
		return max(h+2*p.pad, mh), lines
	}
	return h + 2*p.pad, lines
}

// isStart reports whether no line of a row has been placed yet.
func isStart(from []int) bool {
	for _, f := range from {
		if f != 0 {
			return false
		}
	}
	return true
}

// keepHeight is how much must fit below y for row r not to be stranded:
// a heading or the column header keeps with the first lines of what follows.
func (p *paginator) keepHeight(r int, h float64) float64 {
	kind := p.g.Rows[r].Kind
	if kind != RowSection && kind != RowTableHeader || r+1 >= len(p.g.Rows) {
		return h
	}
	zero := make([]int, len(p.cells[r+1]))
	next, _ := p.remaining(r+1, zero)
	lh := p.ps.BodySize * p.lf
	next = min(next, 2*lh+2*p.pad)
	for _, info := range p.cells[r+1] {
		if info.merge {
			next = max(next, float64(max(info.lines.n, 1))*info.lh+2*p.pad)
		}
	}
	return p.keepHeight(r+1, h+next) // sections may be followed by the header
}

// segNeed is the height a merged cell's text needs.
func (p *paginator) segNeed(n int, lh float64) float64 {
	return float64(max(n, 1))*lh + 2*p.pad
}

// place puts as much of row r as fits on the current page, starting at the
// line offsets from (updated). It reports whether the row is complete.
func (p *paginator) place(r int, from []int, cont bool) (done, placed bool) {
	row := p.g.Rows[r]
	if r == p.forceBreak && !cont && p.rowsOnPage > 0 {
		p.breakPage(r)
		return false, false
	}
	need, lines := p.remaining(r, from)
	avail := p.yMax - p.y
	atTop := p.rowsOnPage == 0 && p.y <= p.tableTopContinued()+p.hdrH+0.01
	// New merged cells start here: their text must fit on this page.
	segOK := true
	if !cont {
		for _, info := range p.cells[r] {
			if info.merge && p.y+p.segNeed(info.lines.n, info.lh) > p.yMax {
				segOK = false
			}
		}
	}
	if segOK && p.y+p.keepHeight(r, need) <= p.yMax {
		p.put(r, from, lines, lines, cont)
		return true, true
	}
	// Split the row when it is long (or could never fit a page).
	fresh := p.yMax - p.tableTopContinued()
	k := p.fitLines(r, from, avail)
	splittable := row.Kind == RowField || row.Kind == RowIndicator || need > fresh
	if splittable && segOK && k >= 1 && (need > fresh || k >= 2 && lines > p.keep) {
		if need <= fresh && lines-k < 2 {
			k = lines - 2 // leave at least two lines for the next page
		}
		if k >= 1 {
			p.put(r, from, k, lines, cont)
			p.breakPage(r)
			return false, true
		}
	}
	if atTop {
		// Nothing fits even on an empty page (a heading that cannot keep
		// with its row, say): place it anyway rather than loop.
		p.put(r, from, lines, lines, cont)
		return true, true
	}
	p.breakPage(r)
	return false, false
}

// tableTopContinued is where rows start on a continued page (after 续表;
// the repeated header is not counted: it is only there for indicators).
func (p *paginator) tableTopContinued() float64 {
	return p.top + p.ps.HeadingSize*p.lf
}

// fitLines is how many lines of every non-merged cell of row r fit in avail.
func (p *paginator) fitLines(r int, from []int, avail float64) int {
	k := -1
	for ci, info := range p.cells[r] {
		if info.merge {
			continue
		}
		if from[ci] > 0 && from[ci] >= info.lines.n && float64(info.cont.n)*info.lh > avail-2*p.pad {
			return 0 // the repeated label would not fit
		}
		n := int((avail - 2*p.pad) / info.lh)
		if k < 0 || n < k {
			k = n
		}
	}
	return max(k, 0)
}

// put places lines [from, from+k) of every cell of row r (all remaining when
// k >= remaining) as one piece, opens merged segments starting here and
// closes those ending here.
func (p *paginator) put(r int, from []int, k, total int, cont bool) {
	pc := &piece{row: r, from: append([]int(nil), from...), to: make([]int, len(from)), y: p.y, cont: cont, repeat: p.repeating}
	complete := k >= total
	if p.tableTop < 0 {
		p.tableTop, p.tableStart = p.y, len(p.page.Texts)
	}
	if !p.repeating && p.page.FirstRow < 0 {
		p.page.FirstRow, p.page.Continued = r, cont
	}
	if !cont && !p.repeating {
		p.rowPage[r] = len(p.doc.Pages) - 1
		p.rowTop[r] = p.y
	}
	if p.g.Rows[r].Kind != RowTableHeader || p.rowsOnPage > 0 {
		p.rowsOnPage++
	}
	lh := 0.0
	for ci, info := range p.cells[r] {
		if info.merge {
			pc.to[ci] = from[ci]
			continue
		}
		end := min(from[ci]+k, info.lines.n)
		if complete {
			end = info.lines.n
		}
		pc.to[ci] = end
		n := end - from[ci]
		if n == 0 && from[ci] > 0 && info.cont.n > 0 {
			n = info.cont.n
		}
		lh = max(lh, float64(n)*info.lh)
	}
	pc.h = lh + 2*p.pad
	if mh := p.g.Rows[r].MinHeightMM * mmToPt; mh > 0 && isStart(from) && complete {
		pc.h = max(pc.h, mh)
	}
	// Open segments for merged cells starting in this row.
	for ci, info := range p.cells[r] {
		if !info.merge || cont {
			continue
		}
		c := info.c
		p.segs[c.Col] = &segment{row: r, cell: ci, end: r + max(c.RowSpan, 1), startY: p.y,
			need: p.segNeed(info.lines.n, info.lh), lines: info.lines, readRow: r}
	}
	if complete {
		for col, s := range p.segs {
			if s != nil && s.end == r+1 {
				pc.h = max(pc.h, s.startY+s.need-p.y)
				pc.closing = append(pc.closing, s)
				p.segs[col] = nil
			}
		}
	}
	p.flush()
	p.pending = pc
	p.y += pc.h
	copy(from, pc.to)
}

// flush draws the pending piece.
func (p *paginator) flush() {
	pc := p.pending
	if pc == nil {
		return
	}
	p.pending = nil
	last := len(p.g.Columns)
	for ci, info := range p.cells[pc.row] {
		c := info.c
		if info.merge {
			continue
		}
		x, w := info.x, info.w
		switch c.Kind {
		case KindLabel:
			if !p.ps.Shade {
				break
			}
			p.page.Fills = append(p.page.Fills, Rect{X: x, Y: pc.y, W: w, H: pc.h, Gray: labelGray})
		case KindColumnHead, KindSection:
			if !p.ps.Shade {
				break
			}
			p.page.Fills = append(p.page.Fills, Rect{X: x, Y: pc.y, W: w, H: pc.h, Gray: headGray})
		}
		p.rule(x, pc.y, x+w, pc.y) // top
		p.rule(x, pc.y, x, pc.y+pc.h)
		if c.Col+max(c.Span, 1) >= last {
			p.rule(x+w, pc.y, x+w, pc.y+pc.h)
		}
		first, n := info.lines.start+pc.from[ci], pc.to[ci]-pc.from[ci]
		block, path := 0, c.Path
		if n == 0 && pc.from[ci] > 0 && info.cont.n > 0 {
			// A label whose row continues here is repeated with （续）.
			first, n = info.cont.start, info.cont.n
		} else if !pc.repeat && n > 0 {
			block = p.cellBlock(pc.row, ci)
		}
		if pc.repeat {
			path = ""
		}
		p.cellText(first, n, c, info, x, w, pc.y, pc.h, path, block, int32(pc.row)<<8|int32(min(c.Col, 255)))
	}
	for _, s := range pc.closing {
		p.drawSegment(s, pc.y+pc.h)
	}
}

// cellText draws lines centred vertically in the box, aligned horizontally.
// cellText draws lines [first, first+n) of p.lines centred vertically in
// the box, aligned horizontally. Lines of a value that do not end a
// paragraph are justified (两端对齐) by a little letter spacing.
func (p *paginator) cellText(first, n int, c Cell, info cellInfo, x, w, y, h float64, path string, block int, ord int32) {
	if n == 0 {
		return
	}
	y0 := y + (h-float64(n)*info.lh)/2
	for i := range n {
		l := p.lines[first+i]
		if l == "" {
			continue
		}
		dx, natural := p.adjust(l, w-2*p.pad, info.size, c.Role, c.Kind == KindValue && c.Align == AlignLeft && !p.parEnd[first+i])
		tx := x + p.pad
		switch c.Align {
		case AlignCenter:
			tx = x + (w-natural)/2
		case AlignRight:
			tx = x + w - p.pad - natural
		}
		base := y0 + float64(i)*info.lh + (info.lh-info.size)/2 + ascent*info.size
		p.page.Texts = append(p.page.Texts, Text{X: tx, Y: base, Role: c.Role, Size: info.size, S: l, Path: path, DX: dx, Block: block, ord: ord})
	}
}

// maxStretchEm bounds justification per gap: a line with more slack (one
// before a long URL, say) stays ragged rather than spaced out. Total fit
// spreads such slack over the paragraph, so this is rare.
const maxStretchEm = 0.5

// adjust returns the DX of line l (nil when nothing moves) and its width
// as set. Adjacent marks are squeezed; when justify is set, the slack to
// width is shared by the stretchable gaps.
func (p *paginator) adjust(l string, width, size float64, role Role, justify bool) ([]float64, float64) {
	t := strings.TrimRight(l, " \t\u3000\u00a0") // trailing spaces hang outside the measure
	natural, squeezed, gaps := 0.0, false, 0
	prev, prevEm := rune(0), 0.0
	ems := p.ems[:0]
	for _, r := range t {
		em, ok := p.m.Advance(role, r)
		if !ok {
			em = 1
		}
		ems = append(ems, em)
		natural += em * size
		if prev != 0 {
			if s := squeezeEm(prev, r, prevEm, em); s > 0 {
				natural -= s * size
				squeezed = true
			} else if stretchable(prev, r) {
				gaps++
			}
		}
		prev, prevEm = r, em
	}
	p.ems = ems
	stretch := 0.0
	if justify && gaps > 0 && natural < width {
		stretch = (width - natural) / float64(gaps)
		if stretch > maxStretchEm*size {
			stretch = 0
		}
	}
	if !squeezed && stretch == 0 {
		return nil, natural
	}
	n := utf8.RuneCountInString(l)
	if len(p.dxBuf)+n > cap(p.dxBuf) {
		p.dxBuf = make([]float64, 0, max(4096, n))
	}
	start := len(p.dxBuf)
	p.dxBuf = p.dxBuf[:start+n]
	dx := p.dxBuf[start : start+n : start+n]
	clear(dx)
	i := 0
	prev, prevEm = 0, 0
	for _, r := range t {
		em := ems[i]
		if i > 0 {
			if s := squeezeEm(prev, r, prevEm, em); s > 0 {
				dx[i-1] -= s * size
			} else if stretch > 0 && stretchable(prev, r) {
				dx[i-1] += stretch
			}
		}
		prev, prevEm = r, em
		i++
	}
	if stretch > 0 {
		natural = width
	}
	return dx, natural
}

func (p *paginator) drawSegment(s *segment, bottom float64) {
	info := p.cells[s.row][s.cell]
	c := info.c
	x, w := info.x, info.w
	if c.Kind == KindLabel && p.ps.Shade {
		p.page.Fills = append(p.page.Fills, Rect{X: x, Y: s.startY, W: w, H: bottom - s.startY, Gray: labelGray})
	}
	p.rule(x, s.startY, x+w, s.startY)
	p.rule(x, s.startY, x, bottom)
	if c.Col+max(c.Span, 1) >= len(p.g.Columns) {
		p.rule(x+w, s.startY, x+w, bottom)
	}
	path, block := c.Path, 0
	if s.cont {
		path = "" // a repeat, not the value
	} else {
		block = p.cellBlock(s.row, s.cell)
	}
	p.cellText(s.lines.start, s.lines.n, c, info, x, w, s.startY, bottom-s.startY, path, block, int32(s.readRow)<<8|int32(min(c.Col, 255)))
}

// breakPage ends the page before (the rest of) row r and starts the next:
// segments still open are stretched to fit their text, closed, and reopened
// on the new page with （续）.
func (p *paginator) breakPage(r int) {
	if pc := p.pending; pc != nil {
		for _, s := range p.segs {
			if s != nil {
				pc.h = max(pc.h, s.startY+s.need-pc.y)
			}
		}
		p.y = pc.y + pc.h
	}
	p.finishPage()
	p.newPage()
	lh := p.ps.HeadingSize * p.lf
	p.text(p.left, p.y+(lh-p.ps.HeadingSize)/2+ascent*p.ps.HeadingSize, RoleHeading, p.ps.HeadingSize, ContinuedTable, 0)
	p.y += lh
	// A cell that spans the indicator header too (本年度绩效指标 beside
	// the table) reopens above the repeated header; merged levels below it.
	reopen := func(above bool) {
		for col, s := range p.segs {
			if s == nil || s.cont || (p.header >= 0 && s.row <= p.header) != above {
				continue
			}
			info := p.cells[s.row][s.cell]
			c := info.c
			sp := p.breakText(c.Text+ContinuedMark, info.w-2*p.pad, info.size, c.Role)
			p.segs[col] = &segment{row: s.row, cell: s.cell, end: s.end, startY: p.y,
				need: p.segNeed(sp.n, info.lh), lines: sp, cont: true, readRow: r}
		}
	}
	for _, s := range p.segs {
		if s != nil {
			s.cont = false // segments of the previous page, all to reopen
		}
	}
	reopen(true)
	if p.g.Rows[r].Kind == RowIndicator && p.header >= 0 {
		zero := make([]int, len(p.cells[p.header]))
		_, n := p.remaining(p.header, zero)
		p.repeating = true
		p.put(p.header, zero, n, n, true)
		p.repeating = false
	}
	reopen(false)
}

// finishPage draws what is pending, closes open segments at the bottom of
// the table and rules it off.
func (p *paginator) finishPage() {
	p.flush()
	for _, s := range p.segs {
		if s != nil {
			p.drawSegment(s, p.y)
		}
	}
	p.pageEnd = append(p.pageEnd, p.y)
	if p.tableTop < 0 {
		return
	}
	// Reading order: the table row by row, each row's cells left to right
	// (a merged level is read with the row it starts in, not after the
	// last row it spans, where it is drawn).
	if p.tableStart >= 0 {
		slices.SortStableFunc(p.page.Texts[p.tableStart:], func(a, b Text) int { return int(a.ord - b.ord) })
	}
	// The outer frame, heavier than the inner rules.
	t, b, w := p.tableTop, p.y, p.frame
	p.page.Rules = append(p.page.Rules,
		Rule{X1: p.left, Y1: t, X2: p.right, Y2: t, Width: w}, Rule{X1: p.right, Y1: t, X2: p.right, Y2: b, Width: w},
		Rule{X1: p.right, Y1: b, X2: p.left, Y2: b, Width: w}, Rule{X1: p.left, Y1: b, X2: p.left, Y2: t, Width: w})
}

func (p *paginator) pageNumbers() {
	size := p.ps.PageNumberSize
	y := p.doc.HeightPt - p.ps.FooterMM*mmToPt
	for i := range p.doc.Pages {
		s := pageNumberDash + " " + strconv.Itoa(i+1) + " " + pageNumberDash
		w := p.width(s, size, RoleBody)
		pg := &p.doc.Pages[i]
		pg.Texts = append(pg.Texts, Text{X: (p.doc.WidthPt - w) / 2, Y: y, Role: RoleBody, Size: size, S: s})
	}
}
