package family_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/templates"
)

func mustBuiltin(t *testing.T) *family.Registry {
	t.Helper()
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestBuiltinShanghai(t *testing.T) {
	reg := mustBuiltin(t)
	fam, err := reg.Get("shanghai-2020")
	if err != nil {
		t.Fatal(err)
	}
	if def := reg.Default(); def != fam {
		t.Errorf("default family is %s, want shanghai-2020", def.Name)
	}
	if fam.Source != "embedded:families/shanghai-2020.json" {
		t.Errorf("source %q", fam.Source)
	}
	// Every scalar field of the sample is printed, each exactly once.
	printed := map[string]int{}
	for _, s := range fam.Table.Sections {
		for _, r := range s.Rows {
			for _, c := range r.Cells {
				if c.Value != "" {
					printed[c.Value]++
				}
			}
		}
	}
	for _, f := range reports.Fields {
		switch f.Key {
		case "title", "year", "unit", "funds_heading", "targets_heading":
			continue // title block and headings
		}
		if printed[f.Key] != 1 {
			t.Errorf("%s (%s) printed %d times", f.Key, f.Label, printed[f.Key])
		}
	}
	fd, _ := fam.Field("funds.total")
	if got := fam.PrintedLabel(fd); got != "项目总预算（元）" {
		t.Errorf("printed label %q", got)
	}
}

func TestLabels(t *testing.T) {
	fam, _ := mustBuiltin(t).Get("")
	tests := []struct {
		name, label, key string
		column           bool
	}{
		{"exact", "项目名称", "project", false},
		{"with colon", "项目名称：", "project", false},
		{"with unit and colon", "项目总预算（元）：", "funds.total", false},
		{"synonym", "计划结束日期", "end", false},
		{"spaces", " 项目 类别 ", "category", false},
		{"column synonym", "一级指标", "level1", true},
		{"column", "指标目标值", "target", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			var ok bool
			if tt.column {
				got, ok = fam.ColumnKey(tt.label)
			} else {
				got, ok = fam.FieldKey(tt.label)
			}
			if !ok || got != tt.key {
				t.Errorf("key of %q = %q, %v; want %q", tt.label, got, ok, tt.key)
			}
		})
	}
	if k, ok := fam.FieldKey("不存在的标签"); ok {
		t.Errorf("unknown label mapped to %q", k)
	}
}

