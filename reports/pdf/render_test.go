package pdf_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/textform"
)

const seedPath = "../../testdata/seed/2020-performance-targets.txt"

var (
	regOnce sync.Once
	reg     *family.Registry
	regErr  error
)

func mustRenderer(tb testing.TB) *pdf.Renderer {
	tb.Helper()
	regOnce.Do(func() { reg, regErr = family.Builtin() })
	if regErr != nil {
		tb.Fatal(regErr)
	}
	return pdf.NewRenderer(mustFonts(tb), reg, pdf.Options{})
}

func seedForms(tb testing.TB) []reports.Form {
	tb.Helper()
	f, err := os.Open(seedPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Read(f, seedPath)
	if err != nil {
		tb.Fatal(err)
	}
	if len(forms) != 2 {
		tb.Fatalf("seed has %d forms, want 2", len(forms))
	}
	return forms
}

func renderForm(tb testing.TB, r *pdf.Renderer, f *reports.Form) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, f); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// formTexts lists every printed value of a form, in reading order.
func formTexts(f *reports.Form) []string {
	var out []string
	for _, fd := range reports.Fields {
		if v := strings.TrimSpace(f.Get(fd.Key)); v != "" && fd.Key != "title" {
			out = append(out, v)
		}
	}
	for _, in := range f.Indicators {
		for _, c := range reports.IndicatorFields {
			if v := strings.TrimSpace(in.Get(c.Key)); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// squeeze removes whitespace: pdftotext puts line breaks where layout did.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// inOrder reports whether the runes of want appear in text in order within
// a window a little longer than want (a repeated header or 续 may interrupt).
func inOrder(text, want []rune) bool {
	limit := len(want) + 40 + len(want)/2
	for start := range text {
		if text[start] != want[0] {
			continue
		}
		i := 1
		for j := start + 1; i < len(want) && j < len(text) && j-start < limit; j++ {
			if text[j] == want[i] {
				i++
			}
		}
		if i == len(want) {
			return true
		}
	}
	return false
}

func TestRenderSeedForms(t *testing.T) {
	r := mustRenderer(t)
	dir := t.TempDir()
	var paths []string
	for i, f := range seedForms(t) {
		t.Run(f.Project, func(t *testing.T) {
			data := renderForm(t, r, &f)
			path := filepath.Join(dir, f.FileName()+".pdf")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, path)
			run(t, "qpdf", "--check", path)
			if got := pdfInfo(t, path)["Page size"]; got != "595.28 x 841.89 pts (A4)" {
				t.Errorf("page size %q, want A4", got)
			}
			checkFonts(t, path)
			text := []rune(squeeze(run(t, "pdftotext", "-enc", "UTF-8", "-raw", path, "-")))
			for _, v := range formTexts(&f) {
				if !inOrder(text, []rune(squeeze(v))) {
					t.Errorf("form %d: text of a field not found in order: %.40q", i+1, v)
				}
			}
			if len(data) > 120_000 {
				t.Errorf("%d bytes, want ≤ 120 KB", len(data))
			}
		})
	}
	tool := "/work/shared/tools/pdf-text-check"
	if _, err := os.Stat(tool); err == nil && len(paths) == 2 {
		needTool(t, "python3")
		out, err := exec.Command(tool, seedPath, paths[0], paths[1]).CombinedOutput()
		if err != nil {
			t.Errorf("pdf-text-check: %v\n%s", err, out)
		}
	}
}

// checkFonts asserts pdffonts lists every font embedded, subset and with a
// ToUnicode map.
func checkFonts(tb testing.TB, path string) {
	tb.Helper()
	out := run(tb, "pdffonts", path)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		tb.Fatalf("pdffonts lists no fonts:\n%s", out)
	}
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		if len(f) < 7 || !strings.Contains(f[0], "+") || f[4] != "yes" || f[5] != "yes" || f[6] != "yes" {
			tb.Errorf("font not embedded/subset/unicode: %s", l)
		}
	}
}

func TestRenderRareCharacters(t *testing.T) {
	r := mustRenderer(t)
	f := seedForms(t)[0]
	f.Project = "珺堃昇喆赟燊㛃项目"
	f.Overview = "吉野家的𠮷字（U+20BB7）来自后备字体。" + f.Overview
	path := writeFile(t, renderForm(t, r, &f))
	text := squeeze(run(t, "pdftotext", "-enc", "UTF-8", "-raw", path, "-"))
	for _, want := range []string{"珺堃昇喆赟燊㛃项目", "吉野家的𠮷字（U+20BB7）来自后备字体。"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	checkFonts(t, path)
}

func TestRenderMissingCharacter(t *testing.T) {
	r := mustRenderer(t)
	f := seedForms(t)[0]
	f.Plan = "第一阶段\U0010FFFD完成"
	f.Indicators[1].Target = "≥\U0002FFFF家"
	var buf bytes.Buffer
	err := r.Render(context.Background(), &buf, &f)
	if reports.ErrorCode(err) != reports.EINVALID {
		t.Fatalf("err = %v, want code %s", err, reports.EINVALID)
	}
	for _, want := range []string{"U+10FFFD", "U+2FFFF"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %s", err, want)
		}
	}
	var re *reports.Error
	errors.As(err, &re)
	paths := map[string]bool{}
	for _, p := range re.Problems {
		paths[p.Path] = true
	}
	if !paths["plan"] || !paths["indicators[1].target"] {
		t.Errorf("problems %v do not name plan and indicators[1].target", re.Problems)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written despite the error", buf.Len())
	}
}

func TestRenderDeterministic(t *testing.T) {
	r := mustRenderer(t)
	f := seedForms(t)[1]
	a, b := renderForm(t, r, &f), renderForm(t, r, &f)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same form differ")
	}
}

func TestRenderCombined(t *testing.T) {
	r := mustRenderer(t)
	forms := seedForms(t)
	var buf bytes.Buffer
	if err := r.RenderCombined(context.Background(), &buf, []*reports.Form{&forms[0], &forms[1]}); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, buf.Bytes())
	run(t, "qpdf", "--check", path)
	checkFonts(t, path)
	single := 0
	for i := range forms {
		p := writeFile(t, renderForm(t, r, &forms[i]))
		n := pdfInfo(t, p)["Pages"]
		var k int
		for _, c := range n {
			k = 10*k + int(c-'0')
		}
		single += k
	}
	if got := pdfInfo(t, path)["Pages"]; got == "" || got != itoa(single) {
		t.Errorf("combined has %s pages, want %d", got, single)
	}
	// qpdf lists the outline; every project is a bookmark.
	out := run(t, "qpdf", "--json", "--json-key=outlines", path)
	for _, f := range forms {
		if !strings.Contains(out, f.Project) {
			t.Errorf("no bookmark for %q in\n%s", f.Project, out)
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
