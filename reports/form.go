package reports

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// DefaultTitle is the title every family of this form shares unless its
// template says otherwise.
const DefaultTitle = "财政项目支出绩效目标表"

// Form is one 财政项目支出绩效目标表. Text fields hold exactly what was
// entered (printing is lossless); dates stay text because issuers write them
// in many ways (ParseDate reads them); money is exact.
type Form struct {
	Family string `json:"family,omitempty"` // form family (template) name; "" means detect or default
	Title  string `json:"title,omitempty"`  // 财政项目支出绩效目标表
	Year   int    `json:"year"`             // 年度
	Unit   string `json:"unit"`             // 申报单位名称

	Project     string `json:"project"`      // 项目名称
	Category    string `json:"category"`     // 项目类别
	Start       string `json:"start"`        // 计划开始日期
	End         string `json:"end"`          // 计划完成日期
	GovPurchase string `json:"gov_purchase"` // 是否含有政府购买服务
	PerfType    string `json:"perf_type"`    // 绩效类型

	Overview  string `json:"overview"`  // 项目概况
	Basis     string `json:"basis"`     // 立项依据
	Necessity string `json:"necessity"` // 项目设立的必要性
	Measures  string `json:"measures"`  // 保证项目实施的制度、措施
	Plan      string `json:"plan"`      // 项目实施计划
	Goals     string `json:"goals"`     // 总目标及阶段性目标

	FundsHeading string `json:"funds_heading,omitempty"` // 本项目上年度市级财政资金使用情况
	Funds        Funds  `json:"funds"`

	TargetsHeading string      `json:"targets_heading,omitempty"` // 2020年绩效目标
	Indicators     []Indicator `json:"indicators"`

	// Extra holds fields a form family declares beyond the ones above
	// (主管部门及代码, 实施期目标, …), keyed by the family's field key.
	Extra map[string]string `json:"extra,omitempty"`

	// Source and Lines say where the form came from, for messages:
	// Lines maps a field path ("funds.total", "indicators[2].target") to its line.
	Source string         `json:"-"`
	Lines  map[string]int `json:"-"`
	// Cells maps a field path to the workbook cell it was read from
	// ("绩效目标表!G14") when the form came from a workbook.
	Cells map[string]string `json:"-"`
	// Unread holds, by field path, what a reader found but could not take
	// as the field's type (an amount "七十九万", a year "二〇二〇", an
	// unknown key). Readers go on reading so that Check reports every
	// problem of a form in one pass; Get shows the text as it was entered.
	Unread map[string]Unread `json:"-"`
	// Draft marks a document derived from a form (a self-evaluation) whose
	// own validation found errors Check cannot see: families that mark
	// drafts print it as one.
	Draft bool `json:"-"`
}

// Unread is a value that does not fit its field: the text as entered and
// why it was not taken, in words for the clerk.
type Unread struct {
	Text   string
	Reason string
}

// MarkUnread records a value that could not be read at path.
func (f *Form) MarkUnread(path, text, reason string) {
	if f.Unread == nil {
		f.Unread = map[string]Unread{}
	}
	f.Unread[path] = Unread{Text: text, Reason: reason}
}

// Funds is the fund block, in 元 with exact cents.
type Funds struct {
	Total      Money `json:"total"`       // 项目总预算
	Current    Money `json:"current"`     // 项目当年预算
	LastBudget Money `json:"last_budget"` // 同名项目上年预算额
	LastSpent  Money `json:"last_spent"`  // 同名项目上年预算执行数
}

// Indicator is one row of the 年度绩效目标 table. Level1 and Level2 are always
// filled in the model (importers fill blank cells down); layouts merge equal
// neighbours again.
type Indicator struct {
	Level1 string `json:"level1"` // 一级目标/一级指标
	Level2 string `json:"level2"` // 二级目标/二级指标
	Level3 string `json:"level3"` // 三级目标/三级指标
	Target Target `json:"target"` // 指标目标值, verbatim
	// Extra holds family-specific columns (绩效标准, 指标解释, 长期目标值…).
	Extra map[string]string `json:"extra,omitempty"`
}

// Field describes one scalar field of Form: its stable key (used as the path
// in messages, in JSON and by form-family templates) and its Chinese label.
type Field struct {
	Key   string
	Label string
	Long  bool // multi-paragraph text, printed as a full-width row
}

