package reports

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Kinds of Actuals: what a unit reports against a target form during the
// year (绩效运行监控) and after it (绩效自评).
const (
	KindSelfEvaluation = "self-evaluation" // 项目支出绩效自评表
	KindMonitoring     = "monitoring"      // 项目支出绩效运行监控表
)

// Actuals is what a project achieved against its target form: the money
// spent and each indicator's actual value, with the clerk's explanations.
// It refers to one version of the target form (FormVersion) and pairs its
// indicators with that version's rows by position; Level3 repeats each
// row's 三级指标 so that a pairing with a changed form is caught.
type Actuals struct {
	Kind string `json:"kind"` // KindSelfEvaluation or KindMonitoring
	Year int    `json:"year"` // 年度, the target form's
	// FormVersion is the version of the target form these actuals were
	// entered against (0 when the form is not stored, as on the command line).
	FormVersion int `json:"form_version,omitempty"`
	// Month is the last month a monitoring report covers (1–N月), 1–12.
	Month int `json:"month,omitempty"`

	Funds FundActuals `json:"funds"`
	// Goal is 年度总体目标 as expected (预期目标); blank takes the target
	// form's annual goal.
	Goal string `json:"goal,omitempty"`
	// Summary is 年度总体目标 as achieved (实际完成情况).
	Summary    string            `json:"summary,omitempty"`
	Indicators []IndicatorActual `json:"indicators"`

	// Source and Lines say where the actuals came from, for messages.
	Source string         `json:"-"`
	Lines  map[string]int `json:"-"`
	// Cells maps a path to the workbook cell it was read from.
	Cells map[string]string `json:"-"`
}

// FundActuals are the rows of 项目资金: 年度资金总额 and its parts
// 当年财政拨款, 上年结转资金 and 其他资金. A total left blank is the sum of
// its parts.
type FundActuals struct {
	Total     FundRow `json:"total"`     // 年度资金总额
	Fiscal    FundRow `json:"fiscal"`    // 其中：当年财政拨款
	CarryOver FundRow `json:"carryover"` // 上年结转资金
	Other     FundRow `json:"other"`     // 其他资金
}

// FundRow is one row of 项目资金, exact in 分.
type FundRow struct {
	Initial Money `json:"initial"` // 年初预算数
	Budget  Money `json:"budget"`  // 全年预算数
	Spent   Money `json:"spent"`   // 全年执行数 (monitoring: 1–N月执行数)
}

// IndicatorActual is what one indicator row achieved.
type IndicatorActual struct {
	Level3 string `json:"level3,omitempty"` // 三级指标 of the paired target row, as a check
	// Actual is 实际完成值 (monitoring: 1–N月实际完成值): a number with the
	// target's unit ("95%", "2600家") or, for a qualitative target, words.
	Actual string `json:"actual"`
	// Points is 分值 when the self-evaluation sets it; blank spreads the
	// level-1 group's weight evenly (or takes the target form's 分值).
	Points string `json:"points,omitempty"`
	// Band and Percent score a qualitative target: the band of the rule
	// (达成年度指标 80–100%, 部分达成 60–80%, 未达成 0–60% of the points)
	// and the percentage chosen inside it.
	Band    string `json:"band,omitempty"`
	Percent string `json:"percent,omitempty"`
	// Score may replace Percent: the points given to a qualitative row
	// (得分, as a clerk writes it in the workbook); Band, when blank, is
	// the band the share falls in.
	Score string `json:"score,omitempty"`
	// Reason is 偏差原因分析及改进措施, required when the indicator did not
	// get its full points.
	Reason string `json:"reason,omitempty"`

	// Monitoring only.
	Forecast   string `json:"forecast,omitempty"`   // 全年预计完成值
	Cause      string `json:"cause,omitempty"`      // 偏差原因: 经费保障 制度保障 人员保障 硬件条件保障 其他
	Likelihood string `json:"likelihood,omitempty"` // 完成目标可能性: 确定能 有可能 完全不可能
	Note       string `json:"note,omitempty"`       // 备注
}

// Qualitative bands of the 财政部 rule, by name, with the share of the
// points (percent) each allows.
var Bands = []Band{
	{Name: "达成年度指标", Short: "达成", Min: 80, Max: 100},
	{Name: "部分达成年度指标并具有一定效果", Short: "部分达成", Min: 60, Max: 80},
	{Name: "未达成年度指标且效果较差", Short: "未达成", Min: 0, Max: 60},
}

// Band is a qualitative scoring band: Min–Max percent of the points.
type Band struct {
	Name, Short string
	Min, Max    int
}

// BandOf finds a band by its name or short name ("达成", "部分达成", "未达成").
func BandOf(s string) (Band, bool) {
	s = strings.TrimSpace(s)
	for _, b := range Bands {
		if s == b.Name || s == b.Short {
			return b, true
		}
	}
	return Band{}, false
}

// BandFor is the band a percentage of the points falls in, the higher band
// at a shared bound (80% is 达成).
func BandFor(percent *big.Rat) Band {
	for _, b := range Bands {
		if percent.Cmp(big.NewRat(int64(b.Min), 1)) >= 0 {
			return b
		}
	}
	return Bands[len(Bands)-1]
}

// Causes and Likelihoods are the choices of a monitoring row.
var (
	Causes      = []string{"经费保障", "制度保障", "人员保障", "硬件条件保障", "其他"}
	Likelihoods = []string{"确定能", "有可能", "完全不可能"}
)

