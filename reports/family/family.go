package family

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/reportd/reportd/reports"
)

// Field types a family may declare. They tell importers how to read a value
// and the layout how to print it; every value is still kept verbatim.
const (
	TypeText     = "text"     // one line or a few words
	TypeLongText = "longtext" // paragraphs, printed as a full-width row
	TypeDate     = "date"     // reports.ParseDate
	TypePeriod   = "period"   // reports.ParsePeriod: "2023.07-2024.01"
	TypeMoney    = "money"    // an amount in the family's money unit
	TypeYear     = "year"     // reports.ParseYear
	TypeChoice   = "choice"   // one of Options (是/否)
)

// Money units of the fund rows.
const (
	UnitYuan    = "元"
	UnitWanYuan = "万元"
)

// Document kinds a family lays out. A target form (绩效目标表) is entered by
// clerks; the other kinds are derived from a stored target form and what was
// achieved (reports.Actuals), so importers never detect them.
const (
	KindTarget         = "target"          // 绩效目标表 (the default)
	KindSelfEvaluation = "self-evaluation" // 绩效自评表
	KindMonitoring     = "monitoring"      // 绩效运行监控表
)

// Kinds lists the document kinds, the target form first.
var Kinds = []string{KindTarget, KindSelfEvaluation, KindMonitoring}

// Family is one issuer's form layout, read from a JSON file.
type Family struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Kind is the document laid out: "" or "target", "self-evaluation",
	// "monitoring".
	Kind string `json:"kind,omitempty"`
	// Default marks the family used when a form names none and detection
	// finds no better match (for other kinds: the one used for a target
	// form whose family names none of that kind).
	Default  bool         `json:"default,omitempty"`
	Subtitle string       `json:"subtitle,omitempty"` // "({year}年度)"
	Header   []HeaderLine `json:"header,omitempty"`   // "申报单位名称：{unit}" or {"left": "填报单位：（盖章）", "right": "单位：万元"}
	// Footer lines print under the table: a sign-off line (填表人：…),
	// footnotes (注：…). {key} is replaced like in Header.
	Footer []string `json:"footer,omitempty"`
	// Detect lists extra titles by which importers recognise the family;
	// Title and the field labels count too.
	Detect     Detect     `json:"detect,omitzero"`
	Fields     []Field    `json:"fields"`
	Funds      Funds      `json:"funds,omitzero"`
	Indicators Indicators `json:"indicators"`
	Vocab      Vocab      `json:"vocabulary,omitzero"`
	Page       Page       `json:"page"`
	Table      Table      `json:"table"`
	// MarkDrafts prints a 草稿 mark on every page of a form that has
	// validation errors.
	MarkDrafts bool `json:"mark_drafts,omitempty"`
	// Scoring declares how a self-evaluation scores forms of this family
	// (weights of its level-1 names) and, on a self-evaluation family, how
	// scores print. Nil means the 财政部 defaults.
	Scoring *Scoring `json:"scoring,omitempty"`
	// Companions names, per document kind, the family that lays out this
	// target form's self-evaluation or monitoring ("self-evaluation":
	// "self-evaluation-2020"); a kind not named uses that kind's default.
	Companions map[string]string `json:"companions,omitempty"`

	// Source is the file the family was read from ("embedded:families/x.json"
	// or a path), for messages.
	Source string `json:"-"`
	fields map[string]*Field
}

// Scoring is the scoring rule of a family (see reports.ScoringRules).
// Numbers are exact decimals.
type Scoring struct {
	// BudgetPoints are the points of 预算执行率 (default 10).
	BudgetPoints json.Number `json:"budget_points,omitempty"`
	// Weights give each group of level-1 names its points; with the budget
	// points they add up to 100.
	Weights []Weight `json:"weights,omitempty"`
	// Decimals is how many decimals scores print with (1 or 2; default 2).
	Decimals int `json:"decimals,omitempty"`
	// ReviewAbovePercent flags an actual this far beyond its target
	// (actual/target, in percent) for review (default 120).
	ReviewAbovePercent json.Number `json:"review_above_percent,omitempty"`
	// Why documents the choice (the rule it follows); not used by code.
	Why string `json:"why,omitempty"`
}

