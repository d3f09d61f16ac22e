package reports

import (
	"math/big"
	"strconv"
	"strings"
)

// A self-evaluation or monitoring report is printed through the same
// layout as a target form: SelfEvaluationForm and MonitoringForm derive a
// Form whose Extra fields and indicator columns hold what the report shows
// (actuals, points, scores), under keys the kind's family files print
// (templates/families/self-evaluation-2020.json). The derived form is only
// ever rendered, never stored.

// DerivedPath is the path of an actuals path in the derived form:
// "funds.total.budget" → "extra.funds.total.budget"; indicator paths are
// the same in both.
func DerivedPath(path string) string {
	if strings.HasPrefix(path, "indicators") {
		return path
	}
	return "extra." + path
}

// ActualsPath is the inverse of DerivedPath.
func ActualsPath(derived string) string { return strings.TrimPrefix(derived, "extra.") }

// department and implementer of a target form: the family's 主管部门 and
// 实施单位 when it has them, else the unit that filed it.
func department(f *Form) string {
	for _, k := range []string{"department", "主管部门"} {
		if v := strings.TrimSpace(f.Extra[k]); v != "" {
			return v
		}
	}
	return f.Unit
}

func implementer(f *Form) string {
	for _, k := range []string{"implementer", "实施单位"} {
		if v := strings.TrimSpace(f.Extra[k]); v != "" {
			return v
		}
	}
	return f.Unit
}

// AnnualGoal is 年度总体目标 as the target form states it: the family's
// 年度目标 when it has one, else 总目标及阶段性目标.
func AnnualGoal(f *Form) string {
	if v := strings.TrimSpace(f.Extra["annual_goal"]); v != "" {
		return f.Extra["annual_goal"]
	}
	return f.Goals
}

func annualGoal(f *Form, a *Actuals) string {
	if strings.TrimSpace(a.Goal) != "" {
		return a.Goal
	}
	return AnnualGoal(f)
}

func derivedBase(f *Form, a *Actuals, family string) *Form {
	d := &Form{
		Family: family, Year: f.Year, Unit: f.Unit, Project: f.Project,
		Extra: map[string]string{
			"department":  department(f),
			"implementer": implementer(f),
			"goal":        annualGoal(f, a),
			"summary":     a.Summary,
			"months":      a.MonthLabel(),
		},
		Source: a.Source,
	}
	for _, rk := range FundRowKeys {
		row := a.Funds.Row(rk.Key)
		for _, ck := range FundColumnKeys {
			if m := row.Cell(ck.Key); m.Set {
				d.Extra["funds."+rk.Key+"."+ck.Key] = m.WanYuan(6)
			}
		}
		if row.Budget.Set && row.Spent.Set && row.Budget.Fen > 0 {
			d.Extra["funds."+rk.Key+".rate"] = Percent(big.NewRat(row.Spent.Fen, row.Budget.Fen), 2)
		}
	}
	d.Indicators = make([]Indicator, len(f.Indicators))
	for i, in := range f.Indicators {
		d.Indicators[i] = Indicator{Level1: in.Level1, Level2: in.Level2, Level3: in.Level3, Target: in.Target, Extra: map[string]string{}}
		if i < len(a.Indicators) {
			for _, fd := range ActualFields {
				if v := a.Indicators[i].Get(fd.Key); v != "" {
					d.Indicators[i].Extra[fd.Key] = v
				}
			}
		}
	}
	return d
}

// SelfEvaluationForm derives the printable 绩效自评表 of target form f from
// its actuals and their score; family is the self-evaluation family's name.
// The form is a draft when the score found errors.
func SelfEvaluationForm(f *Form, a *Actuals, s *Score, family string) *Form {
	d := derivedBase(f, a, family)
	b := s.Budget
	d.Extra["funds.total.points"] = fmtPoints(b.Points)
	if b.Rate == nil {
		delete(d.Extra, "funds.total.rate")
	}
	d.Extra["funds.total.score"] = s.Fmt(b.Score)
	max := new(big.Rat).Set(b.Points)
	for i, is := range s.Indicators {
		d.Indicators[i].Extra["points"] = fmtPointsD(is.Points, s.Decimals)
		d.Indicators[i].Extra["score"] = ""
		if is.Method != "" {
			d.Indicators[i].Extra["score"] = s.Fmt(is.Score)
		}
		max.Add(max, is.Points)
	}
	d.Extra["points"] = fmtPointsD(max, s.Decimals)
	d.Extra["total"] = s.Fmt(s.Total)
	d.Extra["grade"] = s.Grade
	d.Draft = s.Problems.HasErrors()
	return d
}

// fmtPointsD prints points as the template does: whole points without
// decimals (10), others rounded to the score decimals (16.67).
func fmtPointsD(r *big.Rat, decimals int) string {
	if r.IsInt() {
		return r.RatString()
	}
	return r.FloatString(decimals)
}

// MonitoringForm derives the printable 绩效运行监控表 of target form f from a
// monitoring report and its problems.
func MonitoringForm(f *Form, a *Actuals, ps Problems, family string) *Form {
	d := derivedBase(f, a, family)
	d.Extra["month"] = strconv.Itoa(a.Month)
	d.Draft = ps.HasErrors()
	return d
}
