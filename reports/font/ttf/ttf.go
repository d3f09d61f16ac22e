// Package ttf reads TrueType (glyf-outline) fonts and writes glyph subsets of
// them, which is all a PDF CIDFontType2 needs. A Font is parsed once and is
// immutable afterwards, so any number of goroutines may look up glyphs and
// build subsets from it at the same time.
//
// Collections (.ttc) and CFF-outline OpenType fonts (.otf) are refused: a
// PDF FontFile2 must hold TrueType outlines.
package ttf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// Font is a parsed TrueType font.
type Font struct {
	// PostScriptName is the name-table PostScript name (nameID 6), reduced
	// to the characters a PDF name may carry; "" when the font has none.
	PostScriptName string
	// FamilyName is the typographic family (nameID 16, else 1), e.g.
	// "Noto Serif SC" for NotoSerifSC-Bold; "" when the font has none.
	FamilyName string
	UnitsPerEm uint16
	NumGlyphs  uint16
	// Metrics in font units, for the PDF font descriptor.
	Ascent, Descent, CapHeight int16
	XMin, YMin, XMax, YMax     int16
	ItalicAngle                float64
	WeightClass                uint16
	FixedPitch                 bool

	bmp    []uint16 // glyph of each BMP code point (0 = none)
	astral []group  // sorted cmap groups above U+FFFF
	adv    []uint16 // advance width of each glyph

	glyf []byte
	loca []uint32 // NumGlyphs+1 offsets into glyf

	head, hhea, maxp []byte // copied into subsets and patched
	cvt, fpgm, prep  []byte // hinting tables, copied as they are
	// Tables the TrueType specification requires and strict font loaders
	// (Apple's) check, though PDF viewers do not need them: OS/2 copied,
	// name and post rebuilt small.
	os2, name, post []byte
}

type group struct{ start, end, gid uint32 }

