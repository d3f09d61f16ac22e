package layout

import (
	"strconv"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
)

// Build makes the neutral table model of f as family fam prints it. It never
// fails: blank fields give blank cells, and a form with validation errors is
// marked Draft when the family marks drafts.
func Build(f *reports.Form, fam *family.Family) *Grid {
	g := &Grid{
		Title:   f.DisplayTitle(),
		Columns: append([]float64(nil), fam.Table.Columns...),
		Page:    pageSetup(fam.Page),
	}
	if f.Title == "" {
		g.Title = fam.Title
	}
	if fam.Subtitle != "" {
		g.Subtitle = family.Expand(fam.Subtitle, f)
	}
	for _, h := range fam.Header {
		g.Header = append(g.Header, family.Expand(h, f))
	}
	n := len(g.Columns)
	for _, s := range fam.Table.Sections {
		if heading := sectionHeading(s, f); heading != "" {
			g.Rows = append(g.Rows, Row{Kind: RowSection, Cells: []Cell{{
				Span: n, RowSpan: 1, Kind: KindSection, Align: AlignCenter, Role: RoleHeading, Text: heading,
			}}})
		}
		if s.Indicators {
			g.Rows = appendIndicators(g.Rows, f, fam)
			continue
		}
		for _, r := range s.Rows {
			row := Row{Kind: RowField, Cells: make([]Cell, 0, len(r.Cells))}
			col := 0
			for _, c := range r.Cells {
				row.Cells = append(row.Cells, fieldCell(c, col, f, fam))
				col += c.Span
			}
			g.Rows = append(g.Rows, row)
		}
	}
	project := strings.TrimSpace(f.Project)
	g.Meta = Meta{
		Title:    strings.TrimSpace(project + " " + g.Title),
		Author:   f.Unit,
		Subject:  strings.TrimSpace(yearText(f) + g.Title),
		Keywords: strings.Join(nonEmpty(g.Title, yearText(f), f.Unit, project), ", "),
	}
	if fam.MarkDrafts {
		g.Draft = reports.Check(f, fam.Rules()).HasErrors()
	}
	return g
}

func yearText(f *reports.Form) string {
	if f.Year == 0 {
		return ""
	}
	return strconv.Itoa(f.Year) + "年度"
}

func nonEmpty(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func sectionHeading(s family.Section, f *reports.Form) string {
	if s.HeadingField != "" {
		if v := strings.TrimSpace(f.Get(s.HeadingField)); v != "" {
			return v
		}
	}
	return family.Expand(s.Heading, f)
}

func pageSetup(p family.Page) PageSetup {
	return PageSetup{
		WidthMM: p.WidthMM, HeightMM: p.HeightMM,
		TopMM: p.TopMM, BottomMM: p.BottomMM, LeftMM: p.LeftMM, RightMM: p.RightMM,
		TitleSize: p.TitleSize, SubtitleSize: p.SubtitleSize, HeadingSize: p.HeadingSize, BodySize: p.BodySize,
		FooterMM: p.FooterMM, PageNumberSize: p.PageNumberSize, Leading: p.Leading, PaddingMM: p.PaddingMM,
	}
}

func fieldCell(c family.Cell, col int, f *reports.Form, fam *family.Family) Cell {
	cell := Cell{Col: col, Span: c.Span, RowSpan: 1}
	switch {
	case c.Text != "":
		cell.Kind, cell.Role, cell.Text = KindLabel, RoleHeading, c.Text
	case c.Label != "":
		fd, _ := fam.Field(c.Label)
		cell.Kind, cell.Role, cell.Text = KindLabel, RoleHeading, fam.PrintedLabel(fd)
	default:
		fd, ok := fam.Field(c.Value)
		if !ok {
			fd = &family.Field{Key: c.Value, Label: c.Value, Type: family.TypeText}
		}
		cell.Role, cell.Path, cell.Label = RoleBody, c.Value, fam.PrintedLabel(fd)
		switch fd.Type {
		case family.TypeMoney:
			cell.Kind, cell.Align = KindMoney, AlignRight
			cell.Text = moneyText(f, c.Value, fam.Funds.Unit)
		case family.TypeDate, family.TypePeriod:
			cell.Kind, cell.Text = KindDate, f.Get(c.Value)
		default:
			cell.Kind, cell.Text = KindValue, f.Get(c.Value)
		}
	}
	switch c.Align {
	case "left":
		cell.Align = AlignLeft
	case "center":
		cell.Align = AlignCenter
	case "right":
		cell.Align = AlignRight
	}
	return cell
}

// moneyText prints an amount in the family's unit with thousands
// separators: "790,000.00" (元) or "79.00" (万元, with as many decimals as
// the exact amount needs: money is never rounded). An extra money field is
// text: it prints as entered unless it parses as an amount.
func moneyText(f *reports.Form, key, unit string) string {
	var m reports.Money
	if reports.IsMoney(key) {
		m = f.Amount(key)
	} else {
		raw := f.Get(key)
		parse := reports.ParseMoney
		if unit == family.UnitWanYuan {
			parse = reports.ParseWanYuan
		}
		v, err := parse(raw)
		if err != nil {
			return raw
		}
		m = v
	}
	if !m.Set {
		return ""
	}
	if unit != family.UnitWanYuan {
		return m.String()
	}
	return m.WanYuan(2)
}

// appendIndicators adds the column header and one row per indicator. A
// merged column's equal consecutive values become one cell with RowSpan;
// a nested merged column (二级 in 一级) never runs past its parent's span.
func appendIndicators(rows []Row, f *reports.Form, fam *family.Family) []Row {
	cols := fam.Indicators.Columns
	head := Row{Kind: RowTableHeader, Cells: make([]Cell, 0, len(cols))}
	col := 0
	for _, c := range cols {
		head.Cells = append(head.Cells, Cell{Col: col, Span: c.Span, RowSpan: 1, Kind: KindColumnHead,
			Align: AlignCenter, Role: RoleHeading, Text: c.Label})
		col += c.Span
	}
	rows = append(rows, head)
	ins := f.Indicators
	// spanEnd[c] is the row index where the current merged run of column c ends.
	spanEnd := make([]int, len(cols))
	for i := range ins {
		row := Row{Kind: RowIndicator, Cells: make([]Cell, 0, len(cols))}
		col := 0
		for ci, c := range cols {
			if c.Merge && i < spanEnd[ci] {
				col += c.Span
				continue // covered by the cell above
			}
			cell := Cell{Col: col, Span: c.Span, RowSpan: 1, Kind: KindValue, Role: RoleBody,
				Text: ins[i].Get(c.Key), Path: reports.IndicatorPath(i, c.Key),
				Label: "绩效指标第" + strconv.Itoa(i+1) + "行" + c.Label} // the family's own column name
			if c.Merge {
				end := i + 1
				limit := len(ins)
				if ci > 0 && cols[ci-1].Merge {
					limit = spanEnd[ci-1]
				}
				for end < limit && strings.TrimSpace(ins[end].Get(c.Key)) == strings.TrimSpace(cell.Text) {
					end++
				}
				spanEnd[ci] = end
				cell.RowSpan = end - i
				cell.Align = AlignCenter
				cell.Kind = KindIndicatorL2
				if ci == 0 {
					cell.Kind = KindIndicatorL1
				}
			}
			row.Cells = append(row.Cells, cell)
			col += c.Span
		}
		rows = append(rows, row)
	}
	return rows
}
