package xlsx

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/layout"
)

// summaryColumns are the 汇总 sheet's headers and relative widths.
var summaryColumns = []struct {
	head  string
	width float64
}{
	{"序号", 0.5}, {"申报单位", 2}, {"项目名称", 1.6},
	{"项目总预算（元）", 1.3}, {"项目当年预算（元）", 1.3}, {"同名项目上年预算额（元）", 1.3}, {"同名项目上年预算执行数（元）", 1.3},
	{"指标数", 0.6}, {"校验结果", 3},
}

// maxListedProblems bounds the problems quoted per form; the count says
// how many there are in all.
const maxListedProblems = 5

// writeSummary writes the 汇总 sheet: one row per form with its unit,
// project (a link to its sheet), four amounts, indicator count and
// validation result, and a total row summed exactly in 分.
func (b *book) writeSummary(ws *worksheet, sheets []Sheet, names []string) error {
	sheet := ws.name
	const body, head = 10.5, 10.5
	// Landscape A4 with 15 mm margins.
	printable := (297 - 30) * ptPerMM
	sum := 0.0
	for _, c := range summaryColumns {
		sum += c.width
	}
	colPt := make([]float64, len(summaryColumns))
	for i, c := range summaryColumns {
		px := math.Floor(c.width / sum * printable / 0.75)
		chars := math.Round(px/digitPx*100) / 100
		colPt[i] = math.Floor(chars*digitPx) * 0.75
		ws.setColWidth(i+1, chars)
	}
	ncols := len(summaryColumns)
	title := "绩效目标汇总表"
	if err := b.setText(ws, 1, 1, ncols, 1, title, styleKey{font: b.opts.Fonts.Title, size: 16, bold: true, halign: "center", valign: "center", locked: true}); err != nil {
		return err
	}
	ws.setRowHeight(1, 16*lineFactor+padV)
	headKey := styleKey{font: b.opts.Fonts.Heading, size: head, bold: true, fill: labelFill, halign: "center", valign: "center", wrap: true, border: true, locked: true}
	h := 0.0
	for i, c := range summaryColumns {
		if err := b.setText(ws, i+1, 2, i+1, 2, c.head, headKey); err != nil {
			return err
		}
		h = max(h, b.need(c.head, layout.RoleHeading, head, colPt[i]))
	}
	ws.setRowHeight(2, math.Ceil(h*4)/4)
	text := styleKey{font: b.opts.Fonts.Body, size: body, valign: "center", wrap: true, border: true, locked: true}
	center := text
	center.halign = "center"
	money := text
	money.halign, money.numFmt, money.indent = "right", fmtMoney, 1
	var totals [4]int64
	row := 3
	for i, s := range sheets {
		fm := s.Form
		if fm == nil {
			fm = &reports.Form{}
		}
		amounts := []reports.Money{fm.Funds.Total, fm.Funds.Current, fm.Funds.LastBudget, fm.Funds.LastSpent}
		result := problemsText(s.Problems)
		cells := []string{strconv.Itoa(i + 1), fm.Unit, fm.Project, "", "", "", "", strconv.Itoa(len(fm.Indicators)), result}
		h := 0.0
		for c, v := range cells {
			k := text
			switch c {
			case 0, 7:
				k = center
			case 3, 4, 5, 6:
				continue
			}
			if err := b.setText(ws, c+1, row, c+1, row, v, k); err != nil {
				return err
			}
			h = max(h, b.need(v, layout.RoleBody, body, colPt[c]))
		}
		ws.links = append(ws.links, hyperlink{ref: cellName(3, row), location: quoteSheet(names[i]) + "!A1"})
		for j, m := range amounts {
			if !m.Set {
				b.styleRange(ws, 4+j, row, 4+j, row, money)
				continue
			}
			t, ok := addFen(totals[j], m.Fen)
			if !ok {
				return fmt.Errorf("%s: 合计 of %s is larger than an amount can be", sheet, summaryColumns[3+j].head)
			}
			totals[j] = t
			if err := b.setValue(ws, 4+j, row, 4+j, row, m.Plain(), money); err != nil {
				return err
			}
		}
		ws.setRowHeight(row, math.Min(math.Ceil(h*4)/4, maxRowHeight))
		row++
	}
	totalKey := center
	totalKey.bold, totalKey.font = true, b.opts.Fonts.Heading
	if err := b.setText(ws, 1, row, 3, row, "合计", totalKey); err != nil {
		return err
	}
	moneyTotal := money
	moneyTotal.bold = true
	for j, t := range totals {
		if err := b.setValue(ws, 4+j, row, 4+j, row, reports.Money{Fen: t, Set: true}.Plain(), moneyTotal); err != nil {
			return err
		}
	}
	for c := 8; c <= ncols; c++ {
		b.styleRange(ws, c, row, c, row, text)
	}
	ws.setRowHeight(row, body*lineFactor+padV)
	ws.print = &printSetup{paper: 9, landscape: true, fit: true, fitWidth: 1, fitHeight: 0, oddFooter: "&C第 &P 页 共 &N 页"} // 9 = A4
	b.printTitles(ws, 2, 2)
	return nil
}

// problemsText is the 校验结果 of a form: 通过, or the counts and the first
// problems.
func problemsText(ps reports.Problems) string {
	if len(ps) == 0 {
		return "通过"
	}
	errs := len(ps.Errors())
	var b strings.Builder
	switch {
	case errs > 0 && errs < len(ps):
		fmt.Fprintf(&b, "错误 %d 项，警告 %d 项", errs, len(ps)-errs)
	case errs > 0:
		fmt.Fprintf(&b, "错误 %d 项", errs)
	default:
		fmt.Fprintf(&b, "通过（警告 %d 项）", len(ps))
	}
	for i, p := range ps {
		if i == maxListedProblems {
			b.WriteString("\n…")
			break
		}
		sev := "错误"
		if p.Severity == reports.SeverityWarning {
			sev = "警告"
		}
		fmt.Fprintf(&b, "\n%s：%s：%s", sev, p.Label(), p.Message)
	}
	return b.String()
}

// addFen adds two amounts in 分, reporting whether the sum fits in int64.
func addFen(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}
