package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad input of any kind exits 1 with a message naming the problem and
// leaves the output directory as it was: no partial or temporary files.
func TestRenderFailures(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(in, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := write("missing-glyph.txt", strings.Replace(string(seed), "上半年发布申报通知", "上半年发布\U0010FFFD申报通知", 1))
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no such file", []string{"/nonexistent/forms.txt"}, "nonexistent"},
		{"unknown format", []string{"-format", "docx", seedPath}, "docx"},
		{"character in no font", []string{missing}, "U+10FFFD"},
		{"not a form", []string{write("garbage.txt", "hello\tworld\n")}, "garbage.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			code, stdout, stderr := runCLI(t, append([]string{"render", "-o", out}, tt.args...)...)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 1 with %q in stderr\nstdout: %s\nstderr: %s", code, tt.want, stdout, stderr)
			}
			files, _ := os.ReadDir(out)
			for _, f := range files {
				// A form that renders may be written; never a temporary file.
				if strings.HasPrefix(f.Name(), ".") || !strings.HasSuffix(f.Name(), ".pdf") {
					t.Errorf("left %s in the output directory", f.Name())
				}
			}
			if tt.name != "character in no font" && len(files) != 0 {
				t.Errorf("wrote %d files for bad input", len(files))
			}
		})
	}
	t.Run("output is a file", func(t *testing.T) {
		code, _, stderr := runCLI(t, "render", "-o", seedPath, seedPath)
		if code != 1 || !strings.Contains(stderr, "is not a directory") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
}

// With SOURCE_DATE_EPOCH the PDFs carry that creation date and two runs
// give identical bytes; a malformed value is refused.
func TestRenderReproducible(t *testing.T) {
	vars := map[string]string{"SOURCE_DATE_EPOCH": "1600000000"}
	var outs [2][]byte
	for i := range outs {
		dir := t.TempDir()
		if code, out, errOut := runCLIEnv(t, vars, "render", "-o", dir, seedPath); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		data, err := os.ReadFile(filepath.Join(dir, "2020-上海市促进中小企业发展协调办公室-企业培育.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = data
	}
	if string(outs[0]) != string(outs[1]) {
		t.Error("two runs with the same SOURCE_DATE_EPOCH differ")
	}
	if !strings.Contains(string(outs[0]), "/CreationDate(D:20200913122640Z)") {
		t.Error("creation date from SOURCE_DATE_EPOCH not found")
	}
	code, _, errOut := runCLIEnv(t, map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, "render", "-o", t.TempDir(), seedPath)
	if code != 1 || !strings.Contains(errOut, "SOURCE_DATE_EPOCH") {
		t.Errorf("bad SOURCE_DATE_EPOCH: exit %d: %s", code, errOut)
	}
}

// render -format ofd writes one OFD per form (dated by SOURCE_DATE_EPOCH,
// the same bytes twice), and -combine one OFD with an outline entry per
// form; a character no font has fails as for PDF.
func TestRenderOFD(t *testing.T) {
	vars := map[string]string{"SOURCE_DATE_EPOCH": "1600000000"}
	var outs [2][]byte
	var dir string
	for i := range outs {
		dir = t.TempDir()
		if code, out, errOut := runCLIEnv(t, vars, "render", "-format", "ofd", "-o", dir, seedPath); code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		files, _ := os.ReadDir(dir)
		if len(files) != 2 {
			t.Fatalf("%d files, want 2 OFDs", len(files))
		}
		data, err := os.ReadFile(filepath.Join(dir, "2020-上海市促进中小企业发展协调办公室-企业培育.ofd"))
		if err != nil {
			t.Fatal(err)
		}
		outs[i] = data
	}
	if string(outs[0]) != string(outs[1]) {
		t.Error("two runs with the same SOURCE_DATE_EPOCH differ")
	}
	// verify reads OFDs too: both forms' characters are in the two files.
	ofds, _ := filepath.Glob(filepath.Join(dir, "*.ofd"))
	if code, out, errOut := runCLI(t, append([]string{"verify", seedPath}, ofds...)...); code != 0 || strings.Count(out, ": OK ") != 2 {
		t.Errorf("verify OFDs: exit %d\n%s%s", code, out, errOut)
	}
	if ofdFile(t, outs[0], "OFD.xml", "<ofd:CreationDate>2020-09-13</ofd:CreationDate>") == "" {
		t.Error("creation date from SOURCE_DATE_EPOCH not found")
	}

	dir = t.TempDir()
	if code, out, errOut := runCLI(t, "render", "-format", "ofd", "-combine", "-o", dir, seedPath); code != 0 {
		t.Fatalf("-combine: exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "2020-上海市促进中小企业发展协调办公室-汇总.ofd"))
	if err != nil {
		t.Fatal(err)
	}
	if doc := ofdFile(t, data, "Doc_0/Document.xml", `<ofd:OutlineElem Title="企业培育">`); doc == "" || strings.Count(doc, "<ofd:OutlineElem ") != 2 {
		t.Errorf("combined OFD lacks one outline entry per form")
	}

	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(seed), "企业培育", "企业\U0010FFFD培育", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "render", "-format", "ofd", "-o", t.TempDir(), bad)
	if code != 1 || !strings.Contains(errOut, "U+10FFFD") || !strings.Contains(errOut, "项目名称") {
		t.Errorf("missing glyph: exit %d: %s", code, errOut)
	}
}

// ofdFile returns an OFD package's file when it contains want, else "".
func ofdFile(t *testing.T, data []byte, name, want string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not an OFD package: %v", err)
	}
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), want) {
		return ""
	}
	return string(b)
}
