package reports

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of one form. Real forms have 10–50 indicator rows and texts of a
// few thousand characters; beyond these a form cannot be printed as a
// workbook (a spreadsheet cell holds 32767 characters) and a hostile one
// would cost minutes and gigabytes to lay out (spreadsheet merges are
// quadratic in the rows).
// Readers refuse files of more than MaxForms forms, or a table of more
// than MaxIndicators rows, before they cost memory.
const (
	MaxIndicators = 1000
	MaxTextRunes  = 32767
	MaxForms      = 10000
)

// Severity says whether a problem blocks a form (Error) or only deserves a
// clerk's attention (Warning).
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one validation finding, tied to a field path and, when the form
// came from a file, the source line.
type Problem struct {
	Severity Severity `json:"severity"`
	Path     string   `json:"path"`           // "funds.total", "indicators[2].target"
	Line     int      `json:"line,omitempty"` // 1-based source line, 0 when unknown
	Cell     string   `json:"cell,omitempty"` // workbook cell ("绩效目标表!G14") of a form read from a workbook
	Message  string   `json:"message"`
	// Name is the field's label as the form's family prints it (项目支出名称,
	// 绩效指标第3行指标值及单位); empty for problems made without rules
	// that know the labels.
	Name string `json:"label,omitempty"`
}

// Label is the Chinese name of the problem's field: the family's label
// when the rules knew it, else the sample's.
func (p Problem) Label() string {
	if p.Name != "" {
		return p.Name
	}
	return LabelOf(p.Path)
}

// Where is the place of the problem in file: "f.txt:14", "f.xlsx:
// 绩效目标表!G14", or just the file when the field has no place (a field
// missing from the input).
func (p Problem) Where(file string) string {
	switch {
	case p.Cell != "":
		return file + ": " + p.Cell
	case p.Line > 0:
		return fmt.Sprintf("%s:%d", file, p.Line)
	}
	return file
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Severity, p.Label(), p.Message)
}

// Problems is a validation result.
type Problems []Problem

// HasErrors reports whether any problem is an error.
func (ps Problems) HasErrors() bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == SeverityError })
}

// Errors returns only the errors.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == SeverityError {
			out = append(out, p)
		}
	}
	return out
}

// Vocabulary lists the indicator level names a form family accepts.
// Level2 maps a level-1 name to its accepted level-2 names; a level 1 absent
// from Level2 accepts any level 2.
type Vocabulary struct {
	Level1 []string
	Level2 map[string][]string
}

// DefaultVocabulary accepts the 2020 names of the Shanghai sample and those
// of 财预〔2021〕101号.
var DefaultVocabulary = Vocabulary{
	Level1: []string{
		// 2020 sample
		"投入与管理", "产出目标", "效果目标", "影响力目标",
		// 财预〔2021〕101号
		"产出指标", "效益指标", "满意度指标", "成本指标",
	},
	Level2: map[string][]string{
		"产出指标":  {"数量指标", "质量指标", "时效指标", "成本指标"},
		"效益指标":  {"经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"},
		"满意度指标": {"服务对象满意度指标", "满意度指标"},
		"成本指标":  {"经济成本指标", "社会成本指标", "生态环境成本指标"},
	},
}

// Rules say what a form family requires: which fields must be filled, how
// typed fields are read, and the indicator vocabulary. Family files declare
// them (reports/family); DefaultRules are those of the 2020 sample.
type Rules struct {
	Required   []string            // field keys that must not be blank
	Types      map[string]string   // field key → "date", "period", "money", "year", "choice"
	Options    map[string][]string // choices of "choice" fields
	MoneyUnit  string              // "元" (default) or "万元", for extra money fields
	Vocabulary Vocabulary
	// Columns are the indicator columns the family prints; a family
	// without level 1 or 2 does not require them. Nil means all four.
	Columns []string
	// Labels name fields and indicator columns by key as the family
	// prints them ("project" → 项目支出名称, "target" → 指标值及单位), for
	// messages; keys without a label are named by LabelOf.
	Labels map[string]string
}

// colLabel is an indicator column's label, or def.
func (r Rules) colLabel(key, def string) string {
	if l := r.Labels[key]; l != "" {
		return l
	}
	return def
}

