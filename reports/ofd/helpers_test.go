package ofd_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/ofd"
	"github.com/reportd/reportd/reports/textform"
)

const seedPath = "../../testdata/seed/2020-performance-targets.txt"

var (
	fontsOnce sync.Once
	fontSet   *font.Set
	fontsErr  error
	regOnce   sync.Once
	reg       *family.Registry
	regErr    error
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

func mustRegistry(tb testing.TB) *family.Registry {
	tb.Helper()
	regOnce.Do(func() { reg, regErr = family.Builtin() })
	if regErr != nil {
		tb.Fatal(regErr)
	}
	return reg
}

func mustRenderer(tb testing.TB) *ofd.Renderer {
	tb.Helper()
	return ofd.NewRenderer(mustFonts(tb), mustRegistry(tb), ofd.Options{})
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

func renderForm(tb testing.TB, r *ofd.Renderer, f *reports.Form) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, f); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// unzip returns the package's files by name, in zip order.
func unzip(tb testing.TB, data []byte) (map[string][]byte, []string) {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = b
		names = append(names, f.Name)
	}
	return files, names
}

// fidelityCase is a form whose every character must come out of the OFD.
type fidelityCase struct {
	name string
	form reports.Form
}

// fidelityCases are the PDF backend's: the sample's two forms, rare
// characters (one from the fallback font, beyond the BMP) and Chinese
// punctuation with a long URL at every position of a line, and a draft.
func fidelityCases(tb testing.TB) []fidelityCase {
	forms := seedForms(tb)
	rare := forms[0]
	rare.Project = "珺堃昇喆赟燊㛃项目"
	rare.Overview = "吉野家的𠮷字（U+20BB7）来自后备字体，㛃字亦然。" + rare.Overview
	punct := forms[1]
	var b strings.Builder
	for i := range 40 {
		b.WriteString(strings.Repeat("中", i%7+1))
		b.WriteString([]string{"，", "。", "、", "；", "：", "？", "！", "）", "》", "」", "——", "……"}[i%12])
		b.WriteString([]string{"（", "《", "「", "“"}[i%4] + "注" + []string{"）", "》", "」", "”"}[i%4])
	}
	punct.Measures = b.String()
	punct.Plan = "详见 https://www.sheitc.sh.gov.cn/zxqy/20200101/a-very-long-path-name-that-does-not-fit-on-one-line-of-the-cell/index.html?id=1234567890&from=report 及附件。"
	draft := forms[1]
	draft.Category = "" // a required field: the form prints as a draft (草稿)
	return []fidelityCase{
		{"seed1", forms[0]},
		{"seed2", forms[1]},
		{"rare characters", rare},
		{"punctuation and URL", punct},
		{"draft", draft},
	}
}
