package xlsx_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/xlsx"
)

// handMadeGrid is a grid no family produces: five columns, a label no
// family knows, a gap in a row, an extra indicator column, a level-1 cell
// spanning two rows.
func handMadeGrid() *layout.Grid {
	label := func(col int, text string) layout.Cell {
		return layout.Cell{Col: col, Span: 1, RowSpan: 1, Kind: layout.KindLabel, Role: layout.RoleHeading, Text: text}
	}
	value := func(col, span int, kind layout.CellKind, path, text string) layout.Cell {
		return layout.Cell{Col: col, Span: span, RowSpan: 1, Kind: kind, Role: layout.RoleBody, Path: path, Text: text}
	}
	head := func(col int, text string) layout.Cell {
		return layout.Cell{Col: col, Span: 1, RowSpan: 1, Kind: layout.KindColumnHead, Role: layout.RoleHeading, Align: layout.AlignCenter, Text: text}
	}
	ind := func(i int, key, text string) layout.Cell {
		return value(map[string]int{"level1": 0, "level2": 1, "level3": 2, "target": 3, "note": 4}[key], 1, layout.KindValue, reports.IndicatorPath(i, key), text)
	}
	l1 := ind(0, "level1", "产出指标")
	l1.RowSpan, l1.Kind, l1.Align = 2, layout.KindIndicatorL1, layout.AlignCenter
	return &layout.Grid{
		Title: "自定义绩效表", Subtitle: "（2024年度）",
		Columns: []float64{1, 1, 1, 1, 1},
		Rows: []layout.Row{
			{Kind: layout.RowField, Cells: []layout.Cell{label(0, "项目名称"), value(1, 4, layout.KindValue, "project", "测试项目")}},
			{Kind: layout.RowField, Cells: []layout.Cell{label(0, "特别说明"), value(1, 4, layout.KindValue, "extra.note", strings.Repeat("很长的说明文字，", 40))}},
			{Kind: layout.RowField, Cells: []layout.Cell{
				label(0, "总额（元）"), value(1, 1, layout.KindMoney, "funds.total", "1,234.56"),
				label(2, "开始"), value(3, 1, layout.KindDate, "start", "2024-02-29"),
			}},
			{Kind: layout.RowSection, Cells: []layout.Cell{{Span: 5, RowSpan: 1, Kind: layout.KindSection, Role: layout.RoleHeading, Text: "绩效指标"}}},
			{Kind: layout.RowTableHeader, Cells: []layout.Cell{head(0, "一级指标"), head(1, "二级指标"), head(2, "三级指标"), head(3, "指标值"), head(4, "备注")}},
			{Kind: layout.RowIndicator, Cells: []layout.Cell{l1, ind(0, "level2", "数量指标"), ind(0, "level3", "培训人数"), ind(0, "target", "=100人"), ind(0, "note", "按签到计")}},
			{Kind: layout.RowIndicator, Cells: []layout.Cell{ind(1, "level2", "质量指标"), ind(1, "level3", "合格率"), ind(1, "target", ">=95%")}},
		},
	}
}

// TestWriteHandMadeGrid: the backend needs nothing but the grid, and the
// map sheet alone lets Read find a field whose label no family knows.
func TestWriteHandMadeGrid(t *testing.T) {
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, []xlsx.Sheet{{Grid: handMadeGrid()}}, false, xlsx.Options{}); err != nil {
		t.Fatal(err)
	}
	f := mustOpen(t, buf.Bytes())
	// The cell no grid cell covers (E5, right of 开始) is still ruled.
	id, _ := f.GetCellStyle(xlsx.FormSheetName, "E5")
	if st, _ := f.GetStyle(id); st == nil || len(st.Border) != 4 {
		t.Errorf("uncovered cell E5 has no borders: %+v", st)
	}
	merges, _ := f.GetMergeCells(xlsx.FormSheetName, true)
	var refs []string
	for _, m := range merges {
		refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	if want := "A8:A9"; !strings.Contains(strings.Join(refs, " "), want) {
		t.Errorf("merges %v lack the level-1 cell %s", refs, want)
	}
	got := mustRead(t, buf.Bytes(), "grid.xlsx")[0]
	want := reports.Form{
		Title: "自定义绩效表", Year: 2024, Project: "测试项目", Start: "2024-02-29", TargetsHeading: "绩效指标",
		Funds:  reports.Funds{Total: reports.Money{Fen: 123456, Set: true}},
		Extra:  map[string]string{"note": strings.Repeat("很长的说明文字，", 40)},
		Family: got.Family,
		Indicators: []reports.Indicator{
			{Level1: "产出指标", Level2: "数量指标", Level3: "培训人数", Target: "=100人", Extra: map[string]string{"note": "按签到计"}},
			{Level1: "产出指标", Level2: "质量指标", Level3: "合格率", Target: ">=95%"},
		},
	}
	assertSameForm(t, want, got)
}