// labelOf names a field path with the rules' labels.
func (r Rules) labelOf(path string) string {
	if rest, ok := strings.CutPrefix(path, "indicators["); ok {
		idx, col, _ := strings.Cut(rest, "].")
		if l, ok := r.Labels[col]; ok && col != "" {
			n, _ := strconv.Atoi(idx)
			return fmt.Sprintf("绩效指标第%d行%s", n+1, l)
		}
		return LabelOf(path)
	}
	if l, ok := r.Labels[path]; ok {
		return l
	}
	if l, ok := r.Labels["extra."+path]; ok {
		return l
	}
	return LabelOf(path)
}

// DefaultRules are the rules of the sample's family (上海 2020).
var DefaultRules = Rules{
	Required: []string{"year", "unit", "project", "category", "start", "end", "gov_purchase", "perf_type",
		"overview", "basis", "necessity", "measures", "plan", "goals",
		"funds.total", "funds.current", "funds.last_budget", "funds.last_spent"},
	Types: map[string]string{
		"start": "date", "end": "date", "gov_purchase": "choice",
		"funds.total": "money", "funds.current": "money", "funds.last_budget": "money", "funds.last_spent": "money",
	},
	Options:    map[string][]string{"gov_purchase": {"是", "否"}},
	Vocabulary: DefaultVocabulary,
}

// Check validates a form against a family's rules. Required fields left
// blank, unreadable dates, periods and amounts, dates out of order, negative
// amounts, an empty indicator table or one whose first row lacks its levels,
// and malformed targets are errors; odd level names, a choice outside its
// options and an over-spent previous year are warnings.
func Check(f *Form, r Rules) Problems {
	v := validator{f: f}
	for _, key := range slices.Sorted(maps.Keys(f.Unread)) {
		v.errorf(key, "%s", f.Unread[key].Reason)
	}
	for _, key := range r.Required {
		if _, unread := f.Unread[key]; unread {
			continue
		}
		if strings.TrimSpace(f.Get(key)) == "" {
			v.errorf(key, "必填项未填写")
		}
	}
	v.texts()
	v.typed(r)
	v.funds()
	if len(f.Indicators) > MaxIndicators {
		// Row by row checks of such a table would only add thousands of
		// problems to this one.
		v.errorf("indicators", "绩效指标表有%d行，最多%d行", len(f.Indicators), MaxIndicators)
		v.name(r)
		return v.out
	}
	v.indicators(r)
	// In the order of the input, so that a clerk reads them top to
	// bottom; fields missing from the input (no line yet) come last.
	slices.SortStableFunc(v.out, func(a, b Problem) int { return cmp.Compare(order(a.Line), order(b.Line)) })
	v.name(r)
	return v.out
}

func order(line int) int {
	if line <= 0 {
		return math.MaxInt
	}
	return line
}

// name gives every problem its family label and, when its field was not
// in the source (a required field left out), the line the form starts on,
// so that a message always points somewhere a clerk can look.
func (v *validator) name(r Rules) {
	for i := range v.out {
		p := &v.out[i]
		p.Name = r.labelOf(p.Path)
		if p.Line == 0 {
			p.Line = v.f.Line("title")
		}
	}
}

// texts refuses texts longer than a spreadsheet cell holds, and control
// characters: no font draws them (the PDF fails) and XML cannot carry
// them (the workbook would silently show U+FFFD instead).
func (v *validator) texts() {
	check := func(path, s string) {
		if len(s) > MaxTextRunes && utf8.RuneCountInString(s) > MaxTextRunes {
			v.errorf(path, "有%d个字符，最多%d个", utf8.RuneCountInString(s), MaxTextRunes)
		}
		if i := strings.IndexFunc(s, isControl); i >= 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			v.errorf(path, "第%d个字符是控制字符 %U，不能打印", utf8.RuneCountInString(s[:i])+1, r)
		}
		if i := strings.IndexFunc(s, isFormat); i >= 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			v.errorf(path, "第%d个字符是不可见的格式控制字符 %U（如双向文字控制），不能打印，还会让文件名显示错乱（…exe.pdf 显示成 …fdp.exe）", utf8.RuneCountInString(s[:i])+1, r)
		}
	}
	for _, fd := range Fields {
		check(fd.Key, v.f.Get(fd.Key))
	}
	for _, k := range slices.Sorted(maps.Keys(v.f.Extra)) {
		check("extra."+k, k)
		check("extra."+k, v.f.Extra[k])
	}
	if len(v.f.Indicators) > MaxIndicators {
		return
	}
	for i, in := range v.f.Indicators {
		check(IndicatorPath(i, "level1"), in.Level1)
		check(IndicatorPath(i, "level2"), in.Level2)
		check(IndicatorPath(i, "level3"), in.Level3)
		check(IndicatorPath(i, "target"), string(in.Target))
		for _, k := range slices.Sorted(maps.Keys(in.Extra)) {
			check(IndicatorPath(i, k), k)
			check(IndicatorPath(i, k), in.Extra[k])
		}
	}
}

