package xlsx

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/layout"
)

// Options configure the workbook writer. The zero value is ready to use.
type Options struct {
	Fonts    Fonts           // zero: DefaultFonts
	Measurer layout.Measurer // nil: SpreadsheetMeasurer
	// Paginate, when set, is the PDF's pagination of a grid (layout.Paginate
	// with the PDF's fonts): the printed workbook then breaks its pages
	// before the same rows and scales each page's rows to fit, so it
	// prints on as many pages as the PDF. Nil keeps the workbook's own
	// estimate (pageBreaks).
	Paginate func(*layout.Grid) (*layout.Document, error)
	// Created is the workbook's creation date (e.g. SOURCE_DATE_EPOCH);
	// zero means the render time (Now, or the clock when Now is nil).
	Created time.Time
	Now     func() time.Time

	compressors *sync.Pool // set by NewRenderer: deflate writers shared by its workbooks
}

func (o Options) withDefaults() Options {
	d := DefaultFonts()
	if o.Fonts.Title == "" {
		o.Fonts.Title = d.Title
	}
	if o.Fonts.Heading == "" {
		o.Fonts.Heading = d.Heading
	}
	if o.Fonts.Body == "" {
		o.Fonts.Body = d.Body
	}
	if o.Measurer == nil {
		o.Measurer = SpreadsheetMeasurer{}
	}
	return o
}

// Sheet is one form to write: its laid-out grid and the form it shows.
type Sheet struct {
	Grid *layout.Grid
	Form *reports.Form // for the 汇总 sheet and sheet names; may be nil
	// Family is the name of the form family the grid was built with,
	// recorded for re-import.
	Family string
	// Problems are the form's validation findings, shown in the 汇总 sheet.
	Problems reports.Problems
	// Choices lists the options of choice fields by field path (是/否);
	// their cells get a drop-down list that still accepts other text.
	Choices map[string][]string
}

// FormSheetName is the sheet of a single-form workbook.
const FormSheetName = "绩效目标表"

// SummarySheetName is the overview sheet of a combined workbook.
const SummarySheetName = "汇总"

