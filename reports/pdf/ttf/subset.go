package ttf

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Composite glyph flags (OpenType glyf table).
const (
	argsAreWords   = 0x0001
	haveScale      = 0x0008
	moreComponents = 0x0020
	haveXYScale    = 0x0040
	haveTwoByTwo   = 0x0080
)

// maxComponentDepth bounds the walk through nested composites, so a font
// whose components refer to each other in a cycle cannot hang a render.
const maxComponentDepth = 16

// Subset writes a TrueType font holding only the glyphs listed, renumbered
// compactly: new glyph i is old glyph gids[i] (gids[0] should be 0, the
// .notdef glyph; duplicates are allowed, which lets two characters sharing a
// glyph keep distinct ToUnicode entries). Components of composite glyphs
// are appended after the listed glyphs and the composites rewritten to
// point at them. It returns the font bytes (appended to dst) and the full
// list of old glyph IDs, components included.
func (f *Font) Subset(dst []byte, gids []uint16) ([]byte, []uint16, error) {
	all := slices.Clone(gids)
	newID := make(map[uint16]uint16, len(gids))
	for i, g := range gids {
		if int(g) >= int(f.NumGlyphs) {
			return dst, nil, fmt.Errorf("glyph %d out of range (font has %d)", g, f.NumGlyphs)
		}
		if _, ok := newID[g]; !ok {
			newID[g] = uint16(i)
		}
	}
	// Close over composite components; appended glyphs are visited too.
	for i := 0; i < len(all); i++ {
		if i > 0xFFFE {
			return dst, nil, fmt.Errorf("subset needs more than 65535 glyphs")
		}
		err := f.components(all[i], func(c uint16) {
			if _, ok := newID[c]; !ok {
				newID[c] = uint16(len(all))
				all = append(all, c)
			}
		})
		if err != nil {
			return dst, nil, err
		}
	}

	// glyf and loca: each glyph padded to 4 bytes, composites patched.
	n := len(all)
	size := 0
	for _, g := range all {
		size += (f.glyphLen(g) + 3) &^ 3
	}
	glyf := make([]byte, 0, size)
	offsets := make([]uint32, n+1)
	for i, g := range all {
		offsets[i] = uint32(len(glyf))
		start := len(glyf)
		glyf = append(glyf, f.glyph(g)...)
		if len(glyf)-start >= 10 && int16(binary.BigEndian.Uint16(glyf[start:])) < 0 {
			patchComponents(glyf[start:], newID)
		}
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	offsets[n] = uint32(len(glyf))
	return f.assemble(dst, all, glyf, offsets), all, nil
}

// SubsetKeepIDs writes a subset that keeps the original glyph numbering:
// unused glyphs are empty. It exists to measure against Subset (the loca
// and hmtx of a 65,000-glyph CJK font stay full-size); PDFs use Subset.
func (f *Font) SubsetKeepIDs(dst []byte, gids []uint16) ([]byte, error) {
	used := make(map[uint16]bool, len(gids))
	queue := slices.Clone(gids)
	for i := 0; i < len(queue); i++ {
		g := queue[i]
		if used[g] || int(g) >= int(f.NumGlyphs) {
			continue
		}
		used[g] = true
		if err := f.components(g, func(c uint16) { queue = append(queue, c) }); err != nil {
			return dst, err
		}
	}
	used[0] = true
	n := int(f.NumGlyphs)
	all := make([]uint16, n)
	offsets := make([]uint32, n+1)
	var glyf []byte
	for g := range n {
		all[g] = uint16(g)
		offsets[g] = uint32(len(glyf))
		if used[uint16(g)] {
			glyf = append(glyf, f.glyph(uint16(g))...)
			for len(glyf)%4 != 0 {
				glyf = append(glyf, 0)
			}
		}
	}
	offsets[n] = uint32(len(glyf))
	return f.assemble(dst, all, glyf, offsets), nil
}

func (f *Font) glyphLen(g uint16) int { return int(f.loca[g+1] - f.loca[g]) }
func (f *Font) glyph(g uint16) []byte { return f.glyf[f.loca[g]:f.loca[g+1]] }

// components calls fn for each component of glyph g when g is composite.
func (f *Font) components(g uint16, fn func(uint16)) error {
	return f.walk(g, 0, fn)
}

func (f *Font) walk(g uint16, depth int, fn func(uint16)) error {
	if depth > maxComponentDepth {
		return fmt.Errorf("glyph %d: composite glyphs nested deeper than %d", g, maxComponentDepth)
	}
	d := f.glyph(g)
	if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
		return nil
	}
	p := 10
	for {
		if p+4 > len(d) {
			return fmt.Errorf("glyph %d: truncated composite", g)
		}
		flags, c := binary.BigEndian.Uint16(d[p:]), binary.BigEndian.Uint16(d[p+2:])
		if int(c) >= int(f.NumGlyphs) {
			return fmt.Errorf("glyph %d: component %d out of range", g, c)
		}
		fn(c)
		if err := f.walk(c, depth+1, func(uint16) {}); err != nil {
			return err
		}
		p += 4 + componentArgs(flags)
		if flags&moreComponents == 0 {
			return nil
		}
	}
}

