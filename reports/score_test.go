package reports_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
)

// scoringForm is a target form of the 财政部 framework: one indicator per
// default weight unless rows are given.
func scoringForm(rows ...reports.Indicator) *reports.Form {
	if len(rows) == 0 {
		rows = []reports.Indicator{
			{Level1: "产出指标", Level2: "数量指标", Level3: "培训人次", Target: "≥100人次"},
			{Level1: "效益指标", Level2: "社会效益指标", Level3: "知晓率", Target: "≥90%"},
			{Level1: "满意度指标", Level2: "服务对象满意度指标", Level3: "满意度", Target: "≥85%"},
		}
	}
	return &reports.Form{Year: 2024, Unit: "某单位", Project: "某项目", Indicators: rows}
}

// fullActuals meets every target of scoringForm() and spends the budget.
func fullActuals(f *reports.Form) *reports.Actuals {
	a := reports.NewActuals(reports.KindSelfEvaluation, f)
	a.Funds.Total = reports.FundRow{Initial: reports.Yuan(100000), Budget: reports.Yuan(100000), Spent: reports.Yuan(100000)}
	for i, in := range f.Indicators {
		m, quant, _ := in.Target.Parse()
		if quant {
			a.Indicators[i].Actual = m.Number + m.Unit
		} else {
			a.Indicators[i].Actual = "达到"
			a.Indicators[i].Band, a.Indicators[i].Percent = "达成", "100"
		}
	}
	return a
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}

