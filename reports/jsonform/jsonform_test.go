package jsonform_test

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/textform"
)

func seed(tb testing.TB) []reports.Form {
	tb.Helper()
	f, err := os.Open("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Read(f, "seed.txt")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range forms {
		forms[i].Lines = nil
	}
	return forms
}

func TestRoundTrip(t *testing.T) {
	forms := seed(t)
	var buf bytes.Buffer
	if err := jsonform.Write(&buf, forms); err != nil {
		t.Fatal(err)
	}
	got, err := jsonform.Read(&buf, "seed.json")
	if err != nil {
		t.Fatal(err)
	}
	for i := range forms {
		forms[i].Source, got[i].Source = "", ""
		if got[i].Line("project") == 0 {
			t.Errorf("form %d: no line recorded for project", i)
		}
		got[i].Lines = nil
	}
	if !reflect.DeepEqual(forms, got) {
		t.Errorf("JSON round trip differs:\n%+v\n%+v", forms, got)
	}
}

func TestReadSingleForm(t *testing.T) {
	in := `{"schema":"reportd/form/v1","year":2020,"unit":"U","project":"P","funds":{"total":"1.00"},"indicators":[{"level1":"产出指标","level2":"数量指标","level3":"x","target":"=1个"}]}`
	forms, err := jsonform.Read(strings.NewReader(in), "one.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 1 || forms[0].Project != "P" || forms[0].Funds.Total.Fen != 100 {
		t.Errorf("got %+v", forms)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"not json", "财政项目支出绩效目标表", "invalid JSON"},
		{"no schema", `{"forms":[]}`, `"schema" is missing`},
		{"other schema", `{"schema":"reportd/form/v9","forms":[]}`, "unsupported schema"},
		{"no forms", `{"schema":"reportd/form/v1","forms":[]}`, "no form"},
		{"truncated", `{"schema":"reportd/form/v1","forms":[{"project":"x"`, "unexpected end"},
		{"invalid UTF-8", "{\"schema\":\"reportd/form/v1\",\n\"project\":\"企业\xff培育\"}", "line 2: invalid UTF-8"},
		// 3,000,000 empty forms fit in 9 MB and took 23 GB to decode and check.
		{"too many forms", `{"schema":"reportd/form/v1","forms":[{}` + strings.Repeat(",{}", reports.MaxForms) + `]}`, "at most 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jsonform.Read(strings.NewReader(tt.in), "x.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "x.json: ") {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestReadReportsEveryProblem: members that cannot be read do not stop the
// reader; Check reports each with its line and Chinese label, in Chinese,
// never with Go's type names.
func TestReadReportsEveryProblem(t *testing.T) {
	doc := `{"schema": "reportd/form/v1", "forms": [
 {"year": 2020, "unit": "U", "project": "P", "projct": "x",
  "start": "2020-13-45",
  "funds": {"total": "七十九万",
            "current": 790000,
            "last_budget": "790000.001"},
  "indicators": [
   {"level1": "产出指标", "level2": "数量指标", "level3": "a", "target": "=1家"},
   {"level1": "", "level2": "数量指标", "level3": "b", "target": "=2家"}]},
 {"year": "2021年", "unit": "U", "project": "Q"}]}`
	forms, err := jsonform.Read(strings.NewReader(doc), "x.json")
	if err != nil {
		t.Fatal(err)
	}
	if forms[1].Year != 2021 {
		t.Errorf("year written as text: got %d", forms[1].Year)
	}
	var got []string
	for _, p := range reports.Check(&forms[0], reports.DefaultRules).Errors() {
		got = append(got, fmt.Sprintf("%d %s %s", p.Line, p.Label(), p.Message))
	}
	want := []string{
		"2 projct 未知字段「projct」",
		"3 计划开始日期 不是有效日期",
		"4 项目总预算 「七十九万」不是金额",
		"5 项目当年预算 应为带引号的金额文本",
		"6 同名项目上年预算额 有3位小数",
		"9 绩效指标第2行一级目标 一级目标未填写",
	}
	for _, w := range want {
		parts := strings.SplitN(w, " ", 3)
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, parts[0]+" "+parts[1]+" ") && strings.Contains(g, parts[2])
		}
		if !found {
			t.Errorf("no problem like %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, g := range got {
		if strings.Contains(g, "reports.") || strings.Contains(g, "Form.") || strings.Contains(g, "json:") {
			t.Errorf("Go names in %q", g)
		}
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := jsonform.Write(&buf, seed(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(`{"schema":"reportd/form/v1","year":1}`)
	f.Fuzz(func(t *testing.T, in string) {
		forms, err := jsonform.Read(strings.NewReader(in), "fuzz.json")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := jsonform.Write(&out, forms); err != nil {
			t.Fatal(err)
		}
		if _, err := jsonform.Read(&out, "again.json"); err != nil {
			t.Fatalf("re-reading written JSON: %v", err)
		}
	})
}
