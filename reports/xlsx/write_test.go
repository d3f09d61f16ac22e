package xlsx_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/fonts"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font/ttf"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/xlsx"
	"github.com/reportd/reportd/templates"
)

func mustOpen(tb testing.TB, data []byte) *excelize.File {
	tb.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// findCell returns the reference of the first cell of sheet whose value is text.
func findCell(tb testing.TB, f *excelize.File, sheet, text string) string {
	tb.Helper()
	refs, err := f.SearchSheet(sheet, "^"+regexpQuote(text)+"$", true)
	if err != nil || len(refs) == 0 {
		tb.Fatalf("no cell %q in %s (%v)", text, sheet, err)
	}
	return refs[0]
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rightOf returns the cell right of ref, or of the merged range ref starts.
func rightOf(tb testing.TB, f *excelize.File, sheet, ref string) string {
	tb.Helper()
	merges, err := f.GetMergeCells(sheet, true)
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range merges {
		if m.GetStartAxis() == ref {
			ref = m.GetEndAxis()
		}
	}
	c, r, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		tb.Fatal(err)
	}
	next, _ := excelize.CoordinatesToCellName(c+1, r)
	return next
}

// colOf returns the column letters of the cell whose value is text.
func colOf(tb testing.TB, f *excelize.File, sheet, text string) string {
	tb.Helper()
	c, _, err := excelize.CellNameToCoordinates(findCell(tb, f, sheet, text))
	if err != nil {
		tb.Fatal(err)
	}
	name, _ := excelize.ColumnNumberToName(c)
	return name
}

func numFmtOf(tb testing.TB, f *excelize.File, sheet, ref string) (int, string) {
	tb.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		tb.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return st.NumFmt, *st.CustomNumFmt
	}
	return st.NumFmt, ""
}

// TestCellTypes checks that amounts are numbers shown #,##0.00, dates are
// date serials shown yyyy-mm-dd, and targets are text even when they start
// with "=".
func TestCellTypes(t *testing.T) {
	form := mustSeed(t)[0]
	f := mustOpen(t, mustRender(t, &form))
	const sheet = xlsx.FormSheetName
	tests := []struct {
		name, label string // the value right of the label cell
		wantType    excelize.CellType
		wantRaw     string
		wantFmt     string
	}{
		{"amount", "项目总预算（元）", excelize.CellTypeUnset, "790000.00", "#,##0.00"},
		{"amount last spent", "同名项目上年预算执行数（元）", excelize.CellTypeUnset, "710800.00", "#,##0.00"},
		{"start date", "计划开始日期", excelize.CellTypeUnset, "43831", "yyyy-mm-dd"},
		{"end date", "计划完成日期", excelize.CellTypeUnset, "44196", "yyyy-mm-dd"},
		{"text", "项目名称", excelize.CellTypeSharedString, "企业培育", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := rightOf(t, f, sheet, findCell(t, f, sheet, tt.label))
			typ, err := f.GetCellType(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			if typ != tt.wantType || raw != tt.wantRaw {
				t.Errorf("%s: type %v value %q, want %v %q", ref, typ, raw, tt.wantType, tt.wantRaw)
			}
			if _, code := numFmtOf(t, f, sheet, ref); tt.wantFmt != "" && code != tt.wantFmt {
				t.Errorf("%s: number format %q, want %q", ref, code, tt.wantFmt)
			}
		})
	}
	// Targets: text cells, text format, no formula.
	rows, _ := f.GetRows(sheet)
	targets := 0
	for r, row := range rows {
		for c, v := range row {
			if !strings.HasPrefix(v, "=") && !strings.HasPrefix(v, ">=") {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			targets++
			if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
				t.Errorf("%s: %q became the formula %q", ref, v, formula)
			}
			if typ, _ := f.GetCellType(sheet, ref); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
				t.Errorf("%s: target %q has cell type %v, want a string", ref, v, typ)
			}
			if id, _ := numFmtOf(t, f, sheet, ref); id != 49 {
				t.Errorf("%s: target format %d, want 49 (@) so a clerk's \"=90%%\" stays text", ref, id)
			}
		}
	}
	if targets < 5 {
		t.Errorf("found %d targets starting with = or >=, want at least 5", targets)
	}
}