// Tables are located through the table directory; a table beyond the end of
// the data makes the font invalid rather than panicking later.
func tableDir(data []byte) (map[string][]byte, error) {
	if len(data) < 12 {
		return nil, errors.New("not a font: too short")
	}
	switch string(data[:4]) {
	case "ttcf":
		return nil, errors.New("font collections (.ttc) are not supported: use a single TrueType font (.ttf)")
	case "OTTO":
		return nil, errors.New("CFF-outline OpenType fonts (.otf) are not supported: use a TrueType (glyf) font")
	case "\x00\x01\x00\x00", "true":
	default:
		return nil, fmt.Errorf("not a TrueType font (signature %q)", data[:4])
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if 12+16*n > len(data) {
		return nil, errors.New("truncated table directory")
	}
	tables := make(map[string][]byte, n)
	for i := range n {
		rec := data[12+16*i:]
		tag := string(rec[:4])
		off := uint64(binary.BigEndian.Uint32(rec[8:]))
		length := uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+length > uint64(len(data)) {
			return nil, fmt.Errorf("table %q extends beyond the end of the file", tag)
		}
		tables[tag] = data[off : off+length : off+length]
	}
	return tables, nil
}

// Parse reads a TrueType font. The returned Font keeps references into
// data, which must not be modified afterwards.
func Parse(data []byte) (*Font, error) {
	t, err := tableDir(data)
	if err != nil {
		return nil, err
	}
	for _, tag := range []string{"head", "hhea", "maxp", "hmtx", "cmap", "loca", "glyf"} {
		if t[tag] == nil {
			if tag == "glyf" && t["CFF "] != nil {
				return nil, errors.New("CFF-outline OpenType fonts are not supported: use a TrueType (glyf) font")
			}
			return nil, fmt.Errorf("missing required table %q", tag)
		}
	}
	f := &Font{glyf: t["glyf"], cvt: t["cvt "], fpgm: t["fpgm"], prep: t["prep"]}

	head := t["head"]
	if len(head) < 54 {
		return nil, errors.New("head table too short")
	}
	f.head = head
	f.UnitsPerEm = u16(head, 18)
	if f.UnitsPerEm < 16 || f.UnitsPerEm > 16384 {
		return nil, fmt.Errorf("head: unitsPerEm %d out of range", f.UnitsPerEm)
	}
	f.XMin, f.YMin, f.XMax, f.YMax = i16(head, 36), i16(head, 38), i16(head, 40), i16(head, 42)
	longLoca := i16(head, 50) != 0

	hhea := t["hhea"]
	if len(hhea) < 36 {
		return nil, errors.New("hhea table too short")
	}
	f.hhea = hhea
	f.Ascent, f.Descent = i16(hhea, 4), i16(hhea, 6)
	numHMetrics := int(u16(hhea, 34))

	maxp := t["maxp"]
	if len(maxp) < 6 {
		return nil, errors.New("maxp table too short")
	}
	f.maxp = maxp
	f.NumGlyphs = u16(maxp, 4)
	n := int(f.NumGlyphs)
	if n == 0 {
		return nil, errors.New("maxp: font has no glyphs")
	}

	// hmtx: numHMetrics full records, then left side bearings only; glyphs
	// past the last record share its advance.
	hmtx := t["hmtx"]
	if numHMetrics == 0 || numHMetrics > n || len(hmtx) < 4*numHMetrics {
		return nil, fmt.Errorf("hmtx: %d metrics do not fit the table or %d glyphs", numHMetrics, n)
	}
	f.adv = make([]uint16, n)
	for i := range n {
		if i < numHMetrics {
			f.adv[i] = u16(hmtx, 4*i)
		} else {
			f.adv[i] = f.adv[numHMetrics-1]
		}
	}

	if err := f.parseLoca(t["loca"], longLoca); err != nil {
		return nil, err
	}
	if err := f.parseCmap(t["cmap"]); err != nil {
		return nil, fmt.Errorf("cmap: %w", err)
	}

	f.CapHeight = f.Ascent
	if os2 := t["OS/2"]; len(os2) >= 78 {
		f.WeightClass = u16(os2, 4)
		typoAsc, typoDesc := i16(os2, 68), i16(os2, 70)
		if typoAsc > 0 {
			f.Ascent, f.Descent = typoAsc, typoDesc
		}
		f.CapHeight = f.Ascent
		if u16(os2, 0) >= 2 && len(os2) >= 90 {
			if ch := i16(os2, 88); ch > 0 {
				f.CapHeight = ch
			}
		}
	}
	if post := t["post"]; len(post) >= 16 {
		f.ItalicAngle = float64(int32(binary.BigEndian.Uint32(post[4:]))) / 65536
		f.FixedPitch = binary.BigEndian.Uint32(post[12:]) != 0
	}
	f.PostScriptName = postScriptName(t["name"])
	f.FamilyName = strings.TrimSpace(cmpOr(nameString(t["name"], 16), nameString(t["name"], 1)))
	if os2 := t["OS/2"]; len(os2) >= 78 {
		f.os2 = os2
	}
	f.name = nameTable(cmpOr(f.PostScriptName, "Font"))
	f.post = make([]byte, 32)
	binary.BigEndian.PutUint32(f.post, 0x00030000) // format 3: no glyph names
	if post := t["post"]; len(post) >= 32 {
		copy(f.post[4:], post[4:32])
	}
	return f, nil
}

func (f *Font) parseLoca(loca []byte, long bool) error {
	n := int(f.NumGlyphs)
	f.loca = make([]uint32, n+1)
	if long {
		if len(loca) < 4*(n+1) {
			return errors.New("loca table too short")
		}
		for i := range f.loca {
			f.loca[i] = binary.BigEndian.Uint32(loca[4*i:])
		}
	} else {
		if len(loca) < 2*(n+1) {
			return errors.New("loca table too short")
		}
		for i := range f.loca {
			f.loca[i] = 2 * uint32(u16(loca, 2*i))
		}
	}
	for i := range n {
		if f.loca[i] > f.loca[i+1] {
			return fmt.Errorf("loca: offsets of glyph %d decrease", i)
		}
	}
	if int64(f.loca[n]) > int64(len(f.glyf)) {
		return fmt.Errorf("loca: glyph data ends at %d, beyond the glyf table (%d bytes)", f.loca[n], len(f.glyf))
	}
	return nil
}

// parseCmap picks the best Unicode subtable: a full-repertoire format 12
// when present (it covers supplementary planes), else the BMP format 4.
func (f *Font) parseCmap(cm []byte) error {
	if len(cm) < 4 {
		return errors.New("table too short")
	}
	n := int(u16(cm, 2))
	if 4+8*n > len(cm) {
		return errors.New("truncated encoding records")
	}
	var fmt12, fmt4 []byte
	for i := range n {
		rec := cm[4+8*i:]
		pid, eid := u16(rec, 0), u16(rec, 2)
		off := int64(binary.BigEndian.Uint32(rec[4:]))
		if off+4 > int64(len(cm)) {
			continue
		}
		sub := cm[off:]
		unicode := pid == 0 || pid == 3 && (eid == 1 || eid == 10)
		if !unicode {
			continue
		}
		switch u16(sub, 0) {
		case 12:
			if fmt12 == nil {
				fmt12 = sub
			}
		case 4:
			if fmt4 == nil {
				fmt4 = sub
			}
		}
	}
	f.bmp = make([]uint16, 0x10000)
	switch {
	case fmt12 != nil:
		return f.parseFormat12(fmt12)
	case fmt4 != nil:
		return f.parseFormat4(fmt4)
	}
	return errors.New("no Unicode subtable of format 4 or 12")
}

func (f *Font) parseFormat4(s []byte) error {
	if len(s) < 14 {
		return errors.New("format 4: too short")
	}
	segX2 := int(u16(s, 6))
	if segX2%2 != 0 || 16+4*segX2 > len(s) {
		return errors.New("format 4: bad segment count")
	}
	ends, starts := s[14:], s[16+segX2:]
	deltas, rangeOffs := s[16+2*segX2:], s[16+3*segX2:]
	for i := 0; i < segX2; i += 2 {
		end, start := int(u16(ends, i)), int(u16(starts, i))
		delta, ro := u16(deltas, i), int(u16(rangeOffs, i))
		if start > end {
			continue
		}
		for c := start; c <= end; c++ {
			var g uint16
			if ro == 0 {
				g = uint16(c) + delta
			} else {
				// The offset is relative to the idRangeOffset entry itself.
				p := 16 + 3*segX2 + i + ro + 2*(c-start)
				if p+2 > len(s) {
					break
				}
				g = u16(s, p)
				if g != 0 {
					g += delta
				}
			}
			if int(g) < int(f.NumGlyphs) {
				f.bmp[c] = g
			}
		}
	}
	return nil
}

func (f *Font) parseFormat12(s []byte) error {
	if len(s) < 16 {
		return errors.New("format 12: too short")
	}
	ng := int64(binary.BigEndian.Uint32(s[12:]))
	if 16+12*ng > int64(len(s)) {
		return errors.New("format 12: truncated groups")
	}
	for i := range int(ng) {
		g := s[16+12*i:]
		start := binary.BigEndian.Uint32(g)
		end := binary.BigEndian.Uint32(g[4:])
		gid := binary.BigEndian.Uint32(g[8:])
		if start > end || end > 0x10FFFF || uint64(gid)+uint64(end-start) >= uint64(f.NumGlyphs) {
			continue
		}
		for c := start; c <= end && c <= 0xFFFF; c++ {
			f.bmp[c] = uint16(gid + c - start)
		}
		if end > 0xFFFF {
			if start <= 0xFFFF {
				gid += 0x10000 - start
				start = 0x10000
			}
			f.astral = append(f.astral, group{start, end, gid})
		}
	}
	slices.SortFunc(f.astral, func(a, b group) int { return int(a.start) - int(b.start) })
	return nil
}

// GlyphIndex returns the glyph of r; ok is false when the font lacks it.
func (f *Font) GlyphIndex(r rune) (gid uint16, ok bool) {
	if r >= 0 && r <= 0xFFFF {
		g := f.bmp[r]
		return g, g != 0
	}
	if r < 0 || r > 0x10FFFF {
		return 0, false
	}
	c := uint32(r)
	i, found := slices.BinarySearchFunc(f.astral, c, func(g group, c uint32) int {
		switch {
		case g.end < c:
			return -1
		case g.start > c:
			return 1
		}
		return 0
	})
	if !found {
		return 0, false
	}
	g := f.astral[i]
	return uint16(g.gid + c - g.start), true
}

// Advance returns a glyph's advance width in font units.
func (f *Font) Advance(gid uint16) uint16 {
	if int(gid) >= len(f.adv) {
		return 0
	}
	return f.adv[gid]
}

// postScriptName reads nameID 6 and keeps only characters a PDF name
// allows unescaped.
func postScriptName(name []byte) string {
	raw := nameString(name, 6)
	out := make([]byte, 0, len(raw))
	for _, r := range raw {
		if r > 32 && r < 127 && !isDelimiter(byte(r)) {
			out = append(out, byte(r))
		}
	}
	if len(out) > 63 {
		out = out[:63]
	}
	return string(out)
}

// nameString reads name nid from the Windows or Unicode (UTF-16) records,
// else the Macintosh (Roman) one; "" when absent.
func nameString(name []byte, nid uint16) string {
	if len(name) < 6 {
		return ""
	}
	count, strOff := int(u16(name, 2)), int(u16(name, 4))
	if 6+12*count > len(name) {
		return ""
	}
	var raw string
	for i := range count {
		rec := name[6+12*i:]
		pid := u16(rec, 0)
		length, off := int(u16(rec, 8)), int(u16(rec, 10))
		if u16(rec, 6) != nid || strOff+off+length > len(name) {
			continue
		}
		b := name[strOff+off : strOff+off+length]
		if pid == 3 || pid == 0 {
			u := make([]uint16, len(b)/2)
			for j := range u {
				u[j] = u16(b, 2*j)
			}
			return string(utf16.Decode(u))
		}
		if pid == 1 && raw == "" {
			raw = string(b)
		}
	}
	return raw
}

// nameTable builds a name table with the family, style, full and
// PostScript names, in Windows UTF-16 and Macintosh Roman records, from
// the PostScript name ("NotoSerifSC-Regular" → family "NotoSerifSC",
// style "Regular").
func nameTable(ps string) []byte {
	family, style, ok := strings.Cut(ps, "-")
	if !ok || style == "" {
		style = "Regular"
	}
	full := family + " " + style
	type rec struct {
		id   uint16
		text string
	}
	recs := []rec{{1, family}, {2, style}, {4, full}, {6, ps}}
	var strs []byte
	var out []byte
	be := binary.BigEndian
	out = be.AppendUint16(out, 0)
	out = be.AppendUint16(out, uint16(2*len(recs)))
	out = be.AppendUint16(out, uint16(6+12*2*len(recs)))
	// Records sorted by platform, encoding, language, name ID.
	for _, plat := range []struct{ pid, eid, lang uint16 }{{1, 0, 0}, {3, 1, 0x409}} {
		for _, r := range recs {
			var b []byte
			if plat.pid == 1 {
				b = []byte(r.text) // ASCII, as PostScript names are
			} else {
				for _, u := range utf16.Encode([]rune(r.text)) {
					b = be.AppendUint16(b, u)
				}
			}
			out = be.AppendUint16(out, plat.pid)
			out = be.AppendUint16(out, plat.eid)
			out = be.AppendUint16(out, plat.lang)
			out = be.AppendUint16(out, r.id)
			out = be.AppendUint16(out, uint16(len(b)))
			out = be.AppendUint16(out, uint16(len(strs)))
			strs = append(strs, b...)
		}
	}
	return append(out, strs...)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func isDelimiter(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%', '#':
		return true
	}
	return false
}

func u16(b []byte, i int) uint16 { return binary.BigEndian.Uint16(b[i:]) }
func i16(b []byte, i int) int16  { return int16(binary.BigEndian.Uint16(b[i:])) }

// GlyphData returns the glyf-table bytes of a glyph (empty for glyphs
// without outline, nil when gid is out of range). Callers must not modify it.
func (f *Font) GlyphData(gid uint16) []byte {
	if int(gid) >= int(f.NumGlyphs) {
		return nil
	}
	return f.glyph(gid)
}