// Write writes a workbook with one sheet per form to w. With a single sheet
// and summary false it is named 绩效目标表; otherwise sheets are named after
// the projects and, when summary is true, a 汇总 sheet comes first. Nothing
// is written to w when a form cannot be written (only w's own errors can
// leave a partial workbook).
func Write(w io.Writer, sheets []Sheet, summary bool, opts Options) error {
	if len(sheets) == 0 {
		return fmt.Errorf("write workbook: no forms")
	}
	b := newBook(opts)
	var names []string
	if len(sheets) == 1 && !summary {
		names = []string{FormSheetName}
	} else {
		names = sheetNames(sheets, summary)
	}
	if summary {
		ws := b.wb.addSheet(SummarySheetName)
		b.meta = append(b.meta, []string{"summary", SummarySheetName})
		if err := b.writeSummary(ws, sheets, names); err != nil {
			return err
		}
	}
	for i, s := range sheets {
		if s.Grid == nil {
			return fmt.Errorf("write workbook: form %d has no layout", i+1)
		}
		if err := b.writeGrid(b.wb.addSheet(names[i]), s); err != nil {
			return fmt.Errorf("sheet %s: %w", names[i], err)
		}
	}
	b.writeMeta(sheets)
	if err := b.wb.write(w, b.opts.compressors); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

// book is one workbook being written.
type book struct {
	wb   *workbook
	wrap wrapper
	opts Options
	meta [][]string
}

func newBook(opts Options) *book {
	opts = opts.withDefaults()
	return &book{wb: newWorkbook(), wrap: wrapper{m: opts.Measurer}, opts: opts}
}

func (b *book) style(k styleKey) int { return b.wb.styles.id(k) }

// created is the workbook's creation date: Options.Created, else now.
func (b *book) created() time.Time {
	switch {
	case !b.opts.Created.IsZero():
		return b.opts.Created
	case b.opts.Now != nil:
		return b.opts.Now()
	}
	return time.Now()
}

// Geometry of cells, in points. Spreadsheet applications inset text from
// the cell edges and draw lines taller than the font size; these values are
// upper bounds over Excel, WPS and LibreOffice with the usual CJK fonts
// (Noto CJK's line height is 1.45 em).
const (
	lineFactor   = 1.5   // line height / font size
	padV         = 4.0   // top + bottom inset
	padH         = 7.0   // left + right inset
	widthSafety  = 0.94  // share of the remaining width we count on
	maxRowHeight = 409.0 // Excel's limit for one row
	digitPx      = 7.0   // max digit width of the default font (Calibri 11) in pixels
)

// sizes are the font sizes by role, with defaults for a grid that leaves
// them zero.
type sizes struct{ title, subtitle, heading, body float64 }

func sizesOf(p layout.PageSetup) sizes {
	s := sizes{title: p.TitleSize, subtitle: p.SubtitleSize, heading: p.HeadingSize, body: p.BodySize}
	if s.title == 0 {
		s.title = 18
	}
	if s.body == 0 {
		s.body = 11
	}
	if s.heading == 0 {
		s.heading = s.body
	}
	if s.subtitle == 0 {
		s.subtitle = s.body
	}
	return s
}

// cell is the font size of a table cell: section headings at the heading
// size, everything else (labels included) at the body size, as in print.
func (s sizes) cell(c layout.Cell) float64 {
	if c.Kind == layout.KindSection {
		return s.heading
	}
	return s.body
}

func (b *book) fontOf(r layout.Role) string {
	switch r {
	case layout.RoleTitle:
		return b.opts.Fonts.Title
	case layout.RoleHeading:
		return b.opts.Fonts.Heading
	}
	return b.opts.Fonts.Body
}

// page returns the page geometry with A4 and GB/T 9704-like margins as
// defaults for fields the grid leaves zero.
func page(p layout.PageSetup) layout.PageSetup {
	if p.WidthMM == 0 {
		p.WidthMM = 210
	}
	if p.HeightMM == 0 {
		p.HeightMM = 297
	}
	if p.LeftMM == 0 {
		p.LeftMM = 28
	}
	if p.RightMM == 0 {
		p.RightMM = 26
	}
	if p.TopMM == 0 {
		p.TopMM = 37
	}
	if p.BottomMM == 0 {
		p.BottomMM = 35
	}
	return p
}

const ptPerMM = 72 / 25.4

// columnCount is the number of grid columns, from Columns or the cells.
func columnCount(g *layout.Grid) int {
	n := len(g.Columns)
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			n = max(n, c.Col+max(c.Span, 1))
		}
	}
	return max(n, 1)
}

// columnWidths returns each column's width in points and in the
// spreadsheet's character units. The grid's relative widths are scaled to
// the printable width of the page.
func columnWidths(g *layout.Grid, n int) (pts, chars []float64) {
	rel := make([]float64, n)
	sum := 0.0
	for i := range rel {
		rel[i] = 1
		if i < len(g.Columns) && g.Columns[i] > 0 {
			rel[i] = g.Columns[i]
		}
		sum += rel[i]
	}
	p := page(g.Page)
	printable := (p.WidthMM - p.LeftMM - p.RightMM) * ptPerMM
	pts, chars = make([]float64, n), make([]float64, n)
	for i := range rel {
		px := math.Floor(rel[i] / sum * printable / 0.75)
		chars[i] = math.Round(px/digitPx*100) / 100
		// What the application really shows: whole pixels of the width in
		// characters.
		pts[i] = math.Floor(chars[i]*digitPx) * 0.75
	}
	return pts, chars
}

