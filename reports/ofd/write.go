package ofd

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"

	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
)

// Namespace is the XML namespace of GB/T 33190-2016.
const Namespace = "http://www.ofdspec.org/2016"

// ContentType is the media type of OFD files.
const ContentType = "application/ofd"

// mmPerPt converts layout's points to OFD's millimetres.
const mmPerPt = 25.4 / 72

// compressLevel is klauspost/compress's level 2, the level the PDF writer
// chose by measurement for the same kind of data (font programs and page
// descriptions).
const compressLevel = 2

// xmlCompressLevel is for the page descriptions, whose XML is larger and
// more repetitive than the PDF's operators (BenchmarkXMLLevel).
const xmlCompressLevel = 1

// Options are the document-level settings of Write.
type Options struct {
	// Creator goes to DocInfo's Creator; empty means "reportd".
	Creator string
	// CreationDate is written as DocInfo's CreationDate and ModDate (a
	// date) and dates the zip entries: a fixed time (e.g. from
	// SOURCE_DATE_EPOCH) makes output a pure function of the input. When
	// it is zero the render time is used (Now, or the clock when Now is
	// nil), as the PDF backend does: archives expect a creation date.
	CreationDate time.Time
	Now          func() time.Time
	// Title, Author, Subject and Keywords override the document's Meta
	// when non-empty (for a combined document, the first part's Meta is
	// the default).
	Meta layout.Meta
}

// Part is one document of a combined OFD; a non-empty Title becomes a
// top-level outline entry (书签).
type Part = layout.Part

// Write draws one typeset document as an OFD package into w.
func Write(w io.Writer, doc *layout.Document, fonts *font.Set, opts Options) error {
	return WriteParts(w, []Part{{Doc: doc}}, fonts, opts)
}

// WriteParts draws several documents into one OFD (page after page, one
// DocBody) with an outline entry per titled part. Every character is
// checked before anything is written: a character no font has is a
// *font.MissingError and w is untouched. After that the package streams
// into w entry by entry; only w's own errors can stop it.
func WriteParts(w io.Writer, parts []Part, fonts *font.Set, opts Options) error {
	if fonts == nil {
		return fmt.Errorf("write ofd: no fonts")
	}
	if len(parts) == 0 {
		return fmt.Errorf("write ofd: no documents")
	}
	for i, p := range parts {
		if p.Doc == nil || len(p.Doc.Pages) == 0 {
			return fmt.Errorf("write ofd: part %d has no pages", i+1)
		}
	}
	ow := writerPool.Get().(*ofdWriter)
	defer func() {
		if cap(ow.buf) <= 4<<20 {
			ow.fs = nil
			writerPool.Put(ow)
		}
	}()
	ow.reset(fonts)
	if err := ow.collect(parts); err != nil {
		return err
	}
	if err := ow.write(w, parts, opts); err != nil {
		return fmt.Errorf("write ofd: %w", err)
	}
	return nil
}

// ofdWriter holds one document's state; it is pooled so the buffers grown
// by one render serve the next.
type ofdWriter struct {
	fs      *font.Set
	used    []map[rune]uint16 // per face: rune → glyph in the full font
	subsets []*subset
	faceSub []int // face index → subsets index, -1 when unused
	missing []font.Missing
	widths  []float64 // distinct rule widths (mm, rounded), sorted

	nextID   int
	pageIDs  []int
	paramIDs []int // DrawParam of widths[i]

	buf       []byte    // scratch: one XML file
	rs        []rune    // scratch: a line's characters as drawn (0: invisible)
	faces     []int     // their faces (-1: invisible)
	steps     []float64 // their advances plus DX, points
	font      []byte    // scratch: one font file
	deltas    []float64
	sum       hash.Hash // SHA-256 of every entry, for DocID
	zw        *zip.Writer
	flate     *flate.Writer // the zip's compressor, one entry at a time
	fontFlate *flate.Writer // compresses font files for the cache
}

// subset is the embedded part of one face: glyph i+1 draws runes[i].
type subset struct {
	face  *font.Face
	id    int
	runes []rune   // sorted
	gids  []uint16 // .notdef, then the glyph of each rune
	file  string   // "font_5.ttf", under Res/
}