func componentArgs(flags uint16) int {
	n := 2
	if flags&argsAreWords != 0 {
		n = 4
	}
	switch {
	case flags&haveScale != 0:
		n += 2
	case flags&haveXYScale != 0:
		n += 4
	case flags&haveTwoByTwo != 0:
		n += 8
	}
	return n
}

// patchComponents rewrites the component glyph IDs of a composite glyph
// (already validated by walk) to their new numbers.
func patchComponents(d []byte, newID map[uint16]uint16) {
	p := 10
	for p+4 <= len(d) {
		flags := binary.BigEndian.Uint16(d[p:])
		c := binary.BigEndian.Uint16(d[p+2:])
		binary.BigEndian.PutUint16(d[p+2:], newID[c])
		p += 4 + componentArgs(flags)
		if flags&moreComponents == 0 {
			return
		}
	}
}

// assemble writes the sfnt: the required tables with counts patched, plus
// the hinting tables, in tag order with checksums.
func (f *Font) assemble(dst []byte, all []uint16, glyf []byte, offsets []uint32) []byte {
	n := len(all)
	long := offsets[n] > 0x1FFFE
	var loca []byte
	if long {
		loca = make([]byte, 4*(n+1))
		for i, o := range offsets {
			binary.BigEndian.PutUint32(loca[4*i:], o)
		}
	} else {
		loca = make([]byte, 2*(n+1))
		for i, o := range offsets {
			binary.BigEndian.PutUint16(loca[2*i:], uint16(o/2))
		}
	}
	hmtx := make([]byte, 4*n)
	for i, g := range all {
		binary.BigEndian.PutUint16(hmtx[4*i:], f.adv[g])
		// The left side bearing is the glyph's xMin for TrueType outlines.
		if d := f.glyph(g); len(d) >= 4 {
			copy(hmtx[4*i+2:], d[2:4])
		}
	}
	head := slices.Clone(f.head[:54])
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 0)
	if long {
		binary.BigEndian.PutUint16(head[50:], 1)
	}
	hhea := slices.Clone(f.hhea[:36])
	binary.BigEndian.PutUint16(hhea[34:], uint16(n))
	maxp := slices.Clone(f.maxp)
	binary.BigEndian.PutUint16(maxp[4:], uint16(n))

	type table struct {
		tag  string
		data []byte
	}
	tables := []table{ // sorted by tag, as the directory requires
		{"cmap", minimalCmap}, {"cvt ", f.cvt}, {"fpgm", f.fpgm}, {"glyf", glyf}, {"head", head},
		{"hhea", hhea}, {"hmtx", hmtx}, {"loca", loca}, {"maxp", maxp}, {"prep", f.prep},
	}
	tables = slices.DeleteFunc(tables, func(t table) bool { return t.data == nil })

	nt := len(tables)
	entrySel := 0
	for 1<<(entrySel+1) <= nt {
		entrySel++
	}
	searchRange := 16 << entrySel
	base := len(dst)
	hdr := make([]byte, 12+16*nt)
	binary.BigEndian.PutUint32(hdr, 0x00010000)
	binary.BigEndian.PutUint16(hdr[4:], uint16(nt))
	binary.BigEndian.PutUint16(hdr[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(hdr[8:], uint16(entrySel))
	binary.BigEndian.PutUint16(hdr[10:], uint16(nt*16-searchRange))
	off := len(hdr)
	headOff := 0
	for i, t := range tables {
		rec := hdr[12+16*i:]
		copy(rec, t.tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(t.data))
		binary.BigEndian.PutUint32(rec[8:], uint32(off))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t.data)))
		if t.tag == "head" {
			headOff = off
		}
		off += (len(t.data) + 3) &^ 3
	}
	dst = slices.Grow(dst, off)
	dst = append(dst, hdr...)
	for _, t := range tables {
		dst = append(dst, t.data...)
		for (len(dst)-base)%4 != 0 {
			dst = append(dst, 0)
		}
	}
	binary.BigEndian.PutUint32(dst[base+headOff+8:], 0xB1B0AFBA-checksum(dst[base:]))
	return dst
}

// minimalCmap is a format 4 cmap mapping nothing: a PDF reaches the glyphs
// of a CIDFontType2 through CIDToGIDMap, but font parsers (ours included)
// expect the table to exist.
var minimalCmap = []byte{
	0, 0, 0, 1, // version, one encoding record
	0, 3, 0, 1, 0, 0, 0, 12, // Windows Unicode BMP at offset 12
	0, 4, 0, 24, 0, 0, // format 4, length 24, language
	0, 2, 0, 2, 0, 0, 0, 0, // segCountX2, searchRange, entrySelector, rangeShift
	0xFF, 0xFF, 0, 0, // endCode[0], reservedPad
	0xFF, 0xFF, 0, 1, 0, 0, // startCode[0], idDelta[0], idRangeOffset[0]
}

func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	if len(b) > 0 {
		var last [4]byte
		copy(last[:], b)
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}
