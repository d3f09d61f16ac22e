package evaluation

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
)

// FromDerived reads actuals back from a derived form: a self-evaluation or
// monitoring workbook a clerk filled in and uploaded, as the xlsx reader
// returns it. target is the stored form the workbook was made from and
// prev its stored actuals (nil for none).
//
// What the workbook shows but does not own is left out: targets (the
// stored form's count; a workbook whose rows no longer match is refused),
// computed rates and scores, and a 分值 equal to the one reportd printed
// (so evenly spread points stay exact). A qualitative row's 得分 is the
// clerk's score; unchanged from what prev printed, prev's band and
// percentage are kept exactly.
func FromDerived(fams *family.Registry, target *reports.Form, prev *reports.Actuals, d *reports.Form) (*reports.Actuals, error) {
	df, err := fams.Get(d.Family)
	if err != nil {
		return nil, err
	}
	kind := df.DocumentKind()
	if kind != family.KindSelfEvaluation && kind != family.KindMonitoring {
		return nil, reports.Errorf(reports.EINVALID, "this workbook is a %s, not a self-evaluation or monitoring report", df.Title)
	}
	// The workbook was made from the target form, whose year it is (the
	// year only shows in its subtitle).
	a := &reports.Actuals{Kind: kind, Year: target.Year, Source: d.Source, Goal: d.Extra["goal"], Summary: d.Extra["summary"]}
	for p, c := range d.Cells {
		if a.Cells == nil {
			a.Cells = map[string]string{}
		}
		a.Cells[reports.ActualsPath(p)] = c
	}
	if strings.TrimSpace(a.Goal) == strings.TrimSpace(reports.AnnualGoal(target)) {
		a.Goal = "" // shown from the form, not entered
	}
	var probs reports.Problems
	if kind == family.KindMonitoring {
		if m := strings.TrimSpace(d.Extra["month"]); m != "" {
			n, err := strconv.Atoi(m)
			if err != nil {
				probs = append(probs, reports.Problem{Severity: reports.SeverityError, Path: "month", Message: fmt.Sprintf("「%s」不是月份", m)})
			}
			a.Month = n
		}
		if a.Month == 0 && prev != nil {
			a.Month = prev.Month
		}
	}
	for _, rk := range reports.FundRowKeys {
		for _, ck := range reports.FundColumnKeys {
			raw := strings.TrimSpace(d.Extra["funds."+rk.Key+"."+ck.Key])
			if raw == "" {
				continue
			}
			parse := reports.ParseWanYuan
			if df.Funds.Unit == family.UnitYuan {
				parse = reports.ParseMoney
			}
			m, err := parse(raw)
			if err != nil {
				path := "funds." + rk.Key + "." + ck.Key
				probs = append(probs, reports.Problem{Severity: reports.SeverityError, Path: path, Line: d.Line(reports.DerivedPath(path)), Cell: d.Cell(reports.DerivedPath(path)), Message: err.Error()})
				continue
			}
			*a.Funds.Row(rk.Key).Cell(ck.Key) = m
		}
	}
	if len(d.Indicators) != len(target.Indicators) {
		probs = append(probs, reports.Problem{Severity: reports.SeverityError, Path: "indicators",
			Message: fmt.Sprintf("工作簿有%d行绩效指标，目标表有%d行：目标表已修改，请重新下载自评工作簿", len(d.Indicators), len(target.Indicators))})
	}
	// What reportd printed for these rows, to tell entered points and
	// scores from shown ones.
	shown := map[string]string{}
	if kind == family.KindSelfEvaluation {
		base := prev
		if base == nil || len(base.Indicators) != len(target.Indicators) {
			base = reports.NewActuals(kind, target)
		}
		r, err := Evaluate(fams, target, base)
		if err == nil {
			for i, in := range r.Form.Indicators {
				shown[reports.IndicatorPath(i, "points")] = in.Extra["points"]
				shown[reports.IndicatorPath(i, "score")] = in.Extra["score"]
			}
		}
	}
	a.Indicators = make([]reports.IndicatorActual, len(d.Indicators))
	for i, in := range d.Indicators {
		ia := &a.Indicators[i]
		ia.Level3 = in.Level3
		if i < len(target.Indicators) {
			t := target.Indicators[i]
			if strings.TrimSpace(in.Level3) != strings.TrimSpace(t.Level3) || strings.TrimSpace(string(in.Target)) != strings.TrimSpace(string(t.Target)) {
				probs = append(probs, reports.Problem{Severity: reports.SeverityError, Path: reports.IndicatorPath(i, "level3"), Line: d.Line(reports.IndicatorPath(i, "level3")), Cell: d.Cell(reports.IndicatorPath(i, "level3")),
					Message: fmt.Sprintf("「%s %s」与目标表第%d行「%s %s」不符：目标表已修改，请重新下载自评工作簿", in.Level3, in.Target, i+1, t.Level3, t.Target)})
			}
		}
		for _, fd := range reports.ActualFields {
			switch fd.Key {
			case "band", "percent":
				continue // not columns of a workbook
			}
			ia.Set(fd.Key, strings.TrimSpace(in.Extra[fd.Key]))
		}
		if ia.Points == shown[reports.IndicatorPath(i, "points")] {
			ia.Points = ""
		}
		if i < len(target.Indicators) {
			if _, quant, _ := target.Indicators[i].Target.Parse(); quant {
				ia.Score = "" // computed
			} else if prev != nil && i < len(prev.Indicators) && ia.Score == shown[reports.IndicatorPath(i, "score")] {
				p := prev.Indicators[i]
				ia.Band, ia.Percent, ia.Score = p.Band, p.Percent, p.Score
			}
		}
	}
	if len(probs) > 0 {
		return a, &reports.Error{Code: reports.EINVALID, Message: "the workbook does not fit the stored form", Problems: probs}
	}
	return a, nil
}
