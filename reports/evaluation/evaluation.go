package evaluation

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
)

// Result is a self-evaluation or monitoring report ready to render.
type Result struct {
	Kind string
	// Score is the self-evaluation's score (nil for monitoring).
	Score *reports.Score
	// Rate is a monitoring report's 1–N月执行数/全年预算数 (nil when unknown).
	Rate *big.Rat
	// Problems are the actuals' validation findings, by actuals path.
	Problems reports.Problems
	// Form is the derived form the renderers print; Family lays it out.
	Form   *reports.Form
	Family *family.Family
}

// Evaluate scores (self-evaluation) or checks (monitoring) actuals against
// their target form and derives the printable form. The target's family
// gives the scoring weights and names the layout of the kind; a target
// whose family is unknown to fams uses the default family's.
func Evaluate(fams *family.Registry, target *reports.Form, a *reports.Actuals) (*Result, error) {
	tf, err := fams.Get(target.Family)
	if err != nil {
		tf = fams.Default()
	}
	kind := a.Kind
	if kind != reports.KindSelfEvaluation && kind != reports.KindMonitoring {
		return nil, reports.Errorf(reports.EINVALID, "unknown document kind %q (%s or %s)", kind, reports.KindSelfEvaluation, reports.KindMonitoring)
	}
	df, err := fams.Companion(tf, kind)
	if err != nil {
		return nil, err
	}
	r := &Result{Kind: kind, Family: df}
	if kind == reports.KindSelfEvaluation {
		r.Score = reports.Evaluate(target, a, tf.ScoringRules(df))
		r.Problems = r.Score.Problems
		r.Form = reports.SelfEvaluationForm(target, a, r.Score, df.Name)
	} else {
		r.Rate, r.Problems = reports.CheckMonitoring(target, a)
		r.Form = reports.MonitoringForm(target, a, r.Problems, df.Name)
	}
	for i := range r.Problems {
		if r.Problems[i].Line == 0 {
			r.Problems[i].Line = a.Line(r.Problems[i].Path)
		}
	}
	return r, nil
}

// Explain writes how a self-evaluation was scored, one line per part with
// its formula, for `reportd score` and the web page.
func (r *Result) Explain() string {
	var b strings.Builder
	s := r.Score
	if s == nil {
		if r.Rate != nil {
			fmt.Fprintf(&b, "执行率 %s\n", reports.Percent(r.Rate, 2))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "预算执行率  分值 %s  得分 %s  = %s\n", s.Fmt(s.Budget.Points), s.Fmt(s.Budget.Score), s.Budget.Formula)
	for i, is := range s.Indicators {
		in := r.Form.Indicators[i]
		mark := ""
		if is.Review {
			mark = "  [复核：远超目标]"
		}
		fmt.Fprintf(&b, "%2d %s/%s/%s  %s → %s  分值 %s  得分 %s  = %s%s\n", i+1, in.Level1, in.Level2, in.Level3,
			in.Target, in.Extra["actual"], s.Fmt(is.Points), s.Fmt(is.Score), is.Formula, mark)
	}
	fmt.Fprintf(&b, "总分 %s（满分 %s） 等级 %s\n", s.Fmt(s.Total), r.Form.Extra["points"], s.Grade)
	return b.String()
}
