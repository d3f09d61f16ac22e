package layout_test

import (
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/layout"
)

// The family language a derived document (自评表) needs: column labels and
// literal texts take {key}, readonly reaches the cells, and a form marked
// Draft by its producer prints as one although Check finds nothing.
func TestBuildDerivedFeatures(t *testing.T) {
	fam := mustFamily(t, "monitoring-2020")
	f := &reports.Form{Family: fam.Name, Year: 2020, Project: "p", Extra: map[string]string{"months": "1-6月", "month": "6", "department": "d", "implementer": "i"},
		Indicators: []reports.Indicator{{Level1: "产出指标", Level2: "数量指标", Level3: "x", Target: "≥1个"}}}
	g := layout.Build(f, fam)
	var head, text, target, actual *layout.Cell
	for ri := range g.Rows {
		for ci := range g.Rows[ri].Cells {
			c := &g.Rows[ri].Cells[ci]
			switch {
			case c.Text == "1-6月实际完成值":
				head = c
			case c.Text == "1-6月执行数":
				text = c
			case c.Path == "indicators[0].target":
				target = c
			case c.Path == "indicators[0].actual":
				actual = c
			}
		}
	}
	if head == nil || text == nil {
		t.Fatalf("{extra.months} not expanded in a column label (%v) or a text cell (%v)", head, text)
	}
	if target == nil || !target.ReadOnly || actual == nil || actual.ReadOnly {
		t.Errorf("target %+v must be read-only, actual %+v open", target, actual)
	}
	if actual.Label != "绩效指标第1行1-6月实际完成值" {
		t.Errorf("actual label %q", actual.Label)
	}
	if g.Draft {
		t.Errorf("draft without a reason")
	}
	f.Draft = true
	if !layout.Build(f, fam).Draft {
		t.Errorf("a form its producer marked Draft must print as a draft")
	}
}
