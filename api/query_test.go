package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
)

// Query bytes no store can take answer 400 on every store, in one place;
// an attack found PostgreSQL answering 500 (and logging an ERROR).
func TestQueryParametersMustBeText(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		h.importSeed(h.admin)
		for _, tt := range []struct{ name, query string }{
			{"NUL in unit", "unit=%00"},
			{"NUL in q", "q=a%00b"},
			{"invalid byte", "q=%ff"},
			{"overlong slash", "q=%c0%af"},
			{"bad name", "%ff=1"},
			{"malformed escape", "q=%zz"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				w := h.do(req{method: "GET", path: "/api/v1/forms?" + tt.query, token: h.admin})
				wantError(t, w, http.StatusBadRequest, reports.EINVALID)
			})
		}
		if w := h.do(req{method: "GET", path: "/api/v1/forms?q=" + pct("项目"), token: h.admin}); w.Code != http.StatusOK {
			t.Errorf("a Chinese query: %d %s", w.Code, w.Body)
		}
		if got := h.logs.String(); strings.Contains(got, `"level":"ERROR"`) {
			t.Errorf("logged an error:\n%s", got)
		}
	})
}