var writerPool = sync.Pool{New: func() any { return &ofdWriter{sum: sha256.New()} }}

func (ow *ofdWriter) reset(fs *font.Set) {
	ow.fs = fs
	n := fs.Faces()
	if cap(ow.used) < n {
		ow.used = make([]map[rune]uint16, n)
	}
	ow.used = ow.used[:n]
	for i := range ow.used {
		if ow.used[i] == nil {
			ow.used[i] = make(map[rune]uint16, 512)
		}
		clear(ow.used[i])
	}
	ow.subsets = ow.subsets[:0]
	ow.missing = ow.missing[:0]
	ow.widths = ow.widths[:0]
	ow.pageIDs = ow.pageIDs[:0]
	ow.paramIDs = ow.paramIDs[:0]
	ow.nextID = 0
	ow.sum.Reset()
}

func (ow *ofdWriter) id() int {
	ow.nextID++
	return ow.nextID
}

// collect finds the glyphs every text needs, failing with every missing
// character before anything is written, and the rule widths.
func (ow *ofdWriter) collect(parts []Part) error {
	seen := map[font.Missing]bool{}
	texts := func(ts []layout.Text) {
		for _, t := range ts {
			for _, r := range t.S {
				fi, d, gid, ok := ow.fs.Resolve(t.Role, r)
				if !ok {
					m := font.Missing{Rune: r, Path: t.Path}
					if !seen[m] {
						seen[m] = true
						ow.missing = append(ow.missing, m)
					}
					continue
				}
				if d != 0 {
					ow.used[fi][d] = gid
				}
			}
		}
	}
	for _, p := range parts {
		for _, pg := range p.Doc.Pages {
			texts(pg.Background)
			texts(pg.Texts)
			for _, r := range pg.Rules {
				if w := round3(r.Width * mmPerPt); !slices.Contains(ow.widths, w) {
					ow.widths = append(ow.widths, w)
				}
			}
		}
	}
	if len(ow.missing) > 0 {
		return &font.MissingError{Missing: slices.Clone(ow.missing)}
	}
	slices.Sort(ow.widths)

	// IDs: pages, fonts, draw parameters, then the page objects in
	// drawing order as they are written.
	for _, p := range parts {
		for range p.Doc.Pages {
			ow.pageIDs = append(ow.pageIDs, ow.id())
		}
	}
	ow.faceSub = slices.Grow(ow.faceSub[:0], len(ow.used))[:len(ow.used)]
	for fi, used := range ow.used {
		ow.faceSub[fi] = -1
		if len(used) == 0 {
			continue
		}
		ow.faceSub[fi] = len(ow.subsets)
		s := &subset{face: ow.fs.Face(fi), id: ow.id(), runes: make([]rune, 0, len(used))}
		for r := range used {
			s.runes = append(s.runes, r)
		}
		slices.Sort(s.runes)
		s.gids = make([]uint16, 1, len(used)+1)
		for _, r := range s.runes {
			s.gids = append(s.gids, used[r])
		}
		s.file = "font_" + strconv.Itoa(s.id) + ".ttf"
		ow.subsets = append(ow.subsets, s)
	}
	for range ow.widths {
		ow.paramIDs = append(ow.paramIDs, ow.id())
	}
	return nil
}

