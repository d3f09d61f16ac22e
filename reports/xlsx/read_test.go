package xlsx_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/xlsx"
)

const sheet = xlsx.FormSheetName

// edit renders form, lets fn change the workbook as a clerk would, and
// returns the saved bytes.
func edit(t *testing.T, form *reports.Form, fn func(f *excelize.File)) []byte {
	t.Helper()
	f := mustOpen(t, mustRender(t, form))
	fn(f)
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func rowOf(t *testing.T, f *excelize.File, text string) int {
	t.Helper()
	_, r, err := excelize.CellNameToCoordinates(findCell(t, f, sheet, text))
	must(t, err)
	return r
}

// TestReadEdited reads workbooks a clerk changed: rows inserted and
// removed, cells retyped, merges undone, the map sheet lost.
func TestReadEdited(t *testing.T) {
	seed := mustSeed(t)
	tests := []struct {
		name string
		form int
		edit func(t *testing.T, f *excelize.File)
		want func(f *reports.Form) // the expected change of the form
	}{
		{
			name: "indicator row inserted inside a merged level",
			form: 1,
			edit: func(t *testing.T, f *excelize.File) {
				r := rowOf(t, f, "财务监控有效性")
				must(t, f.InsertRows(sheet, r, 1))
				must(t, f.SetCellStr(sheet, colOf(t, f, sheet, "三级目标")+strconv.Itoa(r), "会计核算规范性"))
				must(t, f.SetCellStr(sheet, colOf(t, f, sheet, "指标目标值")+strconv.Itoa(r), "规范"))
			},
			want: func(f *reports.Form) {
				in := reports.Indicator{Level1: "投入与管理", Level2: "财务管理", Level3: "会计核算规范性", Target: "规范"}
				f.Indicators = insert(f.Indicators, 4, in)
			},
		},
		{
			name: "indicator row added after the table with new levels",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				r := rowOf(t, f, "市区共享") + 1
				for c, v := range []string{"满意度目标", "服务对象满意度", "企业满意度", ">=85%"} {
					head := []string{"一级目标", "二级目标", "三级目标", "指标目标值"}[c]
					must(t, f.SetCellStr(sheet, colOf(t, f, sheet, head)+strconv.Itoa(r), v))
				}
			},
			want: func(f *reports.Form) {
				f.Indicators = append(f.Indicators, reports.Indicator{Level1: "满意度目标", Level2: "服务对象满意度", Level3: "企业满意度", Target: ">=85%"})
			},
		},
		{
			name: "indicator row removed",
			form: 1,
			edit: func(t *testing.T, f *excelize.File) {
				must(t, f.RemoveRow(sheet, rowOf(t, f, "信息公开实现率")))
			},
			want: func(f *reports.Form) { f.Indicators = append(f.Indicators[:8:8], f.Indicators[9:]...) },
		},
		{
			name: "rows inserted in the fields and the map sheet deleted",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				must(t, f.InsertRows(sheet, rowOf(t, f, "项目概况"), 2))
				must(t, f.InsertRows(sheet, rowOf(t, f, "项目名称"), 1))
				must(t, f.DeleteSheet("_reportd"))
			},
			want: func(f *reports.Form) {},
		},
		{
			name: "map of an unknown schema version ignored",
			form: 1,
			edit: func(t *testing.T, f *excelize.File) {
				must(t, f.SetCellStr("_reportd", "A1", "schema\treportd/xlsx/v9"))
				must(t, f.SetCellStr("_reportd", "A2", "field\t绩效目标表\tB4\tproject\tA5\t计划开始日期"))
			},
			want: func(f *reports.Form) {},
		},
		{
			name: "label and value typed into one cell",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				label := findCell(t, f, sheet, "项目类别")
				value := rightOf(t, f, sheet, label)
				must(t, f.SetCellStr(sheet, label, "项目类别：一次性项目"))
				must(t, f.SetCellStr(sheet, value, ""))
			},
			want: func(f *reports.Form) { f.Category = "一次性项目" },
		},
		{
			name: "sheet renamed",
			form: 1,
			edit: func(t *testing.T, f *excelize.File) { must(t, f.SetSheetName(sheet, "服务体系2020")) },
			want: func(f *reports.Form) {},
		},
		{
			name: "levels unmerged and left blank",
			form: 1,
			edit: func(t *testing.T, f *excelize.File) {
				// Undo every vertical merge below the header; cells that were
				// covered stay blank.
				r := rowOf(t, f, "一级目标")
				cells, _ := f.GetMergeCells(sheet, true)
				for _, mc := range cells {
					_, r0, _ := excelize.CellNameToCoordinates(mc.GetStartAxis())
					_, r1, _ := excelize.CellNameToCoordinates(mc.GetEndAxis())
					if r0 > r && r1 > r0 {
						must(t, f.UnmergeCell(sheet, mc.GetStartAxis(), mc.GetEndAxis()))
					}
				}
			},
			want: func(f *reports.Form) {},
		},
		{
			name: "level 1 repeated on every row",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				r := rowOf(t, f, "投入与管理")
				a := colOf(t, f, sheet, "一级目标")
				must(t, f.UnmergeCell(sheet, a+strconv.Itoa(r), a+strconv.Itoa(r+2)))
				must(t, f.SetCellStr(sheet, a+strconv.Itoa(r+1), "投入与管理"))
				must(t, f.SetCellStr(sheet, a+strconv.Itoa(r+2), "投入与管理"))
			},
			want: func(f *reports.Form) {},
		},
		{
			name: "amount retyped as text with separators",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				must(t, f.SetCellStr(sheet, rightOf(t, f, sheet, findCell(t, f, sheet, "项目当年预算（元）")), "1,234.50"))
			},
			want: func(f *reports.Form) { f.Funds.Current = reports.Money{Fen: 123450, Set: true} },
		},
		{
			name: "amount computed by a formula, binary noise",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				must(t, f.SetCellFloat(sheet, rightOf(t, f, sheet, findCell(t, f, sheet, "项目总预算（元）")), 0.1+0.2, -1, 64))
			},
			want: func(f *reports.Form) { f.Funds.Total = reports.Money{Fen: 30, Set: true} },
		},
		{
			name: "amount cleared",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				must(t, f.SetCellValue(sheet, rightOf(t, f, sheet, findCell(t, f, sheet, "同名项目上年预算执行数（元）")), nil))
			},
			want: func(f *reports.Form) { f.Funds.LastSpent = reports.Money{} },
		},
		{
			name: "date typed as a date in another format",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				ref := rightOf(t, f, sheet, findCell(t, f, sheet, "计划开始日期"))
				style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
				must(t, err)
				must(t, f.SetCellValue(sheet, ref, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)))
				must(t, f.SetCellStyle(sheet, ref, ref, style))
			},
			want: func(f *reports.Form) { f.Start = "2020-03-01" },
		},
		{
			name: "date typed as text",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				must(t, f.SetCellStr(sheet, rightOf(t, f, sheet, findCell(t, f, sheet, "计划完成日期")), "2020年12月30日"))
			},
			want: func(f *reports.Form) { f.End = "2020年12月30日" },
		},
		{
			name: "targets typed into General cells: formula, percent, number",
			form: 0,
			edit: func(t *testing.T, f *excelize.File) {
				general, err := f.NewStyle(&excelize.Style{})
				must(t, err)
				percent, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
				must(t, err)
				ref := findCell(t, f, sheet, "=90%")
				must(t, f.SetCellStyle(sheet, ref, ref, general))
				must(t, f.SetCellFormula(sheet, ref, "90%"))
				must(t, f.SetCellValue(sheet, ref, 0.9)) // the cached value Excel keeps
				must(t, f.SetCellFormula(sheet, ref, "90%"))
				ref = findCell(t, f, sheet, "=100%")
				must(t, f.SetCellStyle(sheet, ref, ref, percent))
				must(t, f.SetCellFloat(sheet, ref, 1, -1, 64))
				ref = findCell(t, f, sheet, "=2500家")
				must(t, f.SetCellStyle(sheet, ref, ref, general))
				must(t, f.SetCellInt(sheet, ref, 2500))
			},
			want: func(f *reports.Form) {
				f.Indicators[2].Target = "100%"
				f.Indicators[3].Target = "2500"
			},
		},
		{
			name: "header line, year and long text edited",
			form: 1,
			edit: func(t *testing.T, f *excelize.File) {
				must(t, f.SetCellStr(sheet, "A2", "(2021年度)"))
				must(t, f.SetCellStr(sheet, "A3", "申报单位名称：上海市经济和信息化委员会"))
				must(t, f.SetCellStr(sheet, rightOf(t, f, sheet, findCell(t, f, sheet, "项目实施计划")), "第一段。\n第二段：=SUM(A1)"))
			},
			want: func(f *reports.Form) {
				f.Year, f.Unit, f.Plan = 2021, "上海市经济和信息化委员会", "第一段。\n第二段：=SUM(A1)"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := seed[tt.form]
			data := edit(t, &form, func(f *excelize.File) { tt.edit(t, f) })
			got, err := xlsx.Reader{Families: mustFamilies(t)}.Read(bytes.NewReader(data), "edited.xlsx")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("got %d forms, want 1", len(got))
			}
			want := form
			want.Indicators = append([]reports.Indicator(nil), form.Indicators...)
			tt.want(&want)
			assertSameForm(t, want, got[0])
		})
	}
}

