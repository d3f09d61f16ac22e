package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seedPath = "../../testdata/seed/2020-performance-targets.txt"

// runCLI runs the command in-process and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func TestValidateSeed(t *testing.T) {
	code, out, errOut := runCLI(t, "validate", seedPath)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"2 张表，0 处错误", "企业培育（8 个指标，表式 shanghai-2020）", "服务体系（15 个指标，表式 shanghai-2020）"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestValidateBadInputs(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(seed)
	tests := []struct {
		name, file, content, want string
	}{
		{"empty file", "empty.txt", "", "empty.txt: file is empty"},
		{"binary file", "bin.txt", "\x7fELF\x02\x01\x01\x00\x00\x00", "bin.txt: not a text file"},
		{"truncated form", "cut.txt", s[:len(s)/3], "ends before its indicator table"},
		{"amount in words", "words.txt", strings.Replace(s, "790,000.00", "七十九万", 1), "words.txt:17: 项目总预算"},
		{"impossible date", "date.txt", strings.Replace(s, "2020-01-01", "2020-13-45", 1), "date.txt:7: 计划开始日期: 不是有效日期"},
		{"unknown extension", "form.doc", "x", "unknown file type"},
		{"bad json", "bad.json", "{", "bad.json: line 1: invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, "validate", path)
			all := out + errOut
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s", code, all)
			}
			if !strings.Contains(all, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, all)
			}
			if strings.Contains(all, "goroutine") || strings.Contains(all, "panic") {
				t.Errorf("stack trace in output:\n%s", all)
			}
		})
	}
}

func TestExport(t *testing.T) {
	code, out, errOut := runCLI(t, "export", "-format", "json", seedPath)
	if code != 0 || !strings.Contains(out, `"schema": "reportd/form/v1"`) || !strings.Contains(out, `"total": "790000.00"`) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	jsonPath := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(jsonPath, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, txt, errOut := runCLI(t, "export", "-format", "txt", jsonPath)
	if code != 0 || !strings.Contains(txt, "项目总预算（元）：\t790,000.00") {
		t.Fatalf("exit %d\n%s%s", code, txt, errOut)
	}
	if code, _, errOut := runCLI(t, "export", "-format", "pdf", seedPath); code != 1 || !strings.Contains(errOut, "unknown -format") {
		t.Errorf("bad format: exit %d %s", code, errOut)
	}
}

func TestUsage(t *testing.T) {
	if code, _, errOut := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestValidateReportsEveryProblem: one unreadable value does not hide the
// others; problems go to stderr with file, line and Chinese label, the
// summary to stdout.
func TestValidateReportsEveryProblem(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(seed), "790,000.00", "七十九万", 1)
	s = strings.Replace(s, "2020-01-01", "2020-13-45", 1)
	s = strings.Replace(s, "项目类别：", "项目颜色：", 1)
	path := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "validate", path)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		path + ":6: 项目颜色: 不认识的标签「项目颜色」",
		path + ":3: 项目类别: 必填项未填写", // a missing field points at its form
		path + ":7: 计划开始日期: 不是有效日期",
		path + ":17: 项目总预算: 「七十九万」不是金额",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "2 张表，4 处错误") || strings.Contains(out, "不是金额") {
		t.Errorf("stdout should hold the summary only:\n%s", out)
	}
	if strings.Contains(errOut, ":0:") {
		t.Errorf(":0: in\n%s", errOut)
	}
}