// Fields lists Form's scalar fields in printed order. Funds and indicators
// are addressed as "funds.total" and "indicators[i].level1".
var Fields = []Field{
	{Key: "title", Label: "标题"},
	{Key: "year", Label: "年度"},
	{Key: "unit", Label: "申报单位名称"},
	{Key: "project", Label: "项目名称"},
	{Key: "category", Label: "项目类别"},
	{Key: "start", Label: "计划开始日期"},
	{Key: "end", Label: "计划完成日期"},
	{Key: "gov_purchase", Label: "是否含有政府购买服务"},
	{Key: "perf_type", Label: "绩效类型"},
	{Key: "overview", Label: "项目概况", Long: true},
	{Key: "basis", Label: "立项依据", Long: true},
	{Key: "necessity", Label: "项目设立的必要性", Long: true},
	{Key: "measures", Label: "保证项目实施的制度、措施", Long: true},
	{Key: "plan", Label: "项目实施计划", Long: true},
	{Key: "goals", Label: "总目标及阶段性目标", Long: true},
	{Key: "funds_heading", Label: "资金情况标题"},
	{Key: "funds.total", Label: "项目总预算"},
	{Key: "funds.current", Label: "项目当年预算"},
	{Key: "funds.last_budget", Label: "同名项目上年预算额"},
	{Key: "funds.last_spent", Label: "同名项目上年预算执行数"},
	{Key: "targets_heading", Label: "绩效目标标题"},
}

// IndicatorFields lists the columns every indicator has.
var IndicatorFields = []Field{
	{Key: "level1", Label: "一级目标"},
	{Key: "level2", Label: "二级目标"},
	{Key: "level3", Label: "三级目标"},
	{Key: "target", Label: "指标目标值"},
}

// LabelOf returns the Chinese label of a field path such as "funds.total" or
// "indicators[3].target", for messages clerks read.
func LabelOf(path string) string {
	if rest, ok := strings.CutPrefix(path, "indicators["); ok {
		idx, col, _ := strings.Cut(rest, "].")
		n, _ := strconv.Atoi(idx)
		for _, f := range IndicatorFields {
			if f.Key == col {
				return fmt.Sprintf("绩效指标第%d行%s", n+1, f.Label)
			}
		}
		if l, ok := actualColumnLabel(col); ok {
			return fmt.Sprintf("绩效指标第%d行%s", n+1, l)
		}
		return fmt.Sprintf("绩效指标第%d行", n+1)
	}
	for _, f := range Fields {
		if f.Key == path {
			return f.Label
		}
	}
	if l, ok := actualLabel(path); ok {
		return l
	}
	if k, ok := strings.CutPrefix(path, "extra."); ok {
		return k
	}
	return path
}

func (f *Form) money(key string) *Money {
	switch key {
	case "funds.total":
		return &f.Funds.Total
	case "funds.current":
		return &f.Funds.Current
	case "funds.last_budget":
		return &f.Funds.LastBudget
	case "funds.last_spent":
		return &f.Funds.LastSpent
	}
	return nil
}

func (f *Form) text(key string) *string {
	switch key {
	case "title":
		return &f.Title
	case "unit":
		return &f.Unit
	case "project":
		return &f.Project
	case "category":
		return &f.Category
	case "start":
		return &f.Start
	case "end":
		return &f.End
	case "gov_purchase":
		return &f.GovPurchase
	case "perf_type":
		return &f.PerfType
	case "overview":
		return &f.Overview
	case "basis":
		return &f.Basis
	case "necessity":
		return &f.Necessity
	case "measures":
		return &f.Measures
	case "plan":
		return &f.Plan
	case "goals":
		return &f.Goals
	case "funds_heading":
		return &f.FundsHeading
	case "targets_heading":
		return &f.TargetsHeading
	}
	return nil
}

// Get returns a field's printable text by key: a Fields key, "extra.K" or a
// bare key unknown to Form (looked up in Extra). Money prints as "790,000.00".
func (f *Form) Get(key string) string {
	if u, ok := f.Unread[key]; ok {
		return u.Text
	}
	if p := f.text(key); p != nil {
		return *p
	}
	if m := f.money(key); m != nil {
		return m.String()
	}
	if key == "year" {
		if f.Year == 0 {
			return ""
		}
		return strconv.Itoa(f.Year)
	}
	return f.Extra[strings.TrimPrefix(key, "extra.")]
}