func insert(ins []reports.Indicator, i int, in reports.Indicator) []reports.Indicator {
	out := append([]reports.Indicator(nil), ins[:i]...)
	out = append(out, in)
	return append(out, ins[i:]...)
}

// TestReadBadValues: a value the model cannot hold does not stop reading;
// Check reports it, and every other problem of the form, each with its
// sheet, cell and Chinese label.
func TestReadBadValues(t *testing.T) {
	seed := mustSeed(t)
	type edit1 struct {
		label string
		set   func(f *excelize.File, ref string) error
		want  string // "{cell} 标签 message part"
	}
	str := func(v string) func(f *excelize.File, ref string) error {
		return func(f *excelize.File, ref string) error { return f.SetCellStr(sheet, ref, v) }
	}
	tests := []struct {
		name  string
		edits []edit1
	}{
		{"amount in words", []edit1{{"项目总预算（元）", str("七十九万"), "{cell} 项目总预算 「七十九万」不是金额"}}},
		{"amount below a fen", []edit1{{"项目当年预算（元）", func(f *excelize.File, ref string) error { return f.SetCellFloat(sheet, ref, 1.234, -1, 64) }, "{cell} 项目当年预算 1.234 元 不是整分"}}},
		{"three problems in one pass", []edit1{
			{"项目总预算（元）", str("七十九万"), "{cell} 项目总预算 不是金额"},
			{"计划开始日期", str("2020-13-45"), "{cell} 计划开始日期 不是有效日期"},
			{"同名项目上年预算额（元）", str("790000.001"), "{cell} 同名项目上年预算额 有3位小数"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := seed[0]
			refs := make([]string, len(tt.edits))
			data := edit(t, &form, func(f *excelize.File) {
				for i, e := range tt.edits {
					refs[i] = rightOf(t, f, sheet, findCell(t, f, sheet, e.label))
					must(t, e.set(f, refs[i]))
				}
			})
			got, err := xlsx.Read(bytes.NewReader(data), "edited.xlsx")
			if err != nil {
				t.Fatal(err)
			}
			var probs []string
			for _, p := range reports.Check(&got[0], reports.DefaultRules).Errors() {
				probs = append(probs, p.Cell+" "+p.Label()+" "+p.Message)
			}
			if len(probs) != len(tt.edits) {
				t.Fatalf("problems %q, want %d", probs, len(tt.edits))
			}
			for i, e := range tt.edits {
				want := strings.ReplaceAll(e.want, "{cell}", sheet+"!"+refs[i])
				parts := strings.SplitN(want, " ", 3) // cell, label, part of the message
				found := false
				for _, p := range probs {
					found = found || strings.HasPrefix(p, parts[0]+" "+parts[1]+" ") && strings.Contains(p, parts[2])
				}
				if !found {
					t.Errorf("no problem like %q in %q", want, probs)
				}
			}
		})
	}
}

// TestReadWrongFiles: files that are not our workbooks get a clear message,
// and zip bombs are refused before they are inflated.
func TestReadWrongFiles(t *testing.T) {
	plain := excelize.NewFile()
	must(t, plain.SetCellStr("Sheet1", "A1", "姓名"))
	must(t, plain.SetCellStr("Sheet1", "B1", "电话"))
	plainBuf, err := plain.WriteToBuffer()
	must(t, err)
	good := mustRender(t, &mustSeed(t)[0])

	tests := []struct {
		name string
		data []byte
		code string
		want string
	}{
		{"empty", nil, reports.EINVALID, "file is empty"},
		{"text file", []byte("财政项目支出绩效目标表\n(2020年度)\n"), reports.EINVALID, "not an .xlsx workbook"},
		{"old xls", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 512)...), reports.EINVALID, "old .xls"},
		{"docx", zipOf(t, map[string]string{"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}), reports.EINVALID, "not an .xlsx workbook (no xl/workbook.xml"},
		{"truncated", good[:len(good)/2], reports.EINVALID, "damaged .xlsx workbook"},
		{"workbook without a form", plainBuf.Bytes(), reports.EINVALID, "no form found"},
		{"zip bomb", bomb(t, 100<<20), reports.ETOOLARGE, "refused"},
		{"merged range over the whole sheet", patchSheet(t, good, "<mergeCell ", `<mergeCell ref="F1:XFD1048576"/><mergeCell `), reports.ETOOLARGE, "merges more than"},

		{"zip bomb lying about its size", lyingBomb(t), reports.EINVALID, "damaged"},
		{"too large", append(append([]byte(nil), good...), make([]byte, xlsx.MaxSize)...), reports.ETOOLARGE, "larger than 20 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := xlsx.Read(bytes.NewReader(tt.data), "in.xlsx")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "in.xlsx: ") {
				t.Errorf("error %q, want one starting with the file name and containing %q", err, tt.want)
			}
			if got := reports.ErrorCode(err); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
		})
	}
}

// patchSheet replaces old by new in the first worksheet's XML of a
// workbook (excelize itself would take minutes to write such a sheet).
func patchSheet(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		body, err := io.ReadAll(rc)
		must(t, err)
		if f.Name == "xl/worksheets/sheet1.xml" {
			if !bytes.Contains(body, []byte(old)) {
				t.Fatalf("sheet XML lacks %q", old)
			}
			body = bytes.Replace(body, []byte(old), []byte(new), 1)
		}
		w, err := zw.Create(f.Name)
		must(t, err)
		_, err = w.Write(body)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		must(t, err)
		_, err = w.Write([]byte(body))
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

// bomb is a workbook-looking zip whose one sheet inflates to n bytes.
func bomb(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for name, body := range map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"} {
		w, err := zw.Create(name)
		must(t, err)
		_, err = w.Write([]byte(body))
		must(t, err)
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	must(t, err)
	zeros := make([]byte, 1<<20)
	for range n >> 20 {
		_, err := w.Write(zeros)
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

// lyingBomb declares a small size for an entry that inflates to 64 MB.
func lyingBomb(t *testing.T) []byte {
	t.Helper()
	var deflated bytes.Buffer
	fw, err := flate.NewWriter(&deflated, flate.BestSpeed)
	must(t, err)
	zeros := make([]byte, 1<<20)
	for range 64 {
		_, err := fw.Write(zeros)
		must(t, err)
	}
	must(t, fw.Close())
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{"[Content_Types].xml": "<Types/>"} {
		w, err := zw.Create(name)
		must(t, err)
		_, err = w.Write([]byte(body))
		must(t, err)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/workbook.xml", Method: zip.Deflate,
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 100})
	must(t, err)
	_, err = w.Write(deflated.Bytes())
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

// FuzzRead: no input makes Read panic or hang; what it accepts is forms.
func FuzzRead(f *testing.F) {
	good := mustRender(f, &mustSeed(f)[0])
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		forms, err := xlsx.Read(bytes.NewReader(data), "fuzz.xlsx")
		if err == nil && len(forms) == 0 {
			t.Error("no error and no forms")
		}
	})
}

// TestReadLeavesNoTempFiles: excelize spools a sheet over 16 MB to a temp
// file and, when the workbook then fails to open, drops the file without
// removing it. Each such upload of 2 MB left 32 MB in /tmp for good.
func TestReadLeavesNoTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var rows strings.Builder
	rows.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i := 1; rows.Len() < 17<<20; i++ {
		n := strconv.Itoa(i)
		rows.WriteString(`<row r="` + n + `"><c r="A` + n + `" t="inlineStr"><is><t>财政项目支出绩效目标表` + n + `</t></is></c></row>`)
	}
	rows.WriteString(`</sheetData></worksheet>`)
	data := zipOf(t, map[string]string{
		"[Content_Types].xml":        `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"xl/workbook.xml":            `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="a" sheetId="1" r:id="rId1"/></sheets>`, // truncated
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   rows.String(),
	})
	if _, err := xlsx.Read(bytes.NewReader(data), "big.xlsx"); err == nil {
		t.Fatal("a damaged workbook was read")
	}
	left, err := os.ReadDir(tmp)
	must(t, err)
	for _, e := range left {
		t.Errorf("left behind: %s", e.Name())
	}
}
