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
	all, newID, err := f.closure(gids)
	if err != nil {
		return dst, nil, err
	}
	return f.assemble(dst, all, newID, nil, minimalCmap), all, nil
}

// closure lists gids followed by the components their composites need, and
// each old glyph's new number.
func (f *Font) closure(gids []uint16) ([]uint16, map[uint16]uint16, error) {
	all := slices.Clone(gids)
	newID := make(map[uint16]uint16, len(gids))
	for i, g := range gids {
		if int(g) >= int(f.NumGlyphs) {
			return nil, nil, fmt.Errorf("glyph %d out of range (font has %d)", g, f.NumGlyphs)
		}
		if _, ok := newID[g]; !ok {
			newID[g] = uint16(i)
		}
	}
	// Close over composite components; appended glyphs are visited too.
	for i := 0; i < len(all); i++ {
		if i > 0xFFFE {
			return nil, nil, fmt.Errorf("subset needs more than 65535 glyphs")
		}
		err := f.components(all[i], func(c uint16) {
			if _, ok := newID[c]; !ok {
				newID[c] = uint16(len(all))
				all = append(all, c)
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return all, newID, nil
}

// SubsetMapped writes a subset like Subset whose cmap maps runes[i] to new
// glyph i+1 (the glyph gids[i+1]), so that a reader finding glyphs by
// character, as OFD readers and browsers do, draws the subset. runes must
// be strictly ascending with len(runes) == len(gids)-1.
func (f *Font) SubsetMapped(dst []byte, gids []uint16, runes []rune) ([]byte, []uint16, error) {
	if len(runes) != len(gids)-1 {
		return dst, nil, fmt.Errorf("subset: %d characters for %d glyphs", len(runes), len(gids)-1)
	}
	for i := 1; i < len(runes); i++ {
		if runes[i] <= runes[i-1] {
			return dst, nil, fmt.Errorf("subset: characters not in ascending order at %U", runes[i])
		}
	}
	if len(runes) > 0 && (runes[0] < 0 || runes[len(runes)-1] > 0x10FFFF) {
		return dst, nil, fmt.Errorf("subset: character out of range")
	}
	cm, err := cmapFor(runes)
	if err != nil {
		return dst, nil, err
	}
	all, newID, err := f.closure(gids)
	if err != nil {
		return dst, nil, err
	}
	return f.assemble(dst, all, newID, nil, cm), all, nil
}

// cmapFor builds a cmap table mapping runes[i] to glyph i+1: a format 4
// subtable (Windows BMP) for the characters below U+FFFF, and a format 12
// subtable (Windows full repertoire) when there are characters above it.
// Consecutive characters have consecutive glyphs, so each run of
// consecutive code points is one segment or group.
func cmapFor(runes []rune) ([]byte, error) {
	type run struct{ start, end, gid uint32 }
	var runs []run
	for i, r := range runes {
		if n := len(runs); n > 0 && runs[n-1].end+1 == uint32(r) {
			runs[n-1].end++
			continue
		}
		runs = append(runs, run{uint32(r), uint32(r), uint32(i + 1)})
	}
	// Format 4 covers the BMP part; a run crossing U+FFFF is cut there.
	var segs []run
	astral := false
	for _, r := range runs {
		if r.start > 0xFFFE {
			astral = true
			continue
		}
		if r.end > 0xFFFE {
			astral = true
			r.end = 0xFFFE
		}
		segs = append(segs, r)
	}
	segs = append(segs, run{0xFFFF, 0xFFFF, 0}) // the required final segment
	segCount := len(segs)
	f4len := 16 + 8*segCount
	if f4len > 0xFFFF {
		return nil, fmt.Errorf("subset: %d cmap segments do not fit a format 4 table", segCount)
	}
	nrec := 1
	if astral {
		nrec = 2
	}
	be := binary.BigEndian
	out := make([]byte, 0, 4+8*nrec+f4len+16+12*len(runs))
	out = be.AppendUint16(out, 0)
	out = be.AppendUint16(out, uint16(nrec))
	out = be.AppendUint16(out, 3)
	out = be.AppendUint16(out, 1)
	out = be.AppendUint32(out, uint32(4+8*nrec))
	if astral {
		out = be.AppendUint16(out, 3)
		out = be.AppendUint16(out, 10)
		out = be.AppendUint32(out, uint32(4+8*nrec+f4len))
	}
	entrySel := 0
	for 1<<(entrySel+1) <= segCount {
		entrySel++
	}
	searchRange := 2 << entrySel
	out = be.AppendUint16(out, 4)
	out = be.AppendUint16(out, uint16(f4len))
	out = be.AppendUint16(out, 0)
	out = be.AppendUint16(out, uint16(2*segCount))
	out = be.AppendUint16(out, uint16(searchRange))
	out = be.AppendUint16(out, uint16(entrySel))
	out = be.AppendUint16(out, uint16(2*segCount-searchRange))
	for _, s := range segs {
		out = be.AppendUint16(out, uint16(s.end))
	}
	out = be.AppendUint16(out, 0) // reservedPad
	for _, s := range segs {
		out = be.AppendUint16(out, uint16(s.start))
	}
	for _, s := range segs {
		if s.start == 0xFFFF {
			out = be.AppendUint16(out, 1) // 0xFFFF + 1 = glyph 0
			continue
		}
		out = be.AppendUint16(out, uint16(s.gid-s.start)) // modulo 65536
	}
	for range segs {
		out = be.AppendUint16(out, 0) // idRangeOffset: glyph = code + idDelta
	}
	if astral {
		out = be.AppendUint16(out, 12)
		out = be.AppendUint16(out, 0)
		out = be.AppendUint32(out, uint32(16+12*len(runs)))
		out = be.AppendUint32(out, 0)
		out = be.AppendUint32(out, uint32(len(runs)))
		for _, r := range runs {
			out = be.AppendUint32(out, r.start)
			out = be.AppendUint32(out, r.end)
			out = be.AppendUint32(out, r.gid)
		}
	}
	return out, nil
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
	all := make([]uint16, f.NumGlyphs)
	for g := range all {
		all[g] = uint16(g)
	}
	return f.assemble(dst, all, nil, func(g uint16) bool { return !used[g] }, minimalCmap), nil
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

// assemble writes the sfnt of the glyphs all (new glyph i = old all[i])
// straight into dst: directory, then the tables in tag order with the
// glyph data copied once from the source font. newID renumbers composite
// components (nil: numbering kept); empty reports glyphs to leave without
// outline (nil: none); cmap is the cmap table written.
func (f *Font) assemble(dst []byte, all []uint16, newID map[uint16]uint16, empty func(uint16) bool, cmap []byte) []byte {
	n := len(all)
	glyphLen := func(g uint16) int {
		if empty != nil && empty(g) {
			return 0
		}
		return (f.glyphLen(g) + 3) &^ 3
	}
	glyfLen := 0
	for _, g := range all {
		glyfLen += glyphLen(g)
	}
	long := glyfLen > 0x1FFFE
	locaLen := 2 * (n + 1)
	if long {
		locaLen = 4 * (n + 1)
	}
	type table struct {
		tag    string
		length int
		src    []byte // copied as is; nil for the tables written here
	}
	tables := make([]table, 0, 13) // sorted by tag, as the directory requires
	for _, t := range []table{
		{"OS/2", len(f.os2), f.os2}, {"cmap", len(cmap), cmap}, {"cvt ", len(f.cvt), f.cvt},
		{"fpgm", len(f.fpgm), f.fpgm}, {"glyf", glyfLen, nil}, {"head", 54, nil}, {"hhea", 36, nil},
		{"hmtx", 4 * n, nil}, {"loca", locaLen, nil}, {"maxp", len(f.maxp), nil},
		{"name", len(f.name), f.name}, {"post", len(f.post), f.post}, {"prep", len(f.prep), f.prep},
	} {
		switch t.tag {
		case "glyf", "head", "hhea", "hmtx", "loca", "maxp": // required, even empty
			tables = append(tables, t)
		default:
			if t.length > 0 {
				tables = append(tables, t)
			}
		}
	}
	nt := len(tables)
	total := 12 + 16*nt
	for _, t := range tables {
		total += (t.length + 3) &^ 3
	}
	base := len(dst)
	dst = slices.Grow(dst, total)
	out := dst[base : base+total]
	clear(out)
	be := binary.BigEndian

	entrySel := 0
	for 1<<(entrySel+1) <= nt {
		entrySel++
	}
	searchRange := 16 << entrySel
	be.PutUint32(out, 0x00010000)
	be.PutUint16(out[4:], uint16(nt))
	be.PutUint16(out[6:], uint16(searchRange))
	be.PutUint16(out[8:], uint16(entrySel))
	be.PutUint16(out[10:], uint16(nt*16-searchRange))

	off, headOff := 12+16*nt, 0
	for i, t := range tables {
		d := out[off : off+t.length]
		switch t.tag {
		case "glyf":
			p := 0
			for _, g := range all {
				l := glyphLen(g)
				if l > 0 {
					copy(d[p:], f.glyph(g))
					if newID != nil && f.glyphLen(g) >= 10 && int16(be.Uint16(d[p:])) < 0 {
						patchComponents(d[p:p+f.glyphLen(g)], newID)
					}
				}
				p += l
			}
		case "head":
			copy(d, f.head[:54])
			be.PutUint32(d[8:], 0) // checkSumAdjustment, set below
			be.PutUint16(d[50:], 0)
			if long {
				be.PutUint16(d[50:], 1)
			}
			headOff = off
		case "hhea":
			copy(d, f.hhea[:36])
			be.PutUint16(d[34:], uint16(n))
		case "hmtx":
			for k, g := range all {
				be.PutUint16(d[4*k:], f.adv[g])
				// The left side bearing is the glyph's xMin for TrueType outlines.
				if gd := f.glyph(g); len(gd) >= 4 && glyphLen(g) > 0 {
					copy(d[4*k+2:], gd[2:4])
				}
			}
		case "loca":
			p := 0
			for k, g := range all {
				if long {
					be.PutUint32(d[4*k:], uint32(p))
				} else {
					be.PutUint16(d[2*k:], uint16(p/2))
				}
				p += glyphLen(g)
			}
			if long {
				be.PutUint32(d[4*n:], uint32(p))
			} else {
				be.PutUint16(d[2*n:], uint16(p/2))
			}
		case "maxp":
			copy(d, f.maxp)
			be.PutUint16(d[4:], uint16(n))
		default:
			copy(d, t.src)
		}
		rec := out[12+16*i:]
		copy(rec, t.tag)
		be.PutUint32(rec[4:], checksum(out[off:off+((t.length+3)&^3)]))
		be.PutUint32(rec[8:], uint32(off))
		be.PutUint32(rec[12:], uint32(t.length))
		off += (t.length + 3) &^ 3
	}
	be.PutUint32(out[headOff+8:], 0xB1B0AFBA-checksum(out))
	return dst[:base+total]
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
