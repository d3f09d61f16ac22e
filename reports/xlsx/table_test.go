package xlsx_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/reports/xlsx"
)

// TestTable: a streamed table reads back with its texts (inline strings,
// spaces and line breaks kept), exact numbers, styles, frozen and repeated
// header, and leaves no temporary file.
func TestTable(t *testing.T) {
	dir := t.TempDir()
	tb, err := xlsx.NewTable(dir, "汇总", xlsx.TableSetup{Widths: []float64{6, 30}, HeaderRows: 1, Landscape: true})
	if err != nil {
		t.Fatal(err)
	}
	head := tb.Style(xlsx.TableStyle{Font: "黑体", Size: 11, Bold: true, Fill: "E7E6E6"})
	money := tb.Style(xlsx.TableStyle{Font: "宋体", Size: 11, NumFmt: "#,##0.00"})
	red := tb.Style(xlsx.TableStyle{Font: "宋体", Size: 11, Color: "C00000"})
	rows := [][]xlsx.TableCell{
		{{Style: head, Text: "序号"}, {Style: head, Text: "金额"}, {Style: head, Text: "原因"}},
		{{Text: "1"}, {Style: money, Number: "12345678901234.56"}, {Style: red, Text: " 第一行\n第二行 <&> "}},
		{{Text: "2"}, {Style: money}, {Text: ""}},
	}
	for i, r := range rows {
		if err := tb.Row(float64(20*i), r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.Row(0, xlsx.TableCell{Number: "1e5"}); err == nil {
		t.Error("a number that is not a plain decimal was taken")
	}
	var buf bytes.Buffer
	if _, err := tb.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.GetRows("汇总", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"序号", "金额", "原因"}, {"1", "12345678901234.56", " 第一行\n第二行 <&> "}, {"2"}}
	if len(got) != len(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i := range want {
		for j := range want[i] {
			if j >= len(got[i]) || got[i][j] != want[i][j] {
				t.Errorf("row %d: %q, want %q", i+1, got[i], want[i])
				break
			}
		}
	}
	id, _ := f.GetCellStyle("汇总", "B2")
	if st, _ := f.GetStyle(id); st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "#,##0.00" {
		t.Errorf("B2 style %+v, want #,##0.00", st)
	}
	id, _ = f.GetCellStyle("汇总", "A1")
	if st, _ := f.GetStyle(id); st == nil || !st.Font.Bold || len(st.Fill.Color) == 0 || st.Fill.Color[0] != "E7E6E6" {
		t.Errorf("A1 style %+v, want bold on E7E6E6", st)
	}
	if pl, _ := f.GetPageLayout("汇总"); pl.Orientation == nil || *pl.Orientation != "landscape" {
		t.Errorf("page layout %+v, want landscape", pl)
	}
	names := f.GetDefinedName()
	if len(names) != 1 || names[0].RefersTo != "'汇总'!$1:$1" {
		t.Errorf("defined names %+v, want the header as print titles", names)
	}
	if panes, _ := f.GetPanes("汇总"); !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, want the header frozen", panes)
	}
}
