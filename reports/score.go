package reports

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// ScoringRules say how a self-evaluation scores a form: the points of
// 预算执行率 and the weight of each group of level-1 names. Form families
// declare them (reports/family); DefaultScoring is the 财政部 rule.
type ScoringRules struct {
	BudgetPoints *big.Rat // 预算执行率, 10 by default
	Weights      []Weight
	// ReviewAbove is the ratio (actual/target, or target/actual for a
	// ceiling) beyond which an over-achievement is flagged for review:
	// the rule lets the reviewer deduct when a target was set too low.
	ReviewAbove *big.Rat
	// Decimals is how many decimals scores print with (1 or 2).
	Decimals int
}

// Weight gives a group of level-1 names its points.
type Weight struct {
	Level1 []string
	Points *big.Rat
}

// DefaultScoring is the 财政部 rule (财预〔2020〕10号 附件): 预算执行率 10,
// 产出指标 50, 效益指标 30, 满意度指标 10; over-achievements beyond 120%
// are flagged; scores print with two decimals.
var DefaultScoring = ScoringRules{
	BudgetPoints: big.NewRat(10, 1),
	Weights: []Weight{
		{Level1: []string{"产出指标"}, Points: big.NewRat(50, 1)},
		{Level1: []string{"效益指标"}, Points: big.NewRat(30, 1)},
		{Level1: []string{"满意度指标"}, Points: big.NewRat(10, 1)},
	},
	ReviewAbove: big.NewRat(6, 5),
	Decimals:    2,
}

// Grades, by the total: 90 and above 优, 80–90 良, 60–80 中, below 60 差.
func Grade(total *big.Rat) string {
	switch {
	case total.Cmp(big.NewRat(90, 1)) >= 0:
		return "优"
	case total.Cmp(big.NewRat(80, 1)) >= 0:
		return "良"
	case total.Cmp(big.NewRat(60, 1)) >= 0:
		return "中"
	}
	return "差"
}

// Score is a self-evaluation's result: every part exact, each with the
// formula that produced it, and the problems found on the way.
type Score struct {
	Budget     BudgetScore
	Indicators []IndicatorScore
	Total      *big.Rat
	Max        *big.Rat // the points on offer: 100 unless a weight has no indicator
	Grade      string
	Decimals   int
	Problems   Problems
}

// BudgetScore is the 预算执行率 part.
type BudgetScore struct {
	Points  *big.Rat
	Rate    *big.Rat // 执行数/预算数; nil when the budget is zero or missing
	Score   *big.Rat
	Formula string
}

// IndicatorScore is one indicator's part.
type IndicatorScore struct {
	Points *big.Rat
	Score  *big.Rat
	// Method is "ratio" (actual/target), "inverse" (target/actual), "band"
	// (qualitative) or "" when the row could not be scored.
	Method  string
	Formula string
	// Met is true when the row got its full points; a row not met needs
	// 偏差原因分析及改进措施.
	Met bool
	// Review flags an actual far beyond its target.
	Review bool
}

// Fmt prints an exact score rounded half away from zero (四舍五入) to the
// rule's decimals; the computation itself never rounds.
func (s *Score) Fmt(r *big.Rat) string { return fmtRat(r, s.Decimals) }

func fmtRat(r *big.Rat, decimals int) string {
	if r == nil {
		return ""
	}
	return r.FloatString(decimals)
}

// Percent prints a ratio as a percentage: 0.9512 → "95.12%".
func Percent(r *big.Rat, decimals int) string {
	if r == nil {
		return ""
	}
	return new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(decimals) + "%"
}

// Evaluate scores actuals against their target form. Every problem is
// reported in one pass; parts that cannot be scored count zero, so Total is
// always set (a draft shows what is known).
func Evaluate(f *Form, a *Actuals, r ScoringRules) *Score {
	if r.BudgetPoints == nil {
		r.BudgetPoints = DefaultScoring.BudgetPoints
	}
	if r.ReviewAbove == nil {
		r.ReviewAbove = DefaultScoring.ReviewAbove
	}
	if r.Decimals == 0 {
		r.Decimals = DefaultScoring.Decimals
	}
	e := &evaluator{f: f, a: a, r: r, s: &Score{Decimals: r.Decimals}}
	e.checkHeader(KindSelfEvaluation)
	e.budget()
	e.indicators()
	total := new(big.Rat).Set(e.s.Budget.Score)
	for _, is := range e.s.Indicators {
		total.Add(total, is.Score)
	}
	e.s.Total = total
	e.s.Grade = Grade(total)
	return e.s
}

