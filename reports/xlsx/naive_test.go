package xlsx_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/xlsx"
)

// naiveExcelize is the baseline the workbook writer is compared with: what
// plain excelize code writing the same cells looks like. It lays the form
// out with the same layout.Build (so both start from a Form) and writes
// every grid cell's text, the same merges, column widths and one bordered,
// wrapping style, and nothing else: no computed row heights (long text is
// cut in print), no number or date cells, no print setup, protection or
// map for re-import. It is meant to be cheap, so the ratio against it is
// an honest one.
func naiveExcelize(w io.Writer, f *reports.Form, fam *family.Family) error {
	g := layout.Build(f, fam)
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Sheet1"
	style, err := x.NewStyle(&excelize.Style{
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border: []excelize.Border{{Type: "left", Style: 1}, {Type: "top", Style: 1},
			{Type: "right", Style: 1}, {Type: "bottom", Style: 1}},
	})
	if err != nil {
		return err
	}
	ncols := 1
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			ncols = max(ncols, c.Col+max(c.Span, 1))
		}
	}
	sum := 0.0
	for _, w := range g.Columns {
		sum += w
	}
	for i := range ncols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		width := 12.0
		if i < len(g.Columns) && sum > 0 {
			width = 85 * g.Columns[i] / sum // 85 characters: A4 portrait
		}
		if err := x.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	row := 1
	for _, s := range append([]string{g.Title, g.Subtitle}, g.Header...) {
		if s == "" {
			continue
		}
		a, _ := excelize.CoordinatesToCellName(1, row)
		b, _ := excelize.CoordinatesToCellName(ncols, row)
		if err := x.SetCellStr(sheet, a, s); err != nil {
			return err
		}
		if err := x.MergeCell(sheet, a, b); err != nil {
			return err
		}
		row++
	}
	first := row
	for i, r := range g.Rows {
		for _, c := range r.Cells {
			a, _ := excelize.CoordinatesToCellName(c.Col+1, row+i)
			b, _ := excelize.CoordinatesToCellName(c.Col+max(c.Span, 1), row+i+max(c.RowSpan, 1)-1)
			if err := x.SetCellStr(sheet, a, c.Text); err != nil {
				return err
			}
			if a != b {
				if err := x.MergeCell(sheet, a, b); err != nil {
					return err
				}
			}
		}
	}
	a, _ := excelize.CoordinatesToCellName(1, first)
	b, _ := excelize.CoordinatesToCellName(ncols, row+len(g.Rows)-1)
	if err := x.SetCellStyle(sheet, a, b, style); err != nil {
		return err
	}
	return x.Write(w)
}

// TestNaiveExcelize keeps the baseline honest: it must write every cell
// text of the form, or the benchmark compares against less work.
func TestNaiveExcelize(t *testing.T) {
	reg := mustFamilies(t)
	for i, f := range mustSeed(t) {
		fam, err := reg.Get(f.Family)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := naiveExcelize(&buf, &f, fam); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows("Sheet1")
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, r := range rows {
			for _, v := range r {
				have[v] = true
			}
		}
		for _, r := range layout.Build(&f, fam).Rows {
			for _, c := range r.Cells {
				if !have[c.Text] {
					t.Errorf("seed %d: naive workbook lacks %q", i+1, c.Text)
				}
			}
		}
	}
}

// BenchmarkNaiveExcelize is the baseline of BenchmarkRender: the same seed
// forms written by plain excelize (naiveExcelize).
func BenchmarkNaiveExcelize(b *testing.B) {
	reg := mustFamilies(b)
	for i, f := range mustSeed(b) {
		fam, err := reg.Get(f.Family)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("seed%d", i+1), func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := naiveExcelize(&buf, &f, fam); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "B/file")
		})
	}
}

// batchForms are 200 different generated forms, as a year-end batch sees
// them (no two alike, so nothing is cached between workbooks).
func batchForms(tb testing.TB) []reports.Form {
	tb.Helper()
	var out []reports.Form
	for _, f := range formgen.Generate(mustSeed(tb), formgen.Options{N: 200, Seed: 1}) {
		out = append(out, f)
	}
	return out
}

// BenchmarkRenderBatch and BenchmarkNaiveExcelizeBatch write 200 different
// generated forms in turn, reported per workbook.
func BenchmarkRenderBatch(b *testing.B) {
	forms := batchForms(b)
	r := xlsx.NewRenderer(mustFamilies(b), xlsx.Options{})
	var buf bytes.Buffer
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf.Reset()
		if err := r.Render(context.Background(), &buf, &forms[i%len(forms)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkNaiveExcelizeBatch(b *testing.B) {
	forms := batchForms(b)
	reg := mustFamilies(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf.Reset()
		f := &forms[i%len(forms)]
		i++
		fam, err := reg.Get(f.Family)
		if err != nil {
			b.Fatal(err)
		}
		if err := naiveExcelize(&buf, f, fam); err != nil {
			b.Fatal(err)
		}
	}
}
