package layout_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
)

func TestPaginateSeedGolden(t *testing.T) {
	fam := mustFamily(t, "shanghai-2020")
	for i, f := range mustSeed(t) {
		t.Run(f.Project, func(t *testing.T) {
			doc, err := layout.Paginate(layout.Build(&f, fam), layout.MonoMeasurer{})
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, &f, doc)
			golden(t, fmt.Sprintf("doc-%d.json", i), rounded(doc))
		})
	}
}

const (
	mm      = 72 / 25.4
	a4W     = 210 * mm
	a4H     = 297 * mm
	yMax    = a4H - 35*mm // the bottom margin of shanghai-2020
	topEdge = 37 * mm
)

// checkDocument asserts what must hold for every typeset form.
func checkDocument(t *testing.T, f *reports.Form, doc *layout.Document) {
	t.Helper()
	if doc.WidthPt < a4W-0.01 || doc.WidthPt > a4W+0.01 || doc.HeightPt < a4H-0.01 || doc.HeightPt > a4H+0.01 {
		t.Errorf("page %gx%g pt is not A4", doc.WidthPt, doc.HeightPt)
	}
	// Every character of every value appears exactly once, in order.
	got := map[string]*strings.Builder{}
	var order []string
	tableStarted := false // an absurdly long header may push the table to page 2
	for pi, p := range doc.Pages {
		table := 0
		for i, tx := range p.Texts {
			if tx.Path != "" {
				if got[tx.Path] == nil {
					got[tx.Path] = &strings.Builder{}
					order = append(order, tx.Path)
				}
				got[tx.Path].WriteString(tx.S)
			}
			isNumber := tx.S == fmt.Sprintf("— %d —", pi+1)
			isDraft := tx.S == layout.DraftMark && tx.Gray > 0
			switch {
			case isNumber:
				if tx.Y <= yMax {
					t.Errorf("page %d: page number at %g is inside the type area", pi+1, tx.Y)
				}
			case isDraft:
			default:
				table++
				if tx.Y > yMax || tx.Y < topEdge {
					t.Errorf("page %d: %q at y=%g is outside the type area [%g, %g]", pi+1, tx.S, tx.Y, topEdge, yMax)
				}
			}
			if tableStarted && i == 0 && !isDraft && tx.S != layout.ContinuedTable {
				t.Errorf("page %d starts with %q, want %s", pi+1, tx.S, layout.ContinuedTable)
			}
		}
		tableStarted = tableStarted || len(p.Rules) > 0
		if table <= 1 {
			t.Errorf("page %d is empty", pi+1)
		}
		if !strings.Contains(pageText(p), fmt.Sprintf("— %d —", pi+1)) {
			t.Errorf("page %d has no page number", pi+1)
		}
		for _, r := range p.Rules {
			if r.Y1 > yMax+0.01 || r.Y2 > yMax+0.01 || r.Y1 < topEdge || r.X1 < 28*mm-0.01 || r.X2 > a4W-26*mm+0.01 {
				t.Errorf("page %d: rule %+v outside the type area", pi+1, r)
			}
		}
		if hasMark := len(p.Background) == 1 && p.Background[0].S == layout.DraftMark; doc.Draft != hasMark {
			t.Errorf("page %d: draft %v but mark in the background %v", pi+1, doc.Draft, hasMark)
		}
		if strings.Contains(pageText(p), layout.DraftMark) && !strings.Contains(valueText(f), layout.DraftMark) {
			t.Errorf("page %d: the 草稿 mark is in the text layer", pi+1)
		}
	}
	for _, path := range order {
		want := strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(valueOf(f, path))
		if path == "funds.total" || path == "funds.current" || path == "funds.last_budget" || path == "funds.last_spent" {
			continue // printed formatted; checked by Build tests
		}
		if g := got[path].String(); g != want {
			t.Errorf("%s printed as\n%q\nwant\n%q", path, g, want)
		}
	}
	for _, key := range []string{"project", "overview", "basis", "goals"} {
		if strings.Trim(valueOf(f, key), "\r\n") != "" && got[key] == nil {
			t.Errorf("%s is not printed", key)
		}
	}
	for i := range f.Indicators {
		p := reports.IndicatorPath(i, "level3")
		if strings.Trim(f.Indicators[i].Level3, "\r\n") != "" && got[p] == nil {
			t.Errorf("%s is not printed", p)
		}
	}
}

func valueOf(f *reports.Form, path string) string {
	if rest, ok := strings.CutPrefix(path, "indicators["); ok {
		var i int
		var col string
		fmt.Sscanf(rest, "%d", &i)
		_, col, _ = strings.Cut(rest, "].")
		return f.Indicators[i].Get(col)
	}
	return f.Get(path)
}

