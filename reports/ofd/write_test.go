package ofd_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/ofd"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/textcheck"
)

var update = flag.Bool("update", false, "rewrite testdata/hand.golden from the current output")

const mmPerPt = 25.4 / 72

// TestPackage renders each form and checks the package against the
// standard's rules (checkPackage), every character of the form in its
// text, A4 pages, the metadata and that no TextCode mixes a
// supplementary-plane character with others.
func TestPackage(t *testing.T) {
	r := mustRenderer(t)
	for _, tc := range fidelityCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			data := renderForm(t, r, &tc.form)
			p := checkPackage(t, data)
			doc, err := r.Document(context.Background(), &tc.form)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.pages) != len(doc.Pages) {
				t.Errorf("%d pages, layout has %d", len(p.pages), len(doc.Pages))
			}
			if box := p.doc.child("CommonData").child("PageArea").child("PhysicalBox").text; box != "0 0 210 297" {
				t.Errorf("PageArea %q, want A4 in mm", box)
			}
			if got := p.docInfo.child("Title"); got == nil || got.text != doc.Meta.Title {
				t.Errorf("Title %v, want %q", got, doc.Meta.Title)
			}
			if got := p.docInfo.child("Author"); got == nil || got.text != tc.form.Unit {
				t.Errorf("Author %v, want %q", got, tc.form.Unit)
			}
			// The text a reader draws, as textcheck reads it without a
			// browser (TestReaderText checks ofd.js's rendering).
			text, err := textcheck.OFDText(data)
			if err != nil {
				t.Fatal(err)
			}
			if res := textcheck.Check(textcheck.FormCells(&tc.form, false), text); !res.OK() {
				t.Error(res)
			}
			for _, pg := range p.pages {
				pg.walk(func(e *node) {
					if e.name.Local != "TextCode" {
						return
					}
					for _, r := range e.text {
						if r > 0xFFFF && len([]rune(e.text)) != 1 {
							t.Errorf("TextCode %q mixes %U with other characters", e.text, r)
						}
					}
				})
			}
		})
	}
}

// TestGlyphPositions places every glyph where the PDF draws it: at the
// line's x plus the advances (font advance × size + the line's DX) of the
// characters before it, on the line's baseline, at the line's size.
// Expected positions come from the layout and the font set's Advance, not
// from the writer.
func TestGlyphPositions(t *testing.T) {
	r := mustRenderer(t)
	fs := mustFonts(t)
	for _, tc := range fidelityCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := r.Document(context.Background(), &tc.form)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := ofd.Write(&buf, doc, fs, ofd.Options{}); err != nil {
				t.Fatal(err)
			}
			p := checkPackage(t, buf.Bytes())
			for pi, pg := range doc.Pages {
				var want []glyph
				for _, tx := range slices.Concat(pg.Background, pg.Texts) { // drawn in this order
					x := tx.X
					for i, r := range []rune(tx.S) {
						_, d, _, ok := fs.Resolve(tx.Role, r)
						if !ok {
							t.Fatalf("%U has no glyph", r)
						}
						em, _ := fs.Advance(tx.Role, r)
						if d != 0 && d != ' ' {
							want = append(want, glyph{r: d, x: x * mmPerPt, y: tx.Y * mmPerPt, size: tx.Size * mmPerPt})
						}
						if d != 0 {
							x += em * tx.Size
						}
						if i < len(tx.DX) {
							x += tx.DX[i]
						}
					}
				}
				var got []glyph
				for _, g := range glyphs(t, p.pages[pi]) {
					if g.r != ' ' {
						got = append(got, g)
					}
				}
				if len(got) != len(want) {
					t.Fatalf("page %d: %d glyphs drawn, layout has %d", pi+1, len(got), len(want))
				}
				worst := 0.0
				for i := range want {
					g, w := got[i], want[i]
					if g.r != w.r {
						t.Fatalf("page %d glyph %d: %q, want %q", pi+1, i, g.r, w.r)
					}
					dx, dy := math.Abs(g.x-w.x), math.Abs(g.y-w.y)
					worst = max(worst, dx, dy)
					if dx > 0.005 || dy > 0.002 || math.Abs(g.size-w.size) > 0.001 {
						t.Fatalf("page %d glyph %d %q at (%.4f, %.4f) size %.3f mm, want (%.4f, %.4f) size %.3f", pi+1, i, g.r, g.x, g.y, g.size, w.x, w.y, w.size)
					}
				}
				t.Logf("page %d: %d glyphs, worst offset %.4f mm", pi+1, len(want), worst)
			}
		})
	}
}