// write streams the package: pages, fonts, resources, Document.xml, and
// OFD.xml last, since its DocID is a hash of everything before it.
func (ow *ofdWriter) write(w io.Writer, parts []Part, opts Options) error {
	ow.zw = zip.NewWriter(w)
	ow.zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if ow.flate == nil {
			var err error
			if ow.flate, err = flate.NewWriter(out, xmlCompressLevel); err != nil {
				return nil, err
			}
		} else {
			ow.flate.Reset(out)
		}
		return ow.flate, nil
	})
	opts.CreationDate = creationDate(opts) // one time for DocInfo and the entries
	modified := opts.CreationDate

	pw, ph := pageSize(parts[0].Doc)
	k := 0
	for _, p := range parts {
		w, h := pageSize(p.Doc)
		for i := range p.Doc.Pages {
			ow.buf = ow.pageXML(ow.buf[:0], &p.Doc.Pages[i], w, h, w != pw || h != ph)
			if err := ow.entry("Doc_0/Pages/Page_"+strconv.Itoa(k)+"/Content.xml", ow.buf, modified); err != nil {
				return err
			}
			k++
		}
	}
	for _, s := range ow.subsets {
		if err := ow.fontEntry(s, modified); err != nil {
			return err
		}
	}

	ow.buf = ow.publicRes(ow.buf[:0])
	if err := ow.entry("Doc_0/PublicRes.xml", ow.buf, modified); err != nil {
		return err
	}
	ow.buf = ow.documentRes(ow.buf[:0])
	if err := ow.entry("Doc_0/DocumentRes.xml", ow.buf, modified); err != nil {
		return err
	}
	ow.buf = ow.documentXML(ow.buf[:0], parts, pw, ph)
	if err := ow.entry("Doc_0/Document.xml", ow.buf, modified); err != nil {
		return err
	}
	docID := hex.EncodeToString(ow.sum.Sum(nil)[:16])
	ow.buf = ow.ofdXML(ow.buf[:0], parts, opts, docID)
	if err := ow.entry("OFD.xml", ow.buf, modified); err != nil {
		return err
	}
	return ow.zw.Close()
}

func pageSize(doc *layout.Document) (w, h float64) {
	w, h = doc.WidthPt, doc.HeightPt
	if w <= 0 || h <= 0 {
		w, h = 595.276, 841.89 // A4
	}
	return w, h
}

// entry writes one deflated file and adds it to the DocID hash.
func (ow *ofdWriter) entry(name string, data []byte, modified time.Time) error {
	ow.hashEntry(name, data)
	f, err := ow.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return err
}

func (ow *ofdWriter) hashEntry(name string, data []byte) {
	var n [8]byte
	for i, v := 0, uint64(len(data)); i < 8; i++ {
		n[i] = byte(v >> (8 * i))
	}
	ow.sum.Write([]byte(name))
	ow.sum.Write(n[:])
	ow.sum.Write(data)
}

// fontFile is a subset font ready for the zip: deflated, with its CRC and
// size. It depends only on the face and the characters, so the font.Set
// caches it across documents.
type fontFile struct {
	deflated []byte
	crc      uint32
	size     uint64
	sum      [sha256.Size]byte // of deflated, for DocID without rehashing
}

func (ow *ofdWriter) fontEntry(s *subset, modified time.Time) error {
	ff, ok := ow.fs.Cached("ofd", s.face, s.runes).(*fontFile)
	if !ok {
		var err error
		ow.font, _, err = s.face.Font.SubsetMapped(ow.font[:0], s.gids, s.runes)
		if err != nil {
			return fmt.Errorf("subset font %s: %w", s.face.Name, err)
		}
		ff = &fontFile{crc: crc32.ChecksumIEEE(ow.font), size: uint64(len(ow.font))}
		// Not ow.flate: the zip's previous entry may still be open in it.
		var z bytes.Buffer
		z.Grow(len(ow.font) / 2)
		if ow.fontFlate == nil {
			ow.fontFlate, _ = flate.NewWriter(&z, compressLevel) // a valid level cannot fail
		} else {
			ow.fontFlate.Reset(&z)
		}
		ow.fontFlate.Write(ow.font) // a bytes.Buffer does not fail
		ow.fontFlate.Close()
		ff.deflated = z.Bytes()
		ff.sum = sha256.Sum256(ff.deflated)
		ow.fs.Store("ofd", s.face, s.runes, ff, len(ff.deflated)+4*len(s.runes))
	}
	name := "Doc_0/Res/" + s.file
	ow.hashEntry(name, ff.sum[:])
	// CreateRaw leaves the date to us: MS-DOS fields, as CreateHeader
	// writes them besides its extended timestamp.
	date, tm := msDosTime(modified)
	f, err := ow.zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, ModifiedDate: date, ModifiedTime: tm,
		CRC32: ff.crc, CompressedSize64: uint64(len(ff.deflated)), UncompressedSize64: ff.size,
	})
	if err != nil {
		return err
	}
	_, err = f.Write(ff.deflated)
	return err
}

