package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
)

// An attack found that 500 forms × 1,000 indicators rendered for 70 s and
// the connection closed empty at the write timeout while the log said
// 200. A request over the size limit is refused up front, naming the
// limit; one that takes longer than the render time limit in all gets a
// 503 answer, not an empty connection.
func TestLargeRenderRequests(t *testing.T) {
	t.Run("refused up front from its size", func(t *testing.T) {
		h := newHarness(t, storeKinds[0].open(t), func(c *api.Config) { c.MaxRenderRows = 60 })
		w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: textType, body: seed(t)})
		e := wantError(t, w, http.StatusRequestEntityTooLarge, reports.ETOOLARGE)
		for _, want := range []string{"2 forms", "73 table rows", "at most 60"} {
			if !strings.Contains(e.Error, want) {
				t.Errorf("message %q lacks %q", e.Error, want)
			}
		}
		if h.pdf.calls.Load() != 0 {
			t.Error("rendered before refusing")
		}
	})
	t.Run("whole request within the render time limit", func(t *testing.T) {
		h := newHarness(t, storeKinds[0].open(t), func(c *api.Config) { c.RenderTimeout = 300 * time.Millisecond })
		h.pdf.delay = 200 * time.Millisecond // each form in time, both not
		start := time.Now()
		w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: textType, body: seed(t)})
		e := wantError(t, w, http.StatusServiceUnavailable, reports.EUNAVAILABLE)
		if !strings.Contains(e.Error, "split") {
			t.Errorf("message %q does not say what to do", e.Error)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("answered after %s", d)
		}
	})
	t.Run("within the limits", func(t *testing.T) {
		h := newHarness(t, storeKinds[0].open(t), nil)
		w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: textType, body: seed(t)})
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/zip" {
			t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
		}
	})
}