// need is the height in points a cell's text needs at a width in points.
func (b *book) need(text string, role layout.Role, size, widthPt float64) float64 {
	avail := (widthPt - padH) * widthSafety / size
	lines := b.wrap.count(role, text, max(avail, 1))
	return float64(lines)*size*lineFactor + padV
}

// placement maps grid rows to sheet rows: grid row i occupies sheet rows
// first[i] … first[i]+count[i]-1 (a row taller than Excel allows is split
// into several, its cells merged across them).
type placement struct {
	first, count []int
	heights      [][]float64
}

func (p *placement) last(i int) int { return p.first[i] + p.count[i] - 1 }

func (b *book) place(g *layout.Grid, colPt []float64, sz sizes, start int) placement {
	n := len(g.Rows)
	h := make([]float64, n)
	minH := sz.body*lineFactor + padV
	width := func(c layout.Cell) float64 {
		w := 0.0
		for i := c.Col; i < c.Col+max(c.Span, 1) && i < len(colPt); i++ {
			w += colPt[i]
		}
		return w
	}
	for i, r := range g.Rows {
		h[i] = max(minH, r.MinHeightMM*ptPerMM)
		for _, c := range r.Cells {
			if c.RowSpan <= 1 {
				h[i] = max(h[i], b.need(c.Text, c.Role, sz.cell(c), width(c)))
			}
		}
	}
	// Vertically merged cells (一级/二级 levels) share their rows' heights;
	// when those are not enough, the rows grow evenly.
	for i, r := range g.Rows {
		for _, c := range r.Cells {
			if c.RowSpan <= 1 {
				continue
			}
			end := min(i+c.RowSpan, n)
			total := 0.0
			for j := i; j < end; j++ {
				total += h[j]
			}
			if need := b.need(c.Text, c.Role, sz.cell(c), width(c)); need > total {
				extra := (need - total) / float64(end-i)
				for j := i; j < end; j++ {
					h[j] += extra
				}
			}
		}
	}
	p := placement{first: make([]int, n), count: make([]int, n), heights: make([][]float64, n)}
	row := start
	for i := range g.Rows {
		k := int(math.Ceil(h[i] / maxRowHeight))
		p.first[i], p.count[i] = row, k
		each := math.Ceil(h[i]/float64(k)*4) / 4 // quarter points, rounded up
		p.heights[i] = make([]float64, k)
		for j := range k {
			p.heights[i][j] = each
		}
		row += k
	}
	return p
}

// maxCellChars is the most characters a spreadsheet cell holds; excelize
// would cut longer text silently.
const maxCellChars = 32767

