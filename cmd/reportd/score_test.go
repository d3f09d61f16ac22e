package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const selfEvalPath = "../../testdata/actuals/2020-企业培育-self-evaluation.json"

func TestScoreCommand(t *testing.T) {
	code, out, errOut := runCLI(t, "score", selfEvalPath)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"预算执行率  分值 10.00  得分 9.51  = 10 × min(751300.00 / 790000.00, 1) ≈ 9.5101",
		"产出目标/数量/专精特新数量  =2500家 → 2310家  分值 13.33  得分 12.32  = 40/3 × min(2310 / 2500, 1) = 12.32",
		"定性，达成（80%–100%）：40/3 × 90% = 12",
		"总分 97.16（满分 100） 等级 优",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "绩效指标第7行实际完成值: 警告：实际完成值与年度指标值之比为142%") {
		t.Errorf("the over-achievement is not flagged:\n%s", errOut)
	}
}

func TestScoreCommandErrors(t *testing.T) {
	data, err := os.ReadFile(selfEvalPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	tests := []struct {
		name, content, want string
		args                []string
	}{
		{name: "unmet without a reason", content: strings.Replace(s, `"actual": "180天"`, `"actual": "200天", "reason": ""`, 1) + "", want: ""},
		{name: "unit mismatch", content: strings.Replace(s, `"actual": "2310家"`, `"actual": "2310个"`, 1), want: "绩效指标第4行实际完成值: 单位「个」与年度指标值的单位「家」不同"},
		{name: "missing reason", content: strings.Replace(s, `"actual": "95.1%"`, `"actual": "80%"`, 1), want: "绩效指标第1行偏差原因分析及改进措施: 未达到指标值"},
		{name: "no form", content: strings.Replace(s, `"form": {`, `"form_unused": {`, 1), want: "unknown field"},
		{name: "a target form is not actuals", args: []string{seedPath}, want: "is a target form, not actuals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if args == nil {
				path := filepath.Join(t.TempDir(), "a.json")
				if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
				args = []string{path}
			}
			code, out, errOut := runCLI(t, append([]string{"score"}, args...)...)
			if tt.want == "" { // 200天 against =180天 is met: no error
				if code != 0 {
					t.Errorf("exit %d\n%s%s", code, out, errOut)
				}
				return
			}
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want 1 and %q in:\n%s%s", code, tt.want, out, errOut)
			}
		})
	}
}

func TestRenderKinds(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"render", "-kind", "self-evaluation", "-o", dir, selfEvalPath},
		{"render", "-kind", "self-evaluation", "-format", "xlsx", "-o", dir, selfEvalPath},
		{"render", "-kind", "monitoring", "-o", dir, "../../testdata/actuals/2020-企业培育-monitoring.json"},
		{"render", "-kind", "self-evaluation", "-format", "ofd", "-o", dir, selfEvalPath},
		// Blank reports (the pre-filled workbooks) of every form of a file.
		{"render", "-kind", "monitoring", "-month", "6", "-format", "xlsx", "-o", filepath.Join(dir, "blank"), seedPath},
	} {
		if code, out, errOut := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	for _, name := range []string{
		"2020-上海市促进中小企业发展协调办公室-企业培育-绩效自评表.pdf",
		"2020-上海市促进中小企业发展协调办公室-企业培育-绩效自评表.xlsx",
		"2020-上海市促进中小企业发展协调办公室-企业培育-绩效运行监控表.pdf",
		"2020-上海市促进中小企业发展协调办公室-企业培育-绩效自评表.ofd",
		"blank/2020-上海市促进中小企业发展协调办公室-服务体系-绩效运行监控表.xlsx",
	} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Size() < 5000 {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The workbook reportd wrote scores the same when read back (with the
	// form it was made from).
	code, out, errOut := runCLI(t, "score", "-form", selfEvalPath, filepath.Join(dir, "2020-上海市促进中小企业发展协调办公室-企业培育-绩效自评表.xlsx"))
	if code != 0 || !strings.Contains(out, "总分 97.16") {
		t.Errorf("score of the workbook: exit %d\n%s%s", code, out, errOut)
	}
	// -strict refuses a blank report; a kind that does not exist is refused.
	if code, _, errOut := runCLI(t, "render", "-kind", "self-evaluation", "-strict", "-o", dir, seedPath); code != 1 || !strings.Contains(errOut, "必填项未填写") {
		t.Errorf("-strict blank: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "render", "-kind", "audit", seedPath); code != 1 || !strings.Contains(errOut, `-kind "audit"`) {
		t.Errorf("unknown kind: exit %d\n%s", code, errOut)
	}
}
