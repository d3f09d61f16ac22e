package formgen_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/textform"
)

func mustSample(tb testing.TB) []reports.Form {
	tb.Helper()
	forms, err := formgen.ReadSample("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return forms
}

func mustFamilies(tb testing.TB) *family.Registry {
	tb.Helper()
	fams, err := family.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	return fams
}

func TestGenerate(t *testing.T) {
	sample := mustSample(t)
	o := formgen.Options{N: 500, Year: 2021, Units: 7, Seed: 1, InvalidEvery: 10, RareEvery: 25}
	units := map[string]int{}
	projects := map[string]bool{}
	indicatorCounts := map[int]bool{}
	invalid, rare := 0, 0
	for i, f := range formgen.Generate(sample, o) {
		if f.Year != 2021 {
			t.Fatalf("form %d: year %d, want 2021", i, f.Year)
		}
		units[f.Unit]++
		key := f.Unit + "/" + f.Project
		if projects[key] {
			t.Fatalf("form %d: duplicate unit/project %s", i, key)
		}
		projects[key] = true
		indicatorCounts[len(f.Indicators)] = true
		if strings.Contains(f.Overview, "𠮷") {
			rare++
		}
		probs := reports.Check(&f, reports.DefaultRules)
		if probs.HasErrors() {
			invalid++
			if (i+1)%o.InvalidEvery != 0 {
				t.Errorf("form %d should be valid: %v", i, probs.Errors())
			}
		} else if (i+1)%o.InvalidEvery == 0 {
			t.Errorf("form %d should fail validation", i)
		}
	}
	if len(units) != 7 {
		t.Errorf("got %d units, want 7", len(units))
	}
	if invalid != 50 || rare != 20 {
		t.Errorf("invalid=%d rare=%d, want 50 and 20", invalid, rare)
	}
	if len(indicatorCounts) < 10 {
		t.Errorf("only %d distinct indicator counts: not varied enough", len(indicatorCounts))
	}
}

func TestGenerateDeterministic(t *testing.T) {
	sample := mustSample(t)
	text := func(seed uint64) string {
		var forms []reports.Form
		for _, f := range formgen.Generate(sample, formgen.Options{N: 20, Seed: seed}) {
			forms = append(forms, f)
		}
		var b strings.Builder
		if err := textform.Write(&b, forms, mustFamilies(t)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if text(3) != text(3) {
		t.Error("same seed gave different forms")
	}
	if text(3) == text(4) {
		t.Error("different seeds gave the same forms")
	}
}

// TestGenerateRoundTrip checks generated forms survive the seed text format,
// so they can be written to files for the CLI.
func TestGenerateRoundTrip(t *testing.T) {
	sample := mustSample(t)
	var forms []reports.Form
	for _, f := range formgen.Generate(sample, formgen.Options{N: 30, Seed: 9}) {
		forms = append(forms, f)
	}
	var b strings.Builder
	if err := textform.Write(&b, forms, mustFamilies(t)); err != nil {
		t.Fatal(err)
	}
	back, err := textform.Read(strings.NewReader(b.String()), "gen.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(forms) {
		t.Fatalf("read back %d forms, want %d", len(back), len(forms))
	}
	for i := range forms {
		if back[i].Project != forms[i].Project || back[i].Funds != forms[i].Funds || len(back[i].Indicators) != len(forms[i].Indicators) {
			t.Errorf("form %d changed in the round trip", i)
		}
	}
}

func TestUnitNamesDistinct(t *testing.T) {
	seen := map[string]bool{}
	for k := range 1000 {
		n := formgen.UnitName(k)
		if seen[n] {
			t.Fatalf("unit %d: %s repeats", k, n)
		}
		seen[n] = true
	}
}

func TestReadSampleMissing(t *testing.T) {
	_, err := formgen.ReadSample("no/such/file.txt")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want a not-exist error", err)
	}
}