func (b *book) writeGrid(ws *worksheet, s Sheet) error {
	g := s.Grid
	ncols := columnCount(g)
	colPt, colChars := columnWidths(g, ncols)
	for i, w := range colChars {
		ws.setColWidth(i+1, w)
	}
	sz := sizesOf(g.Page)
	tableWidth := 0.0
	for _, w := range colPt {
		tableWidth += w
	}
	row := 1
	bannerHeight := 0.0
	// Banner rows: title, subtitle and header lines above the table, merged
	// across it and without borders.
	// The subtitle (year) and header lines ("申报单位名称：…") carry values,
	// so clerks may edit them; Read parses them back.
	banner := func(text string, role layout.Role, size float64, bold bool, halign string) error {
		k := styleKey{font: b.fontOf(role), size: size, bold: bold, halign: halign, valign: "center", wrap: true, locked: true}
		if role != layout.RoleTitle {
			k.locked, k.numFmt = false, fmtText
		}
		if err := b.setText(ws, 1, row, ncols, row, text, k); err != nil {
			return err
		}
		h := math.Min(math.Ceil(b.need(text, role, size, tableWidth)*4)/4, maxRowHeight)
		ws.setRowHeight(row, h)
		bannerHeight += h
		row++
		return nil
	}
	if g.Title != "" {
		if err := banner(g.Title, layout.RoleTitle, sz.title, true, "center"); err != nil {
			return err
		}
	}
	if g.Subtitle != "" {
		if err := banner(g.Subtitle, layout.RoleBody, sz.subtitle, false, "center"); err != nil {
			return err
		}
	}
	for i, h := range g.Header {
		right := ""
		if i < len(g.HeaderRight) {
			right = g.HeaderRight[i]
		}
		if right == "" {
			if err := banner(h, layout.RoleBody, sz.heading, false, "left"); err != nil {
				return err
			}
			continue
		}
		// Left and right text on one line: the right part takes the last
		// columns it needs, the left part the others.
		k := styleKey{font: b.fontOf(layout.RoleBody), size: sz.heading, halign: "left", valign: "center", wrap: true, locked: true}
		split := ncols - 1
		rightW := b.wrap.width(layout.RoleBody, []rune(right))*sz.heading/widthSafety + padH
		for w := colPt[split]; split > 1 && w < rightW; {
			split--
			w += colPt[split]
		}
		if err := b.setText(ws, 1, row, split, row, h, k); err != nil {
			return err
		}
		k.halign = "right"
		if err := b.setText(ws, split+1, row, ncols, row, right, k); err != nil {
			return err
		}
		lh := math.Min(math.Ceil(b.need(h, layout.RoleBody, sz.heading, tableWidth*0.6)*4)/4, maxRowHeight)
		ws.setRowHeight(row, lh)
		bannerHeight += lh
		row++
	}
	p := b.place(g, colPt, sz, row)
	for i := range g.Rows {
		for j, h := range p.heights[i] {
			ws.setRowHeight(p.first[i]+j, h)
		}
	}
	b.meta = append(b.meta, []string{"form", ws.name, s.Family})
	if err := b.writeCells(ws, g, p, ncols, s.Choices); err != nil {
		return err
	}
	if n := len(g.Rows); n > 0 && len(g.Footer) > 0 {
		// Footer lines (填表人…, 注：…) under the table, like the banner.
		row = p.last(n-1) + 2
		above := bannerHeight
		for _, l := range g.Footer {
			if err := banner(l, layout.RoleBody, sz.body, false, "left"); err != nil {
				return err
			}
		}
		bannerHeight = above
	}
	// Print area: the banner, the table and the footer, nothing else.
	lastRow := row - 1
	if n := len(g.Rows); n > 0 {
		lastRow = max(lastRow, p.last(n-1))
	}
	b.wb.names = append(b.wb.names, definedName{name: "_xlnm.Print_Area",
		refersTo: fmt.Sprintf("%s!$A$1:$%s$%d", quoteSheet(ws.name), colName(ncols), lastRow), sheet: ws.index})
	// The form draws its own rules: grid lines would only blur them.
	ws.noGrid = true
	ws.breaks = pageBreaks(g, p, bannerHeight)
	b.pageSetup(ws, g, p)
	if b.opts.Paginate != nil {
		b.pdfBreaks(ws, g, p)
	}
	return nil
}

// pdfBreaks makes the printed sheet follow the PDF's pages: a manual break
// before each grid row a PDF page starts with (the sheet stays fitted to
// one page wide and as many pages high as needed, under which LibreOffice
// and Excel keep manual breaks). A page that starts inside a long row (the
// PDF splits it) gets no break: the application breaks inside that row
// where it must.
func (b *book) pdfBreaks(ws *worksheet, g *layout.Grid, p placement) {
	doc, err := b.opts.Paginate(g)
	if err != nil || len(doc.Pages) == 0 {
		return // the PDF fails the same way; keep the workbook's own breaks
	}
	var breaks []int
	for _, pg := range doc.Pages[1:] {
		if pg.FirstRow > 0 && pg.FirstRow < len(p.first) && !pg.Continued {
			breaks = append(breaks, p.first[pg.FirstRow])
		}
	}
	ws.breaks = breaks
}

