package ttf_test

import (
	"encoding/binary"
	"sort"
	"testing"

	"github.com/reportd/reportd/reports/font/ttf"
)

// buildFont writes a minimal TrueType font: the given glyphs (advance 500
// each) and a format 4 cmap. Neither embedded font has composite glyphs,
// so composites are tested on a font made here.
func buildFont(glyphs [][]byte, cmap map[rune]uint16) []byte {
	be16 := func(b []byte, v int) []byte { return binary.BigEndian.AppendUint16(b, uint16(v)) }
	n := len(glyphs)
	var glyf, loca, hmtx []byte
	for _, g := range glyphs {
		loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))
		glyf = append(glyf, g...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		hmtx = be16(be16(hmtx, 500), 0)
	}
	loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))
	head := make([]byte, 54)
	binary.BigEndian.PutUint32(head, 0x00010000)
	binary.BigEndian.PutUint32(head[12:], 0x5F0F3CF5)
	binary.BigEndian.PutUint16(head[18:], 1000)
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	hhea := make([]byte, 36)
	binary.BigEndian.PutUint32(hhea, 0x00010000)
	binary.BigEndian.PutUint16(hhea[4:], 880)
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	maxp := make([]byte, 32)
	binary.BigEndian.PutUint32(maxp, 0x00010000)
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))
	// cmap format 4: one segment per character, then the 0xFFFF segment.
	runes := make([]int, 0, len(cmap))
	for r := range cmap {
		runes = append(runes, int(r))
	}
	sort.Ints(runes)
	seg := len(runes) + 1
	var ends, starts, deltas, offs []byte
	for _, r := range runes {
		ends, starts = be16(ends, r), be16(starts, r)
		deltas, offs = be16(deltas, int(cmap[rune(r)])-r), be16(offs, 0)
	}
	ends, starts, deltas, offs = be16(ends, 0xFFFF), be16(starts, 0xFFFF), be16(deltas, 1), be16(offs, 0)
	sub := be16(be16(be16(nil, 4), 16+8*seg), 0)
	sub = be16(be16(be16(be16(sub, 2*seg), 0), 0), 0)
	sub = append(append(append(append(append(sub, ends...), 0, 0), starts...), deltas...), offs...)
	cm := append(be16(be16(be16(be16(nil, 0), 1), 3), 1), 0, 0, 0, 12)
	cm = append(cm, sub...)

	tables := []struct {
		tag  string
		data []byte
	}{{"cmap", cm}, {"glyf", glyf}, {"head", head}, {"hhea", hhea}, {"hmtx", hmtx}, {"loca", loca}, {"maxp", maxp}}
	out := be16(be16(be16(be16(be16(be16(nil, 1), 0), len(tables)), 0), 0), 0)
	off := 12 + 16*len(tables)
	var body []byte
	for _, t := range tables {
		out = append(out, t.tag...)
		out = binary.BigEndian.AppendUint32(out, 0)
		out = binary.BigEndian.AppendUint32(out, uint32(off+len(body)))
		out = binary.BigEndian.AppendUint32(out, uint32(len(t.data)))
		body = append(body, t.data...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	return append(out, body...)
}

// triangle is a simple glyph: one contour of three on-curve points.
var triangle = []byte{
	0, 1, 0, 0, 0, 0, 1, 0xF4, 2, 0x58, // 1 contour, bbox 0,0–500,600
	0, 2, // endPtsOfContours
	0, 0, // no instructions
	1, 1, 1, // flags: on curve, word coordinates
	0, 0, 0x01, 0xF4, 0xFE, 0x0C, // x deltas 0, +500, -500
	0, 0, 0, 0, 0x02, 0x58, // y deltas 0, 0, +600
}

// composite draws component glyph c twice, the second shifted right.
func composite(c uint16) []byte {
	return []byte{
		0xFF, 0xFF, 0, 0, 0, 0, 3, 0xE8, 2, 0x58, // -1 contours: composite
		0x00, 0x23, byte(c >> 8), byte(c), 0, 0, 0, 0, // words, xy values, more components
		0x00, 0x03, byte(c >> 8), byte(c), 0x01, 0xF4, 0, 0, // words, xy values, last
	}
}

func TestSubsetComposite(t *testing.T) {
	// Glyph 3 is a composite of glyph 2; glyph 1 is unused.
	data := buildFont([][]byte{nil, triangle, triangle, composite(2)}, map[rune]uint16{'A': 3, 'B': 1})
	f, err := ttf.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	g, ok := f.GlyphIndex('A')
	if !ok || g != 3 {
		t.Fatalf("glyph of A = %d, %v", g, ok)
	}
	sub, all, err := f.Subset(nil, []uint16{0, 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint16{0, 3, 2}; len(all) != 3 || all[0] != 0 || all[1] != 3 || all[2] != 2 {
		t.Fatalf("subset glyphs %v, want %v (component appended)", all, want)
	}
	s, err := ttf.Parse(sub)
	if err != nil {
		t.Fatal(err)
	}
	c := s.GlyphData(1)
	for _, off := range []int{12, 20} { // the two component glyph indices
		if got := binary.BigEndian.Uint16(c[off:]); got != 2 {
			t.Errorf("component at %d points to glyph %d, want the renumbered 2", off, got)
		}
	}
	if string(s.GlyphData(2)) != string(triangle)+"\x00\x00\x00" && string(s.GlyphData(2)[:len(triangle)]) != string(triangle) {
		t.Errorf("component outline not copied")
	}
}

func TestCompositeCycle(t *testing.T) {
	// Glyphs 1 and 2 are composites of each other: a broken font must give
	// an error, not a hang.
	data := buildFont([][]byte{nil, composite(2), composite(1)}, map[rune]uint16{'A': 1})
	f, err := ttf.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Subset(nil, []uint16{0, 1}); err == nil {
		t.Fatal("subset of a composite cycle succeeded")
	}
}
