package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
)

// Limits on untrusted workbooks. A form's workbook is ~15 KB zipped and
// ~100 KB unzipped; these leave room for hundreds of sheets and still stop
// a zip bomb before it costs memory (excelize checks every entry's declared
// size, and Go's zip reader fails an entry that inflates past it).
const (
	MaxSize           = 20 << 20 // the .xlsx file itself
	maxUnzipped       = 64 << 20 // all parts inflated
	maxUnzippedXMLMem = 16 << 20 // a worksheet larger than this is spooled to a temp file
	maxSheets         = 500
	maxCellsScanned   = 2_000_000
)

// Reader reads workbooks written by this package, possibly edited and
// re-saved by Excel, WPS or LibreOffice. Families maps labels to fields
// (labels, synonyms, units, field types); nil means family.Builtin().
type Reader struct {
	Families *family.Registry
}

// Read reads every form of a workbook with the built-in families.
func Read(r io.Reader, name string) ([]reports.Form, error) {
	return Reader{}.Read(r, name)
}

// Read returns one form per form sheet of the workbook (the 汇总 sheet and
// hidden sheets are skipped). name is used in messages and as each form's
// Source; Lines maps field paths to sheet rows. Errors are *reports.Error:
// EINVALID for a file that is not a workbook or has unreadable values
// (naming sheet, cell and field), ETOOLARGE past the size limits.
func (rd Reader) Read(r io.Reader, name string) ([]reports.Form, error) {
	reg := rd.Families
	if reg == nil {
		var err error
		if reg, err = family.Builtin(); err != nil {
			return nil, fmt.Errorf("load form families: %w", err)
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, reports.Errorf(reports.EINVALID, "%s: read: %v", name, err)
	}
	if len(data) > MaxSize {
		return nil, reports.Errorf(reports.ETOOLARGE, "%s: workbook is larger than %d MB", name, MaxSize>>20)
	}
	f, done, err := open(data, name)
	if err != nil {
		return nil, err
	}
	defer done()
	m := readMeta(f)
	if m.schema != Schema {
		// No map, or one of another version: read by the labels alone.
		m = meta{summary: m.summary}
	}
	var forms []reports.Form
	sheets := f.GetSheetList()
	if len(sheets) > maxSheets {
		return nil, reports.Errorf(reports.ETOOLARGE, "%s: %d sheets; at most %d are read", name, len(sheets), maxSheets)
	}
	for _, sheet := range sheets {
		if sheet == metaSheet || m.summary[sheet] || sheet == SummarySheetName && m.family[sheet] == "" {
			continue
		}
		if visible, _ := f.GetSheetVisible(sheet); !visible {
			continue
		}
		p, err := newSheetParser(f, sheet, name, m, reg)
		if err != nil {
			return nil, err
		}
		var form reports.Form
		var ok bool
		if p.fam.DocumentKind() != family.KindTarget && len(m.fields[sheet]) > 0 {
			form, ok, err = p.parseByMap(m.fields[sheet])
		} else {
			form, ok, err = p.parse()
		}
		if err != nil {
			return nil, err
		}
		if ok {
			forms = append(forms, form)
		}
	}
	if len(forms) == 0 {
		return nil, reports.Errorf(reports.EINVALID, "%s: no form found in the workbook (expected a sheet like %s with the title %s, its labels and the indicator table)", name, FormSheetName, reports.DefaultTitle)
	}
	return forms, nil
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
)

// open checks what the bytes are before handing them to excelize, so that a
// wrong file gets a message a clerk understands. done closes the workbook
// and removes the temporary files excelize spooled large sheets to.
func open(data []byte, name string) (f *excelize.File, done func(), err error) {
	switch {
	case len(data) == 0:
		return nil, nil, reports.Errorf(reports.EINVALID, "%s: file is empty", name)
	case bytes.HasPrefix(data, oleMagic):
		return nil, nil, reports.Errorf(reports.EINVALID, "%s: an old .xls workbook or a password-protected one; save it as an unprotected .xlsx (Excel 工作簿) and try again", name)
	case !bytes.HasPrefix(data, zipMagic):
		return nil, nil, reports.Errorf(reports.EINVALID, "%s: not an .xlsx workbook (an .xlsx file is a zip archive)", name)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, reports.Errorf(reports.EINVALID, "%s: damaged .xlsx workbook: %v", name, err)
	}
	var total uint64
	hasWorkbook := false
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if strings.EqualFold(zf.Name, "xl/workbook.xml") {
			hasWorkbook = true
		}
	}
	if total > maxUnzipped {
		return nil, nil, reports.Errorf(reports.ETOOLARGE, "%s: workbook unpacks to %d MB, more than %d MB: refused (a zip bomb?)", name, total>>20, maxUnzipped>>20)
	}
	if !hasWorkbook {
		return nil, nil, reports.Errorf(reports.EINVALID, "%s: a zip file but not an .xlsx workbook (no xl/workbook.xml; a .docx or .ods?)", name)
	}
	// Bounds on strings, cells, rows, styles and nesting before excelize
	// loads anything (limits.go).
	if err := precheck(zr, name); err != nil {
		return nil, nil, err
	}
	// excelize forgets its temporary files when opening fails after
	// spooling: a directory of our own is removed whatever happens.
	tmp, err := os.MkdirTemp("", "reportd-xlsx-")
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	f, err = excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzippedXMLMem, TmpDir: tmp,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		os.RemoveAll(tmp)
		if strings.Contains(err.Error(), "unzip size") {
			return nil, nil, reports.Errorf(reports.ETOOLARGE, "%s: workbook unpacks to more than %d MB: refused", name, maxUnzipped>>20)
		}
		// A part that inflates past its declared size (zip.ErrFormat), a bad
		// checksum or broken XML: the file is damaged or not ours to read.
		return nil, nil, reports.Errorf(reports.EINVALID, "%s: damaged .xlsx workbook: %v", name, err)
	}
	return f, func() { f.Close(); os.RemoveAll(tmp) }, nil
}