// pageFill is the share of the page's printable height pagination counts
// on, leaving room for the application's own rounding.
const pageFill = 0.95

// pageBreaks returns the sheet rows that should start a new page so that a
// merged 一级/二级 block is not split across pages when it fits on one (a
// spreadsheet draws a split merged cell's text on one part only, or under
// the repeated header), and a section heading or the column header is not
// left alone at the bottom of a page. It simulates the application's
// pagination with the row heights we set; the breaks it returns are where
// the application would break anyway or earlier, never later.
func pageBreaks(g *layout.Grid, p placement, bannerHeight float64) []int {
	pg := page(g.Page)
	pageH := (pg.HeightMM - pg.TopMM - pg.BottomMM) * ptPerMM * pageFill
	n := len(g.Rows)
	h := make([]float64, n)
	for i := range g.Rows {
		for _, x := range p.heights[i] {
			h[i] += x
		}
	}
	headFirst, headLast, headH := -1, -1, 0.0
	for i, r := range g.Rows {
		if r.Kind == layout.RowTableHeader {
			if headFirst < 0 {
				headFirst = i
			}
			headLast = i
			headH += h[i]
		}
	}
	// repeat is the height of the print titles at the top of a page that
	// starts with grid row i.
	repeat := func(i int) float64 {
		if headLast >= 0 && i > headLast {
			return headH
		}
		return 0
	}
	height := func(i, end int) float64 {
		t := 0.0
		for j := i; j <= end; j++ {
			t += h[j]
		}
		return t
	}
	// group returns the last grid row kept with row i: its widest merged
	// block that fits on a page, then, for headings, the group after it.
	var group func(i int) int
	group = func(i int) int {
		ends := []int{i}
		for _, c := range g.Rows[i].Cells {
			if c.RowSpan > 1 {
				ends = append(ends, min(i+c.RowSpan-1, n-1))
			}
		}
		slices.Sort(ends)
		end := i
		for _, e := range slices.Backward(ends) {
			if height(i, e) <= pageH-repeat(i) {
				end = e
				break
			}
		}
		if k := g.Rows[end].Kind; (k == layout.RowSection || k == layout.RowTableHeader) && end+1 < n {
			if e := group(end + 1); height(i, e) <= pageH-repeat(i) {
				end = e
			}
		}
		return end
	}
	var breaks []int
	y := bannerHeight
	for i := 0; i < n; {
		end := group(i)
		gh := height(i, end)
		if y+gh > pageH && y > repeat(i) {
			breaks = append(breaks, p.first[i])
			y = repeat(i)
		}
		y += gh
		// A group taller than a page (one huge row) overflows: the
		// application breaks inside it, leaving about its last row.
		if y > pageH {
			y = repeat(end) + h[end]
		}
		i = end + 1
	}
	return breaks
}

