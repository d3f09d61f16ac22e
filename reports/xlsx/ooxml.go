package xlsx

// This file writes the SpreadsheetML parts of our workbooks directly. A
// workbook of ours is a handful of parts (workbook, styles, shared strings,
// one worksheet per form and the map sheet, document properties), and
// going through excelize's general object model cost more than twice a
// plain excelize program writing the same cells: NewFile decodes its
// templates for every document, every part is XML-encoded by reflection.
// Here the model holds exactly what we set and each part is appended to a
// byte slice in one pass; the parts that never change are deflated once
// per process. Reading workbooks back (read.go) still uses excelize, and
// the tests read every workbook we write with it.

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// workbook is the workbook being written.
type workbook struct {
	sheets []*worksheet
	strs   []string       // shared strings in order of first use
	sst    map[string]int // index of each shared string
	nstr   int            // string cells (the sst's count)
	styles styleTable
	names  []definedName
	props  docProps
}

func newWorkbook() *workbook {
	wb := &workbook{sst: map[string]int{}}
	wb.styles.init()
	return wb
}

type definedName struct {
	name, refersTo string
	sheet          int // index of the sheet it is local to
}

type docProps struct {
	title, subject, creator, keywords, language string
	created                                     time.Time   // dcterms:created and modified
	custom                                      [][2]string // custom string properties: name, value
}

// worksheet is one sheet: cells by row and column, and its settings.
type worksheet struct {
	index      int // in the workbook
	name       string
	veryHidden bool
	cols       []float64 // width in characters by column; 0 keeps the default
	rows       []sheetRow
	merges     []cellRange
	dvs        []validation
	links      []hyperlink
	breaks     []int // rows that start a new page
	noGrid     bool
	frozenRows int // rows kept at the top when scrolling
	print      *printSetup
	protect    bool
	// spool, when set, holds the sheet's rows as XML (a Table's), written
	// in place of rows; spoolRows and spoolCols are its extent.
	spool                *os.File
	spoolRows, spoolCols int
}

type cellRange struct{ c1, r1, c2, r2 int }

type sheetRow struct {
	height float64 // points; 0 keeps the default
	cells  []sheetCell
}

type cellKind uint8

const (
	cellBlank  cellKind = iota // style only
	cellString                 // shared string
	cellNumber                 // number written as its exact decimal text
)

type sheetCell struct {
	set   bool
	kind  cellKind
	style int
	str   int    // shared string index
	num   string // decimal text
}

// validation is a data validation: an input prompt and, for choice
// fields, a drop-down list that warns on other values.
type validation struct {
	sqref               string
	list                string // formula1 of a list, quoted; "" for a prompt only
	errTitle, errMsg    string
	promptTitle, prompt string
}

type hyperlink struct{ ref, location string }

// printSetup is page setup, margins (inches) and header/footer.
type printSetup struct {
	paper                    int // 9 = A4
	landscape                bool
	fit                      bool // fit to fitWidth pages wide, fitHeight high (0: as many as needed)
	fitWidth, fitHeight      int
	margins                  bool
	left, right, top, bottom float64
	header, footer           float64
	center                   bool
	oddHeader, oddFooter     string
}

func (wb *workbook) addSheet(name string) *worksheet {
	s := &worksheet{index: len(wb.sheets), name: name}
	wb.sheets = append(wb.sheets, s)
	return s
}

func (wb *workbook) str(s string) int {
	i, ok := wb.sst[s]
	if !ok {
		i = len(wb.strs)
		wb.strs = append(wb.strs, s)
		wb.sst[s] = i
	}
	return i
}

// cell returns the cell at 1-based col, row, growing the sheet.
func (s *worksheet) cell(col, row int) *sheetCell {
	for len(s.rows) < row {
		s.rows = append(s.rows, sheetRow{})
	}
	r := &s.rows[row-1]
	if len(r.cells) < col {
		r.cells = append(r.cells, make([]sheetCell, col-len(r.cells))...)
	}
	c := &r.cells[col-1]
	c.set = true
	return c
}