// meta is what the map sheet says, by sheet name.
type meta struct {
	schema  string
	summary map[string]bool
	family  map[string]string
	fields  map[string][]metaField
	columns map[string]map[string]string // sheet → normalised header → column key
}

type metaField struct {
	path               string
	row, col           int // value cell, 1-based
	labelRow, labelCol int // 0 when the field has no label
	labelText          string
}

func readMeta(f *excelize.File) meta {
	m := meta{summary: map[string]bool{}, family: map[string]string{}, fields: map[string][]metaField{}, columns: map[string]map[string]string{}}
	if idx, _ := f.GetSheetIndex(metaSheet); idx < 0 {
		return m
	}
	rows, err := f.GetRows(metaSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return m
	}
	get := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	for _, row := range rows {
		if len(row) == 0 {
			continue
		}
		r := strings.Split(row[0], "\t")
		sheet := get(r, 1)
		switch get(r, 0) {
		case "schema":
			m.schema = sheet
		case "form":
			m.family[sheet] = get(r, 2)
		case "summary":
			m.summary[sheet] = true
		case "field":
			c, rw, err := excelize.CellNameToCoordinates(get(r, 2))
			if err != nil {
				continue
			}
			mf := metaField{path: get(r, 3), row: rw, col: c, labelText: get(r, 5)}
			if lc, lr, err := excelize.CellNameToCoordinates(get(r, 4)); err == nil {
				mf.labelRow, mf.labelCol = lr, lc
			}
			m.fields[sheet] = append(m.fields[sheet], mf)
		case "column":
			if m.columns[sheet] == nil {
				m.columns[sheet] = map[string]string{}
			}
			if key := get(r, 3); key != "" {
				m.columns[sheet][family.NormalizeLabel(get(r, 4))] = key
			}
		}
	}
	return m
}

// cell is a non-empty cell, or the top-left cell of a merged range.
type cell struct {
	row, col      int // 0-based
	lastRow, last int // merged range end (inclusive), = row/col when unmerged
	text          string
}