// writeCells writes the table: every grid cell, merged and bordered, and a
// bordered blank for any position no cell covers so the ruling is complete.
func (b *book) writeCells(ws *worksheet, g *layout.Grid, p placement, ncols int, choices map[string][]string) error {
	sz := sizesOf(g.Page)
	covered := make([][]bool, len(g.Rows))
	for i := range covered {
		covered[i] = make([]bool, ncols)
	}
	var hints [len(inputHints)][]string // cell ranges per input hint
	var tableHeads []layout.Cell
	var tableHeadRow int
	for i, r := range g.Rows {
		var label *layout.Cell
		for ci := range r.Cells {
			c := r.Cells[ci]
			span, rspan := max(c.Span, 1), max(c.RowSpan, 1)
			if c.Col < 0 || c.Col+span > ncols {
				return fmt.Errorf("row %d: cell at column %d spans past the table", i+1, c.Col+1)
			}
			lastRow := min(i+rspan, len(g.Rows)) - 1
			for rr := i; rr <= lastRow; rr++ {
				for cc := c.Col; cc < c.Col+span; cc++ {
					covered[rr][cc] = true
				}
			}
			c1, r1 := c.Col+1, p.first[i]
			c2, r2 := c.Col+span, p.last(lastRow)
			if err := b.writeCell(ws, c, c1, r1, c2, r2, sz); err != nil {
				return err
			}
			if r.Kind == layout.RowTableHeader {
				tableHeads = append(tableHeads, c)
				tableHeadRow = r1
			}
			switch {
			case c.Kind == layout.KindLabel:
				label = &r.Cells[ci]
			case c.Path != "":
				entry := []string{"field", ws.name, cellName(c1, r1), c.Path, "", ""}
				if label != nil {
					entry[4] = cellName(label.Col+1, r1)
					entry[5] = label.Text
				} else if above := labelAbove(g, i, c); above != nil {
					// Labels over their values (中期目标 | 年度目标).
					entry[4] = cellName(above.Col+1, p.first[i-1])
					entry[5] = above.Text
				}
				b.meta = append(b.meta, entry)
				if opts := choices[c.Path]; len(opts) > 0 {
					if err := b.dropDown(ws, cellName(c1, r1), opts); err != nil {
						return err
					}
				}
				if h := hintOf(c); h >= 0 && !c.ReadOnly {
					ref := cellName(c1, r1)
					if c2 != c1 || r2 != r1 {
						ref += ":" + cellName(c2, r2)
					}
					hints[h] = append(hints[h], ref)
				}
			}
		}
	}
	for h, refs := range hints {
		if len(refs) == 0 {
			continue
		}
		ws.dvs = append(ws.dvs, validation{sqref: strings.Join(refs, " "), promptTitle: inputHints[h].title, prompt: inputHints[h].msg})
	}
	// Column keys of the indicator table, from the paths of its first row,
	// so that an edited header can still be read.
	for _, h := range tableHeads {
		key := ""
		for _, r := range g.Rows {
			if r.Kind != layout.RowIndicator {
				continue
			}
			for _, c := range r.Cells {
				if c.Col == h.Col && strings.HasPrefix(c.Path, "indicators[") {
					_, key, _ = strings.Cut(c.Path, "].")
				}
			}
			break
		}
		b.meta = append(b.meta, []string{"column", ws.name, cellName(h.Col+1, tableHeadRow), key, h.Text})
	}
	blank := b.style(styleKey{font: b.opts.Fonts.Body, size: sz.body, valign: "center", border: true, locked: true})
	for i := range covered {
		for cc, ok := range covered[i] {
			if !ok {
				ws.setStyle(cc+1, p.first[i], cc+1, p.last(i), blank)
			}
		}
	}
	return nil
}

// labelAbove is the label cell right above a value cell of row i that has
// no label in its own row, or nil.
func labelAbove(g *layout.Grid, i int, c layout.Cell) *layout.Cell {
	if i == 0 {
		return nil
	}
	for j, l := range g.Rows[i-1].Cells {
		if l.Kind == layout.KindLabel && l.Col == c.Col && l.Span == c.Span && l.RowSpan == 1 {
			return &g.Rows[i-1].Cells[j]
		}
	}
	return nil
}

// inputHints are the prompts spreadsheet applications show when a clerk
// selects a value cell whose format matters.
var inputHints = [...]struct{ title, msg string }{
	{"指标目标值", "照原样填写，例如 =90%、>=10%、<=450家、≥80M，或文字如“规范”。"},
	{"金额", "填写数字，单位见标签（元或万元）；元最多两位小数。"},
	{"日期", "例如 2020-01-01；只有年月时写 2020-07。"},
}