func pageText(p layout.Page) string {
	var b strings.Builder
	for _, t := range p.Texts {
		b.WriteString(t.S)
		b.WriteByte('\n')
	}
	return b.String()
}

// longForm has long fields with explicit line breaks and URLs, and many
// indicators whose level-1 and level-2 groups straddle pages.
func longForm(t testing.TB, indicators int) reports.Form {
	f := mustSeed(t)[0]
	f.Basis = strings.Repeat(f.Basis, 6)
	f.Overview = "第一段：" + f.Overview + "\n第二段：详见https://www.sheitc.sh.gov.cn/zxqy/20200101/0123456789abcdef0123456789abcdef.html。\n\n" +
		strings.Repeat("很长的说明文字——包括省略号……以及（括号）《书名》“引号”。", 40)
	f.Indicators = nil
	for i := range indicators {
		f.Indicators = append(f.Indicators, reports.Indicator{
			Level1: []string{"产出目标", "效果目标", "影响力目标"}[i*3/indicators],
			Level2: fmt.Sprintf("二级指标%d", i/7),
			Level3: fmt.Sprintf("第%d项三级指标的名称可能相当长需要换行显示", i+1),
			Target: reports.Target(fmt.Sprintf(">=%d%%", i)),
		})
	}
	return f
}

