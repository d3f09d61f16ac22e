package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports/textcheck"
)

// runCLIEnv is runCLI with environment variables.
func runCLIEnv(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}, args)
	return code, out.String(), errb.String()
}

func needPDFToText(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (Debian: poppler-utils)")
	}
}

// Every family renders its kind of form with every character present; the
// third family exists only as a file in testdata.
func TestRenderEachFamily(t *testing.T) {
	needPDFToText(t)
	tests := []struct {
		name, input, templates string
		pages                  int
	}{
		{"shanghai-2020", seedPath, "", 2},
		{"national-2021", "../../testdata/families/national-2023.txt", "", 1},
		{"tiny-2024 from a file", "../../testdata/families/tiny-2024.txt", "../../testdata/families/tiny", 1},
		{"hunan-2023", "../../testdata/families/hunan-2023.txt", "", 2},
		{"wuhan-2020", "../../testdata/families/wuhan-2020.txt", "", 2},
		{"hunan-infra-2022", "../../testdata/families/hunan-infra-2022.txt", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"REPORTD_FAMILIES": tt.templates, "SOURCE_DATE_EPOCH": "1600000000"}
			dir := t.TempDir()
			code, out, errOut := runCLIEnv(t, vars, "render", "-format", "pdf", "-o", dir, tt.input)
			if code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			fams, err := familiesFrom(tt.templates)
			if err != nil {
				t.Fatal(err)
			}
			forms, err := formReaders(fams).Open(tt.input)
			if err != nil {
				t.Fatal(err)
			}
			for i := range forms {
				f := &forms[i]
				if !strings.HasPrefix(tt.name, f.Family) {
					t.Errorf("form %s: family %q", f.Project, f.Family)
				}
				pdf, err := os.ReadFile(filepath.Join(dir, f.FileName()+".pdf"))
				if err != nil {
					t.Fatal(err)
				}
				text, err := textcheck.PDFText(context.Background(), pdf)
				if err != nil {
					t.Fatal(err)
				}
				fam, err := fams.Get(f.Family)
				if err != nil {
					t.Fatal(err)
				}
				if r := textcheck.Check(textcheck.FamilyCells(f, fam), text); !r.OK() {
					t.Errorf("%s: %s", f.Project, r)
				}
				if draftMarked(t, pdf) {
					t.Errorf("%s: a valid form is marked as a draft", f.Project)
				}
			}
		})
	}
}