// sheetParser reads one sheet into a form.
type sheetParser struct {
	f        *excelize.File
	sheet    string
	name     string
	rows     [][]string
	merged   map[[2]int][4]int // covered position → merge range r0,c0,r1,c1
	fam      *family.Family
	labels   map[string]labelInfo
	columns  map[string]string
	sections []string // heading fields of the family's printed sections, in order
	form     reports.Form
}

type labelInfo struct {
	path     string
	dr, dc   int  // value cell offset from the label cell
	offset   bool // dr/dc are known (from the map); else the cell right of the label
	unitWan  bool // the label states 万元
	unitYuan bool // the label states 元
}

func newSheetParser(f *excelize.File, sheet, name string, m meta, reg *family.Registry) (*sheetParser, error) {
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, reports.Errorf(reports.EINVALID, "%s: sheet %s: %v", name, sheet, err)
	}
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	if n > maxCellsScanned {
		return nil, reports.Errorf(reports.ETOOLARGE, "%s: sheet %s has more than %d cells", name, sheet, maxCellsScanned)
	}
	for i := range rows {
		for j, v := range rows[i] {
			if strings.Contains(v, "\r") {
				rows[i][j] = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
			}
		}
	}
	p := &sheetParser{f: f, sheet: sheet, name: name, rows: rows, merged: map[[2]int][4]int{}}
	mcs, err := f.GetMergeCells(sheet, true)
	if err != nil {
		return nil, reports.Errorf(reports.EINVALID, "%s: sheet %s: merged cells: %v", name, sheet, err)
	}
	budget := maxCellsScanned - n // merged cells cost memory too
	for _, mc := range mcs {
		c0, r0, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c1, r1, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 != nil || err2 != nil || r1 < r0 || c1 < c0 {
			continue
		}
		if budget -= (r1 - r0 + 1) * (c1 - c0 + 1); budget < 0 {
			return nil, reports.Errorf(reports.ETOOLARGE, "%s: sheet %s merges more than %d cells", name, sheet, maxCellsScanned)
		}
		rng := [4]int{r0 - 1, c0 - 1, r1 - 1, c1 - 1}
		for r := r0 - 1; r < r1; r++ {
			for c := c0 - 1; c < c1; c++ {
				p.merged[[2]int{r, c}] = rng
			}
		}
	}
	p.fam = p.family(m, reg)
	p.form = reports.Form{Source: name, Family: p.fam.Name}
	p.labels = map[string]labelInfo{}
	for _, mf := range m.fields[sheet] {
		if mf.labelText == "" || strings.HasPrefix(mf.path, "indicators[") {
			continue
		}
		li := labelInfo{path: mf.path, dr: mf.row - mf.labelRow, dc: mf.col - mf.labelCol, offset: true}
		li.unitWan, li.unitYuan = unitOf(mf.labelText)
		p.labels[family.NormalizeLabel(mf.labelText)] = li
	}
	p.columns = m.columns[sheet]
	for _, s := range p.fam.Table.Sections {
		if s.Heading != "" || s.HeadingField != "" {
			p.sections = append(p.sections, s.HeadingField)
		}
	}
	return p, nil
}

// family is the sheet's form family: the one recorded in the map, else the
// one whose title and labels match the sheet best.
func (p *sheetParser) family(m meta, reg *family.Registry) *family.Family {
	if name, ok := m.family[p.sheet]; ok {
		if fam, err := reg.Get(name); err == nil {
			return fam
		}
	}
	title := ""
	var labels []string
	for _, r := range p.rows {
		for _, v := range r {
			v = strings.TrimSpace(v)
			if v == "" || utf8.RuneCountInString(v) > 30 {
				continue
			}
			if title == "" {
				title = v
				continue
			}
			if l, _, ok := splitColon(v); ok {
				v = l
			}
			labels = append(labels, v)
		}
	}
	return reg.Detect(title, labels)
}

