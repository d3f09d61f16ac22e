package ttf_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/reportd/reportd/fonts"
)

// bbox records the extent of every point an outline passes, control
// points included, as the glyf header's bounding box does.
type bbox struct {
	minX, minY, maxX, maxY float64
	moves, segs            int
}

func newBBox() *bbox {
	return &bbox{minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
}

func (b *bbox) add(x, y float64) {
	b.minX, b.maxX = min(b.minX, x), max(b.maxX, x)
	b.minY, b.maxY = min(b.minY, y), max(b.maxY, y)
}
func (b *bbox) MoveTo(x, y float64)         { b.add(x, y); b.moves++ }
func (b *bbox) LineTo(x, y float64)         { b.add(x, y); b.segs++ }
func (b *bbox) QuadTo(cx, cy, x, y float64) { b.add(cx, cy); b.add(x, y); b.segs++ }
func (b *bbox) Close()                      {}

func TestOutlineMatchesGlyphBox(t *testing.T) {
	for _, file := range []fonts.File{fonts.Body(), fonts.Heading(), fonts.Title()} {
		f := mustParse(t, file.Data)
		for _, r := range "草稿财政，。（）》A1%𠀀" {
			g, ok := f.GlyphIndex(r)
			if !ok {
				continue
			}
			b := newBBox()
			if err := f.Outline(g, b); err != nil {
				t.Fatalf("%s %c: %v", f.PostScriptName, r, err)
			}
			d := f.GlyphData(g)
			if int16(binary.BigEndian.Uint16(d)) < 0 {
				continue // composite: the header box may be looser
			}
			want := [4]float64{}
			for i := range want {
				want[i] = float64(int16(binary.BigEndian.Uint16(d[2+2*i:])))
			}
			if got := [4]float64{b.minX, b.minY, b.maxX, b.maxY}; got != want || b.moves == 0 || b.segs < 3 {
				t.Errorf("%s %c: outline box %v (%d contours), glyph header %v", f.PostScriptName, r, got, b.moves, want)
			}
		}
	}
}

// Layout squeezes adjacent marks half an em, assuming closing marks have
// their ink in the left half of the em and opening marks in the right half
// (reports/layout squeezeEm). Hold the embedded fonts to it.
func TestMarksInkInTheirHalf(t *testing.T) {
	for _, file := range []fonts.File{fonts.Body(), fonts.Heading(), fonts.Title()} {
		f := mustParse(t, file.Data)
		check := func(marks string, left bool) {
			for _, r := range marks {
				g, ok := f.GlyphIndex(r)
				if !ok {
					t.Errorf("%s: no %c", f.PostScriptName, r)
					continue
				}
				adv := float64(f.Advance(g))
				b := newBBox()
				if err := f.Outline(g, b); err != nil {
					t.Fatal(err)
				}
				if adv < 0.9*float64(f.UnitsPerEm) {
					continue // proportional: layout does not squeeze it
				}
				if left && b.maxX > adv/2+20 || !left && b.minX < adv/2-20 {
					t.Errorf("%s %c: ink from %g to %g of an advance %g, want it in the %s half",
						f.PostScriptName, r, b.minX, b.maxX, adv, map[bool]string{true: "left", false: "right"}[left])
				}
			}
		}
		check("，。、；：）》」』〕】”’", true)
		check("（《「『〔【“‘", false)
	}
}