// Weight is the points of one group of level-1 names.
type Weight struct {
	Level1 []string    `json:"level1"`
	Points json.Number `json:"points"`
}

// Detect holds importer hints.
type Detect struct {
	Titles []string `json:"titles,omitempty"`
}

// Field is a scalar field of the form as this family labels it.
type Field struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Synonyms []string `json:"synonyms,omitempty"`
	Type     string   `json:"type"`
	Options  []string `json:"options,omitempty"` // for TypeChoice
	Required bool     `json:"required,omitempty"`
}

// HeaderLine is a line above the table: text on the left and, optionally,
// text on the right of the same line ("填报单位：（盖章）" … "单位：万元").
// In a family file it is a string (left only) or {"left": …, "right": …}.
type HeaderLine struct {
	Left  string `json:"left,omitempty"`
	Right string `json:"right,omitempty"`
}

// UnmarshalJSON accepts a plain string as a left-aligned line.
func (h *HeaderLine) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		h.Right = ""
		return json.Unmarshal(b, &h.Left)
	}
	type plain HeaderLine // no UnmarshalJSON: no recursion
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(h))
}

// Funds declares the fund block.
type Funds struct {
	Unit string   `json:"unit"` // 元 or 万元
	Rows []string `json:"rows"` // money field keys, in printed order
	// Decimals is the least number of decimals an amount is printed
	// with (default 2); MaxDecimals the most (default 2 in 元, 6 in 万元,
	// which is exact to the 分). All amounts of one printed column show the
	// same number of decimals: as many as the most precise one needs,
	// between the two. An amount more precise than MaxDecimals is rounded
	// for print only (half away from zero); the form keeps it exact.
	Decimals    *int `json:"decimals,omitempty"`
	MaxDecimals *int `json:"max_decimals,omitempty"`
	// LabelUnit false leaves the unit out of money labels, for a form that
	// states it once in a header line ("单位：万元"); default true:
	// "项目总预算（元）".
	LabelUnit *bool `json:"label_unit,omitempty"`
}

// DecimalRange is the least and most decimals amounts print with.
func (f *Family) DecimalRange() (least, most int) {
	least, most = 2, 2
	if f.Funds.Unit == UnitWanYuan {
		most = 6
	}
	if f.Funds.Decimals != nil {
		least = *f.Funds.Decimals
	}
	if f.Funds.MaxDecimals != nil {
		most = *f.Funds.MaxDecimals
	} else if most < least {
		most = least
	}
	return least, most
}

// Indicators declares the columns of the indicator table.
type Indicators struct {
	Columns []Column `json:"columns"`
}

// Column is an indicator table column.
type Column struct {
	Key      string   `json:"key"` // level1, level2, level3, target or an extra key such as 绩效标准
	Label    string   `json:"label"`
	Synonyms []string `json:"synonyms,omitempty"`
	Span     int      `json:"span,omitempty"` // grid columns covered; 0 means 1
	// Merge joins equal consecutive values vertically (一级/二级 levels).
	Merge bool `json:"merge,omitempty"`
	// FillDown says a blank cell of this column in an imported table means
	// "same as the row above" (a merged cell copied out of a print). The
	// default is the column's Merge.
	FillDown *bool `json:"fill_down,omitempty"`
	// ReadOnly keeps the column's cells locked in workbooks although they
	// show form values (the targets in a self-evaluation workbook).
	ReadOnly bool `json:"readonly,omitempty"`
}

// FillsDown reports whether blank cells of the column repeat the row above.
func (c Column) FillsDown() bool {
	if c.FillDown != nil {
		return *c.FillDown
	}
	return c.Merge
}

// Vocab is the accepted indicator level names (see reports.Vocabulary).
type Vocab struct {
	Level1 []string            `json:"level1,omitempty"`
	Level2 map[string][]string `json:"level2,omitempty"`
}