// problemAt finds the problem of a severity at path.
func problemAt(ps reports.Problems, sev reports.Severity, path string) (reports.Problem, bool) {
	for _, p := range ps {
		if p.Path == path && p.Severity == sev {
			return p, true
		}
	}
	return reports.Problem{}, false
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name string
		rows []reports.Indicator
		edit func(a *reports.Actuals)
		// want: the exact score of row (or "budget", "total"), and
		// problems expected as "severity path substring".
		want     map[string]string
		problems []string
		clean    bool // no problems at all
	}{
		{name: "everything met scores 100", want: map[string]string{"total": "100", "budget": "10", "0": "50"}, clean: true},
		{name: "budget execution rate 95% scores 9.5",
			edit: func(a *reports.Actuals) { a.Funds.Total.Spent = reports.Yuan(95000) },
			want: map[string]string{"budget": "19/2", "total": "199/2"}, clean: true},
		{name: "spending above the budget is capped and warned",
			edit:     func(a *reports.Actuals) { a.Funds.Total.Spent = reports.Yuan(120000) },
			want:     map[string]string{"budget": "10"},
			problems: []string{"warning funds.total.spent 执行率120.00%"}},
		{name: "zero budget is an error, not a division by zero",
			edit:     func(a *reports.Actuals) { a.Funds.Total.Budget, a.Funds.Total.Spent = reports.Yuan(0), reports.Yuan(0) },
			want:     map[string]string{"budget": "0", "total": "90"},
			problems: []string{"error funds.total.budget 全年预算数为0"}},
		{name: "missing budget and initial budget are errors",
			edit:     func(a *reports.Actuals) { a.Funds.Total = reports.FundRow{Spent: reports.Yuan(1)} },
			want:     map[string]string{"budget": "0"},
			problems: []string{"error funds.total.budget 必填项未填写", "error funds.total.initial 必填项未填写"}},
		{name: "a blank total is the sum of its parts",
			edit: func(a *reports.Actuals) {
				a.Funds.Total = reports.FundRow{}
				a.Funds.Fiscal = reports.FundRow{Initial: reports.Yuan(60), Budget: reports.Yuan(60), Spent: reports.Yuan(50)}
				a.Funds.CarryOver = reports.FundRow{Initial: reports.Yuan(40), Budget: reports.Yuan(40), Spent: reports.Yuan(40)}
			},
			want: map[string]string{"budget": "9"}, clean: true},
		{name: "a total that is not the sum of its parts is an error",
			edit: func(a *reports.Actuals) {
				a.Funds.Fiscal = reports.FundRow{Budget: reports.Yuan(60)}
			},
			problems: []string{"error funds.total.budget 不等于其中各项之和"}},
		{name: "≥ target partly met scores actual/target of the points",
			edit: func(a *reports.Actuals) {
				a.Indicators[0].Actual, a.Indicators[0].Reason = "80人次", "培训因故推迟"
			},
			want: map[string]string{"0": "40", "total": "90"}, clean: true},
		{name: "= target scores like ≥",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "=200家"}, {Level1: "效益指标", Level3: "b", Target: "=1"}, {Level1: "满意度指标", Level3: "c", Target: "90%"}},
			edit: func(a *reports.Actuals) {
				a.Indicators[0].Actual, a.Indicators[0].Reason = "150家", "企业申报不足"
			},
			want: map[string]string{"0": "75/2"}, clean: true},
		{name: "> target equal to the actual gets full points",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: ">10个"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			want: map[string]string{"0": "50"}, clean: true},
		{name: "≤ target exceeded scores target/actual",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "成本", Target: "≤450家"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) { a.Indicators[0].Actual, a.Indicators[0].Reason = "500家", "超出" },
			want: map[string]string{"0": "45"}, clean: true},
		{name: "≤ target kept gets full points",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "成本", Target: "<=450家"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) { a.Indicators[0].Actual = "420家" },
			want: map[string]string{"0": "50"}, clean: true},
		{name: "< target with nothing at all gets full points",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "事故", Target: "<1起"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) { a.Indicators[0].Actual = "0起" },
			want: map[string]string{"0": "50"}, clean: true},
		{name: "far above target is capped and flagged for review",
			edit:     func(a *reports.Actuals) { a.Indicators[0].Actual = "150人次" },
			want:     map[string]string{"0": "50", "total": "100"},
			problems: []string{"warning indicators[0].actual 150%"}},
		{name: "far below a ceiling is flagged for review",
			rows:     []reports.Indicator{{Level1: "产出指标", Level3: "成本", Target: "≤100万元"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit:     func(a *reports.Actuals) { a.Indicators[0].Actual = "50万元" },
			want:     map[string]string{"0": "50"},
			problems: []string{"warning indicators[0].actual 200%"}},
		{name: "% target needs a % actual",
			edit:     func(a *reports.Actuals) { a.Indicators[1].Actual = "95" },
			want:     map[string]string{"1": "0"},
			problems: []string{"error indicators[1].actual 缺少单位"}},
		{name: "家 is not 个",
			rows:     []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "≥10家"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit:     func(a *reports.Actuals) { a.Indicators[0].Actual = "12个" },
			problems: []string{"error indicators[0].actual 单位「个」与年度指标值的单位「家」不同"}},
		{name: "unit-less target refuses a unit",
			rows:     []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "10"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit:     func(a *reports.Actuals) { a.Indicators[0].Actual = "10个" },
			problems: []string{"error indicators[0].actual 无单位"}},
		{name: "(%) and % are the same unit",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "=100.00(%)"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) { a.Indicators[0].Actual = "100%" },
			want: map[string]string{"0": "50"}, clean: true},
		{name: "an actual with words for a number is an error",
			edit:     func(a *reports.Actuals) { a.Indicators[0].Actual = "基本完成" },
			problems: []string{"error indicators[0].actual 应为一个数值"}},
		{name: "blank actual is an error",
			edit:     func(a *reports.Actuals) { a.Indicators[2].Actual = "" },
			want:     map[string]string{"2": "0"},
			problems: []string{"error indicators[2].actual 必填项未填写"}},
		{name: "qualitative 达成 at 90%",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "质量", Target: "规范"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) {
				a.Indicators[0].Percent, a.Indicators[0].Reason = "90", "个别资料归档不及时"
			},
			want: map[string]string{"0": "45"}, clean: true},
		{name: "qualitative 部分达成 at 70%",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "质量", Target: "优良"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) {
				a.Indicators[0].Band, a.Indicators[0].Percent, a.Indicators[0].Reason = "部分达成年度指标并具有一定效果", "70", "部分工程返工"
			},
			want: map[string]string{"0": "35"}, clean: true},
		{name: "qualitative value outside its band",
			rows:     []reports.Indicator{{Level1: "产出指标", Level3: "质量", Target: "优良"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit:     func(a *reports.Actuals) { a.Indicators[0].Band, a.Indicators[0].Percent = "未达成", "75" },
			want:     map[string]string{"0": "0"},
			problems: []string{"error indicators[0].percent 不在未达成档"}},
		{name: "qualitative without a band",
			rows:     []reports.Indicator{{Level1: "产出指标", Level3: "质量", Target: "规范"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit:     func(a *reports.Actuals) { a.Indicators[0].Band, a.Indicators[0].Percent = "", "" },
			problems: []string{"error indicators[0].band 须选择评分档次"}},
		{name: "qualitative scored by 得分 takes the band it falls in",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "质量", Target: "优良"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) {
				a.Indicators[0].Band, a.Indicators[0].Percent, a.Indicators[0].Score, a.Indicators[0].Reason = "", "", "32.5", "部分返工"
			},
			want: map[string]string{"0": "65/2"}, clean: true},
		{name: "qualitative 得分 equal to the printed points is full points",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "质量", Target: "优良"}, {Level1: "产出指标", Level3: "a2", Target: "≥1"}, {Level1: "产出指标", Level3: "a3", Target: "≥1"},
				{Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) {
				a.Indicators[0].Band, a.Indicators[0].Percent, a.Indicators[0].Score = "", "", "16.67"
			},
			want: map[string]string{"0": "50/3", "total": "100"}, clean: true},
		{name: "qualitative 得分 above the points",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "质量", Target: "优良"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) {
				a.Indicators[0].Band, a.Indicators[0].Percent, a.Indicators[0].Score = "", "", "55"
			},
			problems: []string{"error indicators[0].score 超过分值50"}},
		{name: "unmet indicator without a reason names the row",
			edit:     func(a *reports.Actuals) { a.Indicators[1].Actual = "81%" },
			want:     map[string]string{"1": "27"},
			problems: []string{"error indicators[1].reason 须填写偏差原因分析及改进措施"}},
		{name: "level 1 no weight covers is an error naming the row",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "≥1"}, {Level1: "成本指标", Level3: "x", Target: "≤5万元"},
				{Level1: "成本指标", Level3: "y", Target: "≤5万元"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			want:     map[string]string{"1": "0", "2": "0"},
			problems: []string{"error indicators[1].level1 一级指标「成本指标」在评分规则中没有分值"}},
		{name: "points spread evenly and exactly",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "≥1"}, {Level1: "产出指标", Level3: "a2", Target: "≥1"}, {Level1: "产出指标", Level3: "a3", Target: "≥1"},
				{Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) { a.Indicators[0].Actual, a.Indicators[0].Reason = "0.5", "x" },
			want: map[string]string{"0": "25/3", "1": "50/3", "total": "275/3"}, clean: true},
		{name: "分值 given by the self-evaluation",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "≥1"}, {Level1: "产出指标", Level3: "a2", Target: "≥1"},
				{Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit: func(a *reports.Actuals) { a.Indicators[0].Points, a.Indicators[1].Points = "30", "20" },
			want: map[string]string{"0": "30", "1": "20", "total": "100"}, clean: true},
		{name: "分值 of the target form",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "≥1", Extra: map[string]string{"分值": "35"}}, {Level1: "产出指标", Level3: "a2", Target: "≥1", Extra: map[string]string{"分值": "15"}},
				{Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			want: map[string]string{"0": "35", "1": "15"}, clean: true},
		{name: "分值 that do not add up to the weight",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "≥1"}, {Level1: "产出指标", Level3: "a2", Target: "≥1"},
				{Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit:     func(a *reports.Actuals) { a.Indicators[0].Points, a.Indicators[1].Points = "30", "25" },
			problems: []string{"error indicators[0].points 各行分值之和为55，应为50"}},
		{name: "分值 on some rows of a group only",
			rows: []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "≥1"}, {Level1: "产出指标", Level3: "a2", Target: "≥1"},
				{Level1: "效益指标", Level3: "b", Target: "≥1"}, {Level1: "满意度指标", Level3: "c", Target: "≥1"}},
			edit:     func(a *reports.Actuals) { a.Indicators[0].Points = "30" },
			problems: []string{"error indicators[1].points 本行也须填写"}},
		{name: "a weight without indicators lowers the maximum",
			rows:     []reports.Indicator{{Level1: "产出指标", Level3: "a", Target: "≥1"}, {Level1: "效益指标", Level3: "b", Target: "≥1"}},
			want:     map[string]string{"total": "90"},
			problems: []string{"warning indicators 满意度指标"}},
		{name: "actuals of a changed form",
			edit:     func(a *reports.Actuals) { a.Indicators[1].Level3 = "旧指标" },
			problems: []string{"error indicators[1].level3 目标表已修改"}},
		{name: "fewer rows than the form",
			edit:     func(a *reports.Actuals) { a.Indicators = a.Indicators[:2] },
			want:     map[string]string{"2": "0"},
			problems: []string{"error indicators 目标表有3行绩效指标，实际完成情况有2行"}},
		{name: "another year",
			edit:     func(a *reports.Actuals) { a.Year = 2023 },
			problems: []string{"error year 年度2023与目标表的年度2024不同"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scoringForm(tt.rows...)
			a := fullActuals(f)
			if tt.edit != nil {
				tt.edit(a)
			}
			s := reports.Evaluate(f, a, reports.DefaultScoring)
			for key, want := range tt.want {
				var got *big.Rat
				switch key {
				case "total":
					got = s.Total
				case "budget":
					got = s.Budget.Score
				default:
					i := int(key[0] - '0')
					got = s.Indicators[i].Score
				}
				if got.Cmp(rat(want)) != 0 {
					t.Errorf("%s = %s, want %s (%s)", key, got.RatString(), want, formulas(s))
				}
			}
			for _, p := range tt.problems {
				sev, rest, _ := strings.Cut(p, " ")
				path, sub, _ := strings.Cut(rest, " ")
				got, ok := problemAt(s.Problems, reports.Severity(sev), path)
				if !ok || !strings.Contains(got.Message, sub) {
					t.Errorf("want %s at %s containing %q; problems: %v", sev, path, sub, s.Problems)
				}
			}
			if tt.clean && len(s.Problems) > 0 {
				t.Errorf("unexpected problems: %v", s.Problems)
			}
		})
	}
}