func TestExpand(t *testing.T) {
	f := &reports.Form{Year: 2020, Unit: "某单位"}
	tests := []struct{ in, want string }{
		{"({year}年度)", "(2020年度)"},
		{"申报单位名称：{unit}", "申报单位名称：某单位"},
		{"no braces", "no braces"},
		{"{missing}x", "x"},
		{"unclosed {year", "unclosed {year"},
	}
	for _, tt := range tests {
		if got := family.Expand(tt.in, f); got != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGetUnknown(t *testing.T) {
	_, err := mustBuiltin(t).Get("nope")
	if reports.ErrorCode(err) != reports.EINVALID || !strings.Contains(err.Error(), "shanghai-2020") {
		t.Errorf("err = %v, want EINVALID listing the known families", err)
	}
}

func TestLoadSiteDirectory(t *testing.T) {
	reg, err := family.Load(templates.Families, filepath.Join("testdata", "families"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range reg.List() {
		names = append(names, f.Name)
	}
	if all := strings.Join(names, ","); !strings.Contains(all, "shanghai-2020") || !strings.Contains(all, "tiny-2024") {
		t.Errorf("families %v: want the embedded ones and tiny-2024", names)
	}
	tiny, err := reg.Get("tiny-2024")
	if err != nil {
		t.Fatal(err)
	}
	if tiny.Funds.Unit != family.UnitWanYuan || len(tiny.Indicators.Columns) != 5 {
		t.Errorf("tiny family read wrong: %+v", tiny.Funds)
	}
	if reg.Default().Name != "shanghai-2020" {
		t.Errorf("default %s", reg.Default().Name)
	}
}

func TestLoadOverridesEmbedded(t *testing.T) {
	data, err := templates.Families.ReadFile("families/shanghai-2020.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	site := strings.Replace(string(data), `"title": "财政项目支出绩效目标表"`, `"title": "本地版绩效目标表"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "shanghai-2020.json"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := family.Load(templates.Families, dir)
	if err != nil {
		t.Fatal(err)
	}
	fam, _ := reg.Get("shanghai-2020")
	if fam.Title != "本地版绩效目标表" || !strings.HasPrefix(fam.Source, dir) {
		t.Errorf("site file did not replace the embedded family: %q from %s", fam.Title, fam.Source)
	}
}

func TestDetect(t *testing.T) {
	reg, err := family.Load(templates.Families, filepath.Join("testdata", "families"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		title  string
		labels []string
		want   string
	}{
		{"sample", "财政项目支出绩效目标表", []string{"项目名称：", "项目类别：", "项目概况：", "一级目标"}, "shanghai-2020"},
		{"tiny by labels", "项目绩效目标表", []string{"预算单位", "项目名称", "实施期目标", "绩效标准"}, "tiny-2024"},
		{"national", "项目支出绩效目标申报表", []string{"项目名称：", "主管部门及代码：", "实施单位：", "项目期：", "实施期资金总额：", "一级指标", "绩效标准"}, "national-2021"},
		{"nothing known", "", nil, "shanghai-2020"},
		{"only foreign labels", "某表", []string{"甲", "乙"}, "shanghai-2020"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reg.Detect(tt.title, tt.labels); got.Name != tt.want {
				t.Errorf("Detect = %s, want %s", got.Name, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	base, err := templates.Families.ReadFile("families/shanghai-2020.json")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(string(base), old) {
			t.Fatalf("test setup: %q not in the family file", old)
		}
		return strings.Replace(string(base), old, new, 1)
	}
	tests := []struct {
		name string
		data string
		want string // substring of the message
	}{
		{"syntax error names the line", edit(`"default": true,`, `"default": true,,`), "x.json:5: invalid JSON"},
		{"wrong type names the path", edit(`"title_pt": 22`, `"title_pt": "22"`), "x.json:47: page.title_pt: expected a number"},
		{"unknown key names the path", edit(`{"label": "project", "span": 2}, {"value": "project", "span": 2}`, `{"label": "project", "span": 2}, {"valeu": "project", "span": 2}`), "x.json: table.sections[0].rows[0].cells[1].valeu: unknown key"},
		{"undeclared field in a cell", edit(`{"value": "category"}`, `{"value": "extra.类别"}`), `table.sections[0].rows[0].cells[3].value: "extra.类别" is not declared in fields`},
		{"spans must fill the grid", edit(`{"value": "overview", "span": 5}`, `{"value": "overview", "span": 4}`), "table.sections[0].rows[3]: cells span 6 columns but the table has 7"},
		{"cell with two contents", edit(`{"label": "plan", "span": 2}`, `{"label": "plan", "span": 2, "text": "x"}`), "table.sections[0].rows[7].cells[0]: exactly one of label, text, value and blank"},
		{"unknown type", edit(`"type": "longtext", "required": true},
    {"key": "basis"`, `"type": "essay", "required": true},
    {"key": "basis"`), `fields[8].type: unknown type "essay"`},
		{"form field that does not exist", edit(`{"key": "perf_type"`, `{"key": "perftype"`), `fields[7].key: "perftype" is not a field of the form`},
		{"money unit", edit(`"unit": "元"`, `"unit": "千元"`), `funds.unit: "千元": must be 元 or 万元`},
		{"amount typed as text", edit(`{"key": "funds.current", "label": "项目当年预算", "type": "money"`, `{"key": "funds.current", "label": "项目当年预算", "type": "text"`), `fields[16].type: "funds.current" is an amount`},
		{"indicator spans", edit(`"指标值及单位"], "span": 2}`, `"指标值及单位"], "span": 3}`), "indicators.columns: spans add up to 8 but the table has 7"},
		{"footer inside the type area", edit(`"footer_mm": 24`, `"footer_mm": 40`), "page.footer_mm: the page number"},
		{"no indicator section", edit(`"heading_field": "targets_heading", "indicators": true`, `"heading_field": "targets_heading"`), `table.sections: exactly one section must have "indicators": true (found 0)`},
		{"vocabulary level 2 of an unknown level 1", edit(`"level1": ["投入与管理"`, `"level2": {"产出": ["数量"]}, "level1": ["投入与管理"`), `vocabulary.level2.产出`},
		{"two values", string(base) + "{}", "more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := family.Parse([]byte(tt.data), "x.json")
			var fe *family.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *family.Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadNameMustMatchFile(t *testing.T) {
	data, _ := templates.Families.ReadFile("families/shanghai-2020.json")
	fsys := fstest.MapFS{"families/other.json": {Data: data}}
	_, err := family.Load(fsys, "")
	if err == nil || !strings.Contains(err.Error(), `"shanghai-2020" must equal the file name "other"`) {
		t.Errorf("err = %v", err)
	}
}

func TestLoadNoFamilies(t *testing.T) {
	_, err := family.Load(fstest.MapFS{"families/README": {Data: []byte("x")}}, "")
	if err == nil {
		t.Error("an empty registry must be an error")
	}
	_, err = family.Load(templates.Families, filepath.Join(t.TempDir(), "missing"))
	if err == nil {
		t.Error("a missing site directory must be an error")
	}
}

func TestLoadTemplatesDirectory(t *testing.T) {
	// testdata is laid out like templates/: testdata/families/*.json.
	reg, err := family.Load(nil, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Get("tiny-2024"); err != nil {
		t.Error(err)
	}
}

// Mistakes in the layout features of the published families (side labels,
// cells over several rows, blank boxes, header lines, decimals) are
// reported with the file, the JSON path and what is expected.
func TestParseLayoutErrors(t *testing.T) {
	read := func(name string) string {
		b, err := templates.Families.ReadFile("families/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	hunan, wuhan := read("hunan-2023"), read("wuhan-2020")
	edit := func(base, old, new string) string {
		if !strings.Contains(base, old) {
			t.Fatalf("test setup: %q not in the family file", old)
		}
		return strings.Replace(base, old, new, 1)
	}
	tests := []struct {
		name, data, want string
	}{
		{"blank box with text", edit(hunan, `{"blank": true, "span": 5}`, `{"blank": true, "text": "x", "span": 5}`),
			"table.sections[2].rows[0].cells[1]: exactly one of label, text, value and blank is required"},
		{"box height", edit(hunan, `"height_mm": 30`, `"height_mm": -3`), "table.sections[2].rows[0].height_mm: must be between 0 and 200"},
		{"side label leaves the indicator spans short", edit(hunan, `"label": "绩效标准", "synonyms": ["评分标准"]`, `"label": "绩效标准", "synonyms": ["评分标准"], "span": 2`),
			"indicators.columns: spans add up to 6 but the table has 6 columns, 5 of them beside the side label of table.sections[1]"},
		{"label_span without label", edit(hunan, `{"label": "本年度绩效指标", "indicators": true}`, `{"label_span": 2, "indicators": true}`),
			"table.sections[1].label_span: is only meaningful with a label"},
		{"side label as wide as the table", edit(hunan, `{"label": "本年度绩效指标", "indicators": true}`, `{"label": "本年度绩效指标", "label_span": 6, "indicators": true}`),
			"table.sections[1].label_span: the side label takes 6 of the table's 6 columns"},
		{"rows past the section", edit(wuhan, `{"label": "goals", "span": 3}`, `{"label": "goals", "span": 3, "rows": 3}`),
			"table.sections[2].rows[0].cells[0].rows: 3 rows run past the end of the section (2 rows left)"},
		{"cell into a covered column", edit(wuhan, `{"label": "goals", "span": 3}`, `{"label": "goals", "span": 3, "rows": 2}`),
			"table.sections[2].rows[1].cells[1].span: the cell does not fit"},
		{"decimals out of range", edit(hunan, `"decimals": 0`, `"decimals": 7`), "funds.decimals: 7: must be between 0 and 6"},
		{"max below least", edit(hunan, `"decimals": 0, "max_decimals": 6`, `"decimals": 2, "max_decimals": 1`), "funds.max_decimals: 1 is less than decimals (2)"},
		{"empty header line", edit(hunan, `{"left": "填报单位：（盖章）", "right": "单位：万元"}`, `{}`), "header[0]: an empty line"},
		{"header line with an unknown key", edit(hunan, `{"left": "填报单位：（盖章）", "right": "单位：万元"}`, `{"left": "x", "middle": "y"}`), "header[0].middle: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := family.Parse([]byte(tt.data), "x.json")
			var fe *family.Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want *family.Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "x.json") {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
		})
	}
}

// A header line is a string (left only) or an object with left and right.
func TestHeaderLine(t *testing.T) {
	var lines []family.HeaderLine
	if err := json.Unmarshal([]byte(`["申报单位名称：{unit}", {"left": "填报单位：（盖章）", "right": "单位：万元"}, {"right": "单位：元"}]`), &lines); err != nil {
		t.Fatal(err)
	}
	want := []family.HeaderLine{{Left: "申报单位名称：{unit}"}, {Left: "填报单位：（盖章）", Right: "单位：万元"}, {Right: "单位：元"}}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("got %+v, want %+v", lines, want)
	}
}
