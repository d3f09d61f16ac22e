package api_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/ofd"
)

var (
	ofdOnce sync.Once
	ofdR    *ofd.Renderer
	ofdErr  error
)

// withOFD adds the real OFD renderer (fonts parsed once per test binary).
func withOFD(t testing.TB) func(*api.Config) {
	t.Helper()
	ofdOnce.Do(func() {
		var fonts *font.Set
		if fonts, ofdErr = font.Load(font.Config{}); ofdErr != nil {
			return
		}
		var fams *family.Registry
		if fams, ofdErr = family.Builtin(); ofdErr != nil {
			return
		}
		ofdR = ofd.NewRenderer(fonts, fams, ofd.Options{})
	})
	if ofdErr != nil {
		t.Fatal(ofdErr)
	}
	return func(c *api.Config) { c.Renderers["ofd"] = ofdR }
}

// isOFD checks the body is an OFD package (a zip whose OFD.xml is in the
// OFD namespace).
func isOFD(t *testing.T, body []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	for _, f := range zr.File {
		if f.Name == "OFD.xml" {
			return
		}
	}
	t.Fatal("no OFD.xml in the package")
}

// An OFD is served like the PDF: GET /forms/{id}.ofd, or GET /forms/{id}
// with Accept: application/ofd (Vary: Accept), and POST /render by
// ?format=ofd or Accept; explicit suffixes and formats win over Accept.
func TestOFDDocuments(t *testing.T) {
	h := newHarness(t, storeKinds[0].open(t), withOFD(t))
	id := h.importSeed(h.clerkA)[0]
	base := fmt.Sprintf("/api/v1/forms/%d", id)

	w := h.do(req{method: "GET", path: base + ".ofd", token: h.clerkA})
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/ofd" {
		t.Fatalf("GET .ofd: %d %q %.80s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	isOFD(t, w.Body.Bytes())
	doc := w.Body.Bytes()
	_, enc, _ := strings.Cut(w.Header().Get("Content-Disposition"), "filename*=UTF-8''")
	if name, _ := url.PathUnescape(enc); name != "2020-"+unitA+"-企业培育.ofd" {
		t.Errorf("file name %q", name)
	}
	etag := w.Header().Get("ETag")

	tests := []struct {
		name, path, accept, wantType string
	}{
		{"Accept ofd", base, "application/ofd", "application/ofd"},
		{"Accept ofd among others", base, "text/html;q=0.9, application/ofd, */*;q=0.1", "application/ofd"},
		{"JSON preferred", base, "application/json, application/ofd;q=0.5", "application/json"},
		{"no Accept", base, "", "application/json"},
		{"wildcard", base, "*/*", "application/json"},
		{"suffix wins", base + ".pdf", "application/ofd", "application/x-test-pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := req{method: "GET", path: tt.path, token: h.clerkA}
			if tt.accept != "" {
				r.headers = []string{"Accept: " + tt.accept}
			}
			w := h.do(r)
			if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), tt.wantType) {
				t.Fatalf("%d %q, want %s", w.Code, w.Header().Get("Content-Type"), tt.wantType)
			}
			if tt.wantType == "application/ofd" && (!bytes.Equal(w.Body.Bytes(), doc) || w.Header().Get("ETag") != etag) {
				t.Error("not the same document as GET .ofd")
			}
			if tt.path == base && !strings.Contains(w.Header().Get("Vary"), "Accept") {
				t.Errorf("Vary %q lacks Accept", w.Header().Get("Vary"))
			}
		})
	}

	// Stateless rendering of the sample's two forms: a zip of two OFDs.
	for _, r := range []req{
		{method: "POST", path: "/api/v1/render?format=ofd", token: h.service, contentType: textType, body: seed(t)},
		{method: "POST", path: "/api/v1/render", token: h.service, contentType: textType, body: seed(t), headers: []string{"Accept: application/ofd"}},
	} {
		w := h.do(r)
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/zip" {
			t.Fatalf("%s %v: %d %q %.200s", r.path, r.headers, w.Code, w.Header().Get("Content-Type"), w.Body)
		}
		zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
		if err != nil || len(zr.File) != 2 {
			t.Fatalf("render zip: %v", err)
		}
		for _, f := range zr.File {
			if !strings.HasSuffix(f.Name, ".ofd") {
				t.Errorf("entry %s", f.Name)
			}
			rc, _ := f.Open()
			var b bytes.Buffer
			b.ReadFrom(rc)
			rc.Close()
			isOFD(t, b.Bytes())
		}
	}
	if w := h.do(req{method: "POST", path: "/api/v1/render?format=pdf", token: h.service, contentType: textType, body: seed(t), headers: []string{"Accept: application/ofd"}}); !strings.Contains(w.Header().Get("Content-Disposition"), "-pdf.zip") {
		t.Errorf("?format=pdf with Accept ofd gave %q", w.Header().Get("Content-Disposition"))
	}

	// A character no font has: the same 422 with the field as the PDF.
	bad := strings.Replace(string(seed(t)), "企业培育", "企业培育\U000F0001", 1)
	w = h.do(req{method: "POST", path: "/api/v1/render?format=ofd", token: h.service, contentType: textType, body: []byte(bad)})
	wantError(t, w, 422, reports.EINVALID)
	if !strings.Contains(w.Body.String(), "U+F0001") || !strings.Contains(w.Body.String(), `"project"`) {
		t.Errorf("missing glyph answer lacks the character or field: %s", w.Body)
	}
}