func (wb *workbook) setString(s *worksheet, col, row int, text string) {
	c := s.cell(col, row)
	c.kind, c.str, c.num = cellString, wb.str(text), ""
	wb.nstr++
}

func (s *worksheet) setNumber(col, row int, num string) {
	c := s.cell(col, row)
	c.kind, c.num = cellNumber, num
}

func (s *worksheet) setStyle(c1, r1, c2, r2, style int) {
	for r := r1; r <= r2; r++ {
		for c := c1; c <= c2; c++ {
			s.cell(c, r).style = style
		}
	}
}

func (s *worksheet) setRowHeight(row int, h float64) {
	for len(s.rows) < row {
		s.rows = append(s.rows, sheetRow{})
	}
	s.rows[row-1].height = h
}

func (s *worksheet) setColWidth(col int, w float64) {
	for len(s.cols) < col {
		s.cols = append(s.cols, 0)
	}
	s.cols[col-1] = w
}

// styleTable collects the fonts, fills, borders, number formats and cell
// formats (xf) of a workbook. Cell format 0 is the default.
type styleTable struct {
	fonts   []fontKey
	fills   []string // solid fills by RGB, ids from 2
	numFmts []string // custom formats, ids from 164
	xfs     []xfKey
	ids     map[styleKey]int
}

type fontKey struct {
	name string
	size float64
	bold bool
	rgb  string // "" is the default colour
}

type xfKey struct {
	numFmt, font, fill, border int
	styleKey
}

// Fills 0 and 1 are required by the format. Borders: 0 none, 1 thin all
// round.
const borderThin = 1

func (t *styleTable) init() {
	t.fonts = []fontKey{{name: "Calibri", size: 11}}
	t.xfs = []xfKey{{}}
	t.ids = map[styleKey]int{}
}

func (t *styleTable) font(k fontKey) int {
	for i, f := range t.fonts {
		if f == k {
			return i
		}
	}
	t.fonts = append(t.fonts, k)
	return len(t.fonts) - 1
}

func (t *styleTable) fill(rgb string) int {
	for i, f := range t.fills {
		if f == rgb {
			return 2 + i
		}
	}
	t.fills = append(t.fills, rgb)
	return 2 + len(t.fills) - 1
}

func (t *styleTable) numFmt(code string) int {
	switch code {
	case "":
		return 0
	case fmtText:
		return 49 // built-in "@"
	}
	for i, c := range t.numFmts {
		if c == code {
			return 164 + i
		}
	}
	t.numFmts = append(t.numFmts, code)
	return 164 + len(t.numFmts) - 1
}

// id returns the cell format of k, adding it on first use.
func (t *styleTable) id(k styleKey) int {
	if id, ok := t.ids[k]; ok {
		return id
	}
	x := xfKey{styleKey: k, font: t.font(fontKey{name: k.font, size: k.size, bold: k.bold, rgb: k.color}), numFmt: t.numFmt(k.numFmt)}
	if k.fill != "" {
		x.fill = t.fill(k.fill)
	}
	if k.border {
		x.border = borderThin
	}
	t.xfs = append(t.xfs, x)
	id := len(t.xfs) - 1
	t.ids[k] = id
	return id
}

// fixedTime is every zip entry's time: the same forms give the same bytes.
var fixedTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// staticPart is a part whose bytes never change, deflated once.
type staticPart struct {
	name       string
	crc        uint32
	size       int
	compressed []byte
}