// isControl reports the characters a form's text may not hold: C0 controls
// other than tab and line breaks, DEL and C1 controls, and the XML
// non-characters U+FFFE and U+FFFF.
func isControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20, r >= 0x7f && r < 0xa0, r == 0xfffe, r == 0xffff:
		return true
	}
	return false
}

// isFormat reports invisible format characters (Unicode Cf): bidirectional
// overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks, zero-width
// characters, the BOM. No font draws them, and in a name that becomes a
// download's file name a right-to-left override disguises its extension.
func isFormat(r rune) bool { return r > 0x7f && unicode.Is(unicode.Cf, r) }

type validator struct {
	f   *Form
	out Problems
}

func (v *validator) add(sev Severity, path, format string, args ...any) {
	v.out = append(v.out, Problem{Severity: sev, Path: path, Line: v.f.Line(path), Cell: v.f.Cell(path), Message: fmt.Sprintf(format, args...)})
}

func (v *validator) errorf(path, format string, args ...any) {
	v.add(SeverityError, path, format, args...)
}

func (v *validator) warnf(path, format string, args ...any) {
	v.add(SeverityWarning, path, format, args...)
}

// typed checks fields whose type says how to read them, and that a start
// comes before its end.
func (v *validator) typed(r Rules) {
	keys := make([]string, 0, len(r.Types))
	for k := range r.Types {
		keys = append(keys, k)
	}
	slices.Sort(keys) // stable message order
	dates := map[string]Date{}
	for _, key := range keys {
		val := strings.TrimSpace(v.f.Get(key))
		if _, unread := v.f.Unread[key]; unread {
			continue // reported as read
		}
		if val == "" || IsMoney(key) {
			continue // blank: the required check speaks; core money is parsed on input
		}
		switch r.Types[key] {
		case "date":
			d, err := ParseDate(val)
			if err != nil {
				v.errorf(key, "不是有效日期：%v", err)
				continue
			}
			dates[key] = d
		case "period":
			a, b, err := ParsePeriod(val)
			if err != nil {
				v.errorf(key, "不是有效期间：%v", err)
			} else if b.Before(a) {
				v.errorf(key, "期间结束 %s 早于开始 %s", b, a)
			}
		case "money":
			parse := ParseMoney
			if r.MoneyUnit == "万元" {
				parse = ParseWanYuan
			}
			if m, err := parse(val); err != nil {
				v.errorf(key, "金额格式错误：%v", err)
			} else if m.Fen < 0 {
				v.errorf(key, "金额不能为负数：%s", val)
			}
		case "year":
			if _, err := ParseYear(val); err != nil {
				v.errorf(key, "年度格式错误：%v", err)
			}
		case "choice":
			if opts := r.Options[key]; len(opts) > 0 && !slices.Contains(opts, val) {
				v.warnf(key, "应为%s之一，填写的是「%s」", strings.Join(opts, "、"), val)
			}
		}
	}
	start, okStart := dates["start"]
	end, okEnd := dates["end"]
	if okStart && okEnd && end.Before(start) {
		v.errorf("end", "计划完成日期 %s 早于计划开始日期 %s", end, start)
	}
}

func (v *validator) funds() {
	fd := v.f.Funds
	for _, m := range []struct {
		key string
		m   Money
	}{{"funds.total", fd.Total}, {"funds.current", fd.Current}, {"funds.last_budget", fd.LastBudget}, {"funds.last_spent", fd.LastSpent}} {
		if m.m.Set && m.m.Fen < 0 {
			v.errorf(m.key, "金额不能为负数：%s", m.m)
		}
	}
	if fd.Current.Set && fd.Total.Set && fd.Current.Fen > fd.Total.Fen {
		v.warnf("funds.current", "项目当年预算 %s 大于项目总预算 %s", fd.Current, fd.Total)
	}
	if fd.LastSpent.Set && fd.LastBudget.Set && fd.LastSpent.Fen > fd.LastBudget.Fen {
		v.warnf("funds.last_spent", "上年预算执行数 %s 大于上年预算额 %s", fd.LastSpent, fd.LastBudget)
	}
}

