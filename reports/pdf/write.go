package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/klauspost/compress/zlib"

	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
)

// A4 in points, used when a Document leaves its size zero.
const (
	a4Width  = 595.276
	a4Height = 841.89
)

// compressLevel was chosen by measurement (BenchmarkCompressLevel, on a
// form's glyph subsets and pages, 146 KB raw): klauspost/compress level 2
// gives 95.5 KB in 0.62 ms where the standard library's fastest level gives
// 96.2 KB in 1.38 ms and its default 88.9 KB in 2.9 ms.
const compressLevel = 2

// Options are the document-level settings of Write.
type Options struct {
	// Creator and Producer go to the Info dictionary; empty means "reportd".
	Creator, Producer string
	// CreationDate is written as CreationDate and ModDate: a fixed time
	// (e.g. from SourceDateEpoch) makes output a pure function of the
	// input. When it is zero the render time is written (Now, or the
	// clock when Now is nil).
	CreationDate time.Time
	Now          func() time.Time
	// PDFA writes PDF/A-2b (ISO 19005-2 level B) for archiving: XMP
	// metadata and an sRGB output intent (see pdfa.go).
	PDFA bool
	// Title, Author, Subject and Keywords override the document's Meta
	// when non-empty (for a combined document, the first part's Meta is the
	// default).
	Meta layout.Meta
}