var staticParts = sync.OnceValue(func() []staticPart {
	var out []staticPart
	for _, p := range [][2]string{
		{"_rels/.rels", xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>`},
		{"docProps/app.xml", xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><TotalTime>0</TotalTime><Application>reportd</Application></Properties>`},
		{"xl/theme/theme1.xml", xmlHeader + officeTheme},
	} {
		var buf bytes.Buffer
		fw, _ := flate.NewWriter(&buf, flate.BestCompression)
		fw.Write([]byte(p[1]))
		fw.Close()
		out = append(out, staticPart{name: p[0], crc: crc32.ChecksumIEEE([]byte(p[1])), size: len(p[1]), compressed: buf.Bytes()})
	}
	return out
})

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// write writes the workbook as a zip package. Compressors come from pool
// when it is set (a deflate writer allocates several hundred KB).
func (wb *workbook) write(w io.Writer, pool *sync.Pool) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		var fw *flate.Writer
		if pool != nil {
			fw, _ = pool.Get().(*flate.Writer)
		}
		if fw == nil {
			var err error
			if fw, err = flate.NewWriter(out, flate.BestSpeed); err != nil {
				return nil, err
			}
		} else {
			fw.Reset(out)
		}
		return &pooledFlate{fw, pool}, nil
	})
	var x xmlBuf
	var last io.Writer // the part being written
	part := func(name string, fill func(*xmlBuf)) error {
		x.b = append(x.b[:0], xmlHeader...)
		fill(&x)
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixedTime})
		if err != nil {
			return err
		}
		last = f
		_, err = f.Write(x.b)
		return err
	}
	if err := part("[Content_Types].xml", wb.contentTypes); err != nil {
		return err
	}
	for _, p := range staticParts() {
		f, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: fixedTime,
			CRC32: p.crc, CompressedSize64: uint64(len(p.compressed)), UncompressedSize64: uint64(p.size)})
		if err != nil {
			return err
		}
		if _, err := f.Write(p.compressed); err != nil {
			return err
		}
	}
	parts := []struct {
		name string
		fill func(*xmlBuf)
	}{
		{"docProps/core.xml", wb.coreProps},
		{"docProps/custom.xml", wb.customProps},
		{"xl/workbook.xml", wb.workbookXML},
		{"xl/_rels/workbook.xml.rels", wb.workbookRels},
		{"xl/styles.xml", wb.styles.xml},
		{"xl/sharedStrings.xml", wb.sharedStrings},
	}
	for _, p := range parts {
		if err := part(p.name, p.fill); err != nil {
			return err
		}
	}
	for i, s := range wb.sheets {
		name := "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml"
		if s.spool == nil {
			if err := part(name, func(x *xmlBuf) { wb.sheetHead(x, i, s); wb.sheetRows(x, s); wb.sheetTail(x, s) }); err != nil {
				return err
			}
			continue
		}
		// A spooled sheet: its rows are copied from the file between the
		// head and tail.
		if err := part(name, func(x *xmlBuf) { wb.sheetHead(x, i, s) }); err != nil {
			return err
		}
		if _, err := s.spool.Seek(0, io.SeekStart); err != nil {
			return err
		}
		x.b = x.b[:0]
		wb.sheetTail(&x, s)
		if _, err := io.Copy(last, s.spool); err != nil {
			return err
		}
		if _, err := last.Write(x.b); err != nil {
			return err
		}
	}
	return zw.Close()
}

// pooledFlate returns its writer to the pool when closed.
type pooledFlate struct {
	*flate.Writer
	pool *sync.Pool
}

func (p *pooledFlate) Close() error {
	err := p.Writer.Close()
	if p.pool != nil {
		p.pool.Put(p.Writer)
	}
	p.Writer = nil
	return err
}

