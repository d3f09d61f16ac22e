package family_test

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/templates"
)

func TestKindsHaveTheirOwnDefaults(t *testing.T) {
	reg := mustBuiltin(t)
	if reg.Default().DocumentKind() != family.KindTarget {
		t.Errorf("the default family %s is not a target form", reg.Default().Name)
	}
	sh, _ := reg.Get("shanghai-2020")
	for kind, want := range map[string]string{family.KindSelfEvaluation: "self-evaluation-2020", family.KindMonitoring: "monitoring-2020"} {
		got, err := reg.Companion(sh, kind)
		if err != nil || got.Name != want {
			t.Errorf("Companion(shanghai-2020, %s) = %v, %v; want %s", kind, got, err, want)
		}
	}
	// A derived document is never what an imported form is detected as,
	// even by its own title and labels.
	if got := reg.Detect("项目支出绩效自评表", []string{"实际完成值", "分值", "得分", "偏差原因分析及改进措施"}); got.DocumentKind() != family.KindTarget {
		t.Errorf("Detect chose %s", got.Name)
	}
	if _, err := reg.Companion(sh, "report-card"); err == nil {
		t.Error("a kind no family lays out must be an error")
	}
}

func TestCompanionsNameAFamilyOfTheirKind(t *testing.T) {
	data, err := templates.Families.ReadFile("families/shanghai-2020.json")
	if err != nil {
		t.Fatal(err)
	}
	write := func(dir, companion string) {
		site := strings.Replace(string(data), `"default": true,`, `"default": true, "companions": {"self-evaluation": "`+companion+`"},`, 1)
		if err := os.WriteFile(filepath.Join(dir, "shanghai-2020.json"), []byte(site), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	write(dir, "monitoring-2020")
	if _, err := family.Load(templates.Families, dir); err == nil || !strings.Contains(err.Error(), `companions.self-evaluation: "monitoring-2020" is not a known family of kind self-evaluation`) {
		t.Errorf("err = %v", err)
	}
	// A site's own self-evaluation layout, chosen by the target family.
	se, _ := templates.Families.ReadFile("families/self-evaluation-2020.json")
	mine := strings.Replace(strings.Replace(string(se), `"self-evaluation-2020"`, `"self-evaluation-sh"`, 1), `"default": true,`, ``, 1)
	if err := os.WriteFile(filepath.Join(dir, "self-evaluation-sh.json"), []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	write(dir, "self-evaluation-sh")
	reg, err := family.Load(templates.Families, dir)
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := reg.Get("shanghai-2020")
	nat, _ := reg.Get("national-2021")
	if got, _ := reg.Companion(sh, family.KindSelfEvaluation); got.Name != "self-evaluation-sh" {
		t.Errorf("shanghai's companion %s", got.Name)
	}
	if got, _ := reg.Companion(nat, family.KindSelfEvaluation); got.Name != "self-evaluation-2020" {
		t.Errorf("national's companion %s, want the kind's default", got.Name)
	}
}

func TestParseKindAndScoringErrors(t *testing.T) {
	base, err := templates.Families.ReadFile("families/shanghai-2020.json")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !strings.Contains(string(base), old) {
			t.Fatalf("test setup: %q not in the family file", old)
		}
		return strings.Replace(string(base), old, new, 1)
	}
	tests := []struct {
		name, data, want string
	}{
		{"unknown kind", edit(`"default": true,`, `"default": true, "kind": "report-card",`), `kind: unknown kind "report-card"`},
		{"companion of the target kind", edit(`"default": true,`, `"default": true, "companions": {"target": "x"},`), `companions.target: not a derived document kind`},
		{"weights must add up to 100", edit(`{"level1": ["影响力目标"], "points": 10}`, `{"level1": ["影响力目标"], "points": 15}`), `scoring.weights: budget points and weights add up to 105.00, not 100`},
		{"a level 1 weighed twice", edit(`{"level1": ["影响力目标"], "points": 10}`, `{"level1": ["影响力目标", "产出目标"], "points": 10}`), `scoring.weights[3].level1: "产出目标" has more than one weight`},
		{"negative points", edit(`{"level1": ["投入与管理"], "points": 10}`, `{"level1": ["投入与管理"], "points": -10}`), `scoring.weights[0].points: "-10": a non-negative decimal`},
		{"decimals", edit(`"budget_points": 10,`, `"budget_points": 10, "decimals": 3,`), `scoring.decimals: 3`},
		{"review threshold below the target", edit(`"budget_points": 10,`, `"budget_points": 10, "review_above_percent": 90,`), `scoring.review_above_percent: must be more than 100`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := family.Parse([]byte(tt.data), "x.json")
			var fe *family.Error
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestScoringRules(t *testing.T) {
	reg := mustBuiltin(t)
	se, _ := reg.Get("self-evaluation-2020")
	weights := func(r reports.ScoringRules) map[string]string {
		out := map[string]string{}
		for _, w := range r.Weights {
			out[strings.Join(w.Level1, "+")] = w.Points.RatString()
		}
		return out
	}
	tests := []struct {
		family string
		want   map[string]string
	}{
		{"shanghai-2020", map[string]string{"投入与管理": "10", "产出目标": "40", "效果目标": "30", "影响力目标": "10"}},
		{"national-2021", map[string]string{"产出指标+成本指标": "50", "效益指标": "30", "满意度指标": "10"}},
	}
	for _, tt := range tests {
		t.Run(tt.family, func(t *testing.T) {
			fam, _ := reg.Get(tt.family)
			r := fam.ScoringRules(se)
			got := weights(r)
			if len(got) != len(tt.want) {
				t.Errorf("weights %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("weight of %s = %s, want %s", k, got[k], v)
				}
			}
			if r.BudgetPoints.Cmp(big.NewRat(10, 1)) != 0 || r.Decimals != 2 || r.ReviewAbove.Cmp(big.NewRat(6, 5)) != 0 {
				t.Errorf("budget %s decimals %d review %s", r.BudgetPoints, r.Decimals, r.ReviewAbove)
			}
		})
	}
	// A family without a scoring block has the 财政部 defaults.
	tiny, err := family.Load(nil, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	fam, _ := tiny.Get("tiny-2024")
	if got := weights(fam.ScoringRules(nil)); got["产出指标"] != "50" || got["效益指标"] != "30" || got["满意度指标"] != "10" {
		t.Errorf("default weights %v", got)
	}
}