// The same input gives the same bytes; the creation date is an input
// (the render time when none is given), and the DocID depends on the
// content only.
func TestDeterministic(t *testing.T) {
	forms := seedForms(t)
	when := time.Date(2020, 3, 31, 9, 30, 0, 0, time.UTC)
	fixed := ofd.Options{CreationDate: when}
	warm := ofd.NewRenderer(mustFonts(t), mustRegistry(t), fixed)
	cold := ofd.NewRenderer(mustFonts(t).WithoutCache(), mustRegistry(t), fixed)
	a := renderForm(t, warm, &forms[0])
	for range 2 { // the second warm render hits the subset cache
		if b := renderForm(t, cold, &forms[0]); !bytes.Equal(a, b) {
			t.Fatal("same form, different bytes (cached and uncached fonts)")
		}
		if b := renderForm(t, warm, &forms[0]); !bytes.Equal(a, b) {
			t.Fatal("same form, different bytes")
		}
	}
	p := checkPackage(t, a)
	if c := p.docInfo.child("CreationDate"); c == nil || c.text != "2020-03-31" {
		t.Errorf("CreationDate %v, want 2020-03-31", c)
	}
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !f.Modified.Equal(when) {
			t.Errorf("%s dated %v, want %v", f.Name, f.Modified, when)
		}
	}

	// No date given: the render time, from Now.
	now := func() time.Time { return time.Date(2021, 12, 31, 23, 59, 59, 0, time.FixedZone("CST", 8*3600)) }
	undated := renderForm(t, ofd.NewRenderer(mustFonts(t), mustRegistry(t), ofd.Options{Now: now}), &forms[0])
	q := checkPackage(t, undated)
	if c := q.docInfo.child("CreationDate"); c == nil || c.text != "2021-12-31" {
		t.Errorf("CreationDate %v, want the render date 2021-12-31 (UTC)", c)
	}

	// DocID identifies the content: the date does not change it, another
	// form does.
	other := checkPackage(t, renderForm(t, warm, &forms[1])).docInfo.child("DocID").text
	if id := p.docInfo.child("DocID").text; id != q.docInfo.child("DocID").text || id == other {
		t.Errorf("DocIDs %s (dated), %s (undated), %s (other form)", id, q.docInfo.child("DocID").text, other)
	}
}

// A character no font has gets the same error as the PDF path: a
// reports.EINVALID error naming the field, and nothing written.
func TestMissingGlyph(t *testing.T) {
	forms := seedForms(t)
	f := forms[0]
	f.Project = "企业\U0010FFFD培育"
	var ob, pb bytes.Buffer
	oerr := mustRenderer(t).Render(context.Background(), &ob, &f)
	perr := pdf.NewRenderer(mustFonts(t), mustRegistry(t), pdf.Options{}).Render(context.Background(), &pb, &f)
	var oe, pe *reports.Error
	if !errors.As(oerr, &oe) || !errors.As(perr, &pe) {
		t.Fatalf("errors %v and %v, want *reports.Error", oerr, perr)
	}
	if oe.Code != reports.EINVALID || oe.Message != pe.Message || fmt.Sprint(oe.Problems) != fmt.Sprint(pe.Problems) {
		t.Errorf("OFD error %q %v, PDF error %q %v", oe.Message, oe.Problems, pe.Message, pe.Problems)
	}
	if len(oe.Problems) == 0 || oe.Problems[0].Path != "project" || !strings.Contains(oe.Problems[0].Message, "U+10FFFD") {
		t.Errorf("problems %v, want one naming project and U+10FFFD", oe.Problems)
	}
	if ob.Len() != 0 {
		t.Errorf("%d bytes written", ob.Len())
	}

	// Write itself, given a page no font can draw, lists the characters
	// and writes nothing.
	doc := &layout.Document{Pages: []layout.Page{{Texts: []layout.Text{
		{X: 10, Y: 20, Role: layout.RoleBody, Size: 12, S: "好\U0010FFFD\U0010FFFC", Path: "overview"},
	}}}}
	var buf bytes.Buffer
	err := ofd.Write(&buf, doc, mustFonts(t), ofd.Options{})
	var me *font.MissingError
	if !errors.As(err, &me) || len(me.Missing) != 2 || buf.Len() != 0 {
		t.Errorf("Write: %v, %d bytes written", err, buf.Len())
	}
}