// A draft with blank fields still renders, marked 草稿; -strict refuses it
// and writes nothing.
func TestRenderDraftAndStrict(t *testing.T) {
	needPDFToText(t)
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(seed)
	s = strings.Replace(s, "上半年发布申报通知，下半年完成申报审核。", "", 1)
	s = strings.Replace(s, "=2500家", "", 1)
	s = strings.Replace(s, "790,000.00", "", 1)
	in := filepath.Join(t.TempDir(), "draft.txt")
	if err := os.WriteFile(in, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	if code, out, errOut := runCLI(t, "render", "-strict", "-o", dir, in); code != 1 || !strings.Contains(errOut, "项目实施计划") {
		t.Errorf("-strict: exit %d\n%s%s", code, out, errOut)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("-strict wrote %d files", len(files))
	}

	code, out, errOut := runCLI(t, "render", "-o", dir, in)
	if code != 0 {
		t.Fatalf("draft: exit %d\n%s%s", code, out, errOut)
	}
	// A draft says so on stderr, with its problems, and in its name.
	for _, want := range []string{"有 3 处错误，印成了草稿 2020-上海市促进中小企业发展协调办公室-企业培育-草稿.pdf", ":17: 项目总预算: 必填项未填写"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "企业培育-草稿.pdf") || !strings.Contains(out, "服务体系.pdf") || strings.Contains(out, "服务体系-草稿") {
		t.Errorf("stdout: %s", out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "2020-上海市促进中小企业发展协调办公室-企业培育-草稿.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := textcheck.PDFText(context.Background(), pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !draftMarked(t, pdf) {
		t.Error("the draft is not marked 草稿")
	}
	if strings.Contains(text, "草稿") {
		t.Error("the 草稿 mark is in the text layer (it must be an artifact drawn as outlines)")
	}
}

// draftMarked reports whether a PDF carries the 草稿 watermark: since it is
// outlines in a watermark artifact, not text, it is found in the
// uncompressed content streams (qpdf --qdf).
func draftMarked(t *testing.T, pdf []byte) bool {
	t.Helper()
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Skip("qpdf not installed (.ci/run installs it)")
	}
	in := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("qpdf", "--qdf", "--object-streams=disable", in, "-").Output()
	if err != nil {
		t.Fatalf("qpdf --qdf: %v", err)
	}
	return bytes.Contains(out, []byte("/Artifact<</Type/Pagination/Subtype/Watermark>>BDC"))
}

func TestVerify(t *testing.T) {
	needPDFToText(t)
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, "render", "-o", dir, seedPath); code != 0 {
		t.Fatalf("render: exit %d\n%s%s", code, out, errOut)
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	code, out, errOut := runCLI(t, append([]string{"verify", seedPath}, pdfs...)...)
	if code != 0 || strings.Count(out, ": OK ") != 2 {
		t.Errorf("verify of complete PDFs: exit %d\n%s%s", code, out, errOut)
	}
	// Only one of the two PDFs: the other form's text is missing.
	code, out, _ = runCLI(t, "verify", seedPath, pdfs[0])
	if code != 1 || !strings.Contains(out, "FAIL") {
		t.Errorf("verify with a PDF missing: exit %d\n%s", code, out)
	}
}

func TestExplicitFamily(t *testing.T) {
	national := "../../testdata/families/national-2023.txt"
	tests := []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"detected", []string{"validate", national}, 0, "1 张表，0 处错误"},
		{"named", []string{"validate", "-family", "national-2021", national}, 0, "1 张表，0 处错误"},
		{"named wrongly: its labels are unknown", []string{"validate", "-family", "shanghai-2020", national}, 1, `不认识的标签「主管部门及代码」`},
		{"unknown family", []string{"validate", "-family", "nope", national}, 1, `unknown form family "nope" (known: hunan-2023, hunan-infra-2022, national-2021, shanghai-2020, wuhan-2020)`},
		{"forms take the named family", []string{"export", "-family", "national-2021", "-format", "json", seedPath}, 0, `"family": "national-2021"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.output) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s%s", code, tt.code, tt.output, out, errOut)
			}
		})
	}
}

// -o DIR is created when missing, and only when something is written.
func TestRenderCreatesOutputDirectory(t *testing.T) {
	base := t.TempDir()
	out := filepath.Join(base, "out", "2020")
	bad := filepath.Join(base, "bad.txt")
	if err := os.WriteFile(bad, []byte("not a form"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runCLI(t, "render", "-o", out, bad); code != 1 {
		t.Fatalf("bad input: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(base, "out")); !os.IsNotExist(err) {
		t.Errorf("bad input created the output directory (%v)", err)
	}
	if code, stdout, errOut := runCLI(t, "render", "-o", out, seedPath); code != 0 || strings.Count(stdout, ".pdf") != 2 {
		t.Fatalf("exit %d\n%s%s", code, stdout, errOut)
	}
	if code, _, errOut := runCLI(t, "render", "-o", bad, seedPath); code != 1 || !strings.Contains(errOut, "is not a directory") {
		t.Errorf("-o FILE: exit %d %s", code, errOut)
	}
}

// Messages name the line (the form's first line for a field left out) and
// the label as the family prints it, never an internal key or line 0.
func TestValidateNamesFamilyLabels(t *testing.T) {
	data, err := os.ReadFile("../../testdata/families/hunan-2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "项目支出名称\t雾炮车降尘抑尘服务\t", "", 1)
	s = strings.Replace(s, "项目支出实施期\t2023.07-2024.01", "项目支出实施期\t2023.13-2024.01", 1)
	in := filepath.Join(t.TempDir(), "hunan.txt")
	if err := os.WriteFile(in, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "validate", in)
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		in + ":1: 项目支出名称: 必填项未填写",
		in + ":5: 项目支出实施期: 不是有效期间",
		"表式 hunan-2023",
	} {
		if !strings.Contains(out+errOut, want) {
			t.Errorf("output lacks %q:\n%s%s", want, out, errOut)
		}
	}
	for _, bad := range []string{":0:", "extra.", "period", "project"} {
		if strings.Contains(out+errOut, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
}