type evaluator struct {
	f *Form
	a *Actuals
	r ScoringRules
	s *Score
}

func (e *evaluator) problem(sev Severity, path, format string, args ...any) {
	e.s.Problems = append(e.s.Problems, Problem{Severity: sev, Path: path, Line: e.a.Line(path), Cell: e.a.Cells[path], Message: fmt.Sprintf(format, args...)})
}

func (e *evaluator) errorf(path, format string, args ...any) {
	e.problem(SeverityError, path, format, args...)
}

func (e *evaluator) warnf(path, format string, args ...any) {
	e.problem(SeverityWarning, path, format, args...)
}

// checkHeader checks what both kinds share: the kind, the year, texts and
// that the rows pair with the target form's.
func (e *evaluator) checkHeader(kind string) {
	a, f := e.a, e.f
	if a.Kind != kind {
		e.errorf("kind", "应为 %s，而不是「%s」", kind, a.Kind)
	}
	if a.Year != f.Year {
		e.errorf("year", "年度%d与目标表的年度%d不同", a.Year, f.Year)
	}
	for _, t := range []struct{ path, s string }{{"goal", a.Goal}, {"summary", a.Summary}} {
		e.text(t.path, t.s)
	}
	if len(a.Indicators) > MaxIndicators {
		e.errorf("indicators", "有%d行，最多%d行", len(a.Indicators), MaxIndicators)
		return
	}
	if len(a.Indicators) != len(f.Indicators) {
		e.errorf("indicators", "目标表有%d行绩效指标，实际完成情况有%d行：请按目标表的当前版本填写", len(f.Indicators), len(a.Indicators))
	}
	for i := range a.Indicators {
		if i >= len(f.Indicators) {
			break
		}
		ia := &a.Indicators[i]
		for _, fd := range ActualFields {
			e.text(IndicatorPath(i, fd.Key), ia.Get(fd.Key))
		}
		if l3 := strings.TrimSpace(ia.Level3); l3 != "" && l3 != strings.TrimSpace(f.Indicators[i].Level3) {
			e.errorf(IndicatorPath(i, "level3"), "「%s」与目标表第%d行的三级指标「%s」不符：目标表已修改，请按当前版本重新填写", l3, i+1, f.Indicators[i].Level3)
		}
	}
}

func (e *evaluator) text(path, s string) {
	if n := len([]rune(s)); n > MaxTextRunes {
		e.errorf(path, "有%d个字符，最多%d个", n, MaxTextRunes)
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }); i >= 0 {
		e.errorf(path, "含有控制字符 U+%04X", []rune(s[i:])[0])
	}
}

// totals fills a blank 年度资金总额 cell from its parts and checks a filled
// one against them.
func totals(fa *FundActuals, problem func(path, format string, args ...any)) {
	for _, col := range FundColumnKeys {
		sum, any := int64(0), false
		for _, row := range FundRowKeys[1:] {
			if m := fa.Row(row.Key).Cell(col.Key); m.Set {
				sum += m.Fen
				any = true
			}
		}
		t := fa.Total.Cell(col.Key)
		switch {
		case !any:
		case !t.Set:
			*t = Money{Fen: sum, Set: true}
		case t.Fen != sum:
			problem("funds.total."+col.Key, "%s元不等于其中各项之和%s元", t.String(), Money{Fen: sum, Set: true}.String())
		}
	}
}

