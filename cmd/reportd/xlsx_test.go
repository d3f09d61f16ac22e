package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderXLSXAndReadBack renders the sample as workbooks, one per form
// and combined, and reads both back with validate and export.
func TestRenderXLSXAndReadBack(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "render", "-format", "xlsx", "-o", dir, seedPath)
	if code != 0 {
		t.Fatalf("render: exit %d\n%s%s", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	if len(files) != 2 {
		t.Fatalf("got %d workbooks, want 2: %v", len(files), files)
	}
	code, out, errOut = runCLI(t, "render", "-format", "xlsx", "-combine", "-o", dir, seedPath)
	if code != 0 {
		t.Fatalf("render -combine: exit %d\n%s%s", code, out, errOut)
	}
	combined := filepath.Join(dir, "2020-上海市促进中小企业发展协调办公室-汇总.xlsx")
	if _, err := os.Stat(combined); err != nil {
		t.Fatalf("combined workbook: %v (stdout %q)", err, out)
	}
	code, out, errOut = runCLI(t, "validate", combined)
	if code != 0 || !strings.Contains(out, "2 张表，0 处错误") {
		t.Fatalf("validate combined: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "export", "-format", "txt", files[0], files[1])
	if code != 0 {
		t.Fatalf("export: exit %d\n%s", code, errOut)
	}
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(seed), "\n") {
		// Every value of the sample comes back (heading marks may differ).
		if v := strings.TrimSpace(strings.TrimLeft(line, "#")); v != "" && !strings.Contains(out, v) {
			t.Errorf("export of the workbooks lacks %q", v)
		}
	}
}
