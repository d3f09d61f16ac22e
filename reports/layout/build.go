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
		g.Title = fam.TitleOf(f)
	}
	if fam.Subtitle != "" {
		g.Subtitle = family.Expand(fam.Subtitle, f)
	}
	right := false
	for _, h := range fam.Header {
		g.Header = append(g.Header, family.Expand(h.Left, f))
		g.HeaderRight = append(g.HeaderRight, family.Expand(h.Right, f))
		right = right || h.Right != ""
	}
	if !right {
		g.HeaderRight = nil
	}
	for _, l := range fam.Footer {
		g.Footer = append(g.Footer, family.Expand(l, f))
	}
	n := len(g.Columns)
	var money []moneyCell
	for _, s := range fam.Table.Sections {
		if heading := sectionHeading(s, f); heading != "" {
			g.Rows = append(g.Rows, Row{Kind: RowSection, Cells: []Cell{{
				Span: n, RowSpan: 1, Kind: KindSection, Align: AlignCenter, Role: RoleHeading, Text: heading,
			}}})
		}
		first := len(g.Rows)
		if s.Indicators {
			g.Rows = appendIndicators(g.Rows, f, fam, s.LabelSpan)
		} else {
			covered := make([]int, n)
			for _, r := range s.Rows {
				row := Row{Kind: RowField, Cells: make([]Cell, 0, len(r.Cells)+1), MinHeightMM: r.HeightMM}
				col := s.LabelSpan
				for _, c := range r.Cells {
					for col < n && covered[col] > 0 {
						col++
					}
					cell := fieldCell(c, col, f, fam)
					if cell.Kind == KindMoney {
						money = append(money, moneyCell{row: len(g.Rows), col: col, key: c.Value})
					}
					row.Cells = append(row.Cells, cell)
					for k := col; k < col+c.Span && k < n; k++ {
						covered[k] = max(c.Rows, 1)
					}
					col += c.Span
				}
				for k := range covered {
					if covered[k] > 0 {
						covered[k]--
					}
				}
				g.Rows = append(g.Rows, row)
			}
		}
		if s.Label != "" && len(g.Rows) > first {
			// The side label opens the section's first row and covers all.
			r := &g.Rows[first]
			r.Cells = append([]Cell{{Col: 0, Span: s.LabelSpan, RowSpan: len(g.Rows) - first, Kind: KindLabel,
				Align: AlignCenter, Role: RoleHeading, Text: s.Label}}, r.Cells...)
		}
	}
	formatMoney(g, money, f, fam)
	project := strings.TrimSpace(f.Project)
	g.Meta = Meta{
		Title:    strings.TrimSpace(project + " " + g.Title),
		Author:   f.Unit,
		Subject:  strings.TrimSpace(yearText(f) + g.Title),
		Keywords: strings.Join(nonEmpty(g.Title, yearText(f), f.Unit, project), ", "),
	}
	if fam.MarkDrafts {
		g.Draft = f.Draft || reports.Check(f, fam.Rules()).HasErrors()
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
		KeepLines: p.KeepLines, FramePt: p.FramePt, RulePt: p.RulePt, Shade: p.Shade,
	}
}