func (v *validator) indicators(r Rules) {
	vocab := r.Vocabulary
	has := func(col string) bool { return r.Columns == nil || slices.Contains(r.Columns, col) }
	ins := v.f.Indicators
	if len(ins) == 0 {
		v.errorf("indicators", "绩效指标表为空")
		return
	}
	if has("level1") && strings.TrimSpace(ins[0].Level1) == "" {
		v.errorf(IndicatorPath(0, "level1"), "第一行必须填写%s", r.colLabel("level1", "一级目标"))
	}
	if has("level2") && strings.TrimSpace(ins[0].Level2) == "" {
		v.errorf(IndicatorPath(0, "level2"), "第一行必须填写%s", r.colLabel("level2", "二级目标"))
	}
	warned := map[string]bool{}
	col := r.colLabel
	for i, in := range ins {
		// Importers and the edit page fill a blank level down from the row
		// above; a row that still has none came from JSON, where every
		// row carries its levels (docs/form-schema-v1.md), and would print
		// as an empty cell that merges with nothing.
		if i > 0 && has("level1") && strings.TrimSpace(in.Level1) == "" {
			v.errorf(IndicatorPath(i, "level1"), "%s未填写（每行都要填写，不能留空表示“同上”）", col("level1", "一级目标"))
		} else if i > 0 && has("level2") && strings.TrimSpace(in.Level2) == "" && in.Level1 != ins[i-1].Level1 {
			v.errorf(IndicatorPath(i, "level2"), "%s未填写（新的%s下第一行要填写）", col("level2", "二级目标"), col("level1", "一级目标"))
		}
		if has("level3") && strings.TrimSpace(in.Level3) == "" && strings.TrimSpace(string(in.Target)) != "" {
			v.warnf(IndicatorPath(i, "level3"), "%s未填写", col("level3", "三级目标"))
		}
		if strings.TrimSpace(string(in.Target)) == "" {
			if strings.TrimSpace(in.Level3) != "" {
				v.errorf(IndicatorPath(i, "target"), "%s未填写", col("target", "指标目标值"))
			}
		} else if _, _, err := in.Target.Parse(); err != nil {
			v.errorf(IndicatorPath(i, "target"), "%s格式错误：%v（例如 =90%%、>=10%%、<=450家 或 规范）", col("target", "指标目标值"), err)
		} else if t := strings.TrimSpace(string(in.Target)); chineseNumeral(t) {
			// Read as a qualitative target it cannot be scored against
			// the actual value; the clerk almost always meant a number.
			v.warnf(IndicatorPath(i, "target"), "「%s」是汉字写的数，会被当作文字目标、无法与实际值比较；请写成数字，例如 =90 或 >=90%%", t)
		}
		l1 := strings.TrimSpace(in.Level1)
		if len(vocab.Level1) > 0 && l1 != "" && !slices.Contains(vocab.Level1, l1) && !warned[l1] {
			warned[l1] = true
			v.warnf(IndicatorPath(i, "level1"), "%s「%s」不在指标体系中（可用：%s）", col("level1", "一级目标"), l1, strings.Join(vocab.Level1, "、"))
		}
		if allowed, ok := vocab.Level2[l1]; ok {
			l2 := strings.TrimSpace(in.Level2)
			if l2 != "" && !containsLevel(allowed, l2) && !warned[l1+"/"+l2] {
				warned[l1+"/"+l2] = true
				v.warnf(IndicatorPath(i, "level2"), "二级指标「%s」不属于「%s」（可用：%s）", l2, l1, strings.Join(allowed, "、"))
			}
		}
	}
}

// containsLevel matches level names with or without the 指标 suffix
// (数量 and 数量指标 are the same level-2 name in published forms).
func containsLevel(names []string, name string) bool {
	short := strings.TrimSuffix(name, "指标")
	return slices.ContainsFunc(names, func(n string) bool { return strings.TrimSuffix(n, "指标") == short })
}

// chineseNumeral reports whether s is a number written in Chinese
// numerals (九十, 一百二十, 两千), nothing else.
func chineseNumeral(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("零〇一二两三四五六七八九十百千万亿点", r) {
			return false
		}
	}
	return true
}
