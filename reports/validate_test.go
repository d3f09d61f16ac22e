package reports_test

import (
	"os"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/textform"
)

func seedForm(tb testing.TB, i int) reports.Form {
	tb.Helper()
	f, err := os.Open("../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Read(f, "seed.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return forms[i]
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(f *reports.Form)
		severity reports.Severity
		path     string
		contains string
	}{
		{"missing project", func(f *reports.Form) { f.Project = " " }, reports.SeverityError, "project", "必填"},
		{"missing year", func(f *reports.Form) { f.Year = 0 }, reports.SeverityError, "year", "必填"},
		{"impossible date", func(f *reports.Form) { f.Start = "2020-13-45" }, reports.SeverityError, "start", "不是有效日期"},
		{"end before start", func(f *reports.Form) { f.End = "2019-12-31" }, reports.SeverityError, "end", "早于"},
		{"month dates in order", func(f *reports.Form) { f.Start, f.End = "2020.01", "2020.12" }, "", "", ""},
		{"missing amount", func(f *reports.Form) { f.Funds.Total = reports.Money{} }, reports.SeverityError, "funds.total", "必填"},
		{"negative amount", func(f *reports.Form) { f.Funds.Current = reports.Money{Fen: -1, Set: true} }, reports.SeverityError, "funds.current", "负数"},
		{"overspent last year", func(f *reports.Form) { f.Funds.LastSpent = reports.Yuan(800000) }, reports.SeverityWarning, "funds.last_spent", "大于上年预算额"},
		{"no indicators", func(f *reports.Form) { f.Indicators = nil }, reports.SeverityError, "indicators", "为空"},
		{"first row without level 1", func(f *reports.Form) { f.Indicators[0].Level1 = "" }, reports.SeverityError, "indicators[0].level1", "一级"},
		{"bad target", func(f *reports.Form) { f.Indicators[3].Target = ">=abc" }, reports.SeverityError, "indicators[3].target", "格式错误"},
		{"target in Chinese numerals", func(f *reports.Form) { f.Indicators[3].Target = "九十" }, reports.SeverityWarning, "indicators[3].target", "汉字写的数"},
		{"empty target", func(f *reports.Form) { f.Indicators[2].Target = "" }, reports.SeverityError, "indicators[2].target", "未填写"},
		{"unknown level 1", func(f *reports.Form) { f.Indicators[7].Level1 = "其他目标" }, reports.SeverityWarning, "indicators[7].level1", "不在指标体系"},
		{"2021 framework accepted", func(f *reports.Form) {
			f.Indicators[0].Level1, f.Indicators[0].Level2 = "产出指标", "数量指标"
			f.Indicators[1].Level1, f.Indicators[1].Level2 = "效益指标", "社会效益指标"
			f.Indicators[2].Level1, f.Indicators[2].Level2 = "满意度指标", "服务对象满意度指标"
		}, "", "", ""},
		{"too many indicator rows", func(f *reports.Form) {
			for len(f.Indicators) <= reports.MaxIndicators {
				f.Indicators = append(f.Indicators, reports.Indicator{Level1: "产出目标", Level2: "数量", Level3: "指标", Target: "=1家"})
			}
		}, reports.SeverityError, "indicators", "最多"},
		{"text longer than a spreadsheet cell", func(f *reports.Form) { f.Overview = strings.Repeat("专", reports.MaxTextRunes+1) }, reports.SeverityError, "overview", "最多"},
		{"indicator cell too long", func(f *reports.Form) { f.Indicators[1].Level3 = strings.Repeat("a", reports.MaxTextRunes+1) }, reports.SeverityError, "indicators[1].level3", "最多"},
		{"extra field too long", func(f *reports.Form) {
			f.Extra = map[string]string{"实施期目标": strings.Repeat("a", reports.MaxTextRunes+1)}
		}, reports.SeverityError, "extra.实施期目标", "最多"},
		{"NUL in a text", func(f *reports.Form) { f.Overview = "开展\x00工作" }, reports.SeverityError, "overview", "U+0000"},
		{"control character in a target", func(f *reports.Form) { f.Indicators[0].Target = "=90%\x01" }, reports.SeverityError, "indicators[0].target", "U+0001"},
		{"control character in an extra key", func(f *reports.Form) { f.Extra = map[string]string{"k\x00": "v"} }, reports.SeverityError, "extra.k\x00", "U+0000"},
		{"right-to-left override in the project name", func(f *reports.Form) { f.Project = "invoice\u202Eexe.pdf" }, reports.SeverityError, "project", "U+202E"},
		{"bidi isolate in the unit", func(f *reports.Form) { f.Unit = "上海\u2067市" }, reports.SeverityError, "unit", "U+2067"},
		{"zero-width space in a target", func(f *reports.Form) { f.Indicators[0].Target = "=90%\u200B" }, reports.SeverityError, "indicators[0].target", "U+200B"},
		{"tabs and line breaks accepted", func(f *reports.Form) { f.Overview = "一\t二\r\n三\n四" }, "", "", ""},
		{"longest text accepted", func(f *reports.Form) { f.Overview = strings.Repeat("专", reports.MaxTextRunes) }, "", "", ""},
		{"2021 level 2 mismatch", func(f *reports.Form) {
			f.Indicators[0].Level1, f.Indicators[0].Level2 = "产出指标", "社会效益指标"
		}, reports.SeverityWarning, "indicators[0].level2", "不属于"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := seedForm(t, 0)
			tt.edit(&f)
			ps := reports.Check(&f, reports.DefaultRules)
			if tt.path == "" {
				if len(ps) != 0 {
					t.Fatalf("want no problems, got %v", ps)
				}
				return
			}
			for _, p := range ps {
				if p.Path == tt.path && p.Severity == tt.severity && strings.Contains(p.Message, tt.contains) {
					return
				}
			}
			t.Fatalf("want %s at %s containing %q; got %v", tt.severity, tt.path, tt.contains, ps)
		})
	}
}

func TestValidateSeedIsClean(t *testing.T) {
	for i := range 2 {
		f := seedForm(t, i)
		if ps := reports.Check(&f, reports.DefaultRules); len(ps) != 0 {
			t.Errorf("form %d: %v", i, ps)
		}
	}
}

func TestProblemLines(t *testing.T) {
	f := seedForm(t, 1)
	f.Indicators[9].Target = "<=abc"
	ps := reports.Check(&f, reports.DefaultRules)
	if len(ps) != 1 || ps[0].Line != 61 || ps[0].Label() != "绩效指标第10行指标目标值" {
		t.Fatalf("got %+v (label %q)", ps, ps[0].Label())
	}
}
