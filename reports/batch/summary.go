package batch

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/reports"
)

// summary writes 汇总.xlsx row by row with excelize's StreamWriter, which
// spills rows to a temporary file: memory stays flat however many forms.
type summary struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	row   int
	money int // style ids
	text  int
	bad   int
}

var summaryHeader = []string{"序号", "申报单位名称", "项目名称", "项目总预算（元）", "项目当年预算（元）",
	"同名项目上年预算额（元）", "同名项目上年预算执行数（元）", "绩效指标数", "校验结果", "生成结果", "原因", "表单编号", "版本"}

func newSummary(b Batch) (*summary, error) {
	f := excelize.NewFile()
	s := &summary{f: f}
	if err := s.setup(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", SummaryName, err)
	}
	return s, nil
}

func (s *summary) setup(b Batch) error {
	const sheet = "汇总"
	if err := s.f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	font := &excelize.Font{Family: "宋体", Size: 11}
	head, err := s.f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 11, Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	if s.text, err = s.f.NewStyle(&excelize.Style{Font: font, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return err
	}
	// 4 is the built-in "#,##0.00".
	if s.money, err = s.f.NewStyle(&excelize.Style{Font: font, NumFmt: 4}); err != nil {
		return err
	}
	if s.bad, err = s.f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11, Color: "C00000"},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return err
	}
	// Printed, the summary is a landscape list one page wide with the
	// header on every page; set before the stream writer takes the sheet.
	landscape, fit, a4 := "landscape", 1, 9 // 9 is A4 in OOXML paper codes
	if err := s.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &fit, FitToHeight: new(int)}); err != nil {
		return err
	}
	if err := s.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: new(true)}); err != nil {
		return err
	}
	if err := s.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$1:$1", Scope: sheet}); err != nil {
		return err
	}
	if s.sw, err = s.f.NewStreamWriter(sheet); err != nil {
		return err
	}
	for i, w := range []float64{6, 30, 30, 16, 16, 18, 20, 10, 14, 10, 40, 10, 6} {
		if err := s.sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	row := make([]any, len(summaryHeader))
	for i, h := range summaryHeader {
		row[i] = excelize.Cell{StyleID: head, Value: h}
	}
	s.row = 1
	return s.sw.SetRow("A1", row, excelize.RowOpts{Height: 30})
}

// yuan is the amount as a spreadsheet number. XLSX stores numbers as
// doubles; excelize writes the shortest decimal that reads back as the same
// double, which for an amount in 分 is exactly its two-decimal text.
func (s *summary) yuan(m reports.Money) any {
	if !m.Set {
		return excelize.Cell{StyleID: s.text, Value: ""}
	}
	return excelize.Cell{StyleID: s.money, Value: float64(m.Fen) / 100}
}

func (s *summary) add(it Item) error {
	s.row++
	check := "通过"
	switch {
	case it.Summary.Errors > 0:
		check = fmt.Sprintf("%d个错误", it.Summary.Errors)
	case it.Summary.Warnings > 0:
		check = fmt.Sprintf("通过（%d个提醒）", it.Summary.Warnings)
	}
	result, style := "已生成", s.text
	if it.State != ItemDone {
		result, style = "失败", s.bad
	}
	fd := it.Summary.Funds
	row := []any{
		excelize.Cell{StyleID: s.text, Value: s.row - 1},
		excelize.Cell{StyleID: s.text, Value: it.Unit},
		excelize.Cell{StyleID: s.text, Value: it.Project},
		s.yuan(fd.Total), s.yuan(fd.Current), s.yuan(fd.LastBudget), s.yuan(fd.LastSpent),
		excelize.Cell{StyleID: s.text, Value: it.Summary.Indicators},
		excelize.Cell{StyleID: s.text, Value: check},
		excelize.Cell{StyleID: style, Value: result},
		excelize.Cell{StyleID: style, Value: it.Reason},
		excelize.Cell{StyleID: s.text, Value: it.FormID},
		excelize.Cell{StyleID: s.text, Value: it.Version},
	}
	cell, err := excelize.CoordinatesToCellName(1, s.row)
	if err != nil {
		return err
	}
	if err := s.sw.SetRow(cell, row); err != nil {
		return fmt.Errorf("%s row %d: %w", SummaryName, s.row, err)
	}
	return nil
}

func (s *summary) write(w io.Writer) error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	return s.f.Write(w)
}

func (s *summary) close() { s.f.Close() }
