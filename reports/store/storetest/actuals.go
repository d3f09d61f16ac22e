package storetest

import (
	"reflect"
	"sync"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

// testActuals: versions per form and kind, the pinned form version, the
// current actuals of a year, conflicts, and nothing for deleted forms.
func testActuals(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	cs := must(s.CreateForms(ctx(t), []reports.Form{Form(2020, "甲单位", "一"), Form(2020, "甲单位", "二"), Form(2021, "甲单位", "三")}))
	id := cs[0].ID
	_, err := s.Actuals(ctx(t), id, reports.KindSelfEvaluation)
	wantCode(t, err, reports.ENOTFOUND)

	a := reports.Actuals{Kind: reports.KindSelfEvaluation, Year: 1999, FormVersion: 1, Summary: "完成𠮷，“引号”\n第二行",
		Funds:      reports.FundActuals{Total: reports.FundRow{Budget: reports.Yuan(790000), Spent: reports.Money{Fen: 75130001, Set: true}}},
		Indicators: []reports.IndicatorActual{{Level3: "数量", Actual: "2310家", Reason: "疫情"}, {Level3: "质量", Actual: "规范", Band: "达成", Percent: "90"}}}
	v1 := must(s.PutActuals(ctx(t), id, 0, a))
	if v1.Version != 1 || v1.FormID != id || v1.FormVersion != 1 || v1.Kind != reports.KindSelfEvaluation || v1.Actuals.Year != 2020 || v1.Created.IsZero() {
		t.Fatalf("PutActuals = %+v", v1)
	}
	want := a
	want.Year = 2020 // the form's year, whatever was sent
	if !reflect.DeepEqual(v1.Actuals, want) {
		t.Errorf("stored actuals differ:\n got %+v\nwant %+v", v1.Actuals, want)
	}
	_, err = s.PutActuals(ctx(t), id, 0, a)
	wantCode(t, err, reports.ECONFLICT)
	_, err = s.PutActuals(ctx(t), id+1000, 0, a)
	wantCode(t, err, reports.ENOTFOUND)
	bad := a
	bad.Kind = "audit"
	_, err = s.PutActuals(ctx(t), id, 1, bad)
	wantCode(t, err, reports.EINVALID)
	bad = a
	bad.Summary = "\x00"
	_, err = s.PutActuals(ctx(t), id, 1, bad)
	wantCode(t, err, reports.EINVALID)

	b := a
	b.FormVersion, b.Summary = 2, "改"
	v2 := must(s.PutActuals(ctx(t), id, 1, b))
	if v2.Version != 2 || v2.FormVersion != 2 || must(s.Actuals(ctx(t), id, reports.KindSelfEvaluation)).Actuals.Summary != "改" {
		t.Fatalf("second version %+v", v2)
	}
	vs := must(s.ActualsVersions(ctx(t), id, reports.KindSelfEvaluation))
	if len(vs) != 2 || vs[0].Actuals.Summary != a.Summary || vs[1].Version != 2 {
		t.Fatalf("ActualsVersions = %+v", vs)
	}
	// Kinds are kept apart.
	m := reports.Actuals{Kind: reports.KindMonitoring, Month: 6}
	must(s.PutActuals(ctx(t), cs[1].ID, 0, m))
	must(s.PutActuals(ctx(t), cs[2].ID, 0, a))
	year := must(s.ActualsOfYear(ctx(t), 2020, reports.KindSelfEvaluation))
	if len(year) != 1 || year[id].Version != 2 {
		t.Errorf("ActualsOfYear(2020) = %+v, want form %d at version 2 only", year, id)
	}
	if mon := must(s.ActualsOfYear(ctx(t), 2020, reports.KindMonitoring)); len(mon) != 1 || mon[cs[1].ID].Actuals.Month != 6 {
		t.Errorf("monitoring of 2020 = %+v", mon)
	}

	// Two clerks saving at once: one wins, the other is told.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.PutActuals(ctx(t), id, 2, b)
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Errorf("concurrent saves: %v, %v; want exactly one to succeed", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, reports.ECONFLICT)
		}
	}

	// A deleted form's actuals are no longer served.
	must(0, s.DeleteForm(ctx(t), id, 1))
	_, err = s.Actuals(ctx(t), id, reports.KindSelfEvaluation)
	wantCode(t, err, reports.ENOTFOUND)
	if year := must(s.ActualsOfYear(ctx(t), 2020, reports.KindSelfEvaluation)); len(year) != 0 {
		t.Errorf("a deleted form's actuals are listed: %+v", year)
	}
}