// dropDown offers a choice field's options in a list. A clerk may still
// type something else after a warning: validation, not the sheet, decides.
func (b *book) dropDown(ws *worksheet, ref string, opts []string) error {
	list := strings.Join(opts, ",")
	if n := len(utf16.Encode([]rune(list))); n > maxListChars {
		return fmt.Errorf("options %q: a drop-down list holds at most %d characters, these take %d", opts, maxListChars, n)
	}
	ws.dvs = append(ws.dvs, validation{sqref: ref, list: `"` + strings.ReplaceAll(list, `"`, `""`) + `"`,
		errTitle: "不在选项中", errMsg: "可选：" + strings.Join(opts, "、"),
		promptTitle: "可选", prompt: strings.Join(opts, "、")})
	return nil
}

// maxListChars is the most UTF-16 code units of a drop-down list's
// options, separators included, that Excel accepts.
const maxListChars = 255

// hintOf is the index of a value cell's input hint, or -1.
func hintOf(c layout.Cell) int {
	switch {
	case strings.HasSuffix(c.Path, "].target"):
		return 0
	case c.Kind == layout.KindMoney:
		return 1
	case c.Kind == layout.KindDate:
		return 2
	}
	return -1
}

func halign(a layout.Align) string {
	switch a {
	case layout.AlignCenter:
		return "center"
	case layout.AlignRight:
		return "right"
	}
	return "left"
}

// writeCell writes one grid cell into the range c1,r1:c2,r2.
func (b *book) writeCell(ws *worksheet, c layout.Cell, c1, r1, c2, r2 int, sz sizes) error {
	k := styleKey{
		font:   b.fontOf(c.Role),
		size:   sz.cell(c),
		halign: halign(c.Align),
		valign: "center",
		wrap:   true,
		border: true,
		locked: c.Path == "" || c.ReadOnly,
	}
	switch c.Kind {
	case layout.KindLabel, layout.KindColumnHead:
		k.bold, k.fill = true, labelFill
	case layout.KindSection:
		k.bold = true
	}
	if c.Path != "" {
		k.numFmt = fmtText
	}
	switch c.Kind {
	case layout.KindMoney:
		if num, decimals, ok := decimalText(c.Text); ok {
			// The format shows the decimals the print shows; the cell
			// holds the exact amount even when the print rounds it.
			k.numFmt = fmtMoney
			if k.halign == "right" {
				k.indent = 1 // keep digits off the rule, as in print
			}
			if decimals != 2 {
				k.numFmt = "#,##0"
				if decimals > 0 {
					k.numFmt += "." + strings.Repeat("0", decimals)
				}
			}
			if exact, _, ok := decimalText(c.Exact); ok {
				num = exact
			}
			return b.setValue(ws, c1, r1, c2, r2, num, k)
		}
	case layout.KindDate:
		if serial, month, ok := dateSerial(c.Text); ok {
			k.numFmt = fmtDate
			if month {
				k.numFmt = fmtMonth
			}
			return b.setValue(ws, c1, r1, c2, r2, strconv.Itoa(serial), k)
		}
	}
	return b.setText(ws, c1, r1, c2, r2, c.Text, k)
}

// setText writes text as a string cell (never a formula, whatever it
// starts with), styles and merges the range.
func (b *book) setText(ws *worksheet, c1, r1, c2, r2 int, text string, k styleKey) error {
	if n := utf8.RuneCountInString(text); n > maxCellChars {
		return fmt.Errorf("cell %s: text of %d characters is longer than a spreadsheet cell holds (%d)", cellName(c1, r1), n, maxCellChars)
	}
	if text != "" {
		b.wb.setString(ws, c1, r1, text)
	}
	k.quote = formulaLike(text)
	b.styleRange(ws, c1, r1, c2, r2, k)
	return nil
}

// formulaLike reports text a spreadsheet would take for a formula when
// the cell is edited or exported (CSV injection): it begins with = + - @
// (or a tab or carriage return before one of them, as OWASP lists).
func formulaLike(text string) bool {
	return text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0]))
}