// TestExactAmounts: amounts at the limits of float64 are stored as their
// exact decimal digits.
func TestExactAmounts(t *testing.T) {
	tests := []struct {
		name string
		fen  int64
		want string
	}{
		{"cents", 123456789, "1234567.89"},
		{"one fen", 1, "0.01"},
		{"ten trillion yuan", 999_999_999_999_999, "9999999999999.99"},
		{"zero", 0, "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := mustSeed(t)[0]
			form.Funds.Total = reports.Money{Fen: tt.fen, Set: true}
			data := mustRender(t, &form)
			f := mustOpen(t, data)
			ref := rightOf(t, f, xlsx.FormSheetName, findCell(t, f, xlsx.FormSheetName, "项目总预算（元）"))
			if raw, _ := f.GetCellValue(xlsx.FormSheetName, ref, excelize.Options{RawCellValue: true}); raw != tt.want {
				t.Errorf("stored %q, want %q", raw, tt.want)
			}
			back := mustRead(t, data, "x.xlsx")[0]
			if back.Funds.Total != form.Funds.Total {
				t.Errorf("read back %v, want %v", back.Funds.Total, form.Funds.Total)
			}
		})
	}
}

// notoMeasurer measures with the fonts LibreOffice prints our workbooks
// with in these tests (fontconfig maps 宋体/仿宋/黑体 to Noto, see
// libreoffice_test.go): an independent check of SpreadsheetMeasurer.
type notoMeasurer struct {
	fonts      map[layout.Role]*ttf.Font
	lineHeight map[layout.Role]float64 // em
}

func mustNoto(tb testing.TB) *notoMeasurer {
	tb.Helper()
	m := &notoMeasurer{fonts: map[layout.Role]*ttf.Font{}, lineHeight: map[layout.Role]float64{}}
	for role, file := range map[layout.Role]fonts.File{layout.RoleTitle: fonts.Title(), layout.RoleHeading: fonts.Heading(), layout.RoleBody: fonts.Body()} {
		f, err := ttf.Parse(file.Data)
		if err != nil {
			tb.Fatal(err)
		}
		m.fonts[role] = f
		m.lineHeight[role] = lineHeight(tb, file.Data)
	}
	return m
}

// lineHeight is the line height in em that applications use: the larger
// of the hhea ascender-descender+gap and the OS/2 Windows ascent+descent.
func lineHeight(tb testing.TB, data []byte) float64 {
	tb.Helper()
	be := binary.BigEndian
	n := int(be.Uint16(data[4:]))
	tables := map[string][]byte{}
	for i := range n {
		rec := data[12+16*i:]
		off, size := be.Uint32(rec[8:]), be.Uint32(rec[12:])
		tables[string(rec[:4])] = data[off : off+size]
	}
	head, hhea, os2 := tables["head"], tables["hhea"], tables["OS/2"]
	if head == nil || hhea == nil || os2 == nil {
		tb.Fatal("font lacks head, hhea or OS/2")
	}
	upem := float64(be.Uint16(head[18:]))
	h := float64(int16(be.Uint16(hhea[4:]))-int16(be.Uint16(hhea[6:]))+int16(be.Uint16(hhea[8:]))) / upem
	w := float64(int(be.Uint16(os2[74:]))+int(be.Uint16(os2[76:]))) / upem
	return max(h, w)
}

func (m *notoMeasurer) Advance(role layout.Role, r rune) (float64, bool) {
	f := m.fonts[role]
	gid, ok := f.GlyphIndex(r)
	if !ok {
		return 1, true // the fallback font's CJK glyphs are 1 em
	}
	return float64(f.Advance(gid)) / float64(f.UnitsPerEm), true
}

