package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/textform"
	"github.com/reportd/reportd/reports/xlsx"
)

// The printed workbook (LibreOffice) has the PDF's pages: its breaks come
// from the PDF's pagination (Options.Paginate), for the sample and every
// published family.
func TestPrintedPagesMatchPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversions take seconds")
	}
	lo := mustLibreOffice(t)
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Skip("pdfinfo not installed (poppler-utils)")
	}
	fonts, err := font.Load(font.Config{Fallbacks: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	paginate := func(g *layout.Grid) (*layout.Document, error) { return layout.Paginate(g, fonts) }
	r := xlsx.NewRenderer(mustFamilies(t), xlsx.Options{Paginate: paginate, Created: time.Unix(1577836800, 0)})
	forms := mustSeed(t)
	for _, file := range []string{"hunan-2023", "hunan-infra-2022", "national-2023", "wuhan-2020"} {
		path := "../../testdata/families/" + file + ".txt"
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		more, err := textform.Reader{Families: mustFamilies(t)}.Read(fh, path)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		forms = append(forms, more...)
	}
	in := t.TempDir()
	var files []string
	want := map[string]int{}
	for i := range forms {
		f := &forms[i]
		fam, err := mustFamilies(t).Get(f.Family)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := paginate(layout.Build(f, fam))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := r.Render(context.Background(), &buf, f); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(in, fmt.Sprintf("form%02d.xlsx", i))
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
		want[fmt.Sprintf("form%02d.pdf", i)] = len(doc.Pages)
	}
	pages := regexp.MustCompile(`Pages:\s+(\d+)`)
	for i, out := range lo.convert(t, "pdf", t.TempDir(), files...) {
		info, err := exec.Command("pdfinfo", out).Output()
		if err != nil {
			t.Fatal(err)
		}
		m := pages.FindSubmatch(info)
		got, _ := strconv.Atoi(string(m[1]))
		if w := want[filepath.Base(out)]; got != w {
			t.Errorf("%s (%s): printed workbook has %d pages, the PDF %d", forms[i].Project, forms[i].Family, got, w)
		}
	}
}

// The workbook's creation date is the render time, or the given date
// (SOURCE_DATE_EPOCH); the print area covers the form.
func TestCreatedAndPrintArea(t *testing.T) {
	f := mustSeed(t)[0]
	for _, tt := range []struct {
		name string
		opts xlsx.Options
		want string
	}{
		{"SOURCE_DATE_EPOCH", xlsx.Options{Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, "2026-01-02T03:04:05Z"},
		{"render time", xlsx.Options{Now: func() time.Time { return time.Date(2027, 5, 6, 7, 8, 9, 0, time.UTC) }}, "2027-05-06T07:08:09Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := xlsx.NewRenderer(mustFamilies(t), tt.opts).Render(context.Background(), &buf, &f); err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			read := func(name string) string {
				rc, err := zr.Open(name)
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				b, _ := io.ReadAll(rc)
				return string(b)
			}
			core := read("docProps/core.xml")
			for _, tag := range []string{"dcterms:created", "dcterms:modified"} {
				if !strings.Contains(core, ">"+tt.want+"</"+tag+">") {
					t.Errorf("%s not %s: %s", tag, tt.want, core)
				}
			}
			if wb := read("xl/workbook.xml"); !regexp.MustCompile(`_xlnm.Print_Area[^>]*>'绩效目标表'!\$A\$1:\$[A-Z]+\$\d+<`).MatchString(wb) {
				t.Errorf("no print area: %s", wb)
			}
		})
	}
}
