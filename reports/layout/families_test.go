package layout_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/textform"
)

// mustFamilyForm reads testdata/families/NAME.txt with the built-in
// families and checks it is detected as NAME.
func mustFamilyForm(t *testing.T, name string) (*reports.Form, *family.Family) {
	t.Helper()
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "testdata", "families", name+".txt")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	forms, err := textform.Reader{Families: reg}.Read(fh, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 1 || forms[0].Family != name {
		t.Fatalf("read %d forms, the first of family %q; want one of %s", len(forms), forms[0].Family, name)
	}
	fam, err := reg.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	if ps := reports.Check(&forms[0], fam.Rules()); ps.HasErrors() {
		t.Fatalf("the sample has errors: %v", ps)
	}
	return &forms[0], fam
}

// cellText finds the first cell whose text is s.
func cellText(g *layout.Grid, s string) (layout.Row, layout.Cell, bool) {
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			if c.Text == s {
				return r, c, true
			}
		}
	}
	return layout.Row{}, layout.Cell{}, false
}

// Each published layout of testdata/families reproduced by its family file:
// golden grid and pages, and the features that make the layout its own.
func TestPublishedFamiliesGolden(t *testing.T) {
	tests := []struct {
		name  string
		check func(t *testing.T, f *reports.Form, g *layout.Grid)
	}{
		{"hunan-2023", func(t *testing.T, f *reports.Form, g *layout.Grid) {
			if g.Title != "2023年项目支出绩效目标申报表" {
				t.Errorf("title %q", g.Title)
			}
			if len(g.Header) != 1 || g.Header[0] != "填报单位：（盖章）" || g.HeaderRight[0] != "单位：万元" {
				t.Errorf("header %q | %q", g.Header, g.HeaderRight)
			}
			if len(g.Footer) != 1 || !strings.HasPrefix(g.Footer[0], "填表人：") {
				t.Errorf("footer %q", g.Footer)
			}
			// 本年度绩效指标 spans the column header and every indicator row.
			if _, c, ok := cellText(g, "本年度绩效指标"); !ok || c.Col != 0 || c.RowSpan != 1+len(f.Indicators) {
				t.Errorf("side label %+v (found %v), want column 0 over %d rows", c, ok, 1+len(f.Indicators))
			}
			// Level-2 rows without level 3 still print as rows.
			if _, c, ok := cellText(g, "生态效益指标"); !ok || c.Kind != layout.KindIndicatorL2 {
				t.Errorf("level-2 row without level 3: %+v (found %v)", c, ok)
			}
			// The 审核意见 box is blank, locked and 30 mm high.
			r, _, ok := cellText(g, "财政部门审核意见")
			if !ok || r.MinHeightMM != 30 || len(r.Cells) != 2 || r.Cells[1].Kind != layout.KindBlank || r.Cells[1].Path != "" {
				t.Errorf("审核意见 row %+v", r)
			}
			// 万元 with as many decimals as the column needs (none here).
			if _, c, ok := cellText(g, "250"); !ok || c.Kind != layout.KindMoney {
				t.Errorf("年度本级预算金额 %+v (found %v)", c, ok)
			}
		}},
		{"wuhan-2020", func(t *testing.T, f *reports.Form, g *layout.Grid) {
			if g.Subtitle != "（2020年度）" {
				t.Errorf("subtitle %q", g.Subtitle)
			}
			// The fund block: a side label over three rows of two amounts.
			if _, c, ok := cellText(g, "项目资金（万元）"); !ok || c.RowSpan != 3 {
				t.Errorf("fund side label %+v (found %v)", c, ok)
			}
			// 总体目标 over 中期目标 | 年度目标, the values under them.
			_, mid, _ := cellText(g, "中期目标")
			_, year, _ := cellText(g, "年度目标")
			_, side, _ := cellText(g, "总体目标")
			if side.RowSpan != 2 || mid.Col != year.Col-mid.Span || mid.Col != side.Col+side.Span {
				t.Errorf("总体目标 %+v, 中期目标 %+v, 年度目标 %+v", side, mid, year)
			}
			// Seven indicator columns, 一级 repeated on every row.
			for _, r := range g.Rows {
				if r.Kind == layout.RowTableHeader && len(r.Cells) != 7 {
					t.Errorf("header of %d columns", len(r.Cells))
				}
				if r.Kind == layout.RowIndicator && (len(r.Cells) != 7 || r.Cells[0].RowSpan != 1) {
					t.Errorf("indicator row %+v", r.Cells)
				}
			}
		}},
		{"hunan-infra-2022", func(t *testing.T, f *reports.Form, g *layout.Grid) {
			if g.Title != "绩效目标申报表（基础设施建设类）" || g.Subtitle != "（2022年度）" {
				t.Errorf("title %q, subtitle %q", g.Title, g.Subtitle)
			}
			// The amounts are free text, printed verbatim.
			want := "854万（高标准农田建设400万元，示范建设295万元，畅通工程159万元）"
			if _, c, ok := cellText(g, want); !ok || c.Kind != layout.KindValue {
				t.Errorf("free-text amount %+v (found %v)", c, ok)
			}
			if len(g.Footer) != 1 || !strings.HasPrefix(g.Footer[0], "注：") {
				t.Errorf("footnote %q", g.Footer)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, fam := mustFamilyForm(t, tt.name)
			g := layout.Build(f, fam)
			if g.Draft {
				t.Error("a valid form is marked draft")
			}
			tt.check(t, f, g)
			golden(t, "grid-"+tt.name+".json", g)
			doc, err := layout.Paginate(g, layout.MonoMeasurer{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "doc-"+tt.name+".json", doc)
		})
	}
}

// Amounts of one printed column share one number of decimals: as many as
// the most precise needs, within the family's range; an amount more
// precise than the family prints is rounded on paper, kept exact in Exact.
func TestMoneyDecimalsPerColumn(t *testing.T) {
	two := 2
	tests := []struct {
		name       string
		max        *int
		total, fis string
		want       [2]string // 实施期资金总额, 其中：财政拨款 (one column)
		exact      string    // Exact of 其中：财政拨款
	}{
		{"as many as the column needs", nil, "1250.5", "800.123", [2]string{"1,250.500", "800.123"}, ""},
		{"whole amounts keep the least decimals", nil, "1250", "800", [2]string{"1,250.00", "800.00"}, ""},
		{"at most two: rounded for print", &two, "1250.5", "800.125", [2]string{"1,250.50", "800.13"}, "800.125"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fam := *mustFamily(t, "national-2021")
			fam.Funds.MaxDecimals = tt.max
			m, err := reports.ParseWanYuan(tt.total)
			if err != nil {
				t.Fatal(err)
			}
			f := reports.Form{Year: 2023, Funds: reports.Funds{Total: m}, Extra: map[string]string{"fiscal": tt.fis}}
			g := layout.Build(&f, &fam)
			got := map[string]layout.Cell{}
			for _, r := range g.Rows {
				for _, c := range r.Cells {
					got[c.Path] = c
				}
			}
			if got["funds.total"].Text != tt.want[0] || got["extra.fiscal"].Text != tt.want[1] {
				t.Errorf("printed %q and %q, want %q", got["funds.total"].Text, got["extra.fiscal"].Text, tt.want)
			}
			if got["extra.fiscal"].Exact != tt.exact {
				t.Errorf("Exact %q, want %q", got["extra.fiscal"].Exact, tt.exact)
			}
			if f.Funds.Total != m {
				t.Error("building changed the form's amount")
			}
		})
	}
}
