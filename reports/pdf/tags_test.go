package pdf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/pdf"
)

// renderSeed renders sample form i with fixed options.
func renderSeed(t *testing.T, i int, opts pdf.Options) []byte {
	t.Helper()
	f := seedForms(t)[i]
	r := pdf.NewRenderer(mustFonts(t), mustRegistry(t), opts)
	var buf bytes.Buffer
	if err := r.Render(context.Background(), &buf, &f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The PDF is tagged (pdfinfo Tagged: yes) with a structure tree of
// Document, H1, P, Table, TR, TH and TD, every page's marked content in the
// ParentTree, and a language and title for assistive technology.
func TestTaggedStructure(t *testing.T) {
	path := writeFile(t, renderSeed(t, 1, pdf.Options{}))
	if info := pdfInfo(t, path); info["Tagged"] != "yes" {
		t.Errorf("pdfinfo Tagged = %q", info["Tagged"])
	}
	run(t, "qpdf", "--check", path)
	types := map[string]int{}
	var catalog map[string]any
	for _, o := range qpdfObjects(t, path) {
		switch o["/Type"] {
		case "/StructElem":
			types[o["/S"].(string)]++
		case "/Catalog":
			catalog = o
		}
	}
	for _, s := range []string{"/Document", "/H1", "/P", "/Table", "/TR", "/TH", "/TD"} {
		if types[s] == 0 {
			t.Errorf("no %s structure element (have %v)", s, types)
		}
	}
	if catalog == nil {
		t.Fatal("no catalog")
	}
	if catalog["/Lang"] != "u:zh-CN" || catalog["/StructTreeRoot"] == nil {
		t.Errorf("catalog Lang %v StructTreeRoot %v", catalog["/Lang"], catalog["/StructTreeRoot"])
	}
	if vp, _ := catalog["/ViewerPreferences"].(map[string]any); vp["/DisplayDocTitle"] != true {
		t.Errorf("DisplayDocTitle not set: %v", catalog["/ViewerPreferences"])
	}
	if mi, _ := catalog["/MarkInfo"].(map[string]any); mi["/Marked"] != true {
		t.Errorf("MarkInfo Marked not set: %v", catalog["/MarkInfo"])
	}
}

// pdftotext -raw (content-stream order) reads each indicator row as printed:
// its 一级 and 二级 (when they start there), 三级, then the value.
func TestReadingOrder(t *testing.T) {
	for i, f := range seedForms(t) {
		text := run(t, "pdftotext", "-raw", writeFile(t, renderSeed(t, i, pdf.Options{})), "-")
		text = strings.ReplaceAll(text, "\n", "")
		pos := 0
		prev1, prev2 := "", ""
		for k, ind := range f.Indicators {
			var want []string
			if ind.Level1 != prev1 {
				want = append(want, ind.Level1)
			}
			if ind.Level2 != prev2 || ind.Level1 != prev1 {
				want = append(want, ind.Level2)
			}
			prev1, prev2 = ind.Level1, ind.Level2
			want = append(want, ind.Level3, string(ind.Target))
			for _, w := range want {
				if w == "" {
					continue
				}
				at := strings.Index(text[pos:], w)
				if at < 0 {
					t.Fatalf("%s row %d: %q not found after …%s", f.Project, k+1, w, tail(text[:pos], 40))
				}
				pos += at + len(w)
			}
		}
	}
}

func tail(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}

// CreationDate and ModDate are always written: the given date (from
// SOURCE_DATE_EPOCH), else the render time.
func TestCreationDate(t *testing.T) {
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return time.Date(2027, 6, 7, 8, 9, 10, 0, time.FixedZone("CST", 8*3600)) }
	for _, tt := range []struct {
		name string
		opts pdf.Options
		want string
	}{
		{"SOURCE_DATE_EPOCH", pdf.Options{CreationDate: fixed, Now: now}, "D:20260102030405Z"},
		{"render time", pdf.Options{Now: now}, "D:20270607000910Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := render(t, handDoc(), tt.opts)
			for _, k := range []string{"/CreationDate(", "/ModDate("} {
				if !bytes.Contains(data, []byte(k+tt.want+")")) {
					t.Errorf("%s%s) missing", k, tt.want)
				}
			}
		})
	}
	if data := render(t, handDoc(), pdf.Options{}); !bytes.Contains(data, []byte("/CreationDate(D:")) {
		t.Error("no CreationDate without options")
	}
}

// qpdfObjects returns the dictionaries of a PDF's objects (a stream's
// dictionary for a stream), as qpdf --json=2 gives them.
func qpdfObjects(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	out := run(t, "qpdf", "--json=2", "--json-key=qpdf", path)
	var j struct {
		QPDF []map[string]json.RawMessage `json:"qpdf"`
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil || len(j.QPDF) < 2 {
		t.Fatalf("qpdf --json: %v", err)
	}
	objs := map[string]map[string]any{}
	for k, raw := range j.QPDF[1] {
		var o struct {
			Value  map[string]any `json:"value"`
			Stream struct {
				Dict map[string]any `json:"dict"`
			} `json:"stream"`
		}
		if json.Unmarshal(raw, &o) != nil {
			continue
		}
		if o.Value != nil {
			objs[k] = o.Value
		} else if o.Stream.Dict != nil {
			objs[k] = o.Stream.Dict
		}
	}
	return objs
}