// TestRowHeightsFitText checks, for every text cell of every sheet, that
// the lines the text needs at its (merged) width, measured with the real
// fonts, fit in the height of its (merged) rows.
func TestRowHeightsFitText(t *testing.T) {
	seed := mustSeed(t)
	forms := slices.Clone(seed)
	for _, f := range formgen.Generate(seed, formgen.Options{N: 30, Seed: 7, RareEvery: 5}) {
		forms = append(forms, f)
	}
	m := mustNoto(t)
	fontRole := map[string]layout.Role{}
	d := xlsx.DefaultFonts()
	fontRole[d.Title], fontRole[d.Heading], fontRole[d.Body] = layout.RoleTitle, layout.RoleHeading, layout.RoleBody
	checked := 0
	for i := range forms {
		f := mustOpen(t, mustRender(t, &forms[i]))
		checked += checkHeights(t, f, xlsx.FormSheetName, m, fontRole)
	}
	if checked < 1000 {
		t.Errorf("checked %d cells, want more", checked)
	}
}

func checkHeights(t *testing.T, f *excelize.File, sheet string, m *notoMeasurer, fontRole map[string]layout.Role) int {
	t.Helper()
	merges, _ := f.GetMergeCells(sheet, true)
	rng := map[string][4]int{}
	covered := map[[2]int]bool{}
	for _, mc := range merges {
		c0, r0, _ := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c1, r1, _ := excelize.CellNameToCoordinates(mc.GetEndAxis())
		rng[mc.GetStartAxis()] = [4]int{c0, r0, c1, r1}
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				if r != r0 || c != c0 {
					covered[[2]int{c, r}] = true
				}
			}
		}
	}
	rows, _ := f.GetRows(sheet)
	n := 0
	for r, row := range rows {
		for c, text := range row {
			if text == "" || covered[[2]int{c + 1, r + 1}] {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			box, ok := rng[ref]
			if !ok {
				box = [4]int{c + 1, r + 1, c + 1, r + 1}
			}
			width := 0.0
			for cc := box[0]; cc <= box[2]; cc++ {
				name, _ := excelize.ColumnNumberToName(cc)
				w, _ := f.GetColWidth(sheet, name)
				width += math.Floor(w*7) * 0.75 // pixels of Calibri's 7 px digit, in points
			}
			height := 0.0
			for rr := box[1]; rr <= box[3]; rr++ {
				h, _ := f.GetRowHeight(sheet, rr)
				height += h
			}
			id, _ := f.GetCellStyle(sheet, ref)
			st, _ := f.GetStyle(id)
			role := fontRole[st.Font.Family]
			size := st.Font.Size
			// LibreOffice insets text 2-3 pt per side.
			lines := layout.Break(text, width-6, size, role, m)
			need := float64(len(lines))*size*m.lineHeight[role] + 1
			if need > height && os.Getenv("XLSX_DEBUG") != "" {
				for _, l := range lines {
					t.Logf("  %q", l)
				}
			}
			if need > height {
				t.Errorf("%s!%s: %d lines of %.1f pt at %.1f pt need %.1f pt, row height is %.1f pt: %q", sheet, ref, len(lines), size, width, need, height, clip(text))
			}
			n++
		}
	}
	return n
}

func clip(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}