func formulas(s *reports.Score) string {
	var b strings.Builder
	b.WriteString("budget: " + s.Budget.Formula)
	for i, is := range s.Indicators {
		b.WriteString("; " + string(rune('0'+i)) + ": " + is.Formula)
	}
	return b.String()
}

func TestGrade(t *testing.T) {
	tests := []struct{ total, want string }{
		{"100", "优"}, {"90", "优"}, {"8999/100", "良"}, {"80", "良"}, {"7999/100", "中"}, {"60", "中"}, {"5999/100", "差"}, {"0", "差"},
	}
	for _, tt := range tests {
		t.Run(tt.total, func(t *testing.T) {
			if got := reports.Grade(rat(tt.total)); got != tt.want {
				t.Errorf("Grade(%s) = %s, want %s", tt.total, got, tt.want)
			}
		})
	}
}

func TestScoreRounding(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		decimals int
		want     string
	}{
		{"two decimals", "50/3", 2, "16.67"},
		{"one decimal", "50/3", 1, "16.7"},
		{"half rounds up", "1/8", 2, "0.13"},
		{"half rounds up at one decimal", "1/4", 1, "0.3"},
		{"exact stays", "45", 2, "45.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &reports.Score{Decimals: tt.decimals}
			if got := s.Fmt(rat(tt.value)); got != tt.want {
				t.Errorf("Fmt(%s) = %s, want %s", tt.value, got, tt.want)
			}
		})
	}
	// The total is rounded once, from the exact sum, never summed from
	// rounded parts: three rows of 50/3 give 50, not 50.01.
	f := scoringForm(reports.Indicator{Level1: "产出指标", Level3: "a", Target: "≥1"}, reports.Indicator{Level1: "产出指标", Level3: "b", Target: "≥1"},
		reports.Indicator{Level1: "产出指标", Level3: "c", Target: "≥1"}, reports.Indicator{Level1: "效益指标", Level3: "d", Target: "≥1"},
		reports.Indicator{Level1: "满意度指标", Level3: "e", Target: "≥1"})
	s := reports.Evaluate(f, fullActuals(f), reports.DefaultScoring)
	if got := s.Fmt(s.Total); got != "100.00" {
		t.Errorf("total %s, want 100.00", got)
	}
}