// setValue writes a number given as exact decimal text: the file stores
// these digits, and the spreadsheet application converts them to its binary
// number only when it loads them. No float arithmetic touches the amount
// here.
func (b *book) setValue(ws *worksheet, c1, r1, c2, r2 int, number string, k styleKey) error {
	ws.setNumber(c1, r1, number)
	b.styleRange(ws, c1, r1, c2, r2, k)
	return nil
}

// styleRange styles the range and merges it when it is more than a cell.
func (b *book) styleRange(ws *worksheet, c1, r1, c2, r2 int, k styleKey) {
	ws.setStyle(c1, r1, c2, r2, b.style(k))
	if c1 != c2 || r1 != r2 {
		ws.merges = append(ws.merges, cellRange{c1, r1, c2, r2})
	}
}

// decimalText returns the plain decimal of a printed amount ("790,000.00"
// → "790000.00") and its number of decimals.
func decimalText(s string) (num string, decimals int, ok bool) {
	t := strings.NewReplacer(",", "", "，", "", " ", "").Replace(strings.TrimSpace(s))
	body := strings.TrimPrefix(t, "-")
	ip, fp, _ := strings.Cut(body, ".")
	if ip == "" || !digitsOnly(ip) || !digitsOnly(fp) || len(t) > 24 {
		return "", 0, false
	}
	return t, len(fp), true
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// excelEpoch is day 0 of the 1900 date system for dates after 1900-02-28
// (Excel counts a 1900-02-29 that never was).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// dateSerial returns the spreadsheet serial number of a date written in the
// canonical form (2020-01-01, or 2023-07 for a month). Other spellings
// ("2020/1/1", "2020年1月1日") stay text so they print as entered.
func dateSerial(s string) (serial int, month bool, ok bool) {
	t := strings.TrimSpace(s)
	d, err := reports.ParseDate(t)
	if err != nil || d.String() != t || d.Year < 1901 {
		return 0, false, false
	}
	return int(d.Time().Sub(excelEpoch) / (24 * time.Hour)), d.IsMonth(), true
}

// pageSetup sets A4 portrait, one page wide, the indicator header as print
// titles, centring, the page-number footer, and protection.
func (b *book) pageSetup(ws *worksheet, g *layout.Grid, p placement) {
	pg := page(g.Page)
	inch := func(mm float64) float64 { return math.Round(mm/25.4*100) / 100 }
	footer := pg.FooterMM
	if footer == 0 {
		footer = pg.BottomMM / 2
	}
	ps := &printSetup{paper: 9, landscape: pg.WidthMM > pg.HeightMM, fit: true, fitWidth: 1, fitHeight: 0, // 9 = A4
		margins: true, top: inch(pg.TopMM), bottom: inch(pg.BottomMM), left: inch(pg.LeftMM), right: inch(pg.RightMM),
		header: inch(pg.TopMM / 2), footer: inch(footer), center: true,
		oddFooter: "&C第 &P 页 共 &N 页"}
	if g.Draft {
		ps.oddHeader = "&C&14草稿"
	}
	ws.print = ps
	first, last := 0, 0
	for i, r := range g.Rows {
		if r.Kind == layout.RowTableHeader {
			if first == 0 {
				first = p.first[i]
			}
			last = p.last(i)
		}
	}
	if first > 0 {
		b.printTitles(ws, first, last)
	}
	// No password: protection guards the layout against slips, not people.
	// Rows may be inserted and deleted so clerks can change the indicator
	// table, and resized in case a font differs.
	ws.protect = true
}

// printTitles repeats rows first…last at the top of every printed page.
func (b *book) printTitles(ws *worksheet, first, last int) {
	b.wb.names = append(b.wb.names, definedName{name: "_xlnm.Print_Titles",
		refersTo: fmt.Sprintf("%s!$%d:$%d", quoteSheet(ws.name), first, last), sheet: ws.index})
}

// quoteSheet quotes a sheet name for a formula reference.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}
