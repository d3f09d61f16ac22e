package evaluation_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/evaluation"
	"github.com/reportd/reportd/reports/layout"
)

func TestSelfEvaluationSample(t *testing.T) {
	fams := mustFamilies(t)
	doc := mustActuals(t, "2020-企业培育-self-evaluation.json")
	r, err := evaluation.Evaluate(fams, doc.Form, &doc.Actuals)
	if err != nil {
		t.Fatal(err)
	}
	// The only finding: 销售增长 14.2% against ≥10% is flagged for review.
	if len(r.Problems) != 1 || r.Problems[0].Path != "indicators[6].actual" || r.Problems[0].Severity != reports.SeverityWarning {
		t.Fatalf("problems: %v", r.Problems)
	}
	s := r.Score
	// 预算执行率 751300/790000 → 9.5101…; 投入与管理 10 over 3 rows, 产出目标
	// 40 over 3, 效果目标 30, 影响力目标 10 (the family's declared weights).
	// The total is the exact sum rounded once (97.1634…), not the sum of
	// the rounded parts (97.17).
	want := map[string]string{
		"budget": "9.51", "0": "3.33", "1": "3.33", "2": "3.33", "3": "12.32", "4": "12.00", "5": "13.33", "6": "30.00", "7": "10.00",
		"total": "97.16",
	}
	got := map[string]string{"budget": s.Fmt(s.Budget.Score), "total": s.Fmt(s.Total)}
	for i, is := range s.Indicators {
		got[fmt.Sprint(i)] = s.Fmt(is.Score)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s\n%s", k, got[k], v, r.Explain())
		}
	}
	if s.Grade != "优" || r.Family.Name != "self-evaluation-2020" || r.Form.Draft {
		t.Errorf("grade %s family %s draft %v", s.Grade, r.Family.Name, r.Form.Draft)
	}
	if !strings.Contains(r.Explain(), "12.32") || !strings.Contains(r.Explain(), "40/3 × min(2310 / 2500, 1)") {
		t.Errorf("explanation lacks the formula:\n%s", r.Explain())
	}
	if !s.Indicators[6].Review {
		t.Errorf("销售增长 14.2%% against ≥10%% should be flagged for review")
	}
	golden(t, "self-evaluation-grid.json", layout.Build(r.Form, r.Family))
}

func TestMonitoringSample(t *testing.T) {
	fams := mustFamilies(t)
	doc := mustActuals(t, "2020-企业培育-monitoring.json")
	r, err := evaluation.Evaluate(fams, doc.Form, &doc.Actuals)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 0 {
		t.Fatalf("problems: %v", r.Problems)
	}
	if r.Score != nil || reports.Percent(r.Rate, 2) != "51.00%" {
		t.Errorf("rate %s", reports.Percent(r.Rate, 2))
	}
	g := layout.Build(r.Form, r.Family)
	if g.Subtitle != "（2020年度，数据截至7月）" {
		t.Errorf("subtitle %q", g.Subtitle)
	}
	golden(t, "monitoring-grid.json", g)
}

// A self-evaluation of many indicators runs over several pages, each
// continued page repeating the indicator header; a form with errors prints
// as a draft.
func TestSelfEvaluationPages(t *testing.T) {
	fams := mustFamilies(t)
	doc := mustActuals(t, "2020-企业培育-self-evaluation.json")
	f, a := doc.Form, doc.Actuals
	for len(f.Indicators) < 60 {
		i := len(f.Indicators) % 8
		f.Indicators = append(f.Indicators, f.Indicators[i])
		a.Indicators = append(a.Indicators, a.Indicators[i])
	}
	a.Indicators[40].Actual = "" // an error: the document is a draft
	r, err := evaluation.Evaluate(fams, f, &a)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Problems.HasErrors() || !r.Form.Draft {
		t.Fatalf("a blank actual must make a draft")
	}
	d, err := layout.Paginate(layout.Build(r.Form, r.Family), layout.MonoMeasurer{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Pages) < 3 {
		t.Fatalf("%d pages, want at least 3", len(d.Pages))
	}
	for i, p := range d.Pages {
		var heads, draft int
		for _, tx := range append(p.Texts, p.Background...) {
			switch tx.S {
			case "实际完成值":
				heads++
			case layout.DraftMark:
				draft++
			}
		}
		if heads != 1 || draft != 1 {
			t.Errorf("page %d: indicator header %d times, draft mark %d times; want 1 and 1", i+1, heads, draft)
		}
	}
}