// TestPrintSetupAndProtection checks A4 portrait fit to one page wide, the
// indicator header as print titles, centring, the footer, and that only
// value cells are unlocked under a password-less protection.
func TestPrintSetupAndProtection(t *testing.T) {
	form := mustSeed(t)[1]
	f := mustOpen(t, mustRender(t, &form))
	const sheet = xlsx.FormSheetName
	pl, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if *pl.Size != 9 || *pl.Orientation != "portrait" || *pl.FitToWidth != 1 || *pl.FitToHeight != 0 {
		t.Errorf("page layout: size %d %s fit %dx%d, want A4 (9) portrait 1x0", *pl.Size, *pl.Orientation, *pl.FitToWidth, *pl.FitToHeight)
	}
	if props, _ := f.GetSheetProps(sheet); props.FitToPage == nil || !*props.FitToPage {
		t.Error("fit to page is off")
	}
	if pm, _ := f.GetPageMargins(sheet); pm.Horizontally == nil || !*pm.Horizontally {
		t.Error("not centred horizontally")
	}
	if hf, _ := f.GetHeaderFooter(sheet); hf == nil || !strings.Contains(hf.OddFooter, "第 &P 页 共 &N 页") {
		t.Errorf("footer %+v", hf)
	}
	head := findCell(t, f, sheet, "一级目标")
	_, headRow, _ := excelize.CellNameToCoordinates(head)
	titles := ""
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == sheet {
			titles = dn.RefersTo
		}
	}
	if want := "$" + strconv.Itoa(headRow) + ":$" + strconv.Itoa(headRow); !strings.HasSuffix(titles, want) {
		t.Errorf("print titles %q, want the header row %s", titles, want)
	}
	prot, err := f.GetSheetProtection(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if prot.Password != "" || !prot.InsertRows || !prot.DeleteRows {
		t.Errorf("protection %+v: want no password, rows insertable and deletable", prot)
	}
	locked := func(ref string) bool {
		id, _ := f.GetCellStyle(sheet, ref)
		st, _ := f.GetStyle(id)
		return st.Protection == nil || st.Protection.Locked
	}
	tests := []struct {
		name   string
		ref    string
		locked bool
	}{
		{"label", findCell(t, f, sheet, "项目名称"), true},
		{"value", rightOf(t, f, sheet, findCell(t, f, sheet, "项目名称")), false},
		{"amount", rightOf(t, f, sheet, findCell(t, f, sheet, "项目总预算（元）")), false},
		{"column head", head, true},
		{"target", findCell(t, f, sheet, "<=450家"), false},
		{"level 1", findCell(t, f, sheet, "产出目标"), false},
		{"title", "A1", true},
	}
	for _, tt := range tests {
		if got := locked(tt.ref); got != tt.locked {
			t.Errorf("%s %s: locked %v, want %v", tt.name, tt.ref, got, tt.locked)
		}
	}
	props, _ := f.GetCustomProps()
	found := false
	for _, p := range props {
		found = found || p.Name == "reportd.schema" && p.Value == xlsx.Schema
	}
	if !found {
		t.Errorf("custom properties %v lack the schema", props)
	}
}

// TestDeterministic: the same form gives the same bytes.
func TestDeterministic(t *testing.T) {
	form := mustSeed(t)[0]
	a, b := mustRender(t, &form), mustRender(t, &form)
	if !bytes.Equal(a, b) {
		t.Error("two renders of one form differ")
	}
}

// TestLongTextSplitsRows: a text taller than Excel's 409 pt row limit spans
// several merged rows, all of it shown and read back.
func TestLongTextSplitsRows(t *testing.T) {
	form := mustSeed(t)[0]
	form.Basis = strings.Repeat(form.Basis, 6)
	data := mustRender(t, &form)
	f := mustOpen(t, data)
	m := mustNoto(t)
	d := xlsx.DefaultFonts()
	checkHeights(t, f, xlsx.FormSheetName, m, map[string]layout.Role{d.Title: layout.RoleTitle, d.Heading: layout.RoleHeading, d.Body: layout.RoleBody})
	rows, _ := f.GetRows(xlsx.FormSheetName)
	for r := range rows {
		if h, _ := f.GetRowHeight(xlsx.FormSheetName, r+1); h > 409 {
			t.Errorf("row %d is %.1f pt high, over Excel's 409", r+1, h)
		}
	}
	back := mustRead(t, data, "long.xlsx")[0]
	if back.Basis != form.Basis {
		t.Error("long text did not come back whole")
	}
}