// A combined document has every form's pages and an outline entry per
// form pointing at its first page.
func TestCombinedOutline(t *testing.T) {
	forms := seedForms(t)
	r := mustRenderer(t)
	var buf bytes.Buffer
	if err := r.RenderCombined(context.Background(), &buf, []*reports.Form{&forms[0], &forms[1]}); err != nil {
		t.Fatal(err)
	}
	p := checkPackage(t, buf.Bytes())
	first := 0
	if len(p.outlines) != 2 {
		t.Fatalf("%d outline entries, want 2", len(p.outlines))
	}
	for i := range forms {
		doc, err := r.Document(context.Background(), &forms[i])
		if err != nil {
			t.Fatal(err)
		}
		ol := p.outlines[i]
		if ol.attrs["Title"] != forms[i].Project {
			t.Errorf("outline %d titled %q, want %q", i, ol.attrs["Title"], forms[i].Project)
		}
		var dest string
		ol.walk(func(e *node) {
			if e.name.Local == "Dest" {
				dest = e.attrs["PageID"]
			}
		})
		if dest != p.pageIDs[first] {
			t.Errorf("outline %d goes to page %s, want %s (page %d)", i, dest, p.pageIDs[first], first+1)
		}
		first += len(doc.Pages)
	}
	if len(p.pages) != first {
		t.Errorf("%d pages, the forms have %d", len(p.pages), first)
	}
	if got := p.docInfo.child("Author").text; got != forms[0].Unit {
		t.Errorf("combined Author %q, want the common unit", got)
	}
}

// A draft carries the light gray 草稿 mark on every page, as the PDF does.
func TestDraftMark(t *testing.T) {
	f := reports.Form{Year: 2021, Project: "空白项目"}
	r := mustRenderer(t)
	doc, err := r.Document(context.Background(), &f)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Draft {
		t.Fatal("the empty form is not a draft")
	}
	p := checkPackage(t, renderForm(t, r, &f))
	for i, pg := range p.pages {
		found := false
		pg.walk(func(e *node) {
			if e.name.Local != "TextObject" {
				return
			}
			if tc := e.child("TextCode"); tc != nil && tc.text == layout.DraftMark {
				fc := e.child("FillColor")
				found = fc != nil && fc.attrs["Value"] != "0 0 0"
			}
		})
		if !found {
			t.Errorf("page %d: no gray %s mark", i+1, layout.DraftMark)
		}
	}
}

// handDoc is a small two-page document made by hand, independent of the
// layout engine: a title, a bordered labelled row with a fill, mixed-font
// text with a fallback character, DX adjustments, gray text and two
// rule widths.
func handDoc() *layout.Document {
	return &layout.Document{
		WidthPt: 595.276, HeightPt: 841.89,
		Meta: layout.Meta{Title: "财政项目支出绩效目标表", Author: "上海市促进中小企业发展协调办公室", Subject: "企业培育", Keywords: "绩效, 2020年度"},
		Pages: []layout.Page{
			{
				Fills: []layout.Rect{{X: 79.4, Y: 150, W: 100, H: 30, Gray: 0.9}},
				Texts: []layout.Text{
					{X: 150, Y: 120, Role: layout.RoleTitle, Size: 22, S: "财政项目支出绩效目标表"},
					{X: 85, Y: 170, Role: layout.RoleHeading, Size: 12, S: "项目名称"},
					{X: 185, Y: 170, Role: layout.RoleBody, Size: 12, S: "企业培育 A&B <1> ≥90%", DX: []float64{0.4, 0.4, 0.4, 0, -2}, Path: "project"},
					{X: 85, Y: 200, Role: layout.RoleBody, Size: 12, S: "珺堃昇喆 吉野家𠮷野家\u200b。", Path: "overview"},
					{X: 260, Y: 800, Role: layout.RoleBody, Size: 14, S: "— 1 —"},
				},
				Rules: []layout.Rule{
					{X1: 79.4, Y1: 150, X2: 515.9, Y2: 150, Width: 0.75},
					{X1: 79.4, Y1: 180, X2: 515.9, Y2: 180, Width: 0.5},
					{X1: 79.4, Y1: 150, X2: 79.4, Y2: 180, Width: 0.75},
					{X1: 515.9, Y1: 150, X2: 515.9, Y2: 180, Width: 0.75},
				},
			},
			{
				Texts: []layout.Text{
					{X: 85, Y: 100, Role: layout.RoleBody, Size: 12, S: "续表", Gray: 0.5},
					{X: 260, Y: 800, Role: layout.RoleBody, Size: 14, S: "— 2 —"},
				},
			},
		},
	}
}

