package pdf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportd/reportd/fonts"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/textcheck"
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
	return pdf.NewRenderer(mustFonts(tb), reg, pdf.Options{CreationDate: time.Unix(1577836800, 0)})
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

// fidelityCase is a form whose every character must come out of the PDF.
type fidelityCase struct {
	name     string
	form     reports.Form
	maxBytes int // 0: no size limit
}

func fidelityCases(tb testing.TB) []fidelityCase {
	forms := seedForms(tb)
	rare := forms[0]
	rare.Project = "珺堃昇喆赟燊㛃项目"
	rare.Overview = "吉野家的𠮷字（U+20BB7）来自后备字体，㛃字亦然。" + rare.Overview
	punct := forms[1]
	// Closing punctuation that must not start a line and opening brackets
	// that must not end one, at every position of a line.
	var b strings.Builder
	for i := range 40 {
		b.WriteString(strings.Repeat("中", i%7+1))
		b.WriteString([]string{"，", "。", "、", "；", "：", "？", "！", "）", "》", "」", "——", "……"}[i%12])
		b.WriteString([]string{"（", "《", "「", "“"}[i%4] + "注" + []string{"）", "》", "」", "”"}[i%4])
	}
	punct.Measures = b.String()
	punct.Plan = "详见 https://www.sheitc.sh.gov.cn/zxqy/20200101/a-very-long-path-name-that-does-not-fit-on-one-line-of-the-cell/index.html?id=1234567890&from=report 及附件。"
	return []fidelityCase{
		{"seed1", forms[0], 120_000},
		{"seed2", forms[1], 120_000},
		{"60 indicators 2000 chars", bigForm(tb), 0},
		{"rare characters", rare, 0},
		{"punctuation and URL", punct, 0},
	}
}

// TestRenderFidelity renders forms and checks the PDFs as a clerk's tools
// would: every character present in order (pdftotext), a clean file (qpdf),
// embedded subset fonts (pdffonts), A4 pages (pdfinfo).
func TestRenderFidelity(t *testing.T) {
	r := mustRenderer(t)
	for _, tc := range fidelityCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			data := renderForm(t, r, &tc.form)
			if err := checkXref(data); err != nil {
				t.Error(err)
			}
			path := writeFile(t, data)
			run(t, "qpdf", "--check", path)
			if got := pdfInfo(t, path)["Page size"]; got != "595.28 x 841.89 pts (A4)" {
				t.Errorf("page size %q, want A4", got)
			}
			checkFonts(t, path)
			needTool(t, "pdftotext")
			text, err := textcheck.PDFText(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			if res := textcheck.Check(textcheck.FormCells(&tc.form, false), text); !res.OK() {
				t.Error(res)
			}
			if tc.maxBytes > 0 && len(data) > tc.maxBytes {
				t.Errorf("%d bytes, want ≤ %d", len(data), tc.maxBytes)
			}
		})
	}
}

// TestRenderSeedTool runs the shared pdf-text-check tool on the sample's
// two PDFs, as the acceptance check does.
func TestRenderSeedTool(t *testing.T) {
	tool := "/work/shared/tools/pdf-text-check"
	if p := os.Getenv("PDF_TEXT_CHECK"); p != "" {
		tool = p
	}
	if _, err := os.Stat(tool); err != nil {
		t.Skipf("pdf-text-check not found: %v", err)
	}
	needTool(t, "python3")
	needTool(t, "pdftotext")
	r := mustRenderer(t)
	dir := t.TempDir()
	args := []string{seedPath}
	for _, f := range seedForms(t) {
		path := filepath.Join(dir, f.FileName()+".pdf")
		if err := os.WriteFile(path, renderForm(t, r, &f), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdf-text-check: %v\n%s", err, out)
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

// The Extension B character comes from the fallback font.
func TestRenderFallbackFont(t *testing.T) {
	r := mustRenderer(t)
	f := seedForms(t)[0]
	f.Project = "𠮷野家"
	out := run(t, "pdffonts", writeFile(t, renderForm(t, r, &f)))
	if !strings.Contains(out, "+HanaMinB") {
		t.Errorf("no HanaMinB subset for U+20BB7:\n%s", out)
	}
}

func TestRenderMissingCharacter(t *testing.T) {
	r := mustRenderer(t)
	f := seedForms(t)[0]
	f.Plan = "第一阶段\U0010FFFD完成"
	f.Indicators[1].Target = "≥\U0002FFFF家"
	f.Category = "ئۇيغۇر" // Arabic script: needs shaping, refused
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
	paths := map[string]string{}
	for _, p := range re.Problems {
		paths[p.Path] = p.Message
	}
	if paths["plan"] == "" || paths["indicators[1].target"] == "" || !strings.Contains(paths["category"], "复杂排版") {
		t.Errorf("problems %v do not name plan, indicators[1].target and the category's script", re.Problems)
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

	// Each project's bookmark points at its first page: page 1, then the
	// page after the first form's last.
	first := []int{1}
	doc, err := r.Document(context.Background(), &forms[0])
	if err != nil {
		t.Fatal(err)
	}
	first = append(first, 1+len(doc.Pages))
	var out struct {
		Pages []struct {
			Pos      int `json:"pageposfrom1"`
			Outlines []struct {
				Title string `json:"title"`
			} `json:"outlines"`
		} `json:"pages"`
	}
	if err := json.Unmarshal([]byte(run(t, "qpdf", "--json", "--json-key=pages", path)), &out); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, p := range out.Pages {
		for _, o := range p.Outlines {
			got[o.Title] = p.Pos
		}
	}
	for i, f := range forms {
		if got[f.Project] != first[i] {
			t.Errorf("bookmark %q on page %d, want %d (bookmarks: %v)", f.Project, got[f.Project], first[i], got)
		}
	}
	if n := pdfInfo(t, path)["Pages"]; n != strconv.Itoa(first[1]-1+pagesOf(t, r, &forms[1])) {
		t.Errorf("combined file has %s pages", n)
	}
}

func pagesOf(tb testing.TB, r *pdf.Renderer, f *reports.Form) int {
	tb.Helper()
	doc, err := r.Document(context.Background(), f)
	if err != nil {
		tb.Fatal(err)
	}
	return len(doc.Pages)
}

// A site's one TrueType file for the title and heading roles is embedded
// once.
func TestSharedFontEmbeddedOnce(t *testing.T) {
	dir := t.TempDir()
	sans := filepath.Join(dir, "site-heiti.ttf")
	if err := os.WriteFile(sans, fonts.Heading().Data, 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := font.Load(font.Config{Title: sans, Heading: sans, Fallbacks: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	doc := &layout.Document{Pages: []layout.Page{{Texts: []layout.Text{
		{X: 10, Y: 20, Role: layout.RoleTitle, Size: 20, S: "标题"},
		{X: 10, Y: 40, Role: layout.RoleHeading, Size: 12, S: "项目名称"},
		{X: 10, Y: 60, Role: layout.RoleBody, Size: 12, S: "企业培育"},
	}}}}
	var buf bytes.Buffer
	if err := pdf.Write(&buf, doc, fs, pdf.Options{}); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("/Subtype/CIDFontType2")); n != 2 {
		t.Errorf("%d embedded fonts, want 2 (site heiti for title and heading, body)", n)
	}
}