func TestPaginateLongForm(t *testing.T) {
	f := longForm(t, 65)
	g := layout.Build(&f, mustFamily(t, ""))
	doc, err := layout.Paginate(g, layout.MonoMeasurer{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Pages) < 5 {
		t.Fatalf("%d pages: expected the long form to run over at least 5", len(doc.Pages))
	}
	checkDocument(t, &f, doc)
	header, contLevel, contLabel := 0, 0, 0
	for pi, p := range doc.Pages {
		text := pageText(p)
		hasIndicators := strings.Contains(text, "项三级指标")
		hasHeader := strings.Contains(text, "一级目标\n二级目标\n三级目标\n指标目标值")
		if hasIndicators && !hasHeader {
			t.Errorf("page %d has indicators but no column header", pi+1)
		}
		if hasHeader {
			header++
		}
		// A repeated label may wrap before its mark: read the page's lines joined.
		joined := strings.ReplaceAll(text, "\n", "")
		for _, l := range []string{"产出目标", "效果目标", "影响力目标"} {
			contLevel += strings.Count(joined, l+layout.ContinuedMark)
		}
		for _, tx := range p.Texts {
			if strings.HasSuffix(tx.S, layout.ContinuedMark) {
				if tx.Path != "" {
					t.Errorf("page %d: repeat %q carries the path %s", pi+1, tx.S, tx.Path)
				}
				switch strings.TrimSuffix(tx.S, layout.ContinuedMark) {
				case "项目概况", "立项依据":
					contLabel++
				}
			}
		}
	}
	// Justified lines of one field end at one right edge; paragraph ends
	// (before "\n" and the last line) are not justified.
	right := map[string]float64{}
	justified := 0
	for _, p := range doc.Pages {
		for _, tx := range p.Texts {
			sum, stretched := 0.0, false
			rs := []rune(tx.S)
			for i, d := range tx.DX {
				sum += d
				if d > 0 {
					stretched = true
					if i+1 < len(rs) && isDigitOrLatin(rs[i]) && isDigitOrLatin(rs[i+1]) {
						t.Errorf("%q spaced inside a number or word between %q and %q", tx.S, rs[i], rs[i+1])
					}
					if d > 0.5*tx.Size {
						t.Errorf("%q spaced by %g pt", tx.S, d)
					}
				}
			}
			if !stretched {
				continue
			}
			justified++
			edge := tx.X + widthOf(tx.S, tx.Size) + sum
			if e, ok := right[tx.Path]; ok && math.Abs(e-edge) > 0.01 {
				t.Errorf("%s: justified line %q ends at %g, others at %g", tx.Path, tx.S, edge, e)
			}
			right[tx.Path] = edge
			if strings.HasSuffix(tx.S, "。") && strings.Contains(f.Overview, tx.S+"\n") {
				t.Errorf("paragraph end %q justified", tx.S)
			}
		}
	}
	if justified < 50 {
		t.Errorf("only %d lines justified", justified)
	}
	if header < 3 {
		t.Errorf("column header on %d pages, want it repeated on every indicator page", header)
	}
	if contLevel == 0 {
		t.Error("no merged level-1 cell was repeated with （续） on a new page")
	}
	if contLabel == 0 {
		t.Error("no split long field repeated its label with （续）")
	}
}

// Random forms of every size: the invariants hold whatever the content.
func TestPaginateRandomForms(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fam := mustFamily(t, "")
	seed := mustSeed(t)
	pieces := []string{"中小企业", "，", "。", "“专精特新”", "——", "……", "（二）", "《通知》", "2020年", "ISO 9001:2015 ",
		"https://www.sheitc.sh.gov.cn/zxqy/abc.html", "\n", "1,234,567.89元", "珺堃昇喆赟燊㛃", "a"}
	text := func(n int) string {
		var b strings.Builder
		for range r.IntN(n + 1) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	for i := range 150 {
		f := seed[i%2]
		for _, k := range []string{"project", "category", "overview", "basis", "necessity", "measures", "plan", "goals", "unit"} {
			f.Set(k, text([]int{3, 40, 400}[r.IntN(3)]))
		}
		f.Indicators = nil
		for j := range r.IntN(80) {
			f.Indicators = append(f.Indicators, reports.Indicator{
				Level1: []string{"产出目标", "效果目标", text(8)}[min(j/25, 2)], Level2: fmt.Sprint(j / (1 + r.IntN(10))),
				Level3: text(12), Target: reports.Target(text(6)),
			})
		}
		doc, err := layout.Paginate(layout.Build(&f, fam), layout.MonoMeasurer{})
		if err != nil {
			t.Fatal(err)
		}
		checkDocument(t, &f, doc)
		if t.Failed() {
			t.Fatalf("form %d failed", i)
		}
	}
}

func TestPaginateMissingGlyphs(t *testing.T) {
	f := mustSeed(t)[0]
	f.Project = "𠮷野家"
	f.Overview = "𠮷𠮷" + f.Overview + "\U000E0100"
	f.Indicators[2].Target = "𠮷"
	m := layout.MonoMeasurer{Missing: map[rune]bool{'𠮷': true, '\U000E0100': true}}
	_, err := layout.Paginate(layout.Build(&f, mustFamily(t, "")), m)
	var me *layout.MissingGlyphsError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MissingGlyphsError", err)
	}
	want := []string{
		"U+20BB7 𠮷 in 项目名称 (project)",
		"U+20BB7 𠮷 in 项目概况 (overview)",
		"U+E0100 \U000E0100 in 项目概况 (overview)",
		"U+20BB7 𠮷 in 绩效指标第3行指标目标值 (indicators[2].target)",
	}
	var got []string
	for _, m := range me.Missing {
		got = append(got, m.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("missing glyphs\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(err.Error(), "U+20BB7") {
		t.Errorf("message %q does not name the code point", err)
	}
}

func TestPaginateDraftMark(t *testing.T) {
	f := longForm(t, 30)
	f.Unit = "" // a required field: the form becomes a draft
	g := layout.Build(&f, mustFamily(t, ""))
	if !g.Draft {
		t.Fatal("not a draft")
	}
	doc, err := layout.Paginate(g, layout.MonoMeasurer{})
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Draft {
		t.Error("Document.Draft not set")
	}
	checkDocument(t, &f, doc)
	for i, p := range doc.Pages {
		if len(p.Background) != 1 || p.Background[0].S != layout.DraftMark || p.Background[0].Gray < 0.85 {
			t.Errorf("page %d has no light 草稿 mark behind its content: %+v", i+1, p.Background)
		}
	}
}

// A third family needs only a file: this one lives in testdata of package
// family and has a 5-column indicator table with an extra column.
func TestPaginateTinyFamily(t *testing.T) {
	reg, err := family.Load(nil, "../family/testdata/families")
	if err != nil {
		t.Fatal(err)
	}
	fam, err := reg.Get("tiny-2024")
	if err != nil {
		t.Fatal(err)
	}
	f := longForm(t, 12)
	f.Set("extra.实施期目标", "三年内完成全部建设任务。")
	for i := range f.Indicators {
		f.Indicators[i].Set("绩效标准", fmt.Sprintf("标准%d", i))
	}
	f.Funds.Total = reports.Yuan(2_500_000)
	g := layout.Build(&f, fam)
	golden(t, "grid-tiny.json", g)
	doc, err := layout.Paginate(g, layout.MonoMeasurer{})
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, p := range doc.Pages {
		text += strings.ReplaceAll(pageText(p), "\n", "")
	}
	for _, s := range []string{"三年内完成全部建设任务。", "标准11", "250.00", "项目总金额（万元）", "绩效标准"} {
		if !strings.Contains(text, s) {
			t.Errorf("%q not printed", s)
		}
	}
}

func BenchmarkBuildPaginate(b *testing.B) {
	fam := mustFamily(b, "")
	for _, f := range mustSeed(b) {
		b.Run(f.Project, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := layout.Paginate(layout.Build(&f, fam), layout.MonoMeasurer{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A level name longer than a page cannot stay merged; it is printed whole,
// across pages, and nothing runs into the footer.
func TestPaginateHugeLevelName(t *testing.T) {
	f := longForm(t, 9)
	huge := strings.Repeat("极其冗长的一级指标名称，", 150)
	for i := range f.Indicators {
		if i < 5 {
			f.Indicators[i].Level1 = huge
		}
	}
	doc, err := layout.Paginate(layout.Build(&f, mustFamily(t, "")), layout.MonoMeasurer{})
	if err != nil {
		t.Fatal(err)
	}
	checkDocument(t, &f, doc)
}

func widthOf(s string, size float64) float64 {
	w := 0.0
	for _, r := range strings.TrimRight(s, " ") {
		em, _ := layout.MonoMeasurer{}.Advance(layout.RoleBody, r)
		w += em * size
	}
	return w
}

func TestPaginateRefusesBadGrid(t *testing.T) {
	tests := []struct {
		name string
		g    layout.Grid
	}{
		{"no columns", layout.Grid{}},
		{"zero width", layout.Grid{Columns: []float64{1, 0}}},
		{"cell past the grid", layout.Grid{Columns: []float64{1, 1}, Rows: []layout.Row{{Cells: []layout.Cell{{Col: 1, Span: 2, RowSpan: 1}}}}}},
		{"zero span", layout.Grid{Columns: []float64{1}, Rows: []layout.Row{{Cells: []layout.Cell{{Col: 0, Span: 0, RowSpan: 1}}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := layout.Paginate(&tt.g, layout.MonoMeasurer{}); err == nil {
				t.Error("no error")
			}
		})
	}
}

// A blank draft still typesets: empty cells, one page, the 草稿 mark.
func TestPaginateBlankForm(t *testing.T) {
	for _, name := range []string{"shanghai-2020", "national-2021"} {
		t.Run(name, func(t *testing.T) {
			reg, err := family.Builtin()
			if err != nil {
				t.Fatal(err)
			}
			fam, err := reg.Get(name)
			if err != nil {
				t.Skip(err) // the national family is another helper's file
			}
			f := reports.Form{}
			doc, err := layout.Paginate(layout.Build(&f, fam), layout.MonoMeasurer{})
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Pages) != 1 || !doc.Draft {
				t.Errorf("%d pages, draft %v: want one draft page", len(doc.Pages), doc.Draft)
			}
			checkDocument(t, &f, doc)
		})
	}
}

func isDigitOrLatin(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == ','
}

// valueText is every text of the form, to tell a 草稿 typed by the clerk
// from the mark.
func valueText(f *reports.Form) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// checkStructure asserts the page model's frame, reading order and
// structure: the table's four outer rules are heavier than its inner ones,
// table texts come row by row and cell by cell, every Block is used.
func checkStructure(t *testing.T, doc *layout.Document, frame, inner float64) {
	t.Helper()
	used := make([]bool, len(doc.Blocks))
	for pi, p := range doc.Pages {
		heavy := 0
		for _, r := range p.Rules {
			switch r.Width {
			case frame:
				heavy++
			case inner:
			default:
				t.Errorf("page %d: rule of %g pt, want %g (frame) or %g", pi+1, r.Width, frame, inner)
			}
		}
		if p.FirstRow >= 0 && heavy != 4 {
			t.Errorf("page %d: %d frame rules, want 4", pi+1, heavy)
		}
		if len(p.Fills) > 0 {
			t.Errorf("page %d: %d grey fills, the family asks for none", pi+1, len(p.Fills))
		}
		lastRow, lastCol := -1, -1
		for _, tx := range p.Texts {
			if tx.Block == 0 {
				continue
			}
			if tx.Block > len(doc.Blocks) {
				t.Fatalf("page %d: %q in block %d of %d", pi+1, tx.S, tx.Block, len(doc.Blocks))
			}
			used[tx.Block-1] = true
			b := doc.Blocks[tx.Block-1]
			if b.Row < 0 {
				continue
			}
			if b.Row < lastRow || b.Row == lastRow && b.Col < lastCol {
				t.Errorf("page %d: %q (row %d col %d) read after row %d col %d", pi+1, tx.S, b.Row, b.Col, lastRow, lastCol)
			}
			lastRow, lastCol = b.Row, b.Col
		}
	}
	for i, u := range used {
		if !u {
			t.Errorf("block %d (%+v) has no text", i+1, doc.Blocks[i])
		}
	}
}

func TestPaginateStructure(t *testing.T) {
	fam := mustFamily(t, "shanghai-2020")
	for _, f := range append(mustSeed(t), longForm(t, 65)) {
		doc, err := layout.Paginate(layout.Build(&f, fam), layout.MonoMeasurer{})
		if err != nil {
			t.Fatal(err)
		}
		checkStructure(t, doc, 1, 0.5)
		if doc.Blocks[0].Kind != layout.BlockTitle {
			t.Errorf("first block %+v, want the title", doc.Blocks[0])
		}
	}
}

// A family sets its own rules, shading and how many lines a row keeps.
func TestPaginateFamilyRules(t *testing.T) {
	f := longForm(t, 65)
	g := layout.Build(&f, mustFamily(t, "shanghai-2020"))
	g.Page.FramePt, g.Page.RulePt, g.Page.Shade = 0.75, 0.25, true
	doc, err := layout.Paginate(g, layout.MonoMeasurer{})
	if err != nil {
		t.Fatal(err)
	}
	fills := 0
	for _, p := range doc.Pages {
		for _, r := range p.Rules {
			if r.Width != 0.75 && r.Width != 0.25 {
				t.Errorf("rule of %g pt", r.Width)
			}
		}
		fills += len(p.Fills)
	}
	if fills == 0 {
		t.Error("shade: no fills")
	}
}

// Rows of up to KeepLines lines are never split; longer ones may be.
func TestPaginateKeepLines(t *testing.T) {
	for _, tt := range []struct {
		name      string
		keep      int
		lines     int
		wantSplit bool
	}{
		{"six-line rows move whole by default", 0, 6, false},
		{"seven-line rows split", 0, 7, true},
		{"a family keeping ten lines", 10, 9, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Value cells of 10 characters per line at MonoMeasurer widths.
			g := &layout.Grid{Columns: []float64{1, 1}}
			g.Page = layout.PageSetup{WidthMM: 210, HeightMM: 297, TopMM: 37, BottomMM: 35, LeftMM: 28, RightMM: 26,
				BodySize: 10, TitleSize: 10, SubtitleSize: 10, HeadingSize: 10, PaddingMM: 1, KeepLines: tt.keep}
			colW := 156.0 * mm / 2
			perLine := int((colW - 2*mm) / 10)
			text := strings.Repeat("字", perLine*tt.lines)
			for i := range 40 {
				g.Rows = append(g.Rows, layout.Row{Kind: layout.RowField, Cells: []layout.Cell{
					{Col: 0, Span: 1, RowSpan: 1, Kind: layout.KindLabel, Text: fmt.Sprintf("第%d行", i)},
					{Col: 1, Span: 1, RowSpan: 1, Kind: layout.KindValue, Text: text, Path: fmt.Sprintf("v%d", i)},
				}})
			}
			doc, err := layout.Paginate(g, layout.MonoMeasurer{})
			if err != nil {
				t.Fatal(err)
			}
			split := false
			for _, p := range doc.Pages {
				split = split || p.Continued
			}
			if split != tt.wantSplit {
				t.Errorf("rows of %d lines split: %v, want %v", tt.lines, split, tt.wantSplit)
			}
		})
	}
}

// The last page is not left with a few rows when moving the break up
// balances it (the rule in run's comment).
func TestPaginateBalancesLastPage(t *testing.T) {
	fam := mustFamily(t, "shanghai-2020")
	for n := 10; n <= 60; n++ {
		f := longForm(t, n)
		doc, err := layout.Paginate(layout.Build(&f, fam), layout.MonoMeasurer{})
		if err != nil {
			t.Fatal(err)
		}
		last := doc.Pages[len(doc.Pages)-1]
		top, bottom := math.Inf(1), 0.0
		for _, r := range last.Rules {
			top, bottom = min(top, r.Y1, r.Y2), max(bottom, r.Y1, r.Y2)
		}
		if h := bottom - top; h < (yMax-topEdge)/4-30 {
			// Allowed only when the page before could not give rows
			// without dropping below half.
			prev := doc.Pages[len(doc.Pages)-2]
			pb := 0.0
			for _, r := range prev.Rules {
				pb = max(pb, r.Y1, r.Y2)
			}
			if pb-topEdge > (yMax-topEdge)*0.75 && !last.Continued {
				t.Errorf("%d indicators: last page holds %.0f pt of table after a page of %.0f pt", n, h, pb-topEdge)
			}
		}
	}
}
