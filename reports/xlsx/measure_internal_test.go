package xlsx

import (
	"os"
	"testing"

	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/textform"
	"github.com/reportd/reportd/templates"
)

// TestCountFastPath: the shortcut for text that fits on one line gives
// the line count the full breaking gives, for every text of generated
// forms at a range of widths.
func TestCountFastPath(t *testing.T) {
	texts := []string{"", "是", "项目名称", "2020-01-01", "790,000.00", "=100%", "≥80M", "（一）加强组织领导；",
		"根据《关于进一步加强财政项目支出绩效管理的通知》（财预〔2020〕10号）要求，",
		"相关信息见 https://www.example.gov.cn/zxqy/notice-2020.html，", "ISO 9001:2015质量管理体系认证已于2019年完成；",
		"按照“全过程、全覆盖”的原则开展绩效监控——每季度形成监控报告……", "第一行\n第二行", "a b c d e f g h"}
	reg, err := family.Load(templates.Families, "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Reader{Families: reg}.Read(f, "seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range forms {
		fam, err := reg.Get(form.Family)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range layout.Build(&form, fam).Rows {
			for _, c := range r.Cells {
				texts = append(texts, c.Text)
			}
		}
	}
	w := wrapper{m: SpreadsheetMeasurer{}}
	for _, text := range texts {
		for _, role := range []layout.Role{layout.RoleBody, layout.RoleHeading, layout.RoleTitle} {
			for width := 0.5; width <= 40; width += 0.25 {
				fast, slow := w.count(role, text, width), w.slowCount(role, text, width)
				if fast != slow {
					t.Errorf("%q role %d width %.2f em: %d lines with the shortcut, %d without", text, role, width, fast, slow)
				}
			}
		}
	}
}
