package ofd_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reportd/reportd/reports/font/ttf"
	"github.com/reportd/reportd/reports/ofd"
)

// node is a parsed XML element.
type node struct {
	name     xml.Name
	attrs    map[string]string
	children []*node
	text     string
}

func (n *node) child(local string) *node {
	for _, c := range n.children {
		if c.name.Local == local {
			return c
		}
	}
	return nil
}

func (n *node) walk(fn func(*node)) {
	fn(n)
	for _, c := range n.children {
		c.walk(fn)
	}
}

func parseXML(tb testing.TB, name string, data []byte) *node {
	tb.Helper()
	d := xml.NewDecoder(strings.NewReader(string(data)))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("%s: not well-formed XML: %v", name, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil {
		tb.Fatalf("%s: no root element", name)
	}
	return root
}

// pkg is a checked OFD package.
type pkg struct {
	files    map[string][]byte
	ofd      *node
	doc      *node
	pages    []*node // Content.xml of each page, in order
	pageIDs  []string
	fonts    map[string]*ttf.Font // Font ID → parsed embedded file
	maxUnit  int
	docInfo  *node
	outlines []*node
}

var docIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// checkPackage checks the rules of GB/T 33190 the writer implements: the
// entry point and document root, every element in the OFD namespace, IDs
// unique and at most MaxUnitID (which is the largest), every reference
// (fonts, draw parameters, outline destinations) resolving, every file
// referred to present and every file present referred to, embedded fonts
// readable, Boundary and TextCode/DeltaX well formed.
func checkPackage(t *testing.T, data []byte) *pkg {
	t.Helper()
	files, names := unzip(t, data)
	p := &pkg{files: files, fonts: map[string]*ttf.Font{}}
	listed := map[string]bool{}
	read := func(name string) *node {
		t.Helper()
		b, ok := files[name]
		if !ok {
			t.Fatalf("%s is referred to but not in the package", name)
		}
		listed[name] = true
		n := parseXML(t, name, b)
		n.walk(func(e *node) {
			if e.name.Space != ofd.Namespace {
				t.Errorf("%s: element %s in namespace %q, want %q", name, e.name.Local, e.name.Space, ofd.Namespace)
			}
		})
		return n
	}

	p.ofd = read("OFD.xml")
	if p.ofd.name.Local != "OFD" || p.ofd.attrs["Version"] != "1.0" || p.ofd.attrs["DocType"] != "OFD" {
		t.Errorf("OFD.xml root %s %v", p.ofd.name.Local, p.ofd.attrs)
	}
	body := p.ofd.child("DocBody")
	if body == nil || body.child("DocInfo") == nil || body.child("DocRoot") == nil {
		t.Fatal("OFD.xml: DocBody needs DocInfo and DocRoot")
	}
	p.docInfo = body.child("DocInfo")
	if id := p.docInfo.child("DocID"); id == nil || !docIDPattern.MatchString(id.text) {
		t.Errorf("DocID %v, want 32 hexadecimal digits", id)
	}
	// CT_DocInfo is a sequence: its children keep the schema's order.
	order := []string{"DocID", "Title", "Author", "Subject", "Abstract", "CreationDate", "ModDate", "DocUsage", "Cover", "Keywords", "Creator", "CreatorVersion", "CustomDatas"}
	last := -1
	for _, c := range p.docInfo.children {
		i := indexOf(order, c.name.Local)
		if i <= last {
			t.Errorf("DocInfo: %s out of the schema's order", c.name.Local)
		}
		last = i
	}
	docRoot := strings.TrimPrefix(body.child("DocRoot").text, "/")
	base := path.Dir(docRoot)
	p.doc = read(docRoot)

	ids := map[string]string{} // ID → where
	addID := func(where, id string) {
		t.Helper()
		if _, err := strconv.Atoi(id); err != nil || id == "0" {
			t.Errorf("%s: ID %q is not a positive integer", where, id)
			return
		}
		if prev, dup := ids[id]; dup {
			t.Errorf("ID %s used twice: %s and %s", id, prev, where)
		}
		ids[id] = where
	}
	common := p.doc.child("CommonData")
	if common == nil || common.child("MaxUnitID") == nil || common.child("PageArea") == nil {
		t.Fatal("Document.xml: CommonData needs MaxUnitID and PageArea")
	}
	p.maxUnit, _ = strconv.Atoi(common.child("MaxUnitID").text)
	if box := common.child("PageArea").child("PhysicalBox"); box == nil || len(strings.Fields(box.text)) != 4 {
		t.Errorf("PageArea has no PhysicalBox")
	}

	drawParams := map[string]bool{}
	for _, c := range common.children {
		if c.name.Local != "PublicRes" && c.name.Local != "DocumentRes" {
			continue
		}
		resName := path.Join(base, c.text)
		res := read(resName)
		resBase := path.Join(base, res.attrs["BaseLoc"])
		res.walk(func(e *node) {
			switch e.name.Local {
			case "Font":
				addID(resName+" Font", e.attrs["ID"])
				if e.attrs["FontName"] == "" {
					t.Errorf("%s: Font %s without FontName", resName, e.attrs["ID"])
				}
				ff := e.child("FontFile")
				if ff == nil {
					t.Errorf("Font %s: no FontFile", e.attrs["ID"])
					return
				}
				name := path.Join(resBase, ff.text)
				b, ok := files[name]
				if !ok {
					t.Errorf("font file %s not in the package", name)
					return
				}
				listed[name] = true
				f, err := ttf.Parse(b)
				if err != nil {
					t.Errorf("font file %s: %v", name, err)
					return
				}
				p.fonts[e.attrs["ID"]] = f
			case "DrawParam":
				addID(resName+" DrawParam", e.attrs["ID"])
				drawParams[e.attrs["ID"]] = true
			}
		})
	}

	pagesEl := p.doc.child("Pages")
	if pagesEl == nil || len(pagesEl.children) == 0 {
		t.Fatal("Document.xml: no pages")
	}
	for i, pg := range pagesEl.children {
		addID(fmt.Sprintf("Page %d", i+1), pg.attrs["ID"])
		p.pageIDs = append(p.pageIDs, pg.attrs["ID"])
		name := path.Join(base, pg.attrs["BaseLoc"])
		content := read(name)
		p.pages = append(p.pages, content)
		content.walk(func(e *node) {
			switch e.name.Local {
			case "Layer", "TextObject", "PathObject":
				addID(name+" "+e.name.Local, e.attrs["ID"])
			}
			switch e.name.Local {
			case "TextObject":
				checkBoundary(t, name, e)
				if _, ok := p.fonts[e.attrs["Font"]]; !ok {
					t.Errorf("%s: TextObject %s refers to font %q, not an embedded font", name, e.attrs["ID"], e.attrs["Font"])
				}
				if v, err := strconv.ParseFloat(e.attrs["Size"], 64); err != nil || v <= 0 {
					t.Errorf("%s: TextObject %s Size %q", name, e.attrs["ID"], e.attrs["Size"])
				}
			case "PathObject":
				checkBoundary(t, name, e)
				if dp, ok := e.attrs["DrawParam"]; ok && !drawParams[dp] {
					t.Errorf("%s: PathObject %s refers to DrawParam %s, not defined", name, e.attrs["ID"], dp)
				}
				if e.child("AbbreviatedData") == nil {
					t.Errorf("%s: PathObject %s without AbbreviatedData", name, e.attrs["ID"])
				}
			case "TextCode":
				if _, ok := e.attrs["X"]; !ok {
					t.Errorf("%s: TextCode without X", name)
				}
				n := utf8.RuneCountInString(e.text)
				if d := deltas(t, e.attrs["DeltaX"]); len(d) != max(n-1, 0) {
					t.Errorf("%s: TextCode %q has %d DeltaX values for %d characters", name, e.text, len(d), n)
				}
			}
		})
	}

	valid := map[string]bool{}
	for _, id := range p.pageIDs {
		valid[id] = true
	}
	if ol := p.doc.child("Outlines"); ol != nil {
		p.outlines = ol.children
		ol.walk(func(e *node) {
			if e.name.Local == "Dest" && !valid[e.attrs["PageID"]] {
				t.Errorf("outline destination page %q is not a page", e.attrs["PageID"])
			}
		})
	}

	maxID := 0
	for id := range ids {
		n, _ := strconv.Atoi(id)
		maxID = max(maxID, n)
	}
	if maxID != p.maxUnit {
		t.Errorf("MaxUnitID %d, largest ID %d", p.maxUnit, maxID)
	}
	for _, n := range names {
		if !listed[n] {
			t.Errorf("%s is in the package but nothing refers to it", n)
		}
	}
	return p
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return len(list)
}

func checkBoundary(t *testing.T, where string, e *node) {
	t.Helper()
	f := strings.Fields(e.attrs["Boundary"])
	if len(f) != 4 {
		t.Errorf("%s: %s %s Boundary %q", where, e.name.Local, e.attrs["ID"], e.attrs["Boundary"])
		return
	}
	for i, s := range f {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || (i >= 2 && v < 0) {
			t.Errorf("%s: %s %s Boundary %q", where, e.name.Local, e.attrs["ID"], e.attrs["Boundary"])
		}
	}
}

// deltas expands a DeltaX list, with its "g N V" repeats.
func deltas(t *testing.T, s string) []float64 {
	t.Helper()
	var out []float64
	f := strings.Fields(s)
	for i := 0; i < len(f); i++ {
		if f[i] == "g" {
			if i+2 >= len(f) {
				t.Errorf("DeltaX %q: g without count and value", s)
				return out
			}
			n, err1 := strconv.Atoi(f[i+1])
			v, err2 := strconv.ParseFloat(f[i+2], 64)
			if err1 != nil || err2 != nil || n < 1 {
				t.Errorf("DeltaX %q: bad repeat", s)
			}
			for range n {
				out = append(out, v)
			}
			i += 2
			continue
		}
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			t.Errorf("DeltaX %q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}

// glyph is one drawn character at its absolute position (mm).
type glyph struct {
	r    rune
	x, y float64
	font string
	size float64
}

// glyphs lists a page's characters where a reader draws them.
func glyphs(t *testing.T, page *node) []glyph {
	t.Helper()
	var out []glyph
	page.walk(func(e *node) {
		if e.name.Local != "TextObject" {
			return
		}
		b := strings.Fields(e.attrs["Boundary"])
		bx, _ := strconv.ParseFloat(b[0], 64)
		by, _ := strconv.ParseFloat(b[1], 64)
		size, _ := strconv.ParseFloat(e.attrs["Size"], 64)
		for _, tc := range e.children {
			if tc.name.Local != "TextCode" {
				continue
			}
			x, _ := strconv.ParseFloat(tc.attrs["X"], 64)
			y, _ := strconv.ParseFloat(tc.attrs["Y"], 64)
			d := deltas(t, tc.attrs["DeltaX"])
			for i, r := range []rune(tc.text) {
				if i > 0 {
					x += d[i-1]
				}
				out = append(out, glyph{r: r, x: bx + x, y: by + y, font: e.attrs["Font"], size: size})
			}
		}
	})
	return out
}