func fieldCell(c family.Cell, col int, f *reports.Form, fam *family.Family) Cell {
	cell := Cell{Col: col, Span: c.Span, RowSpan: max(c.Rows, 1)}
	switch {
	case c.Blank:
		cell.Kind, cell.Role = KindBlank, RoleBody
	case c.Text != "":
		cell.Kind, cell.Role, cell.Text = KindLabel, RoleHeading, family.Expand(c.Text, f)
	case c.Label != "":
		fd, _ := fam.Field(c.Label)
		cell.Kind, cell.Role, cell.Text = KindLabel, RoleHeading, fam.PrintedLabel(fd)
	default:
		fd, ok := fam.Field(c.Value)
		if !ok {
			fd = &family.Field{Key: c.Value, Label: c.Value, Type: family.TypeText}
		}
		cell.Role, cell.Path, cell.Label, cell.ReadOnly = RoleBody, c.Value, fam.PrintedLabel(fd), c.ReadOnly
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
// separators and the family's least decimals: "790,000.00" (元) or "79.00"
// (万元); formatMoney then evens out the decimals of each column. An extra
// money field is text: it prints as entered unless it parses as an amount.
func moneyText(f *reports.Form, key, unit string) string {
	m, ok := amount(f, key, unit)
	if !ok {
		return f.Get(key)
	}
	if !m.Set {
		return ""
	}
	if unit != family.UnitWanYuan {
		return m.String()
	}
	return m.WanYuan(2)
}

// amount is the exact amount of a money field; ok is false for an extra
// field whose text is not an amount (printed verbatim).
func amount(f *reports.Form, key, unit string) (reports.Money, bool) {
	if reports.IsMoney(key) {
		return f.Amount(key), true
	}
	parse := reports.ParseMoney
	if unit == family.UnitWanYuan {
		parse = reports.ParseWanYuan
	}
	v, err := parse(f.Get(key))
	return v, err == nil
}

type moneyCell struct {
	row, col int // the cell is found by its column: a side label may be inserted before it
	key      string
}

// formatMoney prints the amounts of each grid column with one number of
// decimals: as many as the most precise amount of the column needs, within
// the family's range (funds.decimals, funds.max_decimals), so that 1,250.50
// never stands above 860.123456. The form keeps the exact amounts; only an
// amount more precise than the family prints is rounded, on paper.
func formatMoney(g *Grid, cells []moneyCell, f *reports.Form, fam *family.Family) {
	least, most := fam.DecimalRange()
	wan := fam.Funds.Unit == family.UnitWanYuan
	need := map[int]int{}
	amounts := make([]reports.Money, len(cells))
	oks := make([]bool, len(cells))
	for i, mc := range cells {
		m, ok := amount(f, mc.key, fam.Funds.Unit)
		amounts[i], oks[i] = m, ok && m.Set
		if !oks[i] {
			continue
		}
		need[mc.col] = max(need[mc.col], least, min(m.Decimals(wan), most))
	}
	for i, mc := range cells {
		if !oks[i] {
			continue
		}
		var c *Cell
		for j := range g.Rows[mc.row].Cells {
			if g.Rows[mc.row].Cells[j].Col == mc.col {
				c = &g.Rows[mc.row].Cells[j]
			}
		}
		m := amounts[i]
		c.Text = m.Format(wan, need[c.Col])
		if d := m.Decimals(wan); d > need[c.Col] {
			c.Exact = strings.ReplaceAll(m.Format(wan, d), ",", "")
		}
	}
}

// appendIndicators adds the column header and one row per indicator. A
// merged column's equal consecutive values become one cell with RowSpan;
// a nested merged column (二级 in 一级) never runs past its parent's span.
func appendIndicators(rows []Row, f *reports.Form, fam *family.Family, off int) []Row {
	cols := fam.Indicators.Columns
	head := Row{Kind: RowTableHeader, Cells: make([]Cell, 0, len(cols)+1)}
	col := off
	for _, c := range cols {
		head.Cells = append(head.Cells, Cell{Col: col, Span: c.Span, RowSpan: 1, Kind: KindColumnHead,
			Align: AlignCenter, Role: RoleHeading, Text: family.Expand(c.Label, f)})
		col += c.Span
	}
	rows = append(rows, head)
	ins := f.Indicators
	// spanEnd[c] is the row index where the current merged run of column c ends.
	spanEnd := make([]int, len(cols))
	for i := range ins {
		row := Row{Kind: RowIndicator, Cells: make([]Cell, 0, len(cols))}
		col := off
		for ci, c := range cols {
			if c.Merge && i < spanEnd[ci] {
				col += c.Span
				continue // covered by the cell above
			}
			cell := Cell{Col: col, Span: c.Span, RowSpan: 1, Kind: KindValue, Role: RoleBody,
				Text: ins[i].Get(c.Key), Path: reports.IndicatorPath(i, c.Key), ReadOnly: c.ReadOnly,
				Label: "绩效指标第" + strconv.Itoa(i+1) + "行" + family.Expand(c.Label, f)} // the family's own column name
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
