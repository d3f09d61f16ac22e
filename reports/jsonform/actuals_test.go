package jsonform_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/jsonform"
)

func TestReadActualsErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "file is empty"},
		{"no schema", `{"kind": "self-evaluation"}`, `"schema" is missing`},
		{"form schema", `{"schema": "reportd/form/v1"}`, `unsupported schema "reportd/form/v1"`},
		{"no kind", `{"schema": "reportd/actuals/v1", "year": 2020, "indicators": []}`, `"kind" is missing`},
		{"unknown kind", `{"schema": "reportd/actuals/v1", "kind": "audit"}`, `unknown kind "audit"`},
		{"misspelt field", `{"schema": "reportd/actuals/v1", "kind": "monitoring", "mnoth": 6}`, `unknown field "mnoth"`},
		{"amount as a JSON number", `{"schema": "reportd/actuals/v1", "kind": "monitoring", "funds": {"total": {"budget": 79.5}}}`, `funds.total.budget`},
		{"amount with three decimals", `{"schema": "reportd/actuals/v1", "kind": "monitoring", "funds": {"total": {"budget": "1.005"}}}`, `最多2位`},
		{"too many rows", `{"schema": "reportd/actuals/v1", "kind": "monitoring", "indicators": [` + strings.Repeat(`{},`, 1000) + `{}]}`, `1001 rows`},
		{"invalid UTF-8", "{\"schema\": \"reportd/actuals/v1\",\n\"summary\": \"\xff\"}", "line 2: invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jsonform.ReadActuals(strings.NewReader(tt.in), "a.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestActualsRoundTrip(t *testing.T) {
	a := &reports.Actuals{Kind: reports.KindSelfEvaluation, Year: 2020, FormVersion: 3, Summary: "完成",
		Funds:      reports.FundActuals{Total: reports.FundRow{Initial: reports.Yuan(10), Budget: reports.Yuan(10), Spent: reports.Money{Fen: 995, Set: true}}},
		Indicators: []reports.IndicatorActual{{Level3: "x", Actual: "95%", Reason: "r"}, {Level3: "y", Actual: "规范", Band: "达成", Percent: "90"}}}
	var buf bytes.Buffer
	if err := jsonform.WriteActuals(&buf, a, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"spent": "9.95"`) {
		t.Errorf("amounts must be decimal strings:\n%s", buf.String())
	}
	got, err := jsonform.ReadActuals(&buf, "a.json")
	if err != nil {
		t.Fatal(err)
	}
	if got.Form != nil || got.FormVersion != 3 || got.Funds.Total.Spent.Fen != 995 || got.Indicators[1].Percent != "90" || got.Funds.Other.Budget.Set {
		t.Errorf("round trip lost data: %+v", got.Actuals)
	}
}

func FuzzReadActuals(f *testing.F) {
	f.Add([]byte(`{"schema": "reportd/actuals/v1", "kind": "monitoring", "month": 6, "funds": {"total": {"budget": "1"}}, "indicators": [{"actual": "1"}]}`))
	f.Add([]byte(`{"schema": "reportd/actuals/v1", "kind": "self-evaluation", "form": {"year": 2020, "indicators": []}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := jsonform.ReadActuals(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			return
		}
		if doc.Kind != reports.KindSelfEvaluation && doc.Kind != reports.KindMonitoring {
			t.Fatalf("accepted kind %q", doc.Kind)
		}
		if doc.Form != nil {
			// Whatever was accepted scores without panicking.
			reports.Evaluate(doc.Form, &doc.Actuals, reports.DefaultScoring)
			reports.CheckMonitoring(doc.Form, &doc.Actuals)
		}
	})
}