// creationDate is the document's date, in UTC to the second (zip entries
// hold two seconds).
func creationDate(opts Options) time.Time {
	t := opts.CreationDate
	if t.IsZero() {
		if opts.Now != nil {
			t = opts.Now()
		} else {
			t = time.Now()
		}
	}
	return t.UTC().Truncate(time.Second)
}

func msDosTime(t time.Time) (date, tm uint16) {
	return uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9),
		uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// pageXML writes one page's Content.xml: one layer with the fills, the
// text and the rules, in that order (the PDF's drawing order), each object
// numbered in drawing order.
func (ow *ofdWriter) pageXML(b []byte, pg *layout.Page, w, h float64, ownArea bool) []byte {
	b = append(b, xmlHeader...)
	b = append(b, `<ofd:Page xmlns:ofd="`+Namespace+`">`...)
	if ownArea {
		b = append(b, "<ofd:Area><ofd:PhysicalBox>0 0 "...)
		b = appendMM(b, w)
		b = append(b, ' ')
		b = appendMM(b, h)
		b = append(b, "</ofd:PhysicalBox></ofd:Area>"...)
	}
	b = append(b, `<ofd:Content>`...)
	if len(pg.Background) > 0 {
		// The 草稿 mark of a draft, in a background layer under the content.
		b = append(b, `<ofd:Layer Type="Background" ID="`...)
		b = strconv.AppendInt(b, int64(ow.id()), 10)
		b = append(b, `">`...)
		for i := range pg.Background {
			b = ow.text(b, &pg.Background[i])
		}
		b = append(b, "</ofd:Layer>"...)
	}
	b = append(b, `<ofd:Layer ID="`...)
	b = strconv.AppendInt(b, int64(ow.id()), 10)
	b = append(b, `">`...)
	b = ow.fills(b, pg.Fills)
	for i := range pg.Texts {
		b = ow.text(b, &pg.Texts[i])
	}
	b = ow.rules(b, pg.Rules)
	return append(b, "</ofd:Layer></ofd:Content></ofd:Page>"...)
}

// fills draws the filled rectangles, one path object per gray level.
func (ow *ofdWriter) fills(b []byte, fills []layout.Rect) []byte {
	done := make([]bool, len(fills))
	for i, f := range fills {
		if done[i] {
			continue
		}
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for j := i; j < len(fills); j++ {
			if g := fills[j]; g.Gray == f.Gray {
				x0, y0 = min(x0, g.X), min(y0, g.Y)
				x1, y1 = max(x1, g.X+g.W), max(y1, g.Y+g.H)
			}
		}
		b = append(b, `<ofd:PathObject ID="`...)
		b = strconv.AppendInt(b, int64(ow.id()), 10)
		b = append(b, `" Boundary="`...)
		b = appendBox(b, x0, y0, x1-x0, y1-y0)
		b = append(b, `" Stroke="false" Fill="true"><ofd:FillColor Value="`...)
		b = appendGray(b, f.Gray)
		b = append(b, `"/><ofd:AbbreviatedData>`...)
		for j := i; j < len(fills); j++ {
			g := fills[j]
			if g.Gray != f.Gray {
				continue
			}
			done[j] = true
			b = appendPath(b, 'M', g.X-x0, g.Y-y0)
			b = appendPath(b, 'L', g.X+g.W-x0, g.Y-y0)
			b = appendPath(b, 'L', g.X+g.W-x0, g.Y+g.H-y0)
			b = appendPath(b, 'L', g.X-x0, g.Y+g.H-y0)
			b = append(b, " C"...)
		}
		b = append(b, "</ofd:AbbreviatedData></ofd:PathObject>"...)
	}
	return b
}