// budget scores 预算执行率 = points × min(执行数/预算数, 1).
func (e *evaluator) budget() {
	a := &e.a.Funds
	totals(a, e.errorf)
	for _, rk := range FundRowKeys {
		for _, ck := range FundColumnKeys {
			if m := a.Row(rk.Key).Cell(ck.Key); m.Set && m.Fen < 0 {
				e.errorf("funds."+rk.Key+"."+ck.Key, "金额不能为负数")
			}
		}
	}
	b := &e.s.Budget
	b.Points = new(big.Rat).Set(e.r.BudgetPoints)
	b.Score = new(big.Rat)
	t := a.Total
	if !t.Initial.Set {
		e.errorf("funds.total.initial", "必填项未填写")
	}
	switch {
	case !t.Budget.Set:
		e.errorf("funds.total.budget", "必填项未填写")
		b.Formula = "全年预算数未填写：0分"
		return
	case !t.Spent.Set:
		e.errorf("funds.total.spent", "必填项未填写")
		b.Formula = "全年执行数未填写：0分"
		return
	case t.Budget.Fen <= 0:
		e.errorf("funds.total.budget", "全年预算数为0，预算执行率无法计算")
		b.Formula = "全年预算数为0：执行率无法计算，0分"
		return
	case t.Spent.Fen < 0:
		b.Formula = "全年执行数为负数：0分"
		return
	}
	b.Rate = big.NewRat(t.Spent.Fen, t.Budget.Fen)
	b.Score.Mul(b.Points, minRat(b.Rate, big.NewRat(1, 1)))
	b.Formula = fmt.Sprintf("%s × min(%s / %s, 1) %s", fmtPoints(b.Points), t.Spent.Plain(), t.Budget.Plain(), result(b.Score))
	if b.Rate.Cmp(big.NewRat(1, 1)) > 0 {
		e.warnf("funds.total.spent", "全年执行数超过全年预算数（执行率%s），按100%%计分", Percent(b.Rate, 2))
	}
}

func minRat(x, y *big.Rat) *big.Rat {
	if x.Cmp(y) < 0 {
		return new(big.Rat).Set(x)
	}
	return new(big.Rat).Set(y)
}

// fmtPoints prints a number exactly: 10, 12.5, or 50/3 when no short
// decimal is exact.
func fmtPoints(r *big.Rat) string {
	if n, exact := r.FloatPrec(); exact && n <= 4 {
		return r.FloatString(n)
	}
	return r.RatString()
}

// result prints "= 12.32" for an exact result, "≈ 9.5101" otherwise.
func result(r *big.Rat) string {
	if n, exact := r.FloatPrec(); exact && n <= 4 {
		return "= " + r.FloatString(n)
	}
	return "≈ " + r.FloatString(4)
}