// Page is the page setup: A4 sizes in millimetres, type sizes in points.
type Page struct {
	WidthMM        float64 `json:"width_mm"`
	HeightMM       float64 `json:"height_mm"`
	TopMM          float64 `json:"top_mm"`
	BottomMM       float64 `json:"bottom_mm"`
	LeftMM         float64 `json:"left_mm"`
	RightMM        float64 `json:"right_mm"`
	FooterMM       float64 `json:"footer_mm"`
	TitleSize      float64 `json:"title_pt"`
	SubtitleSize   float64 `json:"subtitle_pt"`
	HeadingSize    float64 `json:"heading_pt"`
	BodySize       float64 `json:"body_pt"`
	PageNumberSize float64 `json:"page_number_pt,omitempty"`
	Leading        float64 `json:"leading,omitempty"`
	PaddingMM      float64 `json:"padding_mm,omitempty"`
	// KeepLines: a table row of at most this many lines is never split
	// across pages (0 means 6); longer rows split line by line.
	KeepLines int `json:"keep_lines,omitempty"`
	// FramePt and RulePt are the widths of the table's outer frame and
	// inner rules in points (0 means 1 and 0.5, the common print pair).
	FramePt float64 `json:"frame_pt,omitempty"`
	RulePt  float64 `json:"rule_pt,omitempty"`
	// Shade fills label cells and headings light grey; published forms
	// mostly print them plain, so it is off unless a family asks.
	Shade bool `json:"shade,omitempty"`
	// Why documents the choices (GB/T 9704 margins…); not used by code.
	Why string `json:"why,omitempty"`
}

// Table is the printed table: relative column widths and sections.
type Table struct {
	Columns  []float64 `json:"columns"`
	Sections []Section `json:"sections"`
}

// Section is a group of rows, optionally introduced by a heading row. An
// indicator section prints the column header and one row per indicator.
type Section struct {
	Heading string `json:"heading,omitempty"` // "{year}年绩效目标"
	// HeadingField is a form field that, when filled, overrides Heading
	// (the heading exactly as the source wrote it).
	HeadingField string `json:"heading_field,omitempty"`
	// Label is printed in a cell at the left of every row of the section
	// (the indicator section's column header included), LabelSpan grid
	// columns wide (default 1): "本年度绩效指标" beside the indicator
	// table, "项目资金" beside the fund rows.
	Label      string `json:"label,omitempty"`
	LabelSpan  int    `json:"label_span,omitempty"`
	Rows       []Row  `json:"rows,omitempty"`
	Indicators bool   `json:"indicators,omitempty"`
}

// Row is one printed row of label and value cells.
type Row struct {
	Cells []Cell `json:"cells"`
	// HeightMM is the least height of the row: room for a signature or a
	// 审核意见 written by hand.
	HeightMM float64 `json:"height_mm,omitempty"`
}

// Cell is a label, a value or a blank box. Exactly one of Label, Text,
// Value and Blank is set.
type Cell struct {
	Label string `json:"label,omitempty"` // field key whose label is printed
	Text  string `json:"text,omitempty"`  // literal label text
	Value string `json:"value,omitempty"` // field key whose value is printed
	// Blank is a box the unit does not fill (财政部门审核意见: written
	// or stamped on paper).
	Blank bool   `json:"blank,omitempty"`
	Span  int    `json:"span,omitempty"`  // grid columns; 0 means 1
	Rows  int    `json:"rows,omitempty"`  // rows covered, this one and those below; 0 means 1
	Align string `json:"align,omitempty"` // left, center, right; default by type
	// ReadOnly keeps a value cell locked in workbooks (a computed score).
	ReadOnly bool `json:"readonly,omitempty"`
}

// DocumentKind is the kind of document the family lays out, KindTarget
// when the file names none.
func (f *Family) DocumentKind() string {
	if f.Kind == "" {
		return KindTarget
	}
	return f.Kind
}

// Field returns the field declared under key.
func (f *Family) Field(key string) (*Field, bool) {
	if f.fields == nil { // a Family built in code rather than by Parse
		for i := range f.Fields {
			if f.Fields[i].Key == key {
				return &f.Fields[i], true
			}
		}
		return nil, false
	}
	fd, ok := f.fields[key]
	return fd, ok
}

// PrintedLabel is the label printed for a field: money fields carry the
// unit, "项目总预算（元）".
func (f *Family) PrintedLabel(fd *Field) string {
	if fd == nil {
		return ""
	}
	if f.Funds.LabelUnit != nil && !*f.Funds.LabelUnit {
		return fd.Label
	}
	if fd.Type == TypeMoney && f.Funds.Unit != "" && !strings.Contains(fd.Label, f.Funds.Unit) {
		return fd.Label + "（" + f.Funds.Unit + "）"
	}
	return fd.Label
}