func (wb *workbook) contentTypes(x *xmlBuf) {
	x.s(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
		`<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
		`<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>`)
	for i := range wb.sheets {
		x.s(`<Override PartName="/xl/worksheets/sheet`)
		x.int(i + 1)
		x.s(`.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
	}
	x.s(`</Types>`)
}

func (wb *workbook) coreProps(x *xmlBuf) {
	p := wb.props
	x.s(`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	elem := func(tag, v string) {
		if v == "" {
			return
		}
		x.s("<" + tag + ">")
		x.text(v)
		x.s("</" + tag + ">")
	}
	elem("dc:title", p.title)
	elem("dc:subject", p.subject)
	elem("dc:creator", p.creator)
	elem("cp:keywords", p.keywords)
	elem("dc:language", p.language)
	d := p.created.UTC().Format("2006-01-02T15:04:05Z")
	x.s(`<dcterms:created xsi:type="dcterms:W3CDTF">` + d + `</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">` + d + `</dcterms:modified></cp:coreProperties>`)
}

func (wb *workbook) customProps(x *xmlBuf) {
	x.s(`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">`)
	for i, p := range wb.props.custom {
		x.s(`<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="`)
		x.int(i + 2)
		x.s(`"`)
		x.attr("name", p[0])
		x.s(`><vt:lpwstr>`)
		x.text(p[1])
		x.s(`</vt:lpwstr></property>`)
	}
	x.s(`</Properties>`)
}

func (wb *workbook) workbookXML(x *xmlBuf) {
	x.s(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><bookViews><workbookView xWindow="0" yWindow="0" windowWidth="14805" windowHeight="8010" activeTab="0"/></bookViews><sheets>`)
	for i, s := range wb.sheets {
		x.s(`<sheet`)
		x.attr("name", s.name)
		x.s(` sheetId="`)
		x.int(i + 1)
		x.s(`"`)
		if s.veryHidden {
			x.s(` state="veryHidden"`)
		}
		x.s(` r:id="rId`)
		x.int(i + 1)
		x.s(`"/>`)
	}
	x.s(`</sheets>`)
	if len(wb.names) > 0 {
		x.s(`<definedNames>`)
		for _, n := range wb.names {
			x.s(`<definedName`)
			x.attr("name", n.name)
			x.s(` localSheetId="`)
			x.int(n.sheet)
			x.s(`">`)
			x.text(n.refersTo)
			x.s(`</definedName>`)
		}
		x.s(`</definedNames>`)
	}
	x.s(`<calcPr calcId="191029"/></workbook>`)
}

func (wb *workbook) workbookRels(x *xmlBuf) {
	x.s(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	n := len(wb.sheets)
	for i := range n {
		x.s(`<Relationship Id="rId`)
		x.int(i + 1)
		x.s(`" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet`)
		x.int(i + 1)
		x.s(`.xml"/>`)
	}
	for i, t := range [][2]string{{"styles", "styles.xml"}, {"theme", "theme/theme1.xml"}, {"sharedStrings", "sharedStrings.xml"}} {
		x.s(`<Relationship Id="rId`)
		x.int(n + i + 1)
		x.s(`" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/` + t[0] + `" Target="` + t[1] + `"/>`)
	}
	x.s(`</Relationships>`)
}

func (wb *workbook) sharedStrings(x *xmlBuf) {
	x.s(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="`)
	x.int(wb.nstr)
	x.s(`" uniqueCount="`)
	x.int(len(wb.strs))
	x.s(`">`)
	for _, s := range wb.strs {
		if s != "" && (isSpace(s[0]) || isSpace(s[len(s)-1])) {
			x.s(`<si><t xml:space="preserve">`)
		} else {
			x.s(`<si><t>`)
		}
		x.text(s)
		x.s(`</t></si>`)
	}
	x.s(`</sst>`)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (t *styleTable) xml(x *xmlBuf) {
	x.s(`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	if len(t.numFmts) > 0 {
		x.s(`<numFmts count="`)
		x.int(len(t.numFmts))
		x.s(`">`)
		for i, c := range t.numFmts {
			x.s(`<numFmt numFmtId="`)
			x.int(164 + i)
			x.s(`"`)
			x.attr("formatCode", c)
			x.s(`/>`)
		}
		x.s(`</numFmts>`)
	}
	x.s(`<fonts count="`)
	x.int(len(t.fonts))
	x.s(`">`)
	for i, f := range t.fonts {
		x.s(`<font>`)
		if f.bold {
			x.s(`<b val="1"/>`)
		}
		x.s(`<sz val="`)
		x.float(f.size)
		x.s(`"/>`)
		switch {
		case f.rgb != "":
			x.s(`<color rgb="FF` + f.rgb + `"/>`)
		case i == 0:
			x.s(`<color theme="1"/>`)
		}
		x.s(`<name`)
		x.attr("val", f.name)
		x.s(`/><family val="2"/>`)
		if i == 0 {
			x.s(`<scheme val="minor"/>`)
		}
		x.s(`</font>`)
	}
	x.s(`</fonts><fills count="`)
	x.int(2 + len(t.fills))
	x.s(`"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>`)
	for _, f := range t.fills {
		x.s(`<fill><patternFill patternType="solid"><fgColor rgb="FF`)
		x.text(f)
		x.s(`"/><bgColor indexed="64"/></patternFill></fill>`)
	}
	x.s(`</fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"><color rgb="FF000000"/></left><right style="thin"><color rgb="FF000000"/></right><top style="thin"><color rgb="FF000000"/></top><bottom style="thin"><color rgb="FF000000"/></bottom><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="`)
	x.int(len(t.xfs))
	x.s(`"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`)
	for _, f := range t.xfs[1:] {
		x.s(`<xf numFmtId="`)
		x.int(f.numFmt)
		x.s(`" fontId="`)
		x.int(f.font)
		x.s(`" fillId="`)
		x.int(f.fill)
		x.s(`" borderId="`)
		x.int(f.border)
		x.s(`" xfId="0"`)
		if f.quote {
			x.s(` quotePrefix="1"`)
		}
		if f.numFmt != 0 {
			x.s(` applyNumberFormat="1"`)
		}
		x.s(` applyFont="1"`)
		if f.fill != 0 {
			x.s(` applyFill="1"`)
		}
		if f.border != 0 {
			x.s(` applyBorder="1"`)
		}
		x.s(` applyAlignment="1" applyProtection="1"><alignment`)
		if f.halign != "" {
			x.s(` horizontal="` + f.halign + `"`)
		}
		if f.valign != "" {
			x.s(` vertical="` + f.valign + `"`)
		}
		if f.wrap {
			x.s(` wrapText="1"`)
		}
		if f.indent > 0 {
			x.s(` indent="`)
			x.int(f.indent)
			x.s(`"`)
		}
		if f.locked {
			x.s(`/><protection locked="1" hidden="0"/></xf>`)
		} else {
			x.s(`/><protection locked="0" hidden="0"/></xf>`)
		}
	}
	x.s(`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>`)
}

// sheetHead, sheetRows and sheetTail write a worksheet, its elements in
// the order the schema (CT_Worksheet) requires.
func (wb *workbook) sheetHead(x *xmlBuf, index int, s *worksheet) {
	x.s(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`)
	if s.print != nil && s.print.fit {
		x.s(`<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`)
	}
	ncols, nrows := max(len(s.cols), s.spoolCols), max(len(s.rows), s.spoolRows)
	for _, r := range s.rows {
		ncols = max(ncols, len(r.cells))
	}
	x.s(`<dimension ref="A1`)
	if nrows > 0 && ncols > 0 {
		x.s(`:`)
		x.cell(ncols, nrows)
	}
	x.s(`"/><sheetViews><sheetView`)
	if s.noGrid {
		x.s(` showGridLines="0"`)
	}
	if index == 0 {
		x.s(` tabSelected="1"`)
	}
	x.s(` workbookViewId="0"`)
	if s.frozenRows > 0 {
		x.s(`><pane ySplit="`)
		x.int(s.frozenRows)
		x.s(`" topLeftCell="`)
		x.cell(1, s.frozenRows+1)
		x.s(`" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView>`)
	} else {
		x.s(`/>`)
	}
	x.s(`</sheetViews><sheetFormatPr defaultRowHeight="15"/>`)
	if len(s.cols) > 0 {
		x.s(`<cols>`)
		for i, w := range s.cols {
			if w == 0 {
				continue
			}
			x.s(`<col min="`)
			x.int(i + 1)
			x.s(`" max="`)
			x.int(i + 1)
			x.s(`" width="`)
			x.float(w)
			x.s(`" customWidth="1"/>`)
		}
		x.s(`</cols>`)
	}
	x.s(`<sheetData>`)
}

func (wb *workbook) sheetRows(x *xmlBuf, s *worksheet) {
	for i, r := range s.rows {
		if r.height == 0 && len(r.cells) == 0 {
			continue
		}
		x.s(`<row r="`)
		x.int(i + 1)
		x.s(`"`)
		if r.height > 0 {
			x.s(` ht="`)
			x.float(r.height)
			x.s(`" customHeight="1"`)
		}
		x.s(`>`)
		for j, c := range r.cells {
			if !c.set {
				continue
			}
			x.s(`<c r="`)
			x.cell(j+1, i+1)
			x.s(`"`)
			if c.style != 0 {
				x.s(` s="`)
				x.int(c.style)
				x.s(`"`)
			}
			switch c.kind {
			case cellString:
				x.s(` t="s"><v>`)
				x.int(c.str)
				x.s(`</v></c>`)
			case cellNumber:
				x.s(`><v>`)
				x.s(c.num)
				x.s(`</v></c>`)
			default:
				x.s(`/>`)
			}
		}
		x.s(`</row>`)
	}
}

func (wb *workbook) sheetTail(x *xmlBuf, s *worksheet) {
	x.s(`</sheetData>`)
	if s.protect {
		// No password: protection guards the layout against slips, not
		// people. Rows may be inserted, deleted and resized, cells and
		// columns formatted; "0" allows an action, "1" forbids it.
		x.s(`<sheetProtection sheet="1" objects="1" scenarios="1" formatCells="0" formatColumns="0" formatRows="0" insertColumns="1" insertRows="0" insertHyperlinks="1" deleteColumns="1" deleteRows="0" selectLockedCells="0" sort="1" autoFilter="1" pivotTables="1" selectUnlockedCells="0"/>`)
	}
	if len(s.merges) > 0 {
		x.s(`<mergeCells count="`)
		x.int(len(s.merges))
		x.s(`">`)
		for _, m := range s.merges {
			x.s(`<mergeCell ref="`)
			x.cell(m.c1, m.r1)
			x.s(`:`)
			x.cell(m.c2, m.r2)
			x.s(`"/>`)
		}
		x.s(`</mergeCells>`)
	}
	if len(s.dvs) > 0 {
		x.s(`<dataValidations count="`)
		x.int(len(s.dvs))
		x.s(`">`)
		for _, dv := range s.dvs {
			x.s(`<dataValidation`)
			if dv.list != "" {
				x.s(` type="list" errorStyle="warning"`)
			}
			x.s(` allowBlank="1" showInputMessage="1"`)
			if dv.list != "" {
				x.s(` showErrorMessage="1"`)
				x.attr("errorTitle", dv.errTitle)
				x.attr("error", dv.errMsg)
			}
			x.attr("promptTitle", dv.promptTitle)
			x.attr("prompt", dv.prompt)
			x.attr("sqref", dv.sqref)
			if dv.list != "" {
				x.s(`><formula1>`)
				x.text(dv.list)
				x.s(`</formula1></dataValidation>`)
			} else {
				x.s(`/>`)
			}
		}
		x.s(`</dataValidations>`)
	}
	if len(s.links) > 0 {
		x.s(`<hyperlinks>`)
		for _, l := range s.links {
			x.s(`<hyperlink`)
			x.attr("ref", l.ref)
			x.attr("location", l.location)
			x.s(`/>`)
		}
		x.s(`</hyperlinks>`)
	}
	if p := s.print; p != nil {
		if p.center {
			x.s(`<printOptions horizontalCentered="1"/>`)
		}
		if p.margins {
			x.s(`<pageMargins left="`)
			x.float(p.left)
			x.s(`" right="`)
			x.float(p.right)
			x.s(`" top="`)
			x.float(p.top)
			x.s(`" bottom="`)
			x.float(p.bottom)
			x.s(`" header="`)
			x.float(p.header)
			x.s(`" footer="`)
			x.float(p.footer)
			x.s(`"/>`)
		}
		x.s(`<pageSetup paperSize="`)
		x.int(p.paper)
		if p.fit {
			x.s(`" fitToWidth="`)
			x.int(p.fitWidth)
			x.s(`" fitToHeight="`)
			x.int(p.fitHeight)
		}
		if p.landscape {
			x.s(`" orientation="landscape"/>`)
		} else {
			x.s(`" orientation="portrait"/>`)
		}
		if p.oddHeader != "" || p.oddFooter != "" {
			x.s(`<headerFooter>`)
			if p.oddHeader != "" {
				x.s(`<oddHeader>`)
				x.text(p.oddHeader)
				x.s(`</oddHeader>`)
			}
			if p.oddFooter != "" {
				x.s(`<oddFooter>`)
				x.text(p.oddFooter)
				x.s(`</oddFooter>`)
			}
			x.s(`</headerFooter>`)
		}
	}
	if len(s.breaks) > 0 {
		x.s(`<rowBreaks count="`)
		x.int(len(s.breaks))
		x.s(`" manualBreakCount="`)
		x.int(len(s.breaks))
		x.s(`">`)
		for _, r := range s.breaks {
			// A break's id is the last row of the page before it.
			x.s(`<brk id="`)
			x.int(r - 1)
			x.s(`" max="16383" man="1"/>`)
		}
		x.s(`</rowBreaks>`)
	}
	x.s(`</worksheet>`)
}

// xmlBuf appends XML.
type xmlBuf struct{ b []byte }

func (x *xmlBuf) s(s string) { x.b = append(x.b, s...) }

func (x *xmlBuf) int(n int) { x.b = strconv.AppendInt(x.b, int64(n), 10) }

func (x *xmlBuf) float(f float64) { x.b = strconv.AppendFloat(x.b, f, 'f', -1, 64) }

// cell appends a cell reference such as B12.
func (x *xmlBuf) cell(col, row int) {
	x.b = appendColName(x.b, col)
	x.b = strconv.AppendInt(x.b, int64(row), 10)
}

// attr appends ` name="value"`, escaped.
func (x *xmlBuf) attr(name, v string) {
	x.b = append(x.b, ' ')
	x.b = append(x.b, name...)
	x.b = append(x.b, `="`...)
	x.escape(v, true)
	x.b = append(x.b, '"')
}

func (x *xmlBuf) text(v string) { x.escape(v, false) }

// escape appends s as XML character data, or as an attribute value. What
// XML 1.0 cannot carry at all (other C0 controls, invalid UTF-8, U+FFFE,
// U+FFFF) becomes U+FFFD, as encoding/xml does; a CR is escaped so that
// parsers do not turn it into a LF, and in attributes tabs and line
// breaks are escaped so that they survive attribute normalisation.
func (x *xmlBuf) escape(s string, attr bool) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' && c != '"' {
			i++
			continue
		}
		var esc string
		width := 1
		switch {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '"':
			if !attr {
				i++
				continue
			}
			esc = "&quot;"
		case c == '\r':
			esc = "&#xD;"
		case c == '\n' || c == '\t':
			if !attr {
				i++
				continue
			}
			esc = "&#xA;"
			if c == '\t' {
				esc = "&#x9;"
			}
		case c < 0x20:
			esc = "\uFFFD"
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			width = n
			if r != utf8.RuneError && r != 0xFFFE && r != 0xFFFF || r == utf8.RuneError && n == 3 {
				i += n
				continue
			}
			esc = "\uFFFD"
		}
		x.b = append(x.b, s[last:i]...)
		x.b = append(x.b, esc...)
		i += width
		last = i
	}
	x.b = append(x.b, s[last:]...)
}

// appendColName appends the letters of a 1-based column number (1 → A,
// 27 → AA).
func appendColName(b []byte, col int) []byte {
	var tmp [8]byte
	i := len(tmp)
	for col > 0 {
		col--
		i--
		tmp[i] = byte('A' + col%26)
		col /= 26
	}
	return append(b, tmp[i:]...)
}

func cellName(col, row int) string {
	var tmp [16]byte
	b := appendColName(tmp[:0], col)
	return string(strconv.AppendInt(b, int64(row), 10))
}

func colName(col int) string {
	var tmp [8]byte
	return string(appendColName(tmp[:0], col))
}