// rules draws the lines, one path object per width referring to the
// width's DrawParam. Each line is lengthened by half its width at both
// ends, which is what the PDF's projecting caps draw, so the corners where
// borders meet are closed in any reader, whatever caps it supports.
func (ow *ofdWriter) rules(b []byte, rules []layout.Rule) []byte {
	for wi, wmm := range ow.widths {
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		n := 0
		for _, r := range rules {
			if round3(r.Width*mmPerPt) != wmm {
				continue
			}
			n++
			ax, ay, bx, by := extend(r)
			hw := r.Width / 2
			x0, y0 = min(x0, ax-hw, bx-hw), min(y0, ay-hw, by-hw)
			x1, y1 = max(x1, ax+hw, bx+hw), max(y1, ay+hw, by+hw)
		}
		if n == 0 {
			continue
		}
		b = append(b, `<ofd:PathObject ID="`...)
		b = strconv.AppendInt(b, int64(ow.id()), 10)
		b = append(b, `" Boundary="`...)
		b = appendBox(b, x0, y0, x1-x0, y1-y0)
		b = append(b, `" DrawParam="`...)
		b = strconv.AppendInt(b, int64(ow.paramIDs[wi]), 10)
		b = append(b, `"><ofd:AbbreviatedData>`...)
		for _, r := range rules {
			if round3(r.Width*mmPerPt) != wmm {
				continue
			}
			ax, ay, bx, by := extend(r)
			b = appendPath(b, 'M', ax-x0, ay-y0)
			b = appendPath(b, 'L', bx-x0, by-y0)
		}
		b = append(b, "</ofd:AbbreviatedData></ofd:PathObject>"...)
	}
	return b
}

// extend returns the rule's end points moved outwards by half its width.
func extend(r layout.Rule) (ax, ay, bx, by float64) {
	dx, dy := r.X2-r.X1, r.Y2-r.Y1
	l := math.Hypot(dx, dy)
	if l == 0 {
		return r.X1, r.Y1, r.X2, r.Y2
	}
	ex, ey := dx/l*r.Width/2, dy/l*r.Width/2
	return r.X1 - ex, r.Y1 - ey, r.X2 + ex, r.Y2 + ey
}

// text draws one line as one text object per run of characters in the same
// font. Each glyph is placed by DeltaX at exactly the advance the PDF gives
// it: the font's advance at the size plus the line's DX for that character
// (justification, punctuation squeezing), which the PDF draws as TJ
// adjustments; the DX of an invisible character still moves what follows.
func (ow *ofdWriter) text(b []byte, t *layout.Text) []byte {
	if t.S == "" {
		return b
	}
	ow.rs, ow.faces, ow.steps = ow.rs[:0], ow.faces[:0], ow.steps[:0]
	i := -1
	for _, r := range t.S {
		i++
		fi, d, gid, _ := ow.fs.Resolve(t.Role, r) // collect vetted every rune
		step := 0.0
		if d != 0 {
			f := ow.fs.Face(fi)
			step = float64(f.Font.Advance(gid)) * f.InvEm * t.Size
		} else {
			fi = -1 // invisible: drawn as nothing, takes no room
		}
		ow.rs = append(ow.rs, d)
		ow.faces = append(ow.faces, fi)
		ow.steps = append(ow.steps, step)
		if i < len(t.DX) {
			ow.steps[i] += t.DX[i]
		}
	}
	x := t.X // pen position in points
	runFace, runStart, startX := -1, 0, x
	for i := range ow.rs {
		if fi := ow.faces[i]; fi >= 0 && fi != runFace {
			if runFace >= 0 {
				b = ow.run(b, t, runFace, runStart, i, startX)
			}
			runFace, runStart, startX = fi, i, x
		}
		x += ow.steps[i]
	}
	if runFace >= 0 {
		b = ow.run(b, t, runFace, runStart, len(ow.rs), startX)
	}
	return b
}

