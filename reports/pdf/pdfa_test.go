package pdf_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/font/ttf"
	"github.com/reportd/reportd/reports/pdf"
)

// qobj is one object as qpdf --json=2 gives it, streams decoded.
type qobj struct {
	Value  any `json:"value"`
	Stream *struct {
		Dict map[string]any `json:"dict"`
		Data string         `json:"data"`
	} `json:"stream"`
}

func (o qobj) dict() map[string]any {
	if o.Stream != nil {
		return o.Stream.Dict
	}
	d, _ := o.Value.(map[string]any)
	return d
}

func (o qobj) data(t *testing.T) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(o.Stream.Data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func qpdfDecoded(t *testing.T, path string) map[string]qobj {
	t.Helper()
	out := run(t, "qpdf", "--json=2", "--json-key=qpdf", "--json-stream-data=inline", "--decode-level=generalized", path)
	var j struct {
		QPDF []map[string]json.RawMessage `json:"qpdf"`
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil || len(j.QPDF) < 2 {
		t.Fatalf("qpdf --json: %v", err)
	}
	objs := map[string]qobj{}
	for k, raw := range j.QPDF[1] {
		var o qobj
		if strings.HasPrefix(k, "obj:") && json.Unmarshal(raw, &o) == nil {
			objs[strings.TrimPrefix(k, "obj:")] = o
		}
	}
	return objs
}

// TestPDFA checks, one subtest per requirement of ISO 19005-2 level B that
// reportd claims (docs/pdfa.md lists them), the PDF/A output of both
// sample forms. No validator runs offline; each check reads the file
// itself (qpdf decodes it).
func TestPDFA(t *testing.T) {
	date := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for i := range 2 {
		data := renderSeed(t, i, pdf.Options{PDFA: true, CreationDate: date})
		path := writeFile(t, data)
		objs := qpdfDecoded(t, path)
		var catalog, info map[string]any
		for _, o := range objs {
			switch d := o.dict(); {
			case d["/Type"] == "/Catalog":
				catalog = d
			case d["/Producer"] != nil:
				info = d
			}
		}
		if catalog == nil || info == nil {
			t.Fatal("no catalog or info")
		}
		ref := func(v any) qobj { s, _ := v.(string); return objs[s] }

		t.Run("6.1.2 header and binary comment", func(t *testing.T) {
			if !bytes.HasPrefix(data, []byte("%PDF-1.7\n%")) || len(data) < 15 {
				t.Fatalf("header %q", data[:15])
			}
			for _, c := range data[10:14] {
				if c < 128 {
					t.Errorf("binary comment byte %#x < 128", c)
				}
			}
		})
		t.Run("6.1.3 trailer ID, no encryption", func(t *testing.T) {
			tr := data[bytes.LastIndex(data, []byte("trailer")):]
			if !regexp.MustCompile(`/ID\[<[0-9a-f]{32}><[0-9a-f]{32}>\]`).Match(tr) || bytes.Contains(tr, []byte("/Encrypt")) {
				t.Errorf("trailer %q", tr)
			}
			if !bytes.HasSuffix(data, []byte("%%EOF\n")) {
				t.Error("data after the end-of-file marker")
			}
		})
		t.Run("6.1.4 6.1.7 cross-reference and stream lengths (qpdf --check)", func(t *testing.T) {
			out := run(t, "qpdf", "--check", path)
			if strings.Contains(out, "WARNING") || !strings.Contains(out, "No syntax or stream encoding errors") {
				t.Errorf("qpdf --check:\n%s", out)
			}
		})
		t.Run("6.1.7 no external streams, Flate only", func(t *testing.T) {
			for k, o := range objs {
				if o.Stream == nil {
					continue
				}
				d := o.Stream.Dict
				for _, key := range []string{"/F", "/FFilter", "/FDecodeParms"} {
					if d[key] != nil {
						t.Errorf("%s: stream has %s", k, key)
					}
				}
				if f := d["/Filter"]; f != nil && f != "/FlateDecode" {
					t.Errorf("%s: filter %v", k, f)
				}
			}
		})
		t.Run("6.2.3 sRGB output intent with an embedded ICC profile", func(t *testing.T) {
			ois, _ := catalog["/OutputIntents"].([]any)
			if len(ois) != 1 {
				t.Fatalf("OutputIntents %v", catalog["/OutputIntents"])
			}
			oi := ois[0].(map[string]any)
			if oi["/S"] != "/GTS_PDFA1" || oi["/Type"] != "/OutputIntent" || oi["/OutputConditionIdentifier"] == nil {
				t.Errorf("output intent %v", oi)
			}
			icc := ref(oi["/DestOutputProfile"])
			if icc.Stream == nil || icc.Stream.Dict["/N"] != 3.0 {
				t.Fatalf("DestOutputProfile %v", oi["/DestOutputProfile"])
			}
			p := icc.data(t)
			if len(p) < 128 || int(binary.BigEndian.Uint32(p)) != len(p) || string(p[36:40]) != "acsp" ||
				string(p[12:16]) != "mntr" || string(p[16:20]) != "RGB " || p[8] > 4 {
				t.Errorf("not an RGB display ICC profile (v2–v4): %q", p[:40])
			}
		})
		t.Run("6.2.4.3 6.4 page content: gray only, no transparency, no images, no notdef", func(t *testing.T) {
			allowed := map[string]bool{"BT": true, "ET": true, "Td": true, "Tf": true, "TJ": true, "Tj": true, "g": true, "G": true,
				"w": true, "J": true, "m": true, "l": true, "c": true, "h": true, "f": true, "S": true, "re": true, "q": true, "Q": true,
				"BDC": true, "BMC": true, "EMC": true}
			tok := regexp.MustCompile(`<[0-9A-F]*>|/[^\s/<>\[\]()]+|\[|\]|<<|>>|[^\s/<>\[\]()]+`)
			pages := 0
			for _, o := range objs {
				d := o.dict()
				if d["/Type"] != "/Page" {
					continue
				}
				pages++
				c := ref(d["/Contents"]).data(t)
				depth := 0
				for _, w := range tok.FindAllString(string(c), -1) {
					switch {
					case w == "<<":
						depth++
					case w == ">>":
						depth--
					case strings.HasPrefix(w, "<"):
						for k := 1; k+4 <= len(w)-1; k += 4 {
							if w[k:k+4] == "0000" {
								t.Errorf("page draws CID 0 (.notdef)")
							}
						}
					case depth > 0 || w == "[" || w == "]" || strings.HasPrefix(w, "/"):
					default:
						if _, err := strconv.ParseFloat(w, 64); err != nil && !allowed[w] {
							t.Errorf("content operator %q", w)
						}
					}
				}
			}
			if pages == 0 {
				t.Fatal("no pages")
			}
			for k, o := range objs {
				d := o.dict()
				for _, key := range []string{"/SMask", "/CA", "/ca", "/BM", "/ExtGState", "/XObject"} {
					if d[key] != nil {
						t.Errorf("%s has %s", k, key)
					}
				}
				if g, _ := d["/Group"].(map[string]any); g != nil {
					t.Errorf("%s has a transparency group", k)
				}
			}
		})
		t.Run("6.2.11 fonts embedded, CIDToGIDMap, widths match the font program", func(t *testing.T) {
			n := 0
			for k, o := range objs {
				d := o.dict()
				if d["/Subtype"] != "/CIDFontType2" {
					continue
				}
				n++
				if d["/CIDToGIDMap"] != "/Identity" {
					t.Errorf("%s: CIDToGIDMap %v", k, d["/CIDToGIDMap"])
				}
				fd := ref(d["/FontDescriptor"]).dict()
				ff := ref(fd["/FontFile2"])
				if ff.Stream == nil {
					t.Fatalf("%s: font not embedded", k)
				}
				f, err := ttf.Parse(ff.data(t))
				if err != nil {
					t.Fatalf("%s: embedded font: %v", k, err)
				}
				w := d["/W"].([]any)
				first := int(w[0].(float64))
				for i, v := range w[1].([]any) {
					gid := uint16(first + i)
					want := math.Round(float64(f.Advance(gid)) * 1000 / float64(f.UnitsPerEm))
					if math.Abs(v.(float64)-want) > 0.5 {
						t.Errorf("%s: CID %d width %v, font program %v", k, gid, v, want)
					}
				}
			}
			if n == 0 {
				t.Fatal("no CIDFontType2 fonts")
			}
		})
		t.Run("6.6.2 XMP metadata identifies PDF/A-2B", func(t *testing.T) {
			m := ref(catalog["/Metadata"])
			if m.Stream == nil || m.Stream.Dict["/Type"] != "/Metadata" || m.Stream.Dict["/Subtype"] != "/XML" || m.Stream.Dict["/Filter"] != nil {
				t.Fatalf("Metadata %v", catalog["/Metadata"])
			}
			x := parseXMP(t, m.data(t))
			if x.Part != "2" || x.Conformance != "B" {
				t.Errorf("pdfaid part %q conformance %q", x.Part, x.Conformance)
			}
		})
		t.Run("6.6.3 Info and XMP agree", func(t *testing.T) {
			x := parseXMP(t, ref(catalog["/Metadata"]).data(t))
			str := func(k string) string { s, _ := info[k].(string); return strings.TrimPrefix(s, "u:") }
			for _, c := range [][2]string{
				{str("/Title"), x.Title}, {str("/Author"), x.Creator}, {str("/Subject"), x.Description},
				{str("/Keywords"), x.Keywords}, {str("/Producer"), x.Producer}, {str("/Creator"), x.CreatorTool},
				{str("/CreationDate"), "D:" + strings.NewReplacer("-", "", ":", "", "T", "").Replace(x.CreateDate)},
				{str("/ModDate"), "D:" + strings.NewReplacer("-", "", ":", "", "T", "").Replace(x.ModifyDate)},
			} {
				if c[0] != c[1] || c[0] == "" {
					t.Errorf("Info %q, XMP %q", c[0], c[1])
				}
			}
			if str("/CreationDate") != "D:20260304050607Z" {
				t.Errorf("CreationDate %q", str("/CreationDate"))
			}
		})
		t.Run("6.1.10 6.6.1 no JavaScript, actions or embedded files", func(t *testing.T) {
			for k, o := range objs {
				d := o.dict()
				for _, key := range []string{"/JavaScript", "/JS", "/AA", "/OpenAction", "/EmbeddedFiles", "/Launch", "/A"} {
					if d[key] != nil && !(key == "/A" && d["/Type"] == "/StructElem") {
						t.Errorf("%s has %s", k, key)
					}
				}
			}
		})
	}
	// Without the option nothing of it is written.
	if plain := renderSeed(t, 0, pdf.Options{CreationDate: date}); bytes.Contains(plain, []byte("pdfaid")) || bytes.Contains(plain, []byte("GTS_PDFA1")) {
		t.Error("PDF/A metadata without Options.PDFA")
	}
}

type xmpFields struct {
	Part, Conformance, Title, Creator, Description, Keywords, Producer, CreatorTool, CreateDate, ModifyDate string
}

func parseXMP(t *testing.T, b []byte) xmpFields {
	t.Helper()
	var x struct {
		RDF struct {
			Desc struct {
				Part        string `xml:"http://www.aiim.org/pdfa/ns/id/ part"`
				Conformance string `xml:"http://www.aiim.org/pdfa/ns/id/ conformance"`
				Title       struct {
					Li string `xml:"Alt>li"`
				} `xml:"http://purl.org/dc/elements/1.1/ title"`
				Creator struct {
					Li string `xml:"Seq>li"`
				} `xml:"http://purl.org/dc/elements/1.1/ creator"`
				Description struct {
					Li string `xml:"Alt>li"`
				} `xml:"http://purl.org/dc/elements/1.1/ description"`
				Keywords    string `xml:"http://ns.adobe.com/pdf/1.3/ Keywords"`
				Producer    string `xml:"http://ns.adobe.com/pdf/1.3/ Producer"`
				CreatorTool string `xml:"http://ns.adobe.com/xap/1.0/ CreatorTool"`
				CreateDate  string `xml:"http://ns.adobe.com/xap/1.0/ CreateDate"`
				ModifyDate  string `xml:"http://ns.adobe.com/xap/1.0/ ModifyDate"`
			} `xml:"Description"`
		} `xml:"RDF"`
	}
	if !bytes.HasPrefix(b, []byte("<?xpacket begin=\"\xef\xbb\xbf\"")) || !bytes.HasSuffix(b, []byte(`<?xpacket end="w"?>`)) {
		t.Errorf("not an XMP packet: %q…", b[:min(len(b), 40)])
	}
	if err := xml.Unmarshal(b, &x); err != nil {
		t.Fatalf("XMP: %v", err)
	}
	d := x.RDF.Desc
	return xmpFields{d.Part, d.Conformance, d.Title.Li, d.Creator.Li, d.Description.Li, d.Keywords, d.Producer, d.CreatorTool, d.CreateDate, d.ModifyDate}
}
