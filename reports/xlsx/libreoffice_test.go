package xlsx_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/textcheck"
	"github.com/reportd/reportd/reports/textform"
	"github.com/reportd/reportd/reports/xlsx"
)

// libreOffice runs soffice headless with a private profile and a
// fontconfig that maps 宋体/仿宋 to Noto Serif SC and 黑体 to Noto Sans SC
// (the repository's fonts; the system's fonts-hanazono stays the fallback
// for CJK Ext-B). It skips the test when soffice is not installed.
type libreOffice struct {
	bin, profile, fontsConf string
}

func mustLibreOffice(t *testing.T) *libreOffice {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed (Debian: libreoffice-calc-nogui); .ci/run installs it")
	}
	dir := t.TempDir()
	fontsDir, err := filepath.Abs("../../fonts")
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "fonts.conf")
	alias := func(from, to string) string {
		return fmt.Sprintf(`<alias binding="same"><family>%s</family><prefer><family>%s</family></prefer></alias>`, from, to)
	}
	xml := `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>` +
		`<include ignore_missing="yes">/etc/fonts/fonts.conf</include>` +
		`<dir>` + fontsDir + `</dir><cachedir>` + filepath.Join(dir, "fc-cache") + `</cachedir>` +
		alias("宋体", "Noto Serif SC") + alias("仿宋", "Noto Serif SC") + alias("黑体", "Noto Sans SC") +
		`</fontconfig>`
	if err := os.WriteFile(conf, []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	return &libreOffice{bin: bin, profile: filepath.Join(dir, "profile"), fontsConf: conf}
}

// convert converts files into outDir as format ("pdf", "xlsx") in one
// soffice run, bounded in time, and returns the output paths.
func (lo *libreOffice) convert(t *testing.T, format, outDir string, files ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-env:UserInstallation=file://" + lo.profile, "--headless", "--norestore",
		"--convert-to", format, "--outdir", outDir}, files...)
	cmd := exec.CommandContext(ctx, lo.bin, args...)
	cmd.Env = append(os.Environ(), "FONTCONFIG_FILE="+lo.fontsConf, "HOME="+filepath.Dir(lo.profile))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	var paths []string
	for _, f := range files {
		p := filepath.Join(outDir, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+"."+format)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("soffice wrote no %s: %v\n%s", p, err, out)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestLibreOffice prints our workbooks to PDF and re-saves them as .xlsx
// with LibreOffice: every character of each form must be in the PDF (row
// heights are large enough, nothing is cut), and the re-saved workbooks
// must read back to the same forms.
func TestLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice conversions take seconds")
	}
	lo := mustLibreOffice(t)
	seed := mustSeed(t)
	forms := append([]reports.Form(nil), seed...)
	// Varied forms: long texts, URLs, brackets, CJK Ext-B (𠮷).
	for _, f := range formgen.Generate(seed, formgen.Options{N: 4, Seed: 11, RareEvery: 2}) {
		forms = append(forms, f)
	}
	// Every family: the national form (万元, a period, 绩效标准) and the
	// testdata-only third family.
	for _, file := range []string{"../../testdata/families/national-2023.txt", "../../testdata/families/tiny-2024.txt"} {
		fh, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		more, err := textform.Reader{Families: mustFamilies(t)}.Read(fh, file)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		forms = append(forms, more...)
	}
	in := t.TempDir()
	var files []string
	for i := range forms {
		p := filepath.Join(in, fmt.Sprintf("form%02d.xlsx", i))
		if err := os.WriteFile(p, mustRender(t, &forms[i]), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	seedPtrs := []*reports.Form{&seed[0], &seed[1]}
	var combined bytes.Buffer
	if err := xlsx.NewRenderer(mustFamilies(t), xlsx.Options{}).RenderCombined(context.Background(), &combined, seedPtrs); err != nil {
		t.Fatal(err)
	}
	combinedPath := filepath.Join(in, "combined.xlsx")
	if err := os.WriteFile(combinedPath, combined.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("pdf has every character", func(t *testing.T) {
		pdfs := lo.convert(t, "pdf", t.TempDir(), files...)
		for i, p := range pdfs {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			text, err := textcheck.PDFText(context.Background(), data)
			if err != nil {
				t.Skipf("cannot extract PDF text: %v", err)
			}
			fam, err := mustFamilies(t).Get(forms[i].Family)
			if err != nil {
				t.Fatal(err)
			}
			if res := textcheck.Check(bmpOnly(textcheck.FormCells(&forms[i], fam.Funds.Unit == family.UnitWanYuan)), text); !res.OK() {
				t.Errorf("%s (%s): LibreOffice's print lacks text:\n%s", filepath.Base(p), forms[i].Project, res)
			}
			// LibreOffice keeps the lines a row cuts off in the PDF (clipped,
			// drawn over the next row), so text extraction alone cannot see a
			// row too low: overlapping words can.
			for _, o := range overlaps(t, p) {
				t.Errorf("%s (%s): text drawn over other text, a row is too low: %s", filepath.Base(p), forms[i].Project, o)
			}
		}
	})
	t.Run("re-saved workbooks read back", func(t *testing.T) {
		saved := lo.convert(t, "xlsx", t.TempDir(), append(files[:2:2], combinedPath)...)
		for i, p := range saved {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			got := mustRead(t, data, filepath.Base(p))
			want := forms[i : i+1]
			if p == saved[len(saved)-1] {
				want = seed
			}
			if len(got) != len(want) {
				t.Fatalf("%s: read %d forms, want %d", filepath.Base(p), len(got), len(want))
			}
			for j := range want {
				assertSameForm(t, want[j], got[j])
			}
		}
	})
}

// wordBox is a word pdftotext -bbox found, in points.
type wordBox struct {
	page                   int
	xMin, yMin, xMax, yMax float64
	text                   string
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>|<page `)

// overlaps lists pairs of words of a PDF whose boxes overlap by more than
// a point both ways.
func overlaps(t *testing.T, pdf string) []string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Skipf("pdftotext -bbox: %v", err)
	}
	var words []wordBox
	page := 0
	for _, m := range wordRE.FindAllStringSubmatch(string(out), -1) {
		if m[1] == "" {
			page++
			continue
		}
		w := wordBox{page: page, text: m[5]}
		w.xMin, _ = strconv.ParseFloat(m[1], 64)
		w.yMin, _ = strconv.ParseFloat(m[2], 64)
		w.xMax, _ = strconv.ParseFloat(m[3], 64)
		w.yMax, _ = strconv.ParseFloat(m[4], 64)
		words = append(words, w)
	}
	if len(words) < 20 { // the smallest form (testdata tiny-2024) has about 30
		t.Fatalf("%s: only %d words found", pdf, len(words))
	}
	var found []string
	for i, a := range words {
		for _, b := range words[i+1:] {
			if a.page != b.page {
				continue
			}
			dx := min(a.xMax, b.xMax) - max(a.xMin, b.xMin)
			dy := min(a.yMax, b.yMax) - max(a.yMin, b.yMin)
			if dx > 1 && dy > 1 {
				found = append(found, fmt.Sprintf("page %d: %q and %q", a.page, clip(a.text), clip(b.text)))
			}
		}
	}
	return found
}

// bmpOnly drops characters outside the BMP from the expected texts:
// LibreOffice draws them (𠮷 from the fallback font, checked by eye on the
// page images) but its PDF export gives them no Unicode mapping, so
// pdftotext reads a space.
func bmpOnly(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.Map(func(r rune) rune {
			if r > 0xffff {
				return -1
			}
			return r
		}, c)
	}
	return out
}
