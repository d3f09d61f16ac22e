package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

func TestHSTS(t *testing.T) {
	for _, tt := range []struct {
		name    string
		cfg     func(*api.Config)
		headers []string
		want    bool
	}{
		{"plain HTTP", nil, nil, false},
		{"untrusted X-Forwarded-Proto", nil, []string{"X-Forwarded-Proto: https"}, false},
		{"trusted proxy says https", func(c *api.Config) { c.TrustProxy = true }, []string{"X-Forwarded-Proto: https"}, true},
		{"trusted proxy says http", func(c *api.Config) { c.TrustProxy = true }, []string{"X-Forwarded-Proto: http"}, false},
		{"-hsts", func(c *api.Config) { c.HSTS = true }, nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, storeKinds[0].open(t), tt.cfg)
			w := h.do(req{method: "GET", path: "/healthz", headers: tt.headers})
			got := w.Header().Get("Strict-Transport-Security")
			if (got != "") != tt.want || tt.want && !strings.Contains(got, "max-age=31536000") {
				t.Errorf("Strict-Transport-Security %q, want present=%v", got, tt.want)
			}
		})
	}
}

func TestMetricsToken(t *testing.T) {
	h := newHarness(t, storeKinds[0].open(t), func(c *api.Config) { c.MetricsToken = "scrape-secret" })
	wantError(t, h.do(req{method: "GET", path: "/metrics"}), http.StatusUnauthorized, reports.EUNAUTHORIZED)
	wantError(t, h.do(req{method: "GET", path: "/metrics", token: h.admin}), http.StatusUnauthorized, reports.EUNAUTHORIZED)
	if w := h.do(req{method: "GET", path: "/metrics", token: "scrape-secret"}); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "reportd_") {
		t.Errorf("with the metrics token: %d", w.Code)
	}
	open := newHarness(t, storeKinds[0].open(t), nil)
	if w := open.do(req{method: "GET", path: "/metrics"}); w.Code != http.StatusOK {
		t.Errorf("without a configured token: %d", w.Code)
	}
}

// Failed sign-ins from one address are limited; others still sign in.
func TestSignInFailuresAreLimited(t *testing.T) {
	site := newWebSite(t, func(c *api.Config) { c.SignInFailures = 3 })
	b := site.client()
	try := func(token string) answer {
		page := b.get("/login")
		return b.post("/login", url.Values{"csrf": {csrf(t, page.body)}, "token": {token}})
	}
	for i := range 3 {
		if a := try(store.NewSecret()); a.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, a.status)
		}
	}
	a := try(site.clerkA) // even the right token waits now
	if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "失败次数过多") || a.header.Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d %v\n%s", a.status, a.header, a.body)
	}
}
