package batch

import (
	"fmt"
	"io"
	"strconv"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/xlsx"
)

// summary writes 汇总.xlsx row by row through xlsx.Table, which spools
// rows to a temporary file: memory stays flat however many forms.
type summary struct {
	t                      *xlsx.Table
	row                    int
	head, text, money, bad int // style ids
	center                 int
}

var summaryHeader = []string{"序号", "申报单位名称", "项目名称", "项目总预算（元）", "项目当年预算（元）",
	"同名项目上年预算额（元）", "同名项目上年预算执行数（元）", "绩效指标数", "校验结果", "生成结果", "原因", "表单编号", "版本"}

// newSummary starts the summary, spooling its rows in dir.
func newSummary(dir string) (*summary, error) {
	// Printed, the summary is a landscape list one page wide with the
	// header on every page.
	t, err := xlsx.NewTable(dir, "汇总", xlsx.TableSetup{
		Widths:     []float64{6, 30, 30, 16, 16, 18, 20, 10, 14, 10, 40, 10, 6},
		HeaderRows: 1, Landscape: true,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SummaryName, err)
	}
	s := &summary{t: t}
	s.head = t.Style(xlsx.TableStyle{Font: "黑体", Size: 11, Bold: true, Fill: "E7E6E6", HAlign: "center", VAlign: "center", Wrap: true})
	s.text = t.Style(xlsx.TableStyle{Font: "宋体", Size: 11, VAlign: "top", Wrap: true})
	s.center = t.Style(xlsx.TableStyle{Font: "宋体", Size: 11, VAlign: "top"})
	s.money = t.Style(xlsx.TableStyle{Font: "宋体", Size: 11, VAlign: "top", NumFmt: "#,##0.00"})
	s.bad = t.Style(xlsx.TableStyle{Font: "宋体", Size: 11, Color: "C00000", VAlign: "top", Wrap: true})
	row := make([]xlsx.TableCell, len(summaryHeader))
	for i, h := range summaryHeader {
		row[i] = xlsx.TableCell{Style: s.head, Text: h}
	}
	if err := t.Row(30, row...); err != nil {
		t.Close()
		return nil, fmt.Errorf("%s: %w", SummaryName, err)
	}
	return s, nil
}

// yuan is the amount as a number cell holding its exact two-decimal text.
func (s *summary) yuan(m reports.Money) xlsx.TableCell {
	if !m.Set {
		return xlsx.TableCell{Style: s.text}
	}
	return xlsx.TableCell{Style: s.money, Number: m.Plain()}
}

func (s *summary) num(n int64) xlsx.TableCell {
	return xlsx.TableCell{Style: s.center, Number: strconv.FormatInt(n, 10)}
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
	err := s.t.Row(0,
		s.num(int64(s.row)),
		xlsx.TableCell{Style: s.text, Text: it.Unit},
		xlsx.TableCell{Style: s.text, Text: it.Project},
		s.yuan(fd.Total), s.yuan(fd.Current), s.yuan(fd.LastBudget), s.yuan(fd.LastSpent),
		s.num(int64(it.Summary.Indicators)),
		xlsx.TableCell{Style: s.text, Text: check},
		xlsx.TableCell{Style: style, Text: result},
		xlsx.TableCell{Style: style, Text: it.Reason},
		s.num(it.FormID),
		s.num(int64(it.Version)),
	)
	if err != nil {
		return fmt.Errorf("%s row %d: %w", SummaryName, s.row+1, err)
	}
	return nil
}

func (s *summary) write(w io.Writer) error {
	_, err := s.t.WriteTo(w)
	return err
}

func (s *summary) close() { s.t.Close() }