// TestGolden pins the XML the writer produces for the hand-made document
// and the hashes of its fonts: any change of output must be deliberate
// (go test -run TestGolden -update, after opening the file in a reader).
func TestGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := ofd.Write(&buf, handDoc(), mustFonts(t), ofd.Options{CreationDate: time.Unix(1577836800, 0)}); err != nil {
		t.Fatal(err)
	}
	checkPackage(t, buf.Bytes())
	files, names := unzip(t, buf.Bytes())
	sort.Strings(names)
	var got strings.Builder
	for _, n := range names {
		if strings.HasSuffix(n, ".xml") {
			fmt.Fprintf(&got, "== %s\n%s\n", n, files[n])
		} else {
			fmt.Fprintf(&got, "== %s\n%x\n", n, sha256.Sum256(files[n]))
		}
	}
	golden := filepath.Join("testdata", "hand.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("no golden file (create it with -update after checking the output): %v", err)
	}
	if got.String() != string(want) {
		g, w := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(g), len(w)) {
			gl, wl := "", ""
			if i < len(g) {
				gl = g[i]
			}
			if i < len(w) {
				wl = w[i]
			}
			if gl != wl {
				t.Errorf("output changed (fonts or writer) at line %d; if intended, check it and run -update:\n got: %s\nwant: %s", i+1, gl, wl)
				break
			}
		}
	}
}

// FuzzWriteText draws arbitrary text in every role: Write either succeeds
// with a package that passes checkPackage or reports the characters no
// font has, having written nothing.
func FuzzWriteText(f *testing.F) {
	for _, s := range []string{"财政项目支出绩效目标表", "𠮷野家 ABC (x) \\ 123 & <a> \"q\"", "\t\u200b\ufeff", "\U0010FFFD", "", "（）《》——……", "\xff\xfe", "   "} {
		f.Add(s, uint8(0), 0.0)
	}
	fs := mustFonts(f)
	f.Fuzz(func(t *testing.T, s string, role uint8, spacing float64) {
		if math.IsNaN(spacing) || math.IsInf(spacing, 0) || math.Abs(spacing) > 10 {
			spacing = 0
		}
		dx := make([]float64, len([]rune(s)))
		for i := range dx {
			dx[i] = spacing * float64(i%3-1)
		}
		doc := &layout.Document{
			WidthPt: 595.276, HeightPt: 841.89,
			Meta: layout.Meta{Title: s, Author: s, Keywords: s},
			Pages: []layout.Page{{Texts: []layout.Text{
				{X: 50, Y: 100, Role: layout.Role(role % 4), Size: 12, S: s, DX: dx, Path: "overview"},
			}}},
		}
		var buf bytes.Buffer
		err := ofd.Write(&buf, doc, fs, ofd.Options{})
		var me *font.MissingError
		switch {
		case errors.As(err, &me):
			if buf.Len() != 0 || len(me.Missing) == 0 {
				t.Fatalf("missing characters reported with %d bytes written, %d listed", buf.Len(), len(me.Missing))
			}
		case err != nil:
			t.Fatal(err)
		default:
			checkPackage(t, buf.Bytes())
		}
	})
}