// run writes one text object: ow.rs[from:to] (0 = invisible) drawn with face
// fi starting at x (points). Supplementary-plane characters get a TextCode
// of their own, so readers counting UTF-16 units (as JavaScript does) still
// pair each DeltaX with the right character.
func (ow *ofdWriter) run(b []byte, t *layout.Text, fi, from, to int, x float64) []byte {
	f := ow.fs.Face(fi)
	s := ow.subsets[ow.faceSub[fi]]
	rs, steps := ow.rs[from:to], ow.steps[from:to]
	visible := false
	width, pos := 0.0, 0.0 // points from x
	for k, r := range rs {
		if r == 0 {
			pos += steps[k]
			continue
		}
		if r != ' ' {
			visible = true
		}
		gid, _ := f.Font.GlyphIndex(r)
		width = max(width, pos+float64(f.Font.Advance(gid))*f.InvEm*t.Size)
		pos += steps[k]
	}
	if !visible {
		return b // spaces only: nothing to draw
	}
	size := t.Size * mmPerPt
	// The boundary spans the font's ascent and descent plus a tenth of an
	// em, so a reader that clips objects to their boundary cuts nothing.
	asc := (float64(f.Font.Ascent)*f.InvEm + 0.1) * t.Size
	desc := (-float64(f.Font.Descent)*f.InvEm + 0.1) * t.Size

	b = append(b, `<ofd:TextObject ID="`...)
	b = strconv.AppendInt(b, int64(ow.id()), 10)
	b = append(b, `" Boundary="`...)
	b = appendBox(b, x, t.Y-asc, max(width, 0.1), asc+desc)
	b = append(b, `" Font="`...)
	b = strconv.AppendInt(b, int64(s.id), 10)
	b = append(b, `" Size="`...)
	b = appendNum(b, size)
	if w := weight(f); w != 400 {
		b = append(b, `" Weight="`...)
		b = strconv.AppendInt(b, int64(w), 10)
	}
	b = append(b, `">`...)
	if t.Gray != 0 {
		b = append(b, `<ofd:FillColor Value="`...)
		b = appendGray(b, t.Gray)
		b = append(b, `"/>`...)
	}
	// Positions relative to the boundary's origin: x from 0, y at the
	// baseline. Deltas have four decimals (0.1 µm), so a line of 100
	// glyphs drifts at most 5 µm from the exact positions, while equal
	// advances stay equal and shorten to "g N V".
	pos = 0 // exact position of the current character, mm from the run start
	i := 0
	for i < len(rs) {
		for i < len(rs) && rs[i] == 0 {
			pos += steps[i] * mmPerPt
			i++
		}
		if i == len(rs) {
			break
		}
		j := i + 1
		if rs[i] <= 0xFFFF {
			for j < len(rs) && rs[j] <= 0xFFFF {
				j++
			}
		}
		// One TextCode for rs[i:j].
		b = append(b, `<ofd:TextCode X="`...)
		b = appendNum(b, pos)
		b = append(b, `" Y="`...)
		b = appendNum(b, asc*mmPerPt)
		ow.deltas = ow.deltas[:0]
		prev, drawn := 0.0, false // position of the last drawn character
		for k := i; k < j; k++ {
			if rs[k] != 0 {
				if drawn {
					ow.deltas = append(ow.deltas, round4(pos-prev))
				}
				prev, drawn = pos, true
			}
			pos += steps[k] * mmPerPt
		}
		if len(ow.deltas) > 0 {
			b = append(b, `" DeltaX="`...)
			b = appendDeltas(b, ow.deltas)
		}
		b = append(b, `">`...)
		for _, r := range rs[i:j] {
			if r != 0 {
				b = appendEscaped(b, r)
			}
		}
		b = append(b, "</ofd:TextCode>"...)
		i = j
	}
	return append(b, "</ofd:TextObject>"...)
}

// weight is the face's OS/2 weight class in the hundreds OFD allows.
func weight(f *font.Face) int {
	w := (int(f.Font.WeightClass) + 50) / 100 * 100
	if w < 100 || w > 900 {
		return 400
	}
	return w
}

// appendDeltas writes DeltaX, shortening three or more equal values to
// "g N V" (GB/T 33190 §11.3), as a line of Chinese text mostly is.
func appendDeltas(b []byte, ds []float64) []byte {
	for i := 0; i < len(ds); {
		j := i + 1
		for j < len(ds) && ds[j] == ds[i] {
			j++
		}
		if i > 0 {
			b = append(b, ' ')
		}
		if n := j - i; n >= 3 {
			b = append(b, "g "...)
			b = strconv.AppendInt(b, int64(n), 10)
			b = append(b, ' ')
			b = appendNum4(b, ds[i])
		} else {
			for k := i; k < j; k++ {
				if k > i {
					b = append(b, ' ')
				}
				b = appendNum4(b, ds[k])
			}
		}
		i = j
	}
	return b
}

