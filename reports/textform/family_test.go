package textform_test

import (
	"bytes"
	"os"
	"reflect"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/textform"
)

func TestReadDetectsFamily(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rd := textform.Reader{Families: reg}
	tests := []struct {
		file, family string
		forms        int
	}{
		{"../../testdata/seed/2020-performance-targets.txt", "shanghai-2020", 2},
		{"../../testdata/families/national-2023.txt", "national-2021", 1},
		{"../../testdata/families/hunan-2023.txt", "hunan-2023", 1},
		{"../../testdata/families/wuhan-2020.txt", "wuhan-2020", 1},
		{"../../testdata/families/hunan-infra-2022.txt", "hunan-infra-2022", 1},
	}
	for _, tt := range tests {
		t.Run(tt.family, func(t *testing.T) {
			f, err := os.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			forms, err := rd.Read(f, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(forms) != tt.forms {
				t.Fatalf("got %d forms", len(forms))
			}
			for i := range forms {
				if forms[i].Family != tt.family {
					t.Errorf("form %d: family %q, want %q", i, forms[i].Family, tt.family)
				}
				fam, err := reg.Get(forms[i].Family)
				if err != nil {
					t.Fatal(err)
				}
				if ps := reports.Check(&forms[i], fam.Rules()); len(ps) != 0 {
					t.Errorf("form %d: %v", i, ps)
				}
			}
		})
	}
}

func TestReadNationalFamily(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../../testdata/families/national-2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Reader{Families: reg}.Read(f, "national.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := forms[0]
	checks := []struct{ name, got, want string }{
		{"year", n.Get("year"), "2023"},
		{"unit", n.Unit, "某某市农业农村局"},
		{"department", n.Get("extra.department"), "某某市农业农村局（126）"},
		{"period", n.Get("extra.period"), "2023.07-2024.01"},
		{"total in 万元 → 分", n.Funds.Total.Plain(), "12505000.00"},
		{"current with 6 decimals of 万元", n.Funds.Current.Plain(), "8601234.56"},
		{"fiscal kept verbatim", n.Get("extra.fiscal"), "800"},
		{"annual goal with a line break", n.Get("extra.annual_goal"), "完成1.2万亩建设任务；\n配套灌溉设施验收合格。"},
		{"standard column", n.Indicators[0].Extra["standard"], "按验收面积计"},
		{"odd target kept verbatim", string(n.Indicators[1].Target), "=100.00(%)"},
		{"level 2 without level 3", n.Indicators[2].Level2 + "|" + n.Indicators[2].Level3, "时效指标|"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(n.Indicators) != 9 {
		t.Errorf("got %d indicators, want 9", len(n.Indicators))
	}
}

func TestWriteReadEachFamily(t *testing.T) {
	reg := mustFamilies(t)
	rd := textform.Reader{Families: reg}
	for _, file := range []string{"../../testdata/seed/2020-performance-targets.txt", "../../testdata/families/national-2023.txt",
		"../../testdata/families/hunan-2023.txt", "../../testdata/families/wuhan-2020.txt", "../../testdata/families/hunan-infra-2022.txt"} {
		t.Run(file, func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			forms, err := rd.Read(f, file)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := textform.Write(&buf, forms, reg); err != nil {
				t.Fatal(err)
			}
			again, err := rd.Read(bytes.NewReader(buf.Bytes()), "again.txt")
			if err != nil {
				t.Fatalf("%v\n%s", err, buf.String())
			}
			for i := range forms {
				forms[i].Lines, again[i].Lines, forms[i].Source, again[i].Source = nil, nil, "", ""
			}
			if !reflect.DeepEqual(forms, again) {
				t.Errorf("round trip differs:\n%+v\n%+v\n%s", forms, again, buf.String())
			}
		})
	}
}