// Vocabulary is the level vocabulary for reports.Validate; a family that
// declares none accepts reports.DefaultVocabulary.
func (f *Family) Vocabulary() reports.Vocabulary {
	if len(f.Vocab.Level1) == 0 {
		return reports.DefaultVocabulary
	}
	return reports.Vocabulary{Level1: f.Vocab.Level1, Level2: f.Vocab.Level2}
}

// TitleOf is the title printed for a form that states none: the family's
// title with {year} and other keys replaced.
func (f *Family) TitleOf(form *reports.Form) string {
	return Expand(f.Title, form)
}

// NormalizeTitle is NormalizeLabel without a leading year ("2023年",
// "2023年度") and without the brackets of a subtitle: titles such as
// "2023年项目支出绩效目标申报表" match the family title
// "{year}年项目支出绩效目标申报表".
func NormalizeTitle(s string) string {
	s = NormalizeLabel(s)
	s = strings.ReplaceAll(s, "{year}", "")
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 4 {
		s = s[i:]
	}
	s = strings.TrimPrefix(s, "年度")
	s = strings.TrimPrefix(s, "年")
	return strings.NewReplacer("（", "(", "）", ")").Replace(s)
}

// NormalizeLabel strips what varies around a label in real documents:
// spaces, a trailing colon, a trailing unit in brackets ("（元）", "(万元)")
// and the 指标/目标 wording is left alone (they are real synonyms).
func NormalizeLabel(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\u3000', '\n', '\r':
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, ":：")
	for _, u := range []string{"（元）", "(元)", "（万元）", "(万元)"} {
		s = strings.TrimSuffix(s, u)
	}
	return s
}

// FieldKey maps a label as found in a document ("项目总预算（元）：") to the
// field key, matching labels and synonyms after NormalizeLabel.
func (f *Family) FieldKey(label string) (string, bool) {
	n := NormalizeLabel(label)
	if n == "" {
		return "", false
	}
	for i := range f.Fields {
		fd := &f.Fields[i]
		if NormalizeLabel(fd.Label) == n {
			return fd.Key, true
		}
		for _, s := range fd.Synonyms {
			if NormalizeLabel(s) == n {
				return fd.Key, true
			}
		}
	}
	return "", false
}

// ColumnKey maps an indicator table header ("一级指标") to its column key.
func (f *Family) ColumnKey(label string) (string, bool) {
	n := NormalizeLabel(label)
	for _, c := range f.Indicators.Columns {
		if NormalizeLabel(c.Label) == n {
			return c.Key, true
		}
		for _, s := range c.Synonyms {
			if NormalizeLabel(s) == n {
				return c.Key, true
			}
		}
	}
	return "", false
}

// Expand replaces each {key} in s by f.Get(key) (year, unit, project…).
// Text without braces is returned as is.
func Expand(s string, form *reports.Form) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteString(form.Get(s[i+1 : i+j]))
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// IsLiteral reports whether text (as found in a document) is printed by the
// family itself rather than filled by the unit: a literal cell
// ("财政部门审核意见"), a section's side label ("本年度绩效指标"), a header
// or footer line without fields ("填报单位：（盖章）", "注：…"). Importers
// skip such text.
func (f *Family) IsLiteral(text string) bool {
	n := NormalizeLabel(text)
	if n == "" {
		return false
	}
	lit := func(s string) bool { return s != "" && !strings.Contains(s, "{") && NormalizeLabel(s) == n }
	for _, h := range f.Header {
		if lit(h.Left) || lit(h.Right) || lit(h.Left+h.Right) {
			return true
		}
	}
	for _, l := range f.Footer {
		if lit(l) {
			return true
		}
	}
	for _, s := range f.Table.Sections {
		if lit(s.Label) {
			return true
		}
		for _, r := range s.Rows {
			for _, c := range r.Cells {
				if lit(c.Text) {
					return true
				}
			}
		}
	}
	return false
}

// IndicatorLabel is the side label of the indicator section, or "".
func (f *Family) IndicatorLabel() string {
	for _, s := range f.Table.Sections {
		if s.Indicators {
			return s.Label
		}
	}
	return ""
}
