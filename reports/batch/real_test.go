package batch_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/batch/ofdbook"
	"github.com/reportd/reportd/reports/batch/pdfbook"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/ofd"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/store/sqlite"
	"github.com/reportd/reportd/reports/xlsx"
)

// realRunner renders with the PDF, OFD and XLSX backends and binds unit
// books as PDF and OFD.
func realRunner(tb testing.TB, db batch.Store, spool string) *batch.Runner {
	tb.Helper()
	fonts, err := font.Load(font.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	fams, err := family.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	p := pdf.NewRenderer(fonts, fams, pdf.Options{})
	o := ofd.NewRenderer(fonts, fams, ofd.Options{})
	return &batch.Runner{
		Store:     db,
		Renderers: []reports.Renderer{p, o, xlsx.NewRenderer(fams, xlsx.Options{})},
		Combiners: map[string]batch.Combiner{"pdf": &pdfbook.Binder{R: p}, "ofd": &ofdbook.Binder{R: o}},
		Spool:     spool,
	}
}

func mustSQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "reportd.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestRealRenderers runs a small batch through the real backends: a PDF
// and an XLSX per form, unit books split into volumes, a form with a
// character outside the BMP (fallback font) among them.
func TestRealRenderers(t *testing.T) {
	db := mustSQLite(t)
	sample, err := formgen.ReadSample("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		t.Fatal(err)
	}
	var forms []reports.Form
	for _, f := range formgen.Generate(sample, formgen.Options{N: 13, Year: 2020, Units: 2, Seed: 5, InvalidEvery: 13, RareEvery: 4}) {
		forms = append(forms, f)
	}
	// A character no font has (private use, plane 15): that form fails
	// with the character named, and the batch goes on.
	forms[5].Goals += "\U000F0001"
	if _, err := db.CreateForms(context.Background(), forms); err != nil {
		t.Fatal(err)
	}
	r := realRunner(t, db, t.TempDir())
	r.BookSize = 4
	ctx := context.Background()
	b, _, err := r.Create(ctx, batch.Spec{Year: 2020, Formats: []string{"pdf", "xlsx"}}, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if b, err = r.Run(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	m := mustVerify(t, b, forms)
	var books []string
	for _, f := range m.Files {
		if f.Kind == batch.KindUnitPDF {
			books = append(books, f.Path)
		}
	}
	// 7 and 6 forms per unit, 4 per volume: 2 volumes each.
	if len(books) != 4 || !strings.HasSuffix(books[0], "合订本（第1册）.pdf") || !strings.HasSuffix(books[1], "合订本（第2册）.pdf") {
		t.Errorf("books %q", books)
	}
	if len(m.Failed) != 2 {
		t.Fatalf("failed %+v, want the invalid form and the one with a missing glyph", m.Failed)
	}
	glyph := m.Failed[0]
	if glyph.FormID == 13 {
		glyph = m.Failed[1]
	}
	if glyph.FormID != 6 || !strings.Contains(glyph.Reason, "U+F0001") {
		t.Errorf("missing glyph failure: %+v", glyph)
	}
	checkSummary(t, b, 13)
}

// TestRealOFD runs a batch asking for OFD only: an OFD per form and a unit
// book per unit with an outline entry per project after the 目录.
func TestRealOFD(t *testing.T) {
	db := mustSQLite(t)
	sample, err := formgen.ReadSample("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		t.Fatal(err)
	}
	var forms []reports.Form
	for _, f := range formgen.Generate(sample, formgen.Options{N: 5, Year: 2020, Units: 2, Seed: 7}) {
		forms = append(forms, f)
	}
	if _, err := db.CreateForms(context.Background(), forms); err != nil {
		t.Fatal(err)
	}
	r := realRunner(t, db, t.TempDir())
	ctx := context.Background()
	b, _, err := r.Create(ctx, batch.Spec{Year: 2020, Formats: []string{"ofd"}}, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if b, err = r.Run(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	m := mustVerify(t, b, forms)
	zr, err := zip.OpenReader(b.Archive)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	kinds := map[string]int{}
	for _, f := range m.Files {
		kinds[f.Kind+"."+f.Format]++
		if f.Kind != batch.KindUnitOFD {
			continue
		}
		if !strings.HasSuffix(f.Path, "合订本.ofd") {
			t.Errorf("book named %s", f.Path)
		}
		rc, err := zr.Open(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		inner, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%s is not an OFD package: %v", f.Path, err)
		}
		dr, err := inner.Open("Doc_0/Document.xml")
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := io.ReadAll(dr)
		dr.Close()
		projects := 0
		for _, e := range forms {
			if e.Unit == f.Unit {
				projects++
				if !strings.Contains(string(doc), `Title="`+e.Project+`"`) {
					t.Errorf("%s: no outline entry for %s", f.Path, e.Project)
				}
			}
		}
		if n := strings.Count(string(doc), "<ofd:OutlineElem "); n != projects+1 {
			t.Errorf("%s: %d outline entries, want 目录 and %d projects", f.Path, n, projects)
		}
	}
	if kinds["form.ofd"] != 5 || kinds["unit-ofd.ofd"] != 2 || kinds["form.pdf"] != 0 {
		t.Errorf("files by kind %v, want 5 form OFDs and 2 unit books", kinds)
	}
}

// BenchmarkBatch measures a whole batch (PDF and XLSX per form, unit
// books, archive) on SQLite; forms/s is the figure to watch.
func BenchmarkBatch(b *testing.B) {
	const n = 200
	db := mustSQLite(b)
	mustForms(b, db, n, 0)
	r := realRunner(b, db, b.TempDir())
	ctx := context.Background()
	for b.Loop() {
		bt, _, err := r.Create(ctx, batch.Spec{Year: 2020, Formats: []string{"pdf", "xlsx"}}, "", "", "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Run(ctx, bt.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "forms/s")
}
