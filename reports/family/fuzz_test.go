package family_test

import (
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/templates"
)

// Whatever the file says, Parse either refuses it or returns a family that
// Build and Paginate can use without panicking.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"families/shanghai-2020.json", "families/national-2021.json"} {
		if data, err := templates.Families.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"name":"x","title":"t","fields":[],"indicators":{"columns":[{"key":"level1","label":"a"}]},` +
		`"page":{"width_mm":210,"height_mm":297,"title_pt":1,"subtitle_pt":1,"heading_pt":1,"body_pt":1},` +
		`"table":{"columns":[1],"sections":[{"indicators":true}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fam, err := family.Parse(data, "fuzz.json")
		if err != nil {
			return
		}
		form := &reports.Form{Year: 2020, Project: "项目", Indicators: []reports.Indicator{
			{Level1: "产出指标", Level2: "数量指标", Level3: "甲", Target: "=1"},
			{Level1: "产出指标", Level2: "数量指标", Level3: "乙", Target: "规范"},
		}}
		if _, err := layout.Paginate(layout.Build(form, fam), layout.MonoMeasurer{}); err != nil {
			t.Fatal(err)
		}
	})
}
