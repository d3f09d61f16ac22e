package api_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/textform"
	"github.com/reportd/reportd/templates"
)

// BenchmarkRenderPDF is POST /api/v1/render through the whole handler
// chain with the real PDF renderer, a different form each time (no cache
// hit). Run with -cpu to vary parallelism; cmd/reportd loadgen measures
// the same over loopback.
func BenchmarkRenderPDF(b *testing.B) {
	fams, err := family.Load(templates.Families, "")
	if err != nil {
		b.Fatal(err)
	}
	fonts, err := font.Load(font.Config{})
	if err != nil {
		b.Fatal(err)
	}
	forms, err := textform.Read(bytes.NewReader(seed(b)), "seed")
	if err != nil {
		b.Fatal(err)
	}
	h := newHarness(b, storeKinds[0].open(b), func(c *api.Config) {
		c.Renderers = map[string]reports.Renderer{"pdf": pdf.NewRenderer(fonts, fams, pdf.Options{})}
	})
	var seq atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f := forms[0]
			f.Project = fmt.Sprintf("%s #%d", f.Project, seq.Add(1))
			var body bytes.Buffer
			jsonform.Write(&body, []reports.Form{f})
			r := httptest.NewRequest("POST", "/api/v1/render", &body)
			r.Header.Set("Authorization", "Bearer "+h.service)
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.srv.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}
