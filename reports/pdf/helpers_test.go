package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/pdf"
)

var (
	fontsOnce sync.Once
	fontSet   *font.Set
	fontsErr  error
)

// mustFonts parses the fonts once for the whole test binary, as a process would.
func mustFonts(tb testing.TB) *font.Set {
	tb.Helper()
	fontsOnce.Do(func() { fontSet, fontsErr = font.Load(font.Config{}) })
	if fontsErr != nil {
		tb.Fatal(fontsErr)
	}
	return fontSet
}

func needTool(tb testing.TB, name string) {
	tb.Helper()
	if _, err := exec.LookPath(name); err != nil {
		tb.Skipf("%s not installed (Debian: poppler-utils, qpdf)", name)
	}
}

// writeFile writes PDF bytes to a temporary file for the command-line checkers.
func writeFile(tb testing.TB, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func run(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	needTool(tb, name)
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func render(tb testing.TB, doc *layout.Document, opts pdf.Options) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := pdf.Write(&buf, doc, mustFonts(tb), opts); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// handDoc is a small two-page document made by hand, independent of the
// layout engine: a title, a bordered labelled row, mixed-font text.
func handDoc() *layout.Document {
	return &layout.Document{
		WidthPt: 595.276, HeightPt: 841.89,
		Meta: layout.Meta{Title: "财政项目支出绩效目标表", Author: "上海市促进中小企业发展协调办公室", Subject: "企业培育"},
		Pages: []layout.Page{
			{
				Fills: []layout.Rect{{X: 79.4, Y: 150, W: 100, H: 30, Gray: 0.9}},
				Texts: []layout.Text{
					{X: 150, Y: 120, Role: layout.RoleTitle, Size: 22, S: "财政项目支出绩效目标表"},
					{X: 85, Y: 170, Role: layout.RoleHeading, Size: 12, S: "项目名称"},
					{X: 185, Y: 170, Role: layout.RoleBody, Size: 12, S: "企业培育 ABC 123,456.78 ≥90%", Path: "project"},
					{X: 85, Y: 200, Role: layout.RoleBody, Size: 12, S: "珺堃昇喆赟燊㛃 吉野家𠮷野家", Path: "overview"},
					{X: 260, Y: 800, Role: layout.RoleBody, Size: 14, S: "— 1 —"},
				},
				Rules: []layout.Rule{
					{X1: 79.4, Y1: 150, X2: 515.9, Y2: 150, Width: 0.75},
					{X1: 79.4, Y1: 180, X2: 515.9, Y2: 180, Width: 0.5},
					{X1: 79.4, Y1: 150, X2: 79.4, Y2: 180, Width: 0.75},
					{X1: 515.9, Y1: 150, X2: 515.9, Y2: 180, Width: 0.75},
				},
			},
			{
				Texts: []layout.Text{
					{X: 85, Y: 100, Role: layout.RoleBody, Size: 12, S: "续表", Gray: 0.5},
					{X: 260, Y: 800, Role: layout.RoleBody, Size: 14, S: "— 2 —"},
				},
			},
		},
	}
}

// pdfInfo returns pdfinfo's fields.
func pdfInfo(tb testing.TB, path string) map[string]string {
	tb.Helper()
	m := map[string]string{}
	for _, l := range strings.Split(run(tb, "pdfinfo", path), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}