// TestCombined checks the combined workbook: 汇总 first with one row per
// form and exact totals, then one sheet per form with unique names.
func TestCombined(t *testing.T) {
	seed := mustSeed(t)
	forms := []*reports.Form{&seed[0], &seed[1]}
	dup := seed[0]
	dup.Project = "企业培育" // same project name twice
	long := seed[1]
	long.Project = "一个名字非常非常长的项目：包含[非法]字符*?/\\以及超过三十一个字符的部分"
	forms = append(forms, &dup, &long)
	var buf bytes.Buffer
	if err := xlsx.NewRenderer(mustFamilies(t), xlsx.Options{}).RenderCombined(context.Background(), &buf, forms); err != nil {
		t.Fatal(err)
	}
	f := mustOpen(t, buf.Bytes())
	var visible []string
	for _, s := range f.GetSheetList() {
		if v, _ := f.GetSheetVisible(s); v {
			visible = append(visible, s)
		}
	}
	want := []string{"汇总", "企业培育", "服务体系", "企业培育(2)"}
	if len(visible) != 5 || !slices.Equal(visible[:4], want) {
		t.Fatalf("sheets %q, want %q and one more", visible, want)
	}
	if name := visible[4]; len([]rune(name)) > 31 || strings.ContainsAny(name, `[]:*?/\`) {
		t.Errorf("sheet name %q breaks Excel's rules", name)
	}
	rows, _ := f.GetRows("汇总", excelize.Options{RawCellValue: true})
	if len(rows) != 2+len(forms)+1 {
		t.Fatalf("汇总 has %d rows, want title, header, %d forms, total", len(rows), len(forms))
	}
	if got := rows[2][:3]; !slices.Equal(got, []string{"1", seed[0].Unit, "企业培育"}) {
		t.Errorf("first summary row %q", got)
	}
	total := rows[len(rows)-1]
	if total[0] != "合计" || total[3] != "2936000.00" {
		t.Errorf("total row %q, want 合计 … 2936000.00", total)
	}
	back, err := xlsx.Reader{Families: mustFamilies(t)}.Read(bytes.NewReader(buf.Bytes()), "all.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(forms) {
		t.Fatalf("read %d forms, want %d", len(back), len(forms))
	}
	for i := range forms {
		assertSameForm(t, *forms[i], back[i])
	}
}

// TestRowHeightsOtherGrid repeats the height check on a seven-column
// variant of the sample's family (labels over two columns, a narrow
// column): row heights must not depend on the grid being the usual one.
func TestRowHeightsOtherGrid(t *testing.T) {
	base, err := mustFamilies(t).Get("shanghai-2020")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	var fam family.Family
	if err := json.Unmarshal(data, &fam); err != nil {
		t.Fatal(err)
	}
	fam.Name, fam.Default = "wide-test", false
	fam.Table.Columns = []float64{16, 8, 8, 18, 22, 2, 26}
	for i := range fam.Indicators.Columns[1:] {
		fam.Indicators.Columns[i+1].Span = 2
	}
	for _, sec := range fam.Table.Sections {
		for _, r := range sec.Rows {
			switch len(r.Cells) {
			case 4:
				r.Cells[0].Span, r.Cells[1].Span, r.Cells[2].Span = 2, 2, 2
			case 2:
				r.Cells[0].Span, r.Cells[1].Span = 2, 5
			}
		}
	}
	dir := t.TempDir()
	out, err := json.Marshal(&fam)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wide-test.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := family.Load(templates.Families, dir)
	if err != nil {
		t.Fatal(err)
	}
	m := mustNoto(t)
	d := xlsx.DefaultFonts()
	roles := map[string]layout.Role{d.Title: layout.RoleTitle, d.Heading: layout.RoleHeading, d.Body: layout.RoleBody}
	r := xlsx.NewRenderer(reg, xlsx.Options{})
	for _, form := range formgen.Generate(mustSeed(t), formgen.Options{N: 30, Seed: 7, RareEvery: 5}) {
		form.Family = fam.Name
		var buf bytes.Buffer
		if err := r.Render(context.Background(), &buf, &form); err != nil {
			t.Fatal(err)
		}
		checkHeights(t, mustOpen(t, buf.Bytes()), xlsx.FormSheetName, m, roles)
	}
}

// TestCombinedTotalOverflow: a 合计 past what int64 分 holds is an error,
// never a wrapped-around negative total.
func TestCombinedTotalOverflow(t *testing.T) {
	seed := mustSeed(t)
	a, b := seed[0], seed[1]
	a.Funds.Total = reports.Money{Fen: math.MaxInt64/2 + 1, Set: true}
	b.Funds.Total = a.Funds.Total
	var buf bytes.Buffer
	err := xlsx.NewRenderer(mustFamilies(t), xlsx.Options{}).RenderCombined(context.Background(), &buf, []*reports.Form{&a, &b})
	if err == nil || !strings.Contains(err.Error(), "合计") {
		t.Fatalf("got %v, want an error about the 合计", err)
	}
	if buf.Len() != 0 {
		t.Error("a workbook was written")
	}
}
