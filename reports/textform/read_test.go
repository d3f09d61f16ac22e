package textform_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/textform"
)

const seedPath = "../../testdata/seed/2020-performance-targets.txt"

func mustReadSeed(tb testing.TB) []reports.Form {
	tb.Helper()
	f, err := os.Open(seedPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Read(f, filepath.Base(seedPath))
	if err != nil {
		tb.Fatal(err)
	}
	return forms
}

func mustFamilies(tb testing.TB) *family.Registry {
	tb.Helper()
	reg, err := family.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

func TestReadSeed(t *testing.T) {
	forms := mustReadSeed(t)
	if len(forms) != 2 {
		t.Fatalf("got %d forms, want 2", len(forms))
	}
	tests := []struct {
		project    string
		indicators int
		total      string
	}{
		{"企业培育", 8, "790,000.00"},
		{"服务体系", 15, "678,000.00"},
	}
	for i, tt := range tests {
		f := forms[i]
		if f.Project != tt.project || len(f.Indicators) != tt.indicators || f.Funds.Total.String() != tt.total {
			t.Errorf("form %d: got %s/%d/%s, want %s/%d/%s", i, f.Project, len(f.Indicators), f.Funds.Total, tt.project, tt.indicators, tt.total)
		}
		if f.Year != 2020 || f.Unit != "上海市促进中小企业发展协调办公室" {
			t.Errorf("form %d: year %d unit %q", i, f.Year, f.Unit)
		}
		if ps := reports.Check(&f, reports.DefaultRules); ps.HasErrors() {
			t.Errorf("form %d: unexpected errors %v", i, ps.Errors())
		}
	}
	// Fill-down of blank level cells.
	in := forms[1].Indicators[1]
	if in.Level1 != "投入与管理" || in.Level2 != "投入管理" || in.Level3 != "预算执行率" || in.Target != "=90%" {
		t.Errorf("fill-down: got %+v", in)
	}
	if got := forms[0].Line("indicators[7].target"); got != 30 {
		t.Errorf("line of last indicator of form 1 = %d, want 30", got)
	}
}

func TestRoundTrip(t *testing.T) {
	forms := mustReadSeed(t)
	var buf bytes.Buffer
	if err := textform.Write(&buf, forms, mustFamilies(t)); err != nil {
		t.Fatal(err)
	}
	again, err := textform.Read(&buf, "again.txt")
	if err != nil {
		t.Fatalf("re-read: %v\n%s", err, buf.String())
	}
	for i := range forms {
		forms[i].Lines, again[i].Lines = nil, nil
		forms[i].Source, again[i].Source = "", ""
	}
	if !reflect.DeepEqual(forms, again) {
		t.Errorf("text round trip differs:\n%+v\n%+v", forms, again)
	}
}

func TestReadTolerates(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	want := mustReadSeed(t)
	tests := []struct {
		name string
		edit func(string) string
	}{
		{"BOM", func(s string) string { return "\ufeff" + s }},
		{"CRLF", func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }},
		{"half-width colons", func(s string) string { return strings.ReplaceAll(s, "：\t", ":\t") }},
		{"no trailing tabs", func(s string) string { return strings.ReplaceAll(s, "\t\t\t\n", "\n") }},
		{"extra trailing tabs", func(s string) string { return strings.ReplaceAll(s, "\n", "\t\t\n") }},
		{"amount without separators", func(s string) string { return strings.ReplaceAll(s, "790,000.00", "790000") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := textform.Read(strings.NewReader(tt.edit(string(seed))), "x.txt")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0].Project != want[0].Project || got[1].Funds != want[1].Funds ||
				!reflect.DeepEqual(got[1].Indicators, want[1].Indicators) || got[0].Funds.Total != want[0].Funds.Total {
				t.Errorf("parsed differently: %+v", got[0])
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(seed)
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "empty"},
		{"blank lines", "\n\n\t\n", "empty"},
		{"binary", "\x00\x01PK\x03\x04", "binary"},
		{"no title", "项目名称：\t企业培育\n", "x.txt:1: expected a form title"},
		{"truncated", s[:strings.Index(s, "本项目上年度")], "ends before its indicator table"},
		{"header missing", strings.Replace(s, "一级目标\t二级目标\t三级目标\t指标目标值\n", "", 1), "lacks the"},
		{"too many indicator rows", strings.Replace(s, "=90%\n", "=90%\n"+strings.Repeat("\t\t预算执行率\t=90%\n", reports.MaxIndicators), 1), "x.txt:1023: more than 1000 indicator rows"},
		{"too many forms", strings.Repeat("财政项目支出绩效目标表\n### 绩效目标\n一级目标\t二级目标\t三级目标\t指标目标值\n", reports.MaxForms+1), "x.txt:30001: more than 10000 forms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := textform.Read(strings.NewReader(tt.input), "x.txt")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestQuotedCellsWithLineBreaks(t *testing.T) {
	forms := mustReadSeed(t)
	forms[0].Overview = "第一段\n第二段\t含制表符，\"引号\""
	var buf bytes.Buffer
	if err := textform.Write(&buf, forms[:1], mustFamilies(t)); err != nil {
		t.Fatal(err)
	}
	got, err := textform.Read(&buf, "q.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Overview != forms[0].Overview {
		t.Errorf("overview = %q", got[0].Overview)
	}
	if l := got[0].Line("basis"); l != 9 {
		t.Errorf("line after a two-line cell = %d, want 9", l)
	}
}

func FuzzRead(f *testing.F) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(seed))
	f.Add("财政项目支出绩效目标表\n(2020年度)\n### 绩效目标\n一级目标\t二级目标\t三级目标\t指标目标值\n\t\t\t\n")
	f.Add("\"a\tb\"\"\n")
	reg := mustFamilies(f)
	rd := textform.Reader{Families: reg}
	f.Fuzz(func(t *testing.T, in string) {
		forms, err := rd.Read(strings.NewReader(in), "fuzz.txt")
		if err != nil {
			return
		}
		for i := range forms {
			reports.Check(&forms[i], reports.DefaultRules)
		}
		// What was read must survive a write/read cycle.
		var buf bytes.Buffer
		if err := textform.Write(&buf, forms, mustFamilies(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := textform.Read(&buf, "again.txt"); err != nil {
			t.Fatalf("re-reading written text: %v\n%q", err, buf.String())
		}
	})
}

func TestReadGB18030(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes(seed)
	if err != nil {
		t.Fatal(err)
	}
	forms, err := textform.Read(bytes.NewReader(gbk), "gbk.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 2 || forms[0].Project != "企业培育" {
		t.Errorf("got %d forms, first %q", len(forms), forms[0].Project)
	}
}

// TestReadReportsEveryProblem: a value that cannot be read does not stop
// the reader; Check reports it with every other problem of the form, each
// with its line and Chinese label.
func TestReadReportsEveryProblem(t *testing.T) {
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(seed)
	tests := []struct {
		name  string
		input string
		want  []string // "LINE 标签 message part", in any order
	}{
		{"bad money and bad date", strings.Replace(strings.Replace(s, "790,000.00", "七十九万", 1), "2020-01-01", "2020-13-45", 1),
			[]string{"17 项目总预算 「七十九万」不是金额", "7 计划开始日期 不是有效日期"}},
		{"three decimals", strings.Replace(s, "790,000.00", "790,000.001", 1), []string{"17 项目总预算 有3位小数，最多2位"}},
		{"unknown label and bad money", strings.Replace(strings.Replace(s, "项目类别：", "项目颜色：", 1), "790,000.00", "七十九万", 1),
			[]string{"6 项目颜色 不认识的标签「项目颜色」", "项目类别 必填项未填写", "17 项目总预算 不是金额"}},
		{"row too wide", strings.Replace(s, "=90%", "=90%\textra\tmore", 1), []string{"绩效指标第1行 多出的「extramore」"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forms, err := textform.Read(strings.NewReader(tt.input), "x.txt")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range reports.Check(&forms[0], reports.DefaultRules).Errors() {
				got = append(got, fmt.Sprintf("%d %s %s", p.Line, p.Label(), p.Message))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems %q, want %d like %q", len(got), got, len(tt.want), tt.want)
			}
			for _, w := range tt.want {
				parts := strings.SplitN(w, " ", 3)
				if len(parts) == 2 {
					parts = []string{"", parts[0], parts[1]}
				}
				found := false
				for _, g := range got {
					found = found || strings.Contains(g, parts[1]) && strings.Contains(g, parts[2]) && (parts[0] == "" || strings.HasPrefix(g, parts[0]+" "))
				}
				if !found {
					t.Errorf("no problem like %q in %q", w, got)
				}
			}
			for _, g := range got {
				if strings.HasPrefix(g, "0 ") && !strings.Contains(g, "必填") { // a missing field has no line
					t.Errorf("problem without a line: %q", g)
				}
			}
		})
	}
}
