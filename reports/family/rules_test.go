package family_test

import (
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/textform"
)

// The sample's family must declare exactly the rules of reports.DefaultRules
// (apart from its vocabulary), so that validating with either agrees.
func TestShanghaiRulesMatchDefault(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	fam, err := reg.Get("shanghai-2020")
	if err != nil {
		t.Fatal(err)
	}
	got, want := fam.Rules(), reports.DefaultRules
	slices.Sort(got.Required)
	req := slices.Clone(want.Required)
	slices.Sort(req)
	if !reflect.DeepEqual(got.Required, req) {
		t.Errorf("required: got %v, want %v", got.Required, req)
	}
	for k, typ := range want.Types {
		if got.Types[k] != typ {
			t.Errorf("type of %s: got %q, want %q", k, got.Types[k], typ)
		}
	}
	f, err := os.Open("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Read(f, "seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i := range forms {
		if ps := reports.Check(&forms[i], got); len(ps) != 0 {
			t.Errorf("seed form %d: %v", i, ps)
		}
	}
}