// SourceDateEpoch reads SOURCE_DATE_EPOCH (seconds since 1970, the
// reproducible-builds convention) through getenv. It returns the zero time
// when the variable is unset, and an error when it is not a number.
func SourceDateEpoch(getenv func(string) string) (time.Time, error) {
	s := strings.TrimSpace(getenv("SOURCE_DATE_EPOCH"))
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// Part is one document of a combined PDF; a non-empty Title becomes a
// top-level bookmark.
type Part = layout.Part

// Write draws one typeset document as a PDF 1.7 file. It writes to w only
// once the whole file is ready, so a failure leaves w untouched.
func Write(w io.Writer, doc *layout.Document, fonts *font.Set, opts Options) error {
	return WriteParts(w, []Part{{Doc: doc}}, fonts, opts)
}

// WriteParts draws several documents into one PDF (page after page) with a
// bookmark per titled part, e.g. one PDF per unit with a bookmark per
// project. Glyphs are subset once for the whole file.
func WriteParts(w io.Writer, parts []Part, fonts *font.Set, opts Options) error {
	if fonts == nil {
		return fmt.Errorf("write pdf: no fonts")
	}
	if len(parts) == 0 {
		return fmt.Errorf("write pdf: no documents")
	}
	npages := 0
	for i, p := range parts {
		if p.Doc == nil || len(p.Doc.Pages) == 0 {
			return fmt.Errorf("write pdf: part %d has no pages", i+1)
		}
		npages += len(p.Doc.Pages)
	}
	pw := writerPool.Get().(*pdfWriter)
	defer func() {
		// A year-end combined file may be large; keep only ordinary buffers.
		if cap(pw.out) <= 4<<20 {
			writerPool.Put(pw)
		}
	}()
	pw.reset(fonts)
	if err := pw.collect(parts); err != nil {
		return err
	}
	if err := pw.document(parts, npages, opts); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	_, err := w.Write(pw.out)
	if err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// pdfWriter holds one document's state; it is pooled so the buffers grown
// by one render serve the next.
type pdfWriter struct {
	fs      *font.Set
	used    []map[rune]uint16 // per face: rune → glyph in the full font
	subsets []*subset         // the faces used, in face order
	faceSub []int             // face index → subsets index
	missing []font.Missing

	out     []byte // the file being written
	offsets []int  // byte offset of each object, index = number-1
	content []byte // scratch: one page's content stream
	zbuf    bytes.Buffer
	z       *zlib.Writer
	font    []byte // scratch: subset font file
}

// subset is the embedded part of one face: CID i draws runes[i-1] (CID 0 is
// .notdef), so every character has its own ToUnicode entry.
type subset struct {
	face  *font.Face
	res   string          // resource name, "F1"
	cid   map[rune]uint16 // rune → CID
	runes []rune          // sorted; runes[i] has CID i+1
	gids  []uint16        // CID → glyph in the full font
	obj   int             // object number of the Type0 font
}

var writerPool = sync.Pool{New: func() any { return new(pdfWriter) }}

func (pw *pdfWriter) reset(fs *font.Set) {
	pw.fs = fs
	if cap(pw.used) < fs.Faces() {
		pw.used = make([]map[rune]uint16, fs.Faces())
	}
	pw.used = pw.used[:fs.Faces()]
	for i := range pw.used {
		if pw.used[i] == nil {
			pw.used[i] = make(map[rune]uint16, 512)
		}
		clear(pw.used[i])
	}
	pw.subsets = pw.subsets[:0]
	pw.missing = pw.missing[:0]
	pw.out = pw.out[:0]
	pw.offsets = pw.offsets[:0]
}

// collect finds the glyphs every text needs and fails listing all missing
// characters before anything is written.
func (pw *pdfWriter) collect(parts []Part) error {
	seen := map[font.Missing]bool{}
	for _, p := range parts {
		for _, pg := range p.Doc.Pages {
			for _, t := range pg.Texts {
				for _, r := range t.S {
					fi, d, gid, ok := pw.fs.Resolve(t.Role, r)
					if !ok {
						m := font.Missing{Rune: r, Path: t.Path}
						if !seen[m] {
							seen[m] = true
							pw.missing = append(pw.missing, m)
						}
						continue
					}
					if d != 0 {
						pw.used[fi][d] = gid
					}
				}
			}
		}
	}
	if len(pw.missing) > 0 {
		return &font.MissingError{Missing: slices.Clone(pw.missing)}
	}
	pw.faceSub = slices.Grow(pw.faceSub[:0], len(pw.used))[:len(pw.used)]
	for fi, used := range pw.used {
		pw.faceSub[fi] = -1
		if len(used) == 0 {
			continue
		}
		pw.faceSub[fi] = len(pw.subsets)
		s := &subset{face: pw.fs.Face(fi), res: "F" + strconv.Itoa(len(pw.subsets)+1), cid: make(map[rune]uint16, len(used))}
		s.runes = make([]rune, 0, len(used))
		for r := range used {
			s.runes = append(s.runes, r)
		}
		slices.Sort(s.runes)
		s.gids = make([]uint16, 1, len(used)+1)
		for i, r := range s.runes {
			s.cid[r] = uint16(i + 1)
			s.gids = append(s.gids, used[r])
		}
		pw.subsets = append(pw.subsets, s)
	}
	return nil
}

// Object numbers are fixed before writing: 1 catalog, 2 page tree, 3 info,
// 4 resources, then pages, fonts and outline.
func (pw *pdfWriter) document(parts []Part, npages int, opts Options) error {
	const catalog, pages, info, resources = 1, 2, 3, 4
	next := 5
	pageObj := next // page i: object pageObj+2i, its content pageObj+2i+1
	next += 2 * npages
	for _, s := range pw.subsets {
		s.obj = next // Type0, CIDFont, descriptor, FontFile2, ToUnicode
		next += 5
	}
	outlineRoot, nOutline := 0, 0
	for _, p := range parts {
		if p.Title != "" {
			nOutline++
		}
	}
	if nOutline > 0 {
		outlineRoot = next
		next += 1 + nOutline
	}
	structRoot, docElem := next, next+1
	next += 2
	metaObj, iccObj := 0, 0
	if opts.PDFA {
		metaObj, iccObj = next, next+1
		next += 2
	}
	structs := planStructure(parts, docElem, &next)
	pw.offsets = slices.Grow(pw.offsets[:0], next)[:next-1]

	pw.out = append(pw.out, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"...)

	// Pages.
	i := 0
	firstPage := make([]int, len(parts))
	for pi, p := range parts {
		st := structs[pi]
		firstPage[pi] = pageObj + 2*i
		w, h := p.Doc.WidthPt, p.Doc.HeightPt
		if w <= 0 || h <= 0 {
			w, h = a4Width, a4Height
		}
		for _, pg := range p.Doc.Pages {
			obj := pageObj + 2*i
			pw.begin(obj)
			pw.out = append(pw.out, "<</Type/Page/Parent 2 0 R/MediaBox[0 0 "...)
			pw.out = appendNum(pw.out, w)
			pw.out = append(pw.out, ' ')
			pw.out = appendNum(pw.out, h)
			pw.out = fmt.Appendf(pw.out, "]/Contents %d 0 R/StructParents %d/Tabs/S>>\nendobj\n", obj+1, i)
			pw.content = pw.pageContent(pw.content[:0], &pg, h, st, obj)
			pw.stream(obj+1, "", pw.content)
			i++
		}
	}

	// Page tree, with the shared resources inherited by every page.
	pw.begin(pages)
	pw.out = append(pw.out, "<</Type/Pages/Resources 4 0 R/Kids["...)
	for k := range npages {
		if k > 0 {
			pw.out = append(pw.out, ' ')
		}
		pw.out = strconv.AppendInt(pw.out, int64(pageObj+2*k), 10)
		pw.out = append(pw.out, " 0 R"...)
	}
	pw.out = fmt.Appendf(pw.out, "]/Count %d>>\nendobj\n", npages)

	pw.begin(resources)
	pw.out = append(pw.out, "<</ProcSet[/PDF/Text]/Font<<"...)
	for _, s := range pw.subsets {
		pw.out = fmt.Appendf(pw.out, "/%s %d 0 R", s.res, s.obj)
	}
	pw.out = append(pw.out, ">>>>\nendobj\n"...)

	for _, s := range pw.subsets {
		if err := pw.writeFont(s); err != nil {
			return err
		}
	}

	// Outline: one item per titled part.
	if nOutline > 0 {
		pw.begin(outlineRoot)
		pw.out = fmt.Appendf(pw.out, "<</Type/Outlines/First %d 0 R/Last %d 0 R/Count %d>>\nendobj\n",
			outlineRoot+1, outlineRoot+nOutline, nOutline)
		k := 0
		for pi, p := range parts {
			if p.Title == "" {
				continue
			}
			obj := outlineRoot + 1 + k
			pw.begin(obj)
			pw.out = append(pw.out, "<</Title"...)
			pw.out = appendText(pw.out, p.Title)
			pw.out = fmt.Appendf(pw.out, "/Parent %d 0 R", outlineRoot)
			if k > 0 {
				pw.out = fmt.Appendf(pw.out, "/Prev %d 0 R", obj-1)
			}
			if k < nOutline-1 {
				pw.out = fmt.Appendf(pw.out, "/Next %d 0 R", obj+1)
			}
			pw.out = fmt.Appendf(pw.out, "/Dest[%d 0 R/Fit]>>\nendobj\n", firstPage[pi])
			k++
		}
	}

	pw.writeStructure(structRoot, docElem, structs, npages)

	// Info.
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
	pw.begin(info)
	pw.out = append(pw.out, "<<"...)
	for _, kv := range []struct{ key, v string }{
		{"Title", meta.Title}, {"Author", meta.Author}, {"Subject", meta.Subject}, {"Keywords", meta.Keywords},
		{"Creator", cmpOr(opts.Creator, "reportd")}, {"Producer", cmpOr(opts.Producer, "reportd")},
	} {
		if kv.v != "" {
			pw.out = append(pw.out, '/')
			pw.out = append(pw.out, kv.key...)
			pw.out = appendText(pw.out, kv.v)
		}
	}
	date := creationDate(opts)
	d := date.Format("20060102150405")
	pw.out = fmt.Appendf(pw.out, "/CreationDate(D:%sZ)/ModDate(D:%sZ)", d, d)
	pw.out = append(pw.out, ">>\nendobj\n"...)

	pdfa := ""
	if opts.PDFA {
		pdfa = pw.writePDFA(metaObj, iccObj, meta, opts, date)
	}

	pw.begin(catalog)
	// Lang lets screen readers speak Chinese; DisplayDocTitle shows the
	// title instead of the file name in the viewer's title bar.
	pw.out = append(pw.out, "<</Type/Catalog/Pages 2 0 R/Lang(zh-CN)/ViewerPreferences<</DisplayDocTitle true>>/MarkInfo<</Marked true>>"...)
	pw.out = fmt.Appendf(pw.out, "/StructTreeRoot %d 0 R", structRoot)
	pw.out = append(pw.out, pdfa...)
	if nOutline > 0 {
		pw.out = fmt.Appendf(pw.out, "/Outlines %d 0 R/PageMode/UseOutlines", outlineRoot)
	}
	pw.out = append(pw.out, ">>\nendobj\n"...)

	// Cross-reference table and trailer; the ID is a hash of the content
	// so identical input gives identical bytes.
	sum := sha256.Sum256(pw.out)
	id := sum[:16]
	xref := len(pw.out)
	pw.out = fmt.Appendf(pw.out, "xref\n0 %d\n0000000000 65535 f\r\n", next)
	for _, off := range pw.offsets {
		pw.out = fmt.Appendf(pw.out, "%010d 00000 n\r\n", off)
	}
	pw.out = fmt.Appendf(pw.out, "trailer\n<</Size %d/Root 1 0 R/Info 3 0 R/ID[<%x><%x>]>>\nstartxref\n%d\n%%%%EOF\n",
		next, id, id, xref)
	return nil
}

// creationDate is the document's date, in UTC to the second.
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

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (pw *pdfWriter) begin(obj int) {
	pw.offsets[obj-1] = len(pw.out)
	pw.out = strconv.AppendInt(pw.out, int64(obj), 10)
	pw.out = append(pw.out, " 0 obj\n"...)
}

// stream writes object obj as a Flate-compressed stream with extra
// dictionary entries.
func (pw *pdfWriter) stream(obj int, dict string, data []byte) {
	pw.rawStream(obj, dict, pw.compress(data))
}

// compress deflates data into the writer's scratch buffer; the result is
// valid until the next call.
func (pw *pdfWriter) compress(data []byte) []byte {
	pw.zbuf.Reset()
	if pw.z == nil {
		pw.z, _ = zlib.NewWriterLevel(&pw.zbuf, compressLevel)
	} else {
		pw.z.Reset(&pw.zbuf)
	}
	pw.z.Write(data) // a bytes.Buffer does not fail
	pw.z.Close()
	return pw.zbuf.Bytes()
}

// rawStream writes object obj as a stream of already compressed bytes.
func (pw *pdfWriter) rawStream(obj int, dict string, z []byte) {
	pw.begin(obj)
	pw.out = fmt.Appendf(pw.out, "<</Length %d/Filter/FlateDecode%s>>\nstream\n", len(z), dict)
	pw.out = append(pw.out, z...)
	pw.out = append(pw.out, "\nendstream\nendobj\n"...)
}

// pageContent converts one page to PDF operators. Layout's y grows
// downwards from the top; PDF's grows upwards from the bottom. The page
// is marked content for the structure tree: each run of texts of one
// layout Block is a marked-content sequence with an MCID (recorded in st
// for the page object pageRef), everything else an artifact.
func (pw *pdfWriter) pageContent(b []byte, pg *layout.Page, height float64, st *partStruct, pageRef int) []byte {
	fill := 0.0 // current nonstroking gray (black)
	setFill := func(g float64) {
		if g != fill {
			b = appendNum(b, g)
			b = append(b, " g\n"...)
			fill = g
		}
	}
	if len(pg.Background) > 0 {
		// Behind everything, as outlines: a watermark is not text.
		b = append(b, "/Artifact<</Type/Pagination/Subtype/Watermark>>BDC q\n"...)
		for _, t := range pg.Background {
			b = pw.outlineText(b, t, height)
		}
		b = append(b, "Q EMC\n"...)
	}
	if len(pg.Fills) > 0 {
		b = append(b, "/Artifact BMC\n"...)
		for _, r := range pg.Fills {
			setFill(r.Gray)
			b = appendNum(b, r.X)
			b = append(b, ' ')
			b = appendNum(b, height-r.Y-r.H)
			b = append(b, ' ')
			b = appendNum(b, r.W)
			b = append(b, ' ')
			b = appendNum(b, r.H)
			b = append(b, " re f\n"...)
		}
		b = append(b, "EMC\n"...)
	}
	curFont, curSize := -1, 0.0
	curBlock, mcid := -1, 0
	pageMCIDs := len(st.parents)
	st.parents = append(st.parents, nil)
	for _, t := range pg.Texts {
		if t.S == "" {
			continue
		}
		if t.Block != curBlock {
			if curBlock >= 0 {
				b = append(b, "EMC\n"...)
			}
			curBlock = t.Block
			if t.Block == 0 || t.Block > len(st.blocks) {
				b = append(b, "/Artifact<</Type/Pagination>>BDC\n"...)
			} else {
				bs := &st.blocks[t.Block-1]
				b = append(b, '/')
				b = append(b, bs.tag...)
				b = append(b, "<</MCID "...)
				b = strconv.AppendInt(b, int64(mcid), 10)
				b = append(b, ">>BDC\n"...)
				bs.mcrs = append(bs.mcrs, mcr{page: pageRef, mcid: mcid})
				st.parents[pageMCIDs] = append(st.parents[pageMCIDs], bs.obj)
				mcid++
			}
		}
		setFill(t.Gray)
		b = append(b, "BT "...)
		b = appendNum(b, t.X)
		b = append(b, ' ')
		b = appendNum(b, height-t.Y)
		b = append(b, " Td "...)
		b = pw.showText(b, t, &curFont, &curSize)
		b = append(b, "ET\n"...)
	}
	if curBlock >= 0 {
		b = append(b, "EMC\n"...)
	}
	if len(pg.Rules) > 0 {
		// Projecting caps close the corners where borders meet.
		b = append(b, "/Artifact BMC\n2 J 0 G\n"...)
		width := -1.0
		for _, r := range pg.Rules {
			if r.Width != width {
				b = appendNum(b, r.Width)
				b = append(b, " w\n"...)
				width = r.Width
			}
			b = appendNum(b, r.X1)
			b = append(b, ' ')
			b = appendNum(b, height-r.Y1)
			b = append(b, " m "...)
			b = appendNum(b, r.X2)
			b = append(b, ' ')
			b = appendNum(b, height-r.Y2)
			b = append(b, " l S\n"...)
		}
		b = append(b, "EMC\n"...)
	}
	return b
}

// outlineText fills the glyph outlines of t (a watermark) in its gray.
func (pw *pdfWriter) outlineText(b []byte, t layout.Text, height float64) []byte {
	b = appendNum(b, t.Gray)
	b = append(b, " g\n"...)
	x := t.X
	for _, r := range t.S {
		fi, d, gid, ok := pw.fs.Resolve(t.Role, r)
		if !ok || d == 0 {
			continue
		}
		face := pw.fs.Face(fi)
		scale := t.Size * face.InvEm
		ps := pathSink{b: b, x: x, y: height - t.Y, s: scale}
		if err := face.Font.Outline(gid, &ps); err == nil {
			b = append(ps.b, "f\n"...)
		}
		x += float64(face.Font.Advance(gid)) * scale
	}
	return b
}

// pathSink writes a glyph outline as PDF path operators, scaled from font
// units and moved to the pen position; quadratic segments become cubic.
type pathSink struct {
	b          []byte
	x, y, s    float64
	curX, curY float64
}

func (p *pathSink) pt(x, y float64) {
	p.b = appendNum(p.b, p.x+x*p.s)
	p.b = append(p.b, ' ')
	p.b = appendNum(p.b, p.y+y*p.s)
	p.b = append(p.b, ' ')
}

func (p *pathSink) MoveTo(x, y float64) {
	p.pt(x, y)
	p.b = append(p.b, "m\n"...)
	p.curX, p.curY = x, y
}

func (p *pathSink) LineTo(x, y float64) {
	p.pt(x, y)
	p.b = append(p.b, "l\n"...)
	p.curX, p.curY = x, y
}

func (p *pathSink) QuadTo(cx, cy, x, y float64) {
	p.pt(p.curX+2*(cx-p.curX)/3, p.curY+2*(cy-p.curY)/3)
	p.pt(x+2*(cx-x)/3, y+2*(cy-y)/3)
	p.pt(x, y)
	p.b = append(p.b, "c\n"...)
	p.curX, p.curY = x, y
}

func (p *pathSink) Close() { p.b = append(p.b, "h\n"...) }

const hexDigits = "0123456789ABCDEF"

// showText appends the operators drawing t.S from the text position: runs
// of glyphs in a TJ array, a font change (Tf) between runs where a
// character comes from another face, and t.DX as TJ position adjustments
// (in thousandths of the font size, positive moving left).
func (pw *pdfWriter) showText(b []byte, t layout.Text, curFont *int, curSize *float64) []byte {
	open := false // inside a TJ array
	str := false  // inside a <…> string of the array
	pending := 0.0
	i := -1
	for _, r := range t.S {
		i++
		fi, d, _, _ := pw.fs.Resolve(t.Role, r) // collect has vetted every rune
		if d != 0 {
			if fi != *curFont || t.Size != *curSize {
				if str {
					b = append(b, '>')
					str = false
				}
				if open {
					b = append(b, "]TJ "...)
					open = false
				}
				s := pw.subsets[pw.faceSub[fi]]
				b = append(b, '/')
				b = append(b, s.res...)
				b = append(b, ' ')
				b = appendNum(b, t.Size)
				b = append(b, " Tf "...)
				*curFont, *curSize = fi, t.Size
			}
			if !open {
				b = append(b, '[')
				open = true
			}
			// Whole thousandths of an em (0.01 pt at 10.5 pt), the rounding
			// carried to the next gap so the line still ends where it should.
			if adj := math.Round(-pending * 1000 / t.Size); adj != 0 {
				if str {
					b = append(b, '>')
					str = false
				}
				b = strconv.AppendInt(b, int64(adj), 10)
				pending += adj * t.Size / 1000
			}
			if !str {
				b = append(b, '<')
				str = true
			}
			cid := pw.subsets[pw.faceSub[fi]].cid[d]
			b = append(b, hexDigits[cid>>12], hexDigits[cid>>8&15], hexDigits[cid>>4&15], hexDigits[cid&15])
		}
		if i < len(t.DX) {
			pending += t.DX[i]
		}
	}
	if str {
		b = append(b, '>')
	}
	if open {
		b = append(b, "]TJ "...)
	}
	return b
}

// writeFont writes a Type0 font with Identity-H encoding over a
// CIDFontType2 whose FontFile2 is the glyph subset.
func (pw *pdfWriter) writeFont(s *subset) error {
	fo, err := pw.fontObjects(s)
	if err != nil {
		return err
	}
	f := s.face.Font
	scale := 1000 * s.face.InvEm
	em := func(v int16) float64 { return math.Round(float64(v) * scale) }

	pw.begin(s.obj)
	pw.out = fmt.Appendf(pw.out, "<</Type/Font/Subtype/Type0/BaseFont/%s/Encoding/Identity-H/DescendantFonts[%d 0 R]/ToUnicode %d 0 R>>\nendobj\n",
		fo.name, s.obj+1, s.obj+4)

	pw.begin(s.obj + 1)
	pw.out = fmt.Appendf(pw.out, "<</Type/Font/Subtype/CIDFontType2/BaseFont/%s/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/FontDescriptor %d 0 R/CIDToGIDMap/Identity/DW 1000/W[1[",
		fo.name, s.obj+2)
	pw.out = append(pw.out, fo.widths...)
	pw.out = append(pw.out, "]]>>\nendobj\n"...)

	flags := 4 // symbolic: glyphs outside the standard Latin set
	if f.FixedPitch {
		flags |= 1
	}
	stemV := 50 + int(f.WeightClass)*int(f.WeightClass)/5000 // the usual estimate from the weight class
	pw.begin(s.obj + 2)
	pw.out = fmt.Appendf(pw.out, "<</Type/FontDescriptor/FontName/%s/Flags %d/FontBBox[%g %g %g %g]/ItalicAngle %g/Ascent %g/Descent %g/CapHeight %g/StemV %d/FontFile2 %d 0 R>>\nendobj\n",
		fo.name, flags, em(f.XMin), em(f.YMin), em(f.XMax), em(f.YMax), f.ItalicAngle, em(f.Ascent), em(f.Descent), em(f.CapHeight), stemV, s.obj+3)

	pw.rawStream(s.obj+3, "/Length1 "+strconv.Itoa(fo.length1), fo.fontFile)
	pw.rawStream(s.obj+4, "", fo.toUnicode)
	return nil
}

// fontObjects returns the per-subset bytes (name, widths, compressed font
// program and ToUnicode map) from the font.Set's cache, or builds and caches
// them. The same characters of a font give the same bytes, and the title and
// heading subsets of a family's forms, or a form downloaded twice, repeat.
func (pw *pdfWriter) fontObjects(s *subset) (*fontObjects, error) {
	if fo, ok := pw.fs.Cached("pdf", s.face, s.runes).(*fontObjects); ok {
		return fo, nil
	}
	f := s.face.Font
	var err error
	pw.font, _, err = f.Subset(pw.font[:0], s.gids)
	if err != nil {
		return nil, fmt.Errorf("subset font %s: %w", s.face.Name, err)
	}
	fo := &fontObjects{
		name:    subsetTag(s) + "+" + cmpOr(f.PostScriptName, "Font"),
		length1: len(pw.font),
	}
	scale := 1000 * s.face.InvEm
	for i, g := range s.gids[1:] {
		if i > 0 {
			fo.widths = append(fo.widths, ' ')
		}
		fo.widths = appendNum(fo.widths, float64(f.Advance(g))*scale)
	}
	fo.fontFile = slices.Clone(pw.compress(pw.font))
	pw.content = toUnicode(pw.content[:0], s.runes)
	fo.toUnicode = slices.Clone(pw.compress(pw.content))
	pw.fs.Store("pdf", s.face, s.runes, fo, fo.size())
	return fo, nil
}

// subsetTag derives the six-letter subset tag from the font and its glyph
// set, so the same characters always give the same name (deterministic
// output) and different subsets of one font get different names.
func subsetTag(s *subset) string {
	h := fnv.New64a()
	h.Write([]byte(s.face.Font.PostScriptName))
	var buf [4]byte
	for _, r := range s.runes {
		binary.BigEndian.PutUint32(buf[:], uint32(r))
		h.Write(buf[:])
	}
	v := h.Sum64()
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + byte(v%26)
		v /= 26
	}
	return string(tag)
}

// toUnicode writes the CMap that maps each CID back to its character
// (UTF-16BE, surrogate pairs above U+FFFF), so text extraction and search
// give exactly the text that was drawn.
func toUnicode(b []byte, runes []rune) []byte {
	b = append(b, "/CIDInit/ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def\n/CMapName/Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000><FFFF>\nendcodespacerange\n"...)
	for start := 0; start < len(runes); start += 100 { // at most 100 entries per block
		chunk := runes[start:min(start+100, len(runes))]
		b = strconv.AppendInt(b, int64(len(chunk)), 10)
		b = append(b, " beginbfchar\n"...)
		for i, r := range chunk {
			cid := uint16(start + i + 1)
			b = append(b, '<', hexDigits[cid>>12], hexDigits[cid>>8&15], hexDigits[cid>>4&15], hexDigits[cid&15], '>', '<')
			if r > 0xFFFF {
				hi, lo := utf16.EncodeRune(r)
				b = appendHex16(b, uint16(hi))
				b = appendHex16(b, uint16(lo))
			} else {
				b = appendHex16(b, uint16(r))
			}
			b = append(b, ">\n"...)
		}
		b = append(b, "endbfchar\n"...)
	}
	return append(b, "endcmap\nCMapName currentdict/CMap defineresource pop\nend\nend\n"...)
}

func appendHex16(b []byte, v uint16) []byte {
	return append(b, hexDigits[v>>12], hexDigits[v>>8&15], hexDigits[v>>4&15], hexDigits[v&15])
}

// appendText writes a PDF text string: ASCII as a literal string, anything
// else as UTF-16BE with a byte order mark (hex).
func appendText(b []byte, s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		b = append(b, '(')
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '(' || c == ')' || c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, s[i])
		}
		return append(b, ')')
	}
	b = append(b, "<FEFF"...)
	for _, u := range utf16.Encode([]rune(s)) {
		b = appendHex16(b, u)
	}
	return append(b, '>')
}

// appendNum writes a coordinate with at most two decimals (1/7200 inch,
// far below what a printer resolves).
func appendNum(b []byte, v float64) []byte {
	v = math.Round(v*100) / 100
	if v == 0 {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// fontObjects are the bytes written for one font subset that depend only
// on the font and its characters; the font.Set caches them.
type fontObjects struct {
	name      string // ABCDEF+PostScriptName
	widths    []byte // the /W entries
	fontFile  []byte // compressed FontFile2
	length1   int    // uncompressed FontFile2 size
	toUnicode []byte // compressed ToUnicode CMap
}

func (fo *fontObjects) size() int {
	return len(fo.fontFile) + len(fo.toUnicode) + len(fo.widths) + len(fo.name)
}