// parseDecimal reads an exact decimal ("95", "1,234.5", "-3") as a Rat.
func parseDecimal(s string) (*big.Rat, bool) {
	t := strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if t == "" || strings.ContainsAny(t, "eE/") {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(t)
	return r, ok
}

// points decides each indicator's points: the group weight spread evenly,
// or the 分值 the self-evaluation (or the target form) gives every row of
// the group, which must then add up to the weight.
func (e *evaluator) points() []*big.Rat {
	f := e.f
	pts := make([]*big.Rat, len(f.Indicators))
	group := make([]int, len(f.Indicators)) // index into Weights, -1 when none
	missing := map[string]bool{}
	for i, in := range f.Indicators {
		l1 := strings.TrimSpace(in.Level1)
		group[i] = slices.IndexFunc(e.r.Weights, func(w Weight) bool { return slices.Contains(w.Level1, l1) })
		if group[i] < 0 && !missing[l1] {
			missing[l1] = true
			var names []string
			for _, w := range e.r.Weights {
				names = append(names, strings.Join(w.Level1, "/"))
			}
			e.errorf(IndicatorPath(i, "level1"), "一级指标「%s」在评分规则中没有分值（规则只给 %s 分配分值）", l1, strings.Join(names, "、"))
		}
	}
	for gi, w := range e.r.Weights {
		var rows, explicit []int
		sum := new(big.Rat)
		for i := range f.Indicators {
			if group[i] != gi {
				continue
			}
			rows = append(rows, i)
			if p, ok := e.explicitPoints(i); ok {
				explicit = append(explicit, i)
				pts[i] = p
				sum.Add(sum, p)
			}
		}
		name := strings.Join(w.Level1, "/")
		switch {
		case len(rows) == 0:
			if w.Points.Sign() > 0 {
				e.warnf("indicators", "评分规则中「%s」的%s分没有对应的指标，满分因此少%s分", name, fmtPoints(w.Points), fmtPoints(w.Points))
			}
		case len(explicit) == 0:
			each := new(big.Rat).Quo(w.Points, big.NewRat(int64(len(rows)), 1))
			for _, i := range rows {
				pts[i] = each
			}
		case len(explicit) < len(rows):
			for _, i := range rows {
				if pts[i] == nil {
					e.errorf(IndicatorPath(i, "points"), "「%s」的其他指标填写了分值，本行也须填写", name)
					pts[i] = new(big.Rat)
				}
			}
		case sum.Cmp(w.Points) != 0:
			e.errorf(IndicatorPath(rows[0], "points"), "「%s」各行分值之和为%s，应为%s", name, fmtPoints(sum), fmtPoints(w.Points))
		}
	}
	for i := range pts {
		if pts[i] == nil {
			pts[i] = new(big.Rat)
		}
	}
	return pts
}

// explicitPoints is the 分值 of row i given by the actuals, else by the
// target form's 分值 column.
func (e *evaluator) explicitPoints(i int) (*big.Rat, bool) {
	path := IndicatorPath(i, "points")
	raw := ""
	if i < len(e.a.Indicators) {
		raw = strings.TrimSpace(e.a.Indicators[i].Points)
	}
	if raw == "" {
		raw = strings.TrimSpace(e.f.Indicators[i].Extra["分值"])
	}
	if raw == "" {
		return nil, false
	}
	p, ok := parseDecimal(raw)
	if !ok || p.Sign() < 0 {
		e.errorf(path, "「%s」不是分值（应为非负数，如 10 或 12.5）", raw)
		return new(big.Rat), true
	}
	return p, true
}

func (e *evaluator) indicators() {
	pts := e.points()
	e.s.Indicators = make([]IndicatorScore, len(e.f.Indicators))
	for i := range e.f.Indicators {
		is := &e.s.Indicators[i]
		is.Points, is.Score = pts[i], new(big.Rat)
		if i >= len(e.a.Indicators) {
			is.Formula = "未填写实际完成情况：0分"
			continue
		}
		e.indicator(i, is)
		is.Met = is.Method != "" && is.Score.Cmp(is.Points) == 0
		if !is.Met && strings.TrimSpace(e.a.Indicators[i].Reason) == "" && is.Method != "" {
			e.errorf(IndicatorPath(i, "reason"), "未达到指标值（得%s分，分值%s分），须填写偏差原因分析及改进措施", e.s.Fmt(is.Score), fmtPoints(is.Points))
		}
	}
}

// quantity is a number with its unit, as a target or an actual.
type quantity struct {
	op   string
	n    *big.Rat
	unit string
}

// normUnit makes "(%)", "（%）" and "%" the same unit.
func normUnit(u string) string {
	u = strings.TrimSpace(u)
	u = strings.NewReplacer("（", "(", "）", ")", " ", "", "％", "%").Replace(u)
	if strings.HasPrefix(u, "(") && strings.HasSuffix(u, ")") {
		u = u[1 : len(u)-1]
	}
	return u
}

// actualQuantity reads an actual value for a quantitative target: a number
// with an optional leading "=" and the target's unit.
func (e *evaluator) actualQuantity(path, raw string, target quantity) (quantity, bool) {
	m, ok, err := Target(raw).Parse()
	if err != nil || !ok || (m.Op != "" && m.Op != "=") {
		e.errorf(path, "「%s」应为一个数值（如 %s）", raw, example(target))
		return quantity{}, false
	}
	n, ok := parseDecimal(m.Number)
	if !ok {
		e.errorf(path, "「%s」不是数值", raw)
		return quantity{}, false
	}
	if u := normUnit(m.Unit); u != target.unit {
		switch {
		case target.unit == "":
			e.errorf(path, "单位「%s」与年度指标值（无单位）不同", m.Unit)
		case u == "":
			e.errorf(path, "缺少单位：年度指标值的单位是「%s」", target.unit)
		default:
			e.errorf(path, "单位「%s」与年度指标值的单位「%s」不同", m.Unit, target.unit)
		}
		return quantity{}, false
	}
	return quantity{n: n, unit: target.unit}, true
}

func example(q quantity) string {
	return "95" + q.unit
}

// indicator scores one row: quantitative targets by ratio, qualitative ones
// by the chosen band.
func (e *evaluator) indicator(i int, is *IndicatorScore) {
	in, ia := e.f.Indicators[i], e.a.Indicators[i]
	actualPath := IndicatorPath(i, "actual")
	raw := strings.TrimSpace(ia.Actual)
	m, quant, err := in.Target.Parse()
	if err != nil {
		e.errorf(IndicatorPath(i, "target"), "年度指标值无法计分：%v", err)
		is.Formula = "年度指标值无法解析：0分"
		return
	}
	if raw == "" {
		e.errorf(actualPath, "必填项未填写")
		is.Formula = "实际完成值未填写：0分"
		return
	}
	if !quant {
		e.band(i, is, ia)
		return
	}
	tn, ok := parseDecimal(m.Number)
	if !ok {
		e.errorf(IndicatorPath(i, "target"), "「%s」不是数值", m.Number)
		return
	}
	target := quantity{op: m.Op, n: tn, unit: normUnit(m.Unit)}
	act, ok := e.actualQuantity(actualPath, raw, target)
	if !ok {
		is.Formula = "实际完成值无法计分：0分"
		return
	}
	if tn.Sign() < 0 || act.n.Sign() < 0 {
		e.errorf(actualPath, "负数无法按比例计分")
		return
	}
	one := big.NewRat(1, 1)
	var ratio *big.Rat
	sym := m.Comparison()
	if sym == "" {
		sym = "="
	}
	switch m.Op {
	case "<=", "<":
		is.Method = "inverse"
		if act.n.Sign() == 0 {
			ratio = new(big.Rat).Set(one) // nothing at all is within any ceiling
			is.Formula = fmt.Sprintf("%s%s，实际0：满分 %s", sym, m.Number, fmtPoints(is.Points))
			break
		}
		ratio = new(big.Rat).Quo(tn, act.n)
		is.Formula = fmt.Sprintf("%s × min(%s / %s, 1)", fmtPoints(is.Points), m.Number, act.n.RatString())
	default:
		is.Method = "ratio"
		if tn.Sign() == 0 {
			if m.Op == ">" && act.n.Sign() == 0 {
				ratio = new(big.Rat)
			} else {
				ratio = new(big.Rat).Set(one)
			}
			is.Formula = fmt.Sprintf("%s0，实际%s", sym, act.n.RatString())
			break
		}
		ratio = new(big.Rat).Quo(act.n, tn)
		is.Formula = fmt.Sprintf("%s × min(%s / %s, 1)", fmtPoints(is.Points), actualNumber(raw), m.Number)
	}
	is.Score.Mul(is.Points, minRat(ratio, one))
	is.Formula += " " + result(is.Score)
	if ratio.Cmp(e.r.ReviewAbove) > 0 {
		is.Review = true
		e.warnf(actualPath, "实际完成值与年度指标值之比为%s，远超目标：请复核指标值是否设定偏低（复核时可酌情扣分）", Percent(ratio, 0))
	}
}

func actualNumber(raw string) string {
	m, _, _ := Target(raw).Parse()
	return m.Number
}

// band scores a qualitative target by the band and percentage the clerk
// chose, or by the points given (得分) and the band they fall in.
func (e *evaluator) band(i int, is *IndicatorScore, ia IndicatorActual) {
	bandPath, pctPath := IndicatorPath(i, "band"), IndicatorPath(i, "percent")
	var pct *big.Rat
	switch {
	case strings.TrimSpace(ia.Percent) != "":
		p, ok := parseDecimal(strings.TrimSuffix(strings.TrimSpace(ia.Percent), "%"))
		if !ok {
			e.errorf(pctPath, "「%s」不是百分数", ia.Percent)
			is.Formula = "得分比例无效：0分"
			return
		}
		pct = p
	case strings.TrimSpace(ia.Score) != "":
		scorePath := IndicatorPath(i, "score")
		sc, ok := parseDecimal(ia.Score)
		switch {
		case !ok || sc.Sign() < 0:
			e.errorf(scorePath, "「%s」不是得分（应为非负数）", ia.Score)
		case is.Points.Sign() == 0:
			e.errorf(scorePath, "本行分值为0，不能给分")
		case sc.Cmp(is.Points) > 0 && sc.FloatString(e.r.Decimals) != is.Points.FloatString(e.r.Decimals):
			e.errorf(scorePath, "得分%s超过分值%s", ia.Score, fmtPoints(is.Points))
		case sc.FloatString(e.r.Decimals) == is.Points.FloatString(e.r.Decimals):
			// Full points as printed (3.33 of 10/3): full points exactly.
			pct = big.NewRat(100, 1)
		default:
			pct = new(big.Rat).Quo(new(big.Rat).Mul(sc, big.NewRat(100, 1)), is.Points)
		}
		if pct == nil {
			is.Formula = "得分无效：0分"
			return
		}
	case strings.TrimSpace(ia.Band) == "":
		e.errorf(bandPath, "定性指标须选择评分档次（达成 80%%–100%%、部分达成 60%%–80%%、未达成 0–60%%）并给出得分比例或得分")
		is.Formula = "未选择评分档次：0分"
		return
	default:
		b, _ := BandOf(ia.Band)
		e.errorf(pctPath, "须在%s档内给出得分比例（%d–%d）", ia.Band, b.Min, b.Max)
		is.Formula = "未填写得分比例：0分"
		return
	}
	var b Band
	if strings.TrimSpace(ia.Band) == "" {
		b = BandFor(pct)
	} else {
		var ok bool
		if b, ok = BandOf(ia.Band); !ok {
			e.errorf(bandPath, "「%s」不是评分档次（达成、部分达成、未达成）", ia.Band)
			is.Formula = "评分档次无效：0分"
			return
		}
	}
	if pct.Cmp(big.NewRat(int64(b.Min), 1)) < 0 || pct.Cmp(big.NewRat(int64(b.Max), 1)) > 0 {
		e.errorf(pctPath, "%s%%不在%s档的%d%%–%d%%之内", fmtPoints(pct), b.Short, b.Min, b.Max)
		is.Formula = "得分比例不在所选档次内：0分"
		return
	}
	is.Method = "band"
	is.Score.Mul(is.Points, new(big.Rat).Quo(pct, big.NewRat(100, 1)))
	is.Formula = fmt.Sprintf("定性，%s（%d%%–%d%%）：%s × %s%% %s", b.Short, b.Min, b.Max, fmtPoints(is.Points), fmtPoints(pct), result(is.Score))
}

// CheckMonitoring validates a monitoring report against its target form:
// the month, the budget and spending, and every row's actual, forecast,
// cause and likelihood. Rate is 1–N月执行数/全年预算数, nil when the budget
// is zero or missing.
func CheckMonitoring(f *Form, a *Actuals) (rate *big.Rat, ps Problems) {
	e := &evaluator{f: f, a: a, r: DefaultScoring, s: &Score{}}
	e.checkHeader(KindMonitoring)
	if a.Month < 1 || a.Month > 12 {
		e.errorf("month", "监控月份应为1–12，而不是%d", a.Month)
	}
	totals(&a.Funds, e.errorf)
	t := a.Funds.Total
	switch {
	case !t.Budget.Set:
		e.errorf("funds.total.budget", "必填项未填写")
	case !t.Spent.Set:
		e.errorf("funds.total.spent", "必填项未填写")
	case t.Budget.Fen <= 0:
		e.errorf("funds.total.budget", "全年预算数为0，执行率无法计算")
	case t.Spent.Fen < 0:
		e.errorf("funds.total.spent", "金额不能为负数")
	default:
		rate = big.NewRat(t.Spent.Fen, t.Budget.Fen)
	}
	for i, in := range f.Indicators {
		if i >= len(a.Indicators) {
			break
		}
		ia := a.Indicators[i]
		m, quant, err := in.Target.Parse()
		if err != nil {
			e.errorf(IndicatorPath(i, "target"), "年度指标值无法解析：%v", err)
			quant = false
		}
		for _, col := range []string{"actual", "forecast"} {
			v := strings.TrimSpace(ia.Get(col))
			if v == "" {
				e.errorf(IndicatorPath(i, col), "必填项未填写")
				continue
			}
			if quant {
				n, _ := parseDecimal(m.Number)
				e.actualQuantity(IndicatorPath(i, col), v, quantity{op: m.Op, n: n, unit: normUnit(m.Unit)})
			}
		}
		like := strings.TrimSpace(ia.Likelihood)
		switch {
		case like == "":
			e.errorf(IndicatorPath(i, "likelihood"), "必填项未填写（%s）", strings.Join(Likelihoods, "、"))
		case !slices.Contains(Likelihoods, like):
			e.errorf(IndicatorPath(i, "likelihood"), "「%s」不是可选项（%s）", like, strings.Join(Likelihoods, "、"))
		}
		cause := strings.TrimSpace(ia.Cause)
		switch {
		case cause == "" && like != "" && like != Likelihoods[0]:
			e.errorf(IndicatorPath(i, "cause"), "完成目标可能性为「%s」，须选择偏差原因（%s）", like, strings.Join(Causes, "、"))
		case cause != "" && !slices.Contains(Causes, cause):
			e.errorf(IndicatorPath(i, "cause"), "「%s」不是可选项（%s）", cause, strings.Join(Causes, "、"))
		}
	}
	return rate, e.s.Problems
}