func TestCheckMonitoring(t *testing.T) {
	base := func() (*reports.Form, *reports.Actuals) {
		f := scoringForm()
		a := reports.NewActuals(reports.KindMonitoring, f)
		a.Month = 6
		a.Funds.Total = reports.FundRow{Budget: reports.Yuan(1000), Spent: reports.Yuan(450)}
		for i := range a.Indicators {
			a.Indicators[i] = reports.IndicatorActual{Level3: f.Indicators[i].Level3, Actual: "40人次", Forecast: "100人次", Likelihood: "确定能"}
		}
		a.Indicators[1].Actual, a.Indicators[1].Forecast = "50%", "90%"
		a.Indicators[2].Actual, a.Indicators[2].Forecast = "80%", "86%"
		return f, a
	}
	tests := []struct {
		name     string
		edit     func(a *reports.Actuals)
		problems []string
	}{
		{name: "complete report", edit: func(*reports.Actuals) {}},
		{name: "month out of range", edit: func(a *reports.Actuals) { a.Month = 13 }, problems: []string{"error month 1–12"}},
		{name: "zero budget", edit: func(a *reports.Actuals) { a.Funds.Total.Budget = reports.Yuan(0) }, problems: []string{"error funds.total.budget 全年预算数为0"}},
		{name: "doubtful row needs a cause", edit: func(a *reports.Actuals) { a.Indicators[0].Likelihood = "有可能" }, problems: []string{"error indicators[0].cause 须选择偏差原因"}},
		{name: "unknown cause and likelihood", edit: func(a *reports.Actuals) { a.Indicators[0].Cause, a.Indicators[0].Likelihood = "天气", "也许" },
			problems: []string{"error indicators[0].cause 不是可选项", "error indicators[0].likelihood 不是可选项"}},
		{name: "forecast unit must match", edit: func(a *reports.Actuals) { a.Indicators[1].Forecast = "90" }, problems: []string{"error indicators[1].forecast 缺少单位"}},
		{name: "blank actual", edit: func(a *reports.Actuals) { a.Indicators[2].Actual = "" }, problems: []string{"error indicators[2].actual 必填项未填写"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, a := base()
			tt.edit(a)
			rate, ps := reports.CheckMonitoring(f, a)
			if len(tt.problems) == 0 {
				if len(ps) > 0 {
					t.Errorf("problems: %v", ps)
				}
				if rate == nil || rate.Cmp(rat("9/20")) != 0 {
					t.Errorf("rate %v, want 45%%", rate)
				}
			}
			for _, p := range tt.problems {
				sev, rest, _ := strings.Cut(p, " ")
				path, sub, _ := strings.Cut(rest, " ")
				got, ok := problemAt(ps, reports.Severity(sev), path)
				if !ok || !strings.Contains(got.Message, sub) {
					t.Errorf("want %s at %s containing %q; problems: %v", sev, path, sub, ps)
				}
			}
		})
	}
}

func TestActualLabels(t *testing.T) {
	for path, want := range map[string]string{
		"funds.total.budget":     "年度资金总额全年预算数",
		"funds.fiscal.spent":     "当年财政拨款全年执行数",
		"indicators[2].reason":   "绩效指标第3行偏差原因分析及改进措施",
		"indicators[0].actual":   "绩效指标第1行实际完成值",
		"summary":                "年度总体目标实际完成情况",
		"indicators[1].target":   "绩效指标第2行指标目标值",
		"funds.total":            "项目总预算",
		"indicators[4].forecast": "绩效指标第5行全年预计完成值",
	} {
		if got := reports.LabelOf(path); got != want {
			t.Errorf("LabelOf(%s) = %s, want %s", path, got, want)
		}
	}
}