func (ow *ofdWriter) publicRes(b []byte) []byte {
	b = append(b, xmlHeader...)
	b = append(b, `<ofd:Res xmlns:ofd="`+Namespace+`" BaseLoc="Res"><ofd:Fonts>`...)
	for _, s := range ow.subsets {
		f := s.face.Font
		b = append(b, `<ofd:Font ID="`...)
		b = strconv.AppendInt(b, int64(s.id), 10)
		b = append(b, `" FontName="`...)
		b = appendAttr(b, cmpOr(f.PostScriptName, f.FamilyName, "Font"))
		if f.FamilyName != "" {
			b = append(b, `" FamilyName="`...)
			b = appendAttr(b, f.FamilyName)
		}
		b = append(b, '"')
		if f.WeightClass >= 600 {
			b = append(b, ` Bold="true"`...)
		}
		if f.ItalicAngle != 0 {
			b = append(b, ` Italic="true"`...)
		}
		if f.FixedPitch {
			b = append(b, ` FixedWidth="true"`...)
		}
		b = append(b, `><ofd:FontFile>`...)
		b = append(b, s.file...)
		b = append(b, `</ofd:FontFile></ofd:Font>`...)
	}
	return append(b, "</ofd:Fonts></ofd:Res>"...)
}

// documentRes holds the drawing parameters of the table rules: one per
// width, black.
func (ow *ofdWriter) documentRes(b []byte) []byte {
	b = append(b, xmlHeader...)
	b = append(b, `<ofd:Res xmlns:ofd="`+Namespace+`" BaseLoc="Res">`...)
	if len(ow.widths) > 0 {
		b = append(b, "<ofd:DrawParams>"...)
		for i, w := range ow.widths {
			b = append(b, `<ofd:DrawParam ID="`...)
			b = strconv.AppendInt(b, int64(ow.paramIDs[i]), 10)
			b = append(b, `" LineWidth="`...)
			b = appendNum(b, w)
			b = append(b, `"><ofd:StrokeColor Value="0 0 0"/></ofd:DrawParam>`...)
		}
		b = append(b, "</ofd:DrawParams>"...)
	}
	return append(b, "</ofd:Res>"...)
}

func (ow *ofdWriter) documentXML(b []byte, parts []Part, w, h float64) []byte {
	b = append(b, xmlHeader...)
	b = append(b, `<ofd:Document xmlns:ofd="`+Namespace+`"><ofd:CommonData><ofd:MaxUnitID>`...)
	b = strconv.AppendInt(b, int64(ow.nextID), 10)
	b = append(b, "</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 "...)
	b = appendMM(b, w)
	b = append(b, ' ')
	b = appendMM(b, h)
	b = append(b, "</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData><ofd:Pages>"...)
	for i, id := range ow.pageIDs {
		b = append(b, `<ofd:Page ID="`...)
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, `" BaseLoc="Pages/Page_`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `/Content.xml"/>`...)
	}
	b = append(b, "</ofd:Pages>"...)
	first, outlines := 0, false
	for _, p := range parts {
		if p.Title != "" {
			if !outlines {
				b = append(b, "<ofd:Outlines>"...)
				outlines = true
			}
			b = append(b, `<ofd:OutlineElem Title="`...)
			b = appendAttr(b, p.Title)
			b = append(b, `"><ofd:Actions><ofd:Action Event="CLICK"><ofd:Goto><ofd:Dest Type="Fit" PageID="`...)
			b = strconv.AppendInt(b, int64(ow.pageIDs[first]), 10)
			b = append(b, `"/></ofd:Goto></ofd:Action></ofd:Actions></ofd:OutlineElem>`...)
		}
		first += len(p.Doc.Pages)
	}
	if outlines {
		b = append(b, "</ofd:Outlines>"...)
	}
	return append(b, "</ofd:Document>"...)
}