// FundRowKeys and FundColumnKeys name the cells of 项目资金 in paths:
// "funds.fiscal.spent".
var (
	FundRowKeys    = []Field{{Key: "total", Label: "年度资金总额"}, {Key: "fiscal", Label: "当年财政拨款"}, {Key: "carryover", Label: "上年结转资金"}, {Key: "other", Label: "其他资金"}}
	FundColumnKeys = []Field{{Key: "initial", Label: "年初预算数"}, {Key: "budget", Label: "全年预算数"}, {Key: "spent", Label: "全年执行数"}}
)

// ActualFields are the keys of an indicator's actual columns, with labels.
var ActualFields = []Field{
	{Key: "actual", Label: "实际完成值"},
	{Key: "points", Label: "分值"},
	{Key: "score", Label: "得分"},
	{Key: "band", Label: "评分档次"},
	{Key: "percent", Label: "得分比例"},
	{Key: "reason", Label: "偏差原因分析及改进措施"},
	{Key: "forecast", Label: "全年预计完成值"},
	{Key: "cause", Label: "偏差原因"},
	{Key: "likelihood", Label: "完成目标可能性"},
	{Key: "note", Label: "备注"},
}

// actualLabel names an actuals path that is not a form field:
// "funds.total.budget" → 年度资金总额全年预算数, "summary" → 实际完成情况.
func actualLabel(path string) (string, bool) {
	switch path {
	case "summary":
		return "年度总体目标实际完成情况", true
	case "goal":
		return "年度总体目标预期目标", true
	case "month":
		return "监控月份", true
	case "form_version":
		return "目标表版本", true
	case "kind":
		return "文档类型", true
	}
	if rest, ok := strings.CutPrefix(path, "funds."); ok {
		row, col, _ := strings.Cut(rest, ".")
		for _, r := range FundRowKeys {
			if r.Key != row {
				continue
			}
			for _, c := range FundColumnKeys {
				if c.Key == col {
					return r.Label + c.Label, true
				}
			}
			return r.Label, true
		}
	}
	return "", false
}

func actualColumnLabel(col string) (string, bool) {
	for _, f := range ActualFields {
		if f.Key == col {
			return f.Label, true
		}
	}
	return "", false
}

// Row returns the fund row by key ("total", "fiscal", "carryover", "other").
func (fa *FundActuals) Row(key string) *FundRow {
	switch key {
	case "total":
		return &fa.Total
	case "fiscal":
		return &fa.Fiscal
	case "carryover":
		return &fa.CarryOver
	case "other":
		return &fa.Other
	}
	return nil
}

// Cell returns one amount of a row by column key ("initial", "budget", "spent").
func (r *FundRow) Cell(key string) *Money {
	switch key {
	case "initial":
		return &r.Initial
	case "budget":
		return &r.Budget
	case "spent":
		return &r.Spent
	}
	return nil
}

// Get returns an actual column by key (see ActualFields).
func (ia *IndicatorActual) Get(key string) string {
	switch key {
	case "level3":
		return ia.Level3
	case "actual":
		return ia.Actual
	case "points":
		return ia.Points
	case "band":
		return ia.Band
	case "percent":
		return ia.Percent
	case "score":
		return ia.Score
	case "reason":
		return ia.Reason
	case "forecast":
		return ia.Forecast
	case "cause":
		return ia.Cause
	case "likelihood":
		return ia.Likelihood
	case "note":
		return ia.Note
	}
	return ""
}

// Set assigns an actual column by key; unknown keys are ignored.
func (ia *IndicatorActual) Set(key, v string) {
	switch key {
	case "level3":
		ia.Level3 = v
	case "actual":
		ia.Actual = v
	case "points":
		ia.Points = v
	case "band":
		ia.Band = v
	case "percent":
		ia.Percent = v
	case "score":
		ia.Score = v
	case "reason":
		ia.Reason = v
	case "forecast":
		ia.Forecast = v
	case "cause":
		ia.Cause = v
	case "likelihood":
		ia.Likelihood = v
	case "note":
		ia.Note = v
	}
}

// NewActuals returns blank actuals of a kind for a target form: one row per
// indicator, each carrying its 三级指标.
func NewActuals(kind string, f *Form) *Actuals {
	a := &Actuals{Kind: kind, Year: f.Year, Indicators: make([]IndicatorActual, len(f.Indicators))}
	for i, in := range f.Indicators {
		a.Indicators[i].Level3 = in.Level3
	}
	return a
}

// Line returns the source line of a path, or 0.
func (a *Actuals) Line(path string) int { return a.Lines[path] }

// SetLine records where a path came from.
func (a *Actuals) SetLine(path string, line int) {
	if a.Lines == nil {
		a.Lines = map[string]int{}
	}
	a.Lines[path] = line
}

// KindTitle is the Chinese name of an actuals kind.
func KindTitle(kind string) string {
	switch kind {
	case KindSelfEvaluation:
		return "项目支出绩效自评表"
	case KindMonitoring:
		return "项目支出绩效运行监控表"
	}
	return kind
}

// DocumentFileName is the base name of a rendered self-evaluation or
// monitoring report of target form f: "2020-单位-项目-绩效自评表".
func DocumentFileName(f *Form, kind string) string {
	short := map[string]string{KindSelfEvaluation: "绩效自评表", KindMonitoring: "绩效运行监控表"}[kind]
	if short == "" {
		return f.FileName()
	}
	return SafeName(f.FileName() + "-" + short)
}

// MonthLabel is "1-6月" for Month 6, the period a monitoring report covers.
func (a *Actuals) MonthLabel() string {
	if a.Month < 1 {
		return "1-N月"
	}
	if a.Month == 1 {
		return "1月"
	}
	return "1-" + strconv.Itoa(a.Month) + "月"
}

func (a *Actuals) String() string {
	return fmt.Sprintf("%s %d (%d indicators)", KindTitle(a.Kind), a.Year, len(a.Indicators))
}