// Set assigns a field from text, parsing money and the year. It is what
// importers and form families use to fill a Form generically. A value that
// does not parse is kept in Unread (so Check reports it and Get shows it)
// and its error returned; readers may go on reading.
func (f *Form) Set(key, value string) error {
	delete(f.Unread, key)
	if p := f.text(key); p != nil {
		*p = value
		return nil
	}
	if m := f.money(key); m != nil {
		v, err := ParseMoney(value)
		if err != nil {
			*m = Money{}
			f.MarkUnread(key, value, err.Error())
			return err
		}
		*m = v
		return nil
	}
	if key == "year" {
		y, err := ParseYear(value)
		if err != nil {
			f.Year = 0
			f.MarkUnread(key, value, err.Error()+"（应为四位数年份，例如 2020）")
			return err
		}
		f.Year = y
		return nil
	}
	if f.Extra == nil {
		f.Extra = map[string]string{}
	}
	f.Extra[strings.TrimPrefix(key, "extra.")] = value
	return nil
}

// Amount returns a fund amount by key ("funds.total", …); the zero Money
// for any other key.
func (f *Form) Amount(key string) Money {
	if m := f.money(key); m != nil {
		return *m
	}
	return Money{}
}

// IsMoney reports whether key names one of the fund amounts.
func IsMoney(key string) bool { return (&Form{}).money(key) != nil }

// ParseYear reads "2020", "2020年", "2020年度", "(2020年度)".
func ParseYear(s string) (int, error) {
	t := strings.TrimSpace(s)
	t = strings.Trim(t, "()（） ")
	t = strings.TrimSuffix(strings.TrimSuffix(t, "度"), "年")
	y, err := strconv.Atoi(t)
	if err != nil || y < 1900 || y > 2200 {
		return 0, fmt.Errorf("「%s」不是年份", s)
	}
	return y, nil
}

// Get returns an indicator column by key (level1, level2, level3, target or
// an extra column key).
func (in *Indicator) Get(key string) string {
	switch key {
	case "level1":
		return in.Level1
	case "level2":
		return in.Level2
	case "level3":
		return in.Level3
	case "target":
		return string(in.Target)
	}
	return in.Extra[key]
}

// Set assigns an indicator column by key.
func (in *Indicator) Set(key, value string) {
	switch key {
	case "level1":
		in.Level1 = value
	case "level2":
		in.Level2 = value
	case "level3":
		in.Level3 = value
	case "target":
		in.Target = Target(value)
	default:
		if in.Extra == nil {
			in.Extra = map[string]string{}
		}
		in.Extra[key] = value
	}
}

// Line returns the source line of a field path, or 0 when unknown.
func (f *Form) Line(path string) int { return f.Lines[path] }

// Cell returns the workbook cell a field path was read from, or "".
func (f *Form) Cell(path string) string { return f.Cells[path] }

// SetCell records the workbook cell ("绩效目标表!G14") a field path came from.
func (f *Form) SetCell(path, cell string) {
	if f.Cells == nil {
		f.Cells = map[string]string{}
	}
	f.Cells[path] = cell
}

// SetLine records where a field path came from.
func (f *Form) SetLine(path string, line int) {
	if f.Lines == nil {
		f.Lines = map[string]int{}
	}
	f.Lines[path] = line
}

// IndicatorPath is the field path of an indicator column: "indicators[2].target".
func IndicatorPath(i int, col string) string {
	return "indicators[" + strconv.Itoa(i) + "]." + col
}

// DisplayTitle is the title to print.
func (f *Form) DisplayTitle() string {
	if f.Title != "" {
		return f.Title
	}
	return DefaultTitle
}

// FileName is the base name (without extension) of a rendered document:
// "{年度}-{申报单位}-{项目名称}", with path separators and control characters
// replaced so it is safe on every file system and in archives.
func (f *Form) FileName() string {
	year := "年度未填"
	if f.Year != 0 {
		year = strconv.Itoa(f.Year)
	}
	unit, project := f.Unit, f.Project
	if unit == "" {
		unit = "单位未填"
	}
	if project == "" {
		project = "项目未填"
	}
	return SafeName(year + "-" + unit + "-" + project)
}

// SafeName replaces characters that are unsafe in file names (path
// separators, control and format characters, characters Windows refuses) with "_" and
// limits the length to 180 bytes without splitting a character.
func SafeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			b.WriteByte('_')
		case strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteByte('_')
		case r > 0x7f && unicode.Is(unicode.Cf, r):
			// Bidi overrides and other invisible format characters: a
			// right-to-left override would show "…exe.pdf" as "…fdp.exe".
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.Trim(b.String(), " .")
	for len(out) > 180 {
		_, size := lastRune(out)
		out = out[:len(out)-size]
	}
	if out == "" {
		out = "_"
	}
	return out
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return []rune(s[i:])[0], len(s) - i
		}
	}
	return 0, 1
}