func unitOf(label string) (wan, yuan bool) {
	t := strings.TrimRight(strings.TrimSpace(label), ":： ")
	switch {
	case strings.HasSuffix(t, "（万元）") || strings.HasSuffix(t, "(万元)"):
		return true, false
	case strings.HasSuffix(t, "（元）") || strings.HasSuffix(t, "(元)"):
		return false, true
	}
	return false, false
}

func splitColon(s string) (label, value string, ok bool) {
	i := strings.IndexAny(s, "：:")
	if i < 0 {
		return "", "", false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return s[:i], s[i+size:], true
}

// raw is the text of the cell at 0-based r, c as stored (numbers unformatted).
func (p *sheetParser) raw(r, c int) string {
	if r < 0 || r >= len(p.rows) || c < 0 || c >= len(p.rows[r]) {
		return ""
	}
	return p.rows[r][c]
}

// value is the text shown at r, c: a covered cell of a merged range shows
// the range's top-left value.
func (p *sheetParser) value(r, c int) (string, int, int) {
	if m, ok := p.merged[[2]int{r, c}]; ok {
		r, c = m[0], m[1]
	}
	return p.raw(r, c), r, c
}

// cellsOf lists the non-empty cells starting in row r (merged ranges by
// their top-left cell).
func (p *sheetParser) cellsOf(r int) []cell {
	var out []cell
	if r >= len(p.rows) {
		return nil
	}
	for c, v := range p.rows[r] {
		if strings.TrimSpace(v) == "" {
			continue
		}
		cl := cell{row: r, col: c, lastRow: r, last: c, text: v}
		if m, ok := p.merged[[2]int{r, c}]; ok {
			if m[0] != r || m[1] != c {
				continue
			}
			cl.lastRow, cl.last = m[2], m[3]
		}
		out = append(out, cl)
	}
	return out
}

func (p *sheetParser) errorf(r, c int, format string, args ...any) error {
	return reports.Errorf(reports.EINVALID, "%s: %s!%s: %s", p.name, p.sheet, cellName(c+1, r+1), fmt.Sprintf(format, args...))
}

// lookup maps a label cell's text to a field.
func (p *sheetParser) lookup(text string) (labelInfo, bool) {
	n := family.NormalizeLabel(text)
	if n == "" {
		return labelInfo{}, false
	}
	if li, ok := p.labels[n]; ok {
		li.unitWan, li.unitYuan = unitOf(text)
		return li, true
	}
	if key, ok := p.fam.FieldKey(text); ok {
		li := labelInfo{path: key}
		li.unitWan, li.unitYuan = unitOf(text)
		return li, true
	}
	return labelInfo{}, false
}

func (p *sheetParser) columnKey(text string) (string, bool) {
	if key, ok := p.columns[family.NormalizeLabel(text)]; ok {
		return key, true
	}
	return p.fam.ColumnKey(text)
}

// parse reads the sheet. ok is false for a sheet that holds no form (the
// 汇总 sheet, a clerk's notes).
func (p *sheetParser) parse() (reports.Form, bool, error) {
	var (
		titled, fieldsSeen bool
		sections           []cell
		found              int
	)
	for r := 0; r < len(p.rows); r++ {
		cells := p.cellsOf(r)
		if len(cells) == 0 {
			continue
		}
		if cols, ok := p.tableHeader(cells); ok {
			// The heading right above the table is the indicator section's.
			if n := len(sections); n > 0 && sections[n-1].lastRow == r-1 {
				p.assignSections(sections[:n-1], sections[n-1])
			} else {
				p.assignSections(sections, cell{row: -1})
			}
			if err := p.indicators(r, cols); err != nil {
				return reports.Form{}, false, err
			}
			found++
			break
		}
		if !titled && len(cells) == 1 && !fieldsSeen {
			_, yerr := reports.ParseYear(cells[0].text)
			if _, _, ok := splitColon(cells[0].text); !ok && yerr != nil {
				if _, ok := p.lookup(cells[0].text); !ok {
					p.form.Title = strings.TrimSpace(cells[0].text)
					p.form.SetLine("title", r+1)
					if y, ok := titleYear(p.form.Title); ok && p.form.Year == 0 {
						p.form.Year = y // "2023年项目支出绩效目标申报表"
						p.form.SetLine("year", r+1)
					}
					titled = true
					continue
				}
			}
		}
		consumed := map[[2]int]bool{}
		matched := false
		for _, cl := range cells {
			if consumed[[2]int{cl.row, cl.col}] {
				continue
			}
			if li, ok := p.lookup(cl.text); ok {
				vr, vc := cl.row, cl.last+1
				if li.offset {
					vr, vc = cl.row+li.dr, cl.col+li.dc
				}
				_, vr, vc = p.value(vr, vc)
				consumed[[2]int{vr, vc}] = true
				if err := p.set(li, vr, vc, r); err != nil {
					return reports.Form{}, false, err
				}
				matched, fieldsSeen = true, true
				found++
				continue
			}
			// "申报单位名称：…" in one cell: the header lines, and forms
			// other tools made.
			if l, v, ok := splitColon(cl.text); ok && (len(cells) == 1 || strings.TrimSpace(v) != "") {
				if li, ok := p.lookup(l); ok {
					if err := p.setText(li, strings.TrimSpace(v), cl.row, cl.col, r); err != nil {
						return reports.Form{}, false, err
					}
					matched = true
					found++
					continue
				}
			}
		}
		if matched || len(cells) != 1 {
			continue
		}
		t := strings.TrimSpace(cells[0].text)
		if p.form.Year == 0 && !fieldsSeen {
			if y, err := reports.ParseYear(t); err == nil && strings.Contains(t, "年") {
				p.form.Year = y
				p.form.SetLine("year", r+1)
				continue
			}
		}
		if fieldsSeen {
			sections = append(sections, cells[0])
		}
	}
	if found == 0 {
		return reports.Form{}, false, nil
	}
	return p.form, true, nil
}

// parseByMap reads a self-evaluation or monitoring workbook (a derived
// form reportd wrote from a stored one) by the value cells its map
// records. The sheet is protected, so rows cannot have moved, and the
// layout (several amounts per label row, a 总分 row under the indicator
// table) is not one labels alone could be read by.
func (p *sheetParser) parseByMap(fields []metaField) (reports.Form, bool, error) {
	// Rows inserted or deleted by hand would move every value: the labels
	// must still be where they were written.
	for _, mf := range fields {
		if mf.labelText == "" || mf.labelRow == 0 {
			continue
		}
		if got := strings.TrimSpace(p.raw(mf.labelRow-1, mf.labelCol-1)); family.NormalizeLabel(got) != family.NormalizeLabel(mf.labelText) {
			return reports.Form{}, false, p.errorf(mf.labelRow-1, mf.labelCol-1, "「%s」 was expected here: rows or columns of the workbook were moved; download it again and fill it in without inserting or deleting rows", mf.labelText)
		}
	}
	for _, mf := range fields {
		r, c := mf.row-1, mf.col-1
		v := strings.TrimSpace(p.shown(r, c, p.raw(r, c)))
		if rest, ok := strings.CutPrefix(mf.path, "indicators["); ok {
			idx, key, _ := strings.Cut(rest, "].")
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 || i >= reports.MaxIndicators {
				continue
			}
			for len(p.form.Indicators) <= i {
				p.form.Indicators = append(p.form.Indicators, reports.Indicator{})
			}
			p.form.Indicators[i].Set(key, v)
			p.form.SetLine(mf.path, mf.row)
			p.form.SetCell(mf.path, p.sheet+"!"+cellName(mf.col, mf.row))
			continue
		}
		if err := p.form.Set(mf.path, v); err != nil {
			return reports.Form{}, false, p.errorf(r, c, "%s: %v", mf.labelText, err)
		}
		p.form.SetLine(mf.path, mf.row)
		p.form.SetCell(mf.path, p.sheet+"!"+cellName(mf.col, mf.row))
	}
	return p.form, true, nil
}

// assignSections gives section heading rows to the family's heading fields
// in order; last is the heading right above the indicator table (row -1
// when there is none).
func (p *sheetParser) assignSections(others []cell, last cell) {
	keys := p.sections
	if last.row >= 0 && len(keys) > 0 {
		k := keys[len(keys)-1]
		if k == "" {
			k = "targets_heading" // the model's name for the table's heading
		}
		p.setHeading(k, last)
		keys = keys[:len(keys)-1]
	}
	for i, c := range others {
		if i < len(keys) && keys[i] != "" {
			p.setHeading(keys[i], c)
		}
	}
}

func (p *sheetParser) setHeading(key string, c cell) {
	_ = p.form.Set(key, strings.TrimSpace(c.text))
	p.form.SetLine(key, c.row+1)
}

// tableHeader recognises the indicator column header: at least the level-1
// column and one more known column. It returns the column key of each
// grid column the header covers.
func (p *sheetParser) tableHeader(cells []cell) ([]headerCol, bool) {
	var cols []headerCol
	hasL1, known := false, 0
	for _, c := range cells {
		if p.fam.IsLiteral(c.text) && len(cols) == 0 {
			continue // the side label beside the table (本年度绩效指标)
		}
		key, ok := p.columnKey(c.text)
		if ok {
			known++
			hasL1 = hasL1 || key == "level1"
		} else {
			key = family.NormalizeLabel(c.text)
		}
		cols = append(cols, headerCol{key: key, col: c.col, last: c.last})
	}
	return cols, hasL1 && known >= 2
}

type headerCol struct {
	key       string
	col, last int
}

// indicators reads the rows below the column header at row h until the
// sheet ends or a row spans the whole table (a note). Blank rows are
// skipped; level cells that are blank or merged are filled down.
func (p *sheetParser) indicators(h int, cols []headerCol) error {
	first, last := cols[0].col, cols[len(cols)-1].last
	for r := h + 1; r < len(p.rows); r++ {
		cells := p.cellsOf(r)
		if len(cells) == 1 && cells[0].col <= first && cells[0].last >= last && len(cols) > 1 {
			break
		}
		if slices.ContainsFunc(cells, func(c cell) bool { return c.row == r && p.fam.IsLiteral(c.text) }) {
			break // a row the family prints after the table (财政部门审核意见)
		}
		var in reports.Indicator
		blank := true
		for _, hc := range cols {
			v := ""
			// A value may sit in any grid column of a spanned header.
			for c := hc.col; c <= hc.last && v == ""; c++ {
				text, mr, mc := p.value(r, c)
				if mr > h { // merged from within the table, not from the header
					v = strings.TrimSpace(p.shown(mr, mc, text))
				}
			}
			if v != "" {
				blank = false
			}
			switch hc.key {
			case "level1", "level2", "level3", "target":
				in.Set(hc.key, v)
			default:
				if v != "" {
					in.Set(hc.key, v)
				}
			}
		}
		if blank {
			continue
		}
		i := len(p.form.Indicators)
		if i > 0 {
			prev := p.form.Indicators[i-1]
			if in.Level1 == "" {
				in.Level1 = prev.Level1
				if in.Level2 == "" {
					in.Level2 = prev.Level2
				}
			}
		}
		for _, hc := range cols {
			p.form.SetLine(reports.IndicatorPath(i, hc.key), r+1)
			p.form.SetCell(reports.IndicatorPath(i, hc.key), p.sheet+"!"+cellName(hc.col+1, r+1))
		}
		p.form.Indicators = append(p.form.Indicators, in)
	}
	return nil
}

// set reads the value cell at vr, vc for a labelled field (label on row r).
func (p *sheetParser) set(li labelInfo, vr, vc, r int) error {
	raw := strings.TrimSpace(p.raw(vr, vc))
	typ := ""
	if fd, ok := p.fam.Field(li.path); ok {
		typ = fd.Type
	}
	if reports.IsMoney(li.path) {
		typ = family.TypeMoney
	}
	p.form.SetLine(li.path, r+1)
	switch typ {
	case family.TypeMoney:
		wan := li.unitWan || !li.unitYuan && p.fam.Funds.Unit == family.UnitWanYuan
		if !reports.IsMoney(li.path) {
			// An extra amount is kept as text in the family's unit, the
			// way people write it ("800", "60.123456"); a number off by
			// binary noise is written exactly.
			if raw != "" && p.isNumber(vr, vc) {
				if _, err := parseIn(raw, wan); err == nil {
					if strings.Contains(raw, ".") && !strings.ContainsAny(raw, "eE") {
						raw = strings.TrimSuffix(strings.TrimRight(raw, "0"), ".")
					}
				} else {
					m, err := exactMoney(raw, wan)
					if err != nil {
						p.unread(li.path, raw, err, vr, vc)
						return nil
					}
					raw = strings.TrimSuffix(strings.TrimRight(m.Plain(), "0"), ".")
					if wan {
						raw = strings.ReplaceAll(m.WanYuan(0), ",", "")
					}
				}
			}
			break
		}
		if raw != "" && p.isNumber(vr, vc) {
			m, err := exactMoney(raw, wan)
			if err != nil {
				p.unread(li.path, raw, err, vr, vc)
				return nil
			}
			return p.put(li.path, m.Plain(), vr, vc)
		}
		if wan {
			m, err := reports.ParseWanYuan(raw)
			if err != nil {
				p.unread(li.path, raw, err, vr, vc)
				return nil
			}
			if m.Set {
				raw = m.Plain()
			}
		}
	case family.TypeDate:
		if raw != "" && p.isNumber(vr, vc) {
			if d, ok := p.date(vr, vc, raw); ok {
				raw = d
				break
			}
		}
		raw = strings.TrimSpace(p.shown(vr, vc, raw))
	default:
		raw = strings.TrimSpace(p.shown(vr, vc, raw))
	}
	return p.put(li.path, raw, vr, vc)
}

// shown is the text a clerk sees in a text cell: a formula as typed (Excel
// turns a target "=90%" typed into a General cell into one), a number as
// formatted ("90%", not 0.9).
func (p *sheetParser) shown(r, c int, raw string) string {
	ref := cellName(c+1, r+1)
	if fm, err := p.f.GetCellFormula(p.sheet, ref); err == nil && fm != "" {
		return "=" + fm
	}
	if raw != "" && p.isNumber(r, c) {
		if v, err := p.f.GetCellValue(p.sheet, ref); err == nil {
			return v
		}
	}
	return raw
}

func parseIn(s string, wan bool) (reports.Money, error) {
	if wan {
		return reports.ParseWanYuan(s)
	}
	return reports.ParseMoney(s)
}

// setText sets a field from text found inline ("申报单位名称：…").
func (p *sheetParser) setText(li labelInfo, v string, vr, vc, r int) error {
	p.form.SetLine(li.path, r+1)
	if reports.IsMoney(li.path) && (li.unitWan || !li.unitYuan && p.fam.Funds.Unit == family.UnitWanYuan) {
		m, err := reports.ParseWanYuan(v)
		if err != nil {
			p.unread(li.path, v, err, vr, vc)
			return nil
		}
		if m.Set {
			v = m.Plain()
		}
	}
	return p.put(li.path, v, vr, vc)
}

// put sets a field from the cell at r, c. A value that does not fit the
// field stays in the form's Unread: Check reports it with the form's other
// problems, so a clerk sees them all at once.
func (p *sheetParser) put(path, v string, r, c int) error {
	p.form.SetCell(path, p.sheet+"!"+cellName(c+1, r+1))
	if v == "" && strings.HasPrefix(path, "extra.") {
		return nil // a blank extra field is absent, as the edit page saves it
	}
	_ = p.form.Set(path, v)
	return nil
}

// unread records a value at r, c that cannot be read as the field's type.
func (p *sheetParser) unread(path, v string, err error, r, c int) {
	p.form.SetCell(path, p.sheet+"!"+cellName(c+1, r+1))
	p.form.MarkUnread(path, v, err.Error())
}

func (p *sheetParser) isNumber(r, c int) bool {
	t, err := p.f.GetCellType(p.sheet, cellName(c+1, r+1))
	return err == nil && (t == excelize.CellTypeNumber || t == excelize.CellTypeUnset) && isNumeric(p.raw(r, c))
}

func isNumeric(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// exactMoney converts a spreadsheet number to 分 exactly. The stored text
// is read as an exact rational; a value off a whole 分 by only binary
// floating-point noise (0.30000000000000004, left by a formula) is a whole
// 分, anything else is an error, never silently rounded.
func exactMoney(raw string, wan bool) (reports.Money, error) {
	r, ok := new(big.Rat).SetString(raw)
	if !ok {
		return reports.Money{}, fmt.Errorf("「%s」不是金额", raw)
	}
	scale := int64(100)
	if wan {
		scale = 1_000_000
	}
	r.Mul(r, new(big.Rat).SetInt64(scale))
	// Round half away from zero to whole 分.
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	twice := new(big.Int).Lsh(rem, 1)
	if twice.Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	// Distance from the whole 分: |r - q| must be noise (< 1e-6 分).
	diff := new(big.Rat).Sub(new(big.Rat).SetFrac(num, den), new(big.Rat).SetInt(q))
	if diff.Abs(diff).Cmp(big.NewRat(1, 1_000_000)) > 0 {
		unit := "元"
		if wan {
			unit = "万元"
		}
		return reports.Money{}, fmt.Errorf("%s %s 不是整分（最多%d位小数）", raw, unit, map[bool]int{false: 2, true: 6}[wan])
	}
	if !q.IsInt64() || q.Int64() > 1_000_000_000_000_000 {
		return reports.Money{}, fmt.Errorf("「%s」金额过大", raw)
	}
	fen := q.Int64()
	if neg {
		fen = -fen
	}
	return reports.Money{Fen: fen, Set: true}, nil
}

// date turns a date serial number into ISO text ("2020-01-01", or "2023-07"
// when the cell shows only year and month). ok is false when the cell's
// number format is not a date: the number stays as typed ("20200101").
func (p *sheetParser) date(r, c int, raw string) (string, bool) {
	id, err := p.f.GetCellStyle(p.sheet, cellName(c+1, r+1))
	if err != nil {
		return "", false
	}
	st, err := p.f.GetStyle(id)
	if err != nil || st == nil {
		return "", false
	}
	code := ""
	if st.CustomNumFmt != nil {
		code = *st.CustomNumFmt
	}
	isDate, month := dateFormat(st.NumFmt, code)
	if !isDate {
		return "", false
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 61 || v > 2958465 {
		return "", false
	}
	t := excelEpoch.Add(time.Duration(int64(v)) * 24 * time.Hour)
	d := reports.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
	if month {
		d.Day = 0
	}
	return d.String(), true
}

// dateFormat reports whether a number format shows a date, and whether it
// shows only year and month.
func dateFormat(id int, code string) (isDate, month bool) {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return true, id == 17
	case code == "":
		return false, false
	}
	// Drop quoted literals and escapes before looking for date tokens.
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(code); i++ {
		ch := code[i]
		switch {
		case ch == '"':
			inQuote = !inQuote
		case inQuote:
		case ch == '\\' || ch == '_' || ch == '*':
			i++
		case ch == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				i = len(code)
			} else {
				i += j
			}
		default:
			b.WriteByte(ch | 0x20)
		}
	}
	s := b.String()
	hasY, hasD := strings.Contains(s, "y"), strings.Contains(s, "d")
	return hasY || hasD, hasY && !hasD
}

// label names a field as the sheet's family prints it.
func (p *sheetParser) label(path string) string {
	if fd, ok := p.fam.Field(path); ok {
		return fd.Label
	}
	return reports.LabelOf(path)
}

// titleYear reads the year a title starts with: "2023年项目支出…".
func titleYear(title string) (int, bool) {
	t := strings.TrimSpace(title)
	if len(t) < 7 || !strings.HasPrefix(t[4:], "年") {
		return 0, false
	}
	y, err := reports.ParseYear(t[:4])
	return y, err == nil
}