func (ow *ofdWriter) ofdXML(b []byte, parts []Part, opts Options, docID string) []byte {
	meta := parts[0].Doc.Meta
	for _, kv := range []struct {
		dst *string
		v   string
	}{
		{&meta.Title, opts.Meta.Title}, {&meta.Author, opts.Meta.Author},
		{&meta.Subject, opts.Meta.Subject}, {&meta.Keywords, opts.Meta.Keywords},
	} {
		if kv.v != "" {
			*kv.dst = kv.v
		}
	}
	b = append(b, xmlHeader...)
	b = append(b, `<ofd:OFD xmlns:ofd="`+Namespace+`" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>`...)
	b = append(b, docID...)
	b = append(b, "</ofd:DocID>"...)
	// CT_DocInfo's order: DocID, Title, Author, Subject, Abstract,
	// CreationDate, ModDate, DocUsage, Cover, Keywords, Creator, ….
	b = element(b, "Title", meta.Title)
	b = element(b, "Author", meta.Author)
	b = element(b, "Subject", meta.Subject)
	{
		d := creationDate(opts).Format(time.DateOnly)
		b = element(b, "CreationDate", d)
		b = element(b, "ModDate", d)
	}
	if kws := keywords(meta.Keywords); len(kws) > 0 {
		b = append(b, "<ofd:Keywords>"...)
		for _, k := range kws {
			b = element(b, "Keyword", k)
		}
		b = append(b, "</ofd:Keywords>"...)
	}
	b = element(b, "Creator", cmpOr(opts.Creator, "reportd"))
	b = append(b, "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"...)
	return b
}

// keywords splits layout's comma-separated keywords.
func keywords(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func element(b []byte, name, text string) []byte {
	if text == "" {
		return b
	}
	b = append(b, "<ofd:"...)
	b = append(b, name...)
	b = append(b, '>')
	for _, r := range text {
		b = appendEscaped(b, r)
	}
	b = append(b, "</ofd:"...)
	b = append(b, name...)
	return append(b, '>')
}

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// appendEscaped writes r as XML character data or attribute text. Control
// characters XML 1.0 cannot carry are dropped (no font draws them either).
func appendEscaped(b []byte, r rune) []byte {
	switch r {
	case '&':
		return append(b, "&amp;"...)
	case '<':
		return append(b, "&lt;"...)
	case '>':
		return append(b, "&gt;"...)
	case '"':
		return append(b, "&quot;"...)
	case '\t', '\n', '\r':
		return append(b, "&#"+strconv.Itoa(int(r))+";"...)
	}
	if r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
		return b
	}
	return utf8.AppendRune(b, r)
}

func appendAttr(b []byte, s string) []byte {
	for _, r := range s {
		b = appendEscaped(b, r)
	}
	return b
}

// appendBox writes a Boundary from points as "x y w h" in millimetres.
func appendBox(b []byte, x, y, w, h float64) []byte {
	b = appendMM(b, x)
	b = append(b, ' ')
	b = appendMM(b, y)
	b = append(b, ' ')
	b = appendMM(b, w)
	b = append(b, ' ')
	return appendMM(b, h)
}

// appendPath writes one path command with a point given in points,
// separated by a space from what precedes it in the AbbreviatedData.
func appendPath(b []byte, op byte, x, y float64) []byte {
	if len(b) > 0 && b[len(b)-1] != '>' {
		b = append(b, ' ')
	}
	b = append(b, op, ' ')
	b = appendMM(b, x)
	b = append(b, ' ')
	return appendMM(b, y)
}

func appendGray(b []byte, gray float64) []byte {
	v := strconv.Itoa(int(math.Round(min(max(gray, 0), 1) * 255)))
	return append(b, v+" "+v+" "+v...)
}

// appendMM writes a length given in points as millimetres.
func appendMM(b []byte, pt float64) []byte { return appendNum(b, pt*mmPerPt) }

// appendNum writes a millimetre value with at most three decimals (one
// micrometre, finer than the PDF's hundredth of a point).
func appendNum(b []byte, v float64) []byte {
	v = round3(v)
	if v == 0 {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

// appendNum4 writes a DeltaX value, rounded by round4.
func appendNum4(b []byte, v float64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}
