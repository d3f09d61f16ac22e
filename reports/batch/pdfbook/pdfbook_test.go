package pdfbook_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/batch/pdfbook"
	"github.com/reportd/reportd/reports/batch/unitbook"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/pdf"
)

var keep = flag.String("keep", "", "write the test book to this file, to look at it")

func mustRenderer(tb testing.TB) *pdf.Renderer {
	tb.Helper()
	fonts, err := font.Load(font.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	fams, err := family.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	return pdf.NewRenderer(fonts, fams, pdf.Options{})
}

func mustBook(tb testing.TB, n int) (batch.UnitBook, []reports.Form) {
	tb.Helper()
	sample, err := formgen.ReadSample("../../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		tb.Fatal(err)
	}
	book := batch.UnitBook{Year: 2020}
	var forms []reports.Form
	for i, f := range formgen.Generate(sample, formgen.Options{N: n, Year: 2020, Units: 1, Seed: 3}) {
		book.Unit = f.Unit
		e := batch.BookEntry{FormID: int64(i + 1), Version: 1, Project: f.Project,
			Form: func(context.Context) (reports.Form, error) { return f, nil }}
		if i == 2 {
			e.Failed, e.Reason = true, "校验未通过：项目类别：必填项未填写"
		}
		book.Entries = append(book.Entries, e)
		forms = append(forms, f)
	}
	return book, forms
}

func TestCombine(t *testing.T) {
	r := mustRenderer(t)
	book, forms := mustBook(t, 40)
	var buf bytes.Buffer
	if err := (&pdfbook.Binder{R: r}).Combine(context.Background(), &buf, book); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "book.pdf")
	if *keep != "" {
		path = *keep
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Skip("qpdf not installed")
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	// One bookmark for the contents, one per rendered project.
	out, err := exec.Command("qpdf", "--json", "--json-key=outlines", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(out), `"title"`); got != 1+len(forms)-1 {
		t.Errorf("%d bookmarks, want %d", got, len(forms))
	}
	text, err := exec.Command("pdftotext", "-f", "1", "-l", "3", "-layout", path, "-").Output()
	if err != nil {
		t.Skip("pdftotext not installed")
	}
	s := string(text)
	for _, want := range []string{"2020年度财政项目支出绩效目标表", book.Unit, "共40个项目，已生成39个，未生成1个", forms[0].Project, forms[39].Project, "未生成的项目及原因", "校验未通过"} {
		if !strings.Contains(s, want) {
			t.Errorf("cover lacks %q", want)
		}
	}
}

// TestCoverPageNumbers: the first form starts right after the cover, each
// next one after the previous form's pages, and failed ones say so.
func TestCoverPageNumbers(t *testing.T) {
	book, _ := mustBook(t, 3) // entry 2 failed
	book.Entries[0].Project = "项目甲"
	book.Entries[1].Project = "项目乙𠮷" // 𠮷 is missing from this measurer
	doc := unitbook.Cover(book, []int{2, 3, 0}, layout.MonoMeasurer{Missing: map[rune]bool{'𠮷': true}})
	if len(doc.Pages) != 1 {
		t.Fatalf("cover has %d pages, want 1", len(doc.Pages))
	}
	var lines []string
	for _, tx := range doc.Pages[0].Texts {
		lines = append(lines, tx.S)
	}
	all := strings.Join(lines, "|")
	for _, want := range []string{"1|项目甲|2", "2|项目乙□|4", "3|" + book.Entries[2].Project + "|未生成"} {
		if !strings.Contains(all, want) {
			t.Errorf("cover lacks row %q in %s", want, all)
		}
	}
}

// TestCoverManyPages: a unit with hundreds of projects gets a cover of
// several pages, each starting with the table header, and the numbers
// account for them.
func TestCoverManyPages(t *testing.T) {
	book, _ := mustBook(t, 200)
	pages := make([]int, 200)
	for i := range pages {
		pages[i] = 1
	}
	pages[2] = 0
	doc := unitbook.Cover(book, pages, layout.MonoMeasurer{})
	n := len(doc.Pages)
	if n < 3 {
		t.Fatalf("cover has %d pages for 200 projects", n)
	}
	for i, p := range doc.Pages {
		found := false
		for _, tx := range p.Texts {
			if tx.S == "项目名称" || tx.S == "项目名称及原因" {
				found = true
			}
			if tx.Y > 841.89-35*72/25.4+1 {
				t.Errorf("page %d: text %q below the bottom margin", i+1, tx.S)
			}
		}
		if !found {
			t.Errorf("cover page %d has no table header", i+1)
		}
	}
	// The first project starts on the page after the cover.
	var after []string
	for _, tx := range doc.Pages[0].Texts {
		after = append(after, tx.S)
	}
	if want := "1|" + book.Entries[0].Project + "|" + strconv.Itoa(n+1); !strings.Contains(strings.Join(after, "|"), want) {
		t.Errorf("first row is not %q", want)
	}
}
