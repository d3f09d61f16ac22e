package api

import (
	"strconv"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/layout"
)

// The form page shows a form as an HTML table laid out like the printed
// one: it is a third backend of layout.Grid (after PDF and XLSX), so any
// family prints and shows alike without family-specific code here.

// htmlGrid is a layout.Grid ready for html/template.
type htmlGrid struct {
	Title, Subtitle string
	Header          []htmlLine // lines above the table: left text, right text
	Footer          []string   // lines under it: sign-off line, 注：…
	Cols            []string   // column widths in percent, "21.0%"
	Rows            []htmlRow
	Draft           bool
}

type htmlLine struct{ Left, Right string }

type htmlRow struct {
	Class string
	Cells []htmlCell
	// Height is the least height of a box filled by hand ("30mm"), or "".
	Height string
}

// htmlCell is one <td> or <th>. Problems are the validation messages of
// the field it shows; Anchor links to that field on the edit page.
type htmlCell struct {
	Head          bool // a label or heading: <th>
	Class         string
	Span, RowSpan int
	Text          string
	Path, Label   string
	Anchor        string
	Problems      []reports.Problem
	// Open marks a value a page may let the clerk enter (a self-evaluation's
	// actuals); targets and computed scores are read-only.
	Open bool
}

func (c htmlCell) Severity() string {
	for _, p := range c.Problems {
		if p.Severity == reports.SeverityError {
			return "error"
		}
	}
	if len(c.Problems) > 0 {
		return "warning"
	}
	return ""
}

func kindClass(k layout.CellKind) string {
	switch k {
	case layout.KindLabel:
		return "label"
	case layout.KindSection:
		return "section"
	case layout.KindColumnHead:
		return "colhead"
	case layout.KindMoney:
		return "money"
	case layout.KindDate:
		return "date"
	case layout.KindIndicatorL1:
		return "l1"
	case layout.KindIndicatorL2:
		return "l2"
	case layout.KindBlank:
		return "blank"
	}
	return "value"
}

func alignClass(a layout.Align) string {
	switch a {
	case layout.AlignCenter:
		return " center"
	case layout.AlignRight:
		return " right"
	}
	return ""
}

// gridHTML converts a grid, attaching each problem to the cell showing its
// field. Cells the grid leaves uncovered (neither a cell nor a row span
// from above) become empty cells so that the table never shifts.
func gridHTML(g *layout.Grid, problems reports.Problems) htmlGrid {
	byPath := map[string][]reports.Problem{}
	for _, p := range problems {
		byPath[p.Path] = append(byPath[p.Path], p)
	}
	total := 0.0
	for _, w := range g.Columns {
		total += w
	}
	out := htmlGrid{Title: g.Title, Subtitle: g.Subtitle, Footer: g.Footer, Draft: g.Draft}
	for i, h := range g.Header {
		l := htmlLine{Left: h}
		if i < len(g.HeaderRight) {
			l.Right = g.HeaderRight[i]
		}
		out.Header = append(out.Header, l)
	}
	for _, w := range g.Columns {
		out.Cols = append(out.Cols, strconv.FormatFloat(100*w/total, 'f', 1, 64)+"%")
	}
	n := len(g.Columns)
	covered := make([]int, n) // rows still covered by a row span from above
	for _, r := range g.Rows {
		row := htmlRow{Class: rowClass(r.Kind)}
		if r.MinHeightMM > 0 {
			row.Height = strconv.FormatFloat(r.MinHeightMM, 'f', -1, 64) + "mm"
		}
		col := 0
		fill := func(to int) {
			for ; col < to && col < n; col++ {
				if covered[col] == 0 {
					row.Cells = append(row.Cells, htmlCell{Class: "value", Span: 1, RowSpan: 1})
				}
			}
		}
		for _, c := range r.Cells {
			fill(c.Col)
			span, rs := max(c.Span, 1), max(c.RowSpan, 1)
			hc := htmlCell{
				Head:  c.Kind == layout.KindLabel || c.Kind == layout.KindSection || c.Kind == layout.KindColumnHead,
				Class: kindClass(c.Kind) + alignClass(c.Align),
				Span:  span, RowSpan: rs, Text: c.Text, Path: c.Path, Label: c.Label,
				Problems: byPath[c.Path],
				Open:     c.Path != "" && !c.ReadOnly,
			}
			if c.Path != "" {
				hc.Anchor = fieldID(c.Path)
			}
			row.Cells = append(row.Cells, hc)
			for i := c.Col; i < c.Col+span && i < n; i++ {
				covered[i] = max(covered[i], rs)
			}
			col = c.Col + span
		}
		fill(n)
		for i := range covered {
			if covered[i] > 0 {
				covered[i]--
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

func rowClass(k layout.RowKind) string {
	switch k {
	case layout.RowSection:
		return "r-section"
	case layout.RowTableHeader:
		return "r-head"
	case layout.RowIndicator:
		return "r-ind"
	}
	return "r-field"
}
