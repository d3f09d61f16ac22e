package layout_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/layout"
)

func TestBuildSeedGolden(t *testing.T) {
	fam := mustFamily(t, "shanghai-2020")
	for i, f := range mustSeed(t) {
		t.Run(f.Project, func(t *testing.T) {
			g := layout.Build(&f, fam)
			if g.Draft {
				t.Errorf("the sample form is valid but marked draft")
			}
			golden(t, fmt.Sprintf("grid-%d.json", i), g)
		})
	}
}

func TestBuildShape(t *testing.T) {
	f := mustSeed(t)[0]
	g := layout.Build(&f, mustFamily(t, ""))
	if g.Title != "财政项目支出绩效目标表" || g.Subtitle != "(2020年度)" {
		t.Errorf("title %q subtitle %q", g.Title, g.Subtitle)
	}
	if len(g.Header) != 1 || g.Header[0] != "申报单位名称：上海市促进中小企业发展协调办公室" {
		t.Errorf("header %q", g.Header)
	}
	want := layout.Meta{Title: "企业培育 财政项目支出绩效目标表", Author: "上海市促进中小企业发展协调办公室",
		Subject: "2020年度财政项目支出绩效目标表", Keywords: "财政项目支出绩效目标表, 2020年度, 上海市促进中小企业发展协调办公室, 企业培育"}
	if g.Meta != want {
		t.Errorf("meta %+v, want %+v", g.Meta, want)
	}
	cells := map[string]layout.Cell{}
	var sections []string
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			if c.Path != "" {
				cells[c.Path] = c
			}
			if r.Kind == layout.RowSection {
				sections = append(sections, c.Text)
			}
			if end := c.Col + c.Span; end > len(g.Columns) {
				t.Errorf("cell %q spans past the grid", c.Text)
			}
		}
	}
	if fmt.Sprint(sections) != "[本项目上年度市级财政资金使用情况 2020年绩效目标]" {
		t.Errorf("sections %q", sections)
	}
	total := cells["funds.total"]
	if total.Text != "790,000.00" || total.Kind != layout.KindMoney || total.Align != layout.AlignRight {
		t.Errorf("funds.total cell %+v", total)
	}
	if c := cells["overview"]; c.Col == 0 || c.Col+c.Span != len(g.Columns) || c.Label != "项目概况" {
		t.Errorf("overview cell %+v: want a full-width value beside its label", c)
	}
	if c := cells["start"]; c.Kind != layout.KindDate || c.Text != "2020-01-01" {
		t.Errorf("start cell %+v", c)
	}
}

func TestBuildMergesLevels(t *testing.T) {
	f := mustSeed(t)[0]
	f.Indicators = []reports.Indicator{
		{Level1: "产出目标", Level2: "数量", Level3: "a", Target: "=1"},
		{Level1: "产出目标", Level2: "数量", Level3: "b", Target: "=2"},
		{Level1: "效果目标", Level2: "数量", Level3: "c", Target: "=3"}, // same level 2, new level 1: not merged
		{Level1: "效果目标", Level2: "满意度", Level3: "d", Target: "=4"},
		{Level1: "效果目标", Level2: "满意度", Level3: "e", Target: "=5"},
	}
	g := layout.Build(&f, mustFamily(t, ""))
	type merged struct {
		path    string
		rowSpan int
		kind    layout.CellKind
	}
	var got []merged
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			if c.Kind == layout.KindIndicatorL1 || c.Kind == layout.KindIndicatorL2 {
				got = append(got, merged{c.Path, c.RowSpan, c.Kind})
			}
		}
	}
	want := []merged{
		{"indicators[0].level1", 2, layout.KindIndicatorL1},
		{"indicators[0].level2", 2, layout.KindIndicatorL2},
		{"indicators[2].level1", 3, layout.KindIndicatorL1},
		{"indicators[2].level2", 1, layout.KindIndicatorL2},
		{"indicators[3].level2", 2, layout.KindIndicatorL2},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("merged cells\n got %v\nwant %v", got, want)
	}
	// Covered rows have no cell in the merged columns.
	for i, r := range g.Rows {
		if r.Kind != layout.RowIndicator {
			continue
		}
		has := map[string]bool{}
		for _, c := range r.Cells {
			has[c.Path[strings.LastIndexByte(c.Path, '.')+1:]] = true
		}
		if !has["level3"] || !has["target"] {
			t.Errorf("row %d lacks its level-3 or target cell", i)
		}
	}
}

func TestBuildDraft(t *testing.T) {
	fam := mustFamily(t, "")
	f := reports.Form{Year: 2021, Project: "空白项目"}
	g := layout.Build(&f, fam)
	if !g.Draft {
		t.Fatal("a form with empty required fields must be a draft")
	}
	for _, r := range g.Rows {
		for _, c := range r.Cells {
			if c.Kind == layout.KindMoney && c.Text != "" {
				t.Errorf("unset amount %s printed as %q", c.Path, c.Text)
			}
		}
	}
	if g.Subtitle != "(2021年度)" {
		t.Errorf("subtitle %q", g.Subtitle)
	}
}

func TestBuildHeadingFromForm(t *testing.T) {
	f := mustSeed(t)[0]
	f.TargetsHeading = ""
	f.Year = 2024
	g := layout.Build(&f, mustFamily(t, ""))
	found := false
	for _, r := range g.Rows {
		if r.Kind == layout.RowSection && r.Cells[0].Text == "2024年绩效目标" {
			found = true
		}
	}
	if !found {
		t.Error("an empty targets heading must default to {year}年绩效目标")
	}
}
