package textform

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
)

// Write prints forms in the text format, each laid out as its family prints
// it (labels, sections, indicator columns), so that Reader reads it back.
// Indicator cells of merged columns (一级/二级) equal to the row above are
// left blank, as in the published sample.
func Write(w io.Writer, forms []reports.Form, families *family.Registry) error {
	bw := bufio.NewWriter(w)
	for i := range forms {
		fam, err := families.Get(forms[i].Family)
		if err != nil {
			return fmt.Errorf("form %d (%s): %w", i+1, forms[i].Project, err)
		}
		if i > 0 {
			bw.WriteString("\n")
		}
		writeForm(bw, &forms[i], fam)
	}
	return bw.Flush()
}

// cols is the width the sample pads every row to with tabs.
func writeForm(w *bufio.Writer, f *reports.Form, fam *family.Family) {
	width := len(fam.Table.Columns)
	row := func(cells ...string) {
		for i, c := range cells {
			if i > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(quote(c))
		}
		for i := len(cells); i < width; i++ {
			w.WriteByte('\t')
		}
		w.WriteByte('\n')
	}
	title := f.Title
	if title == "" {
		title = fam.TitleOf(f)
	}
	row(title)
	if fam.Subtitle != "" && f.Year != 0 {
		row(family.Expand(fam.Subtitle, f))
	}
	for _, h := range fam.Header {
		// Only a line that carries a field ("申报单位名称：{unit}") is data;
		// literal lines (填报单位：（盖章）, 单位：万元) belong to the family.
		if strings.Contains(h.Left, "{") {
			row(family.Expand(h.Left, f))
		}
	}
	for _, s := range fam.Table.Sections {
		heading := family.Expand(s.Heading, f)
		if s.HeadingField != "" && f.Get(s.HeadingField) != "" {
			heading = f.Get(s.HeadingField)
		}
		if s.Indicators {
			writeIndicators(w, f, fam, heading)
			continue
		}
		if heading != "" {
			w.WriteString("\n")
			row(heading)
		}
		for _, r := range s.Rows {
			var cells []string
			for _, c := range r.Cells {
				switch {
				case c.Blank:
					cells = append(cells, "")
				case c.Text != "":
					cells = append(cells, c.Text)
				case c.Label != "":
					fd, _ := fam.Field(c.Label)
					cells = append(cells, fam.PrintedLabel(fd)+"：")
				default:
					cells = append(cells, valueText(f, fam, c.Value))
				}
			}
			row(cells...)
		}
	}
}

// valueText is a field's value as the text format carries it: amounts in
// the family's unit, exact.
func valueText(f *reports.Form, fam *family.Family, key string) string {
	if !reports.IsMoney(key) {
		return f.Get(key)
	}
	m := f.Amount(key)
	if fam.Funds.Unit == family.UnitWanYuan {
		return m.WanYuan(2)
	}
	return m.String()
}

func writeIndicators(w *bufio.Writer, f *reports.Form, fam *family.Family, heading string) {
	if heading == "" {
		// A table without a printed heading (本年度绩效指标 beside it):
		// the column header row alone starts it, as in the print.
		w.WriteString("\n")
	} else {
		w.WriteString("\n### " + heading + "\n\n")
	}
	var keys, labels []string
	for _, c := range fam.Indicators.Columns {
		keys, labels = append(keys, c.Key), append(labels, c.Label)
	}
	// Columns the family does not declare survive as extra columns.
	for _, k := range extraColumns(f.Indicators) {
		if !slices.Contains(keys, k) {
			keys, labels = append(keys, k), append(labels, k)
		}
	}
	w.WriteString(strings.Join(labels, "\t") + "\n")
	merged := 0
	for _, c := range fam.Indicators.Columns {
		if !c.Merge {
			break
		}
		merged++
	}
	for i := range f.Indicators {
		in := &f.Indicators[i]
		for j, k := range keys {
			if j > 0 {
				w.WriteByte('\t')
			}
			v := in.Get(k)
			if j < merged && i > 0 && sameUpTo(&f.Indicators[i-1], in, keys[:j+1]) {
				v = "" // same as the row above: a merged cell
			}
			w.WriteString(quote(v))
		}
		w.WriteByte('\n')
	}
}

func sameUpTo(a, b *reports.Indicator, keys []string) bool {
	for _, k := range keys {
		if a.Get(k) != b.Get(k) {
			return false
		}
	}
	return true
}

// extraColumns lists indicator columns found in Extra, in a stable order.
func extraColumns(ins []reports.Indicator) []string {
	var keys []string
	for _, in := range ins {
		for k := range in.Extra {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// quote wraps a cell holding a tab, line break or leading quote the way
// Excel does, so Read gets the same text back.
func quote(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") && !strings.HasPrefix(s, `"`) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
