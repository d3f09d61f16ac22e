package xlsx_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
)

func TestRoundTripSeed(t *testing.T) {
	for _, f := range mustSeed(t) {
		t.Run(f.Project, func(t *testing.T) {
			got := mustRead(t, mustRender(t, &f), "form.xlsx")
			if len(got) != 1 {
				t.Fatalf("got %d forms, want 1", len(got))
			}
			assertSameForm(t, f, got[0])
		})
	}
}

func assertSameForm(t *testing.T, want, got reports.Form) {
	t.Helper()
	w, g := comparable(want), comparable(got)
	if reflect.DeepEqual(w, g) {
		return
	}
	wi, gi := w.Indicators, g.Indicators
	w.Indicators, g.Indicators = nil, nil
	if !reflect.DeepEqual(w, g) {
		t.Errorf("fields differ:\n got %+v\nwant %+v", g, w)
	}
	if len(wi) != len(gi) {
		t.Errorf("got %d indicators, want %d", len(gi), len(wi))
	}
	for i := range min(len(wi), len(gi)) {
		if !reflect.DeepEqual(wi[i], gi[i]) {
			t.Errorf("indicator %d: got %+v, want %+v", i, gi[i], wi[i])
		}
	}
}

// TestRoundTripBlankForm: a draft with nothing filled in but the year
// (a blank form to hand out) renders, is marked 草稿, and reads back.
func TestRoundTripBlankForm(t *testing.T) {
	form := reports.Form{Year: 2024, Family: "shanghai-2020"}
	data := mustRender(t, &form)
	f := mustOpen(t, data)
	if hf, _ := f.GetHeaderFooter("绩效目标表"); hf == nil || !strings.Contains(hf.OddHeader, "草稿") {
		t.Errorf("draft not marked: %+v", hf)
	}
	got := mustRead(t, data, "blank.xlsx")
	if len(got) != 1 {
		t.Fatalf("got %d forms", len(got))
	}
	want := form
	want.Title = reports.DefaultTitle
	want.TargetsHeading = "2024年绩效目标"
	want.FundsHeading = "本项目上年度市级财政资金使用情况"
	assertSameForm(t, want, got[0])
}
