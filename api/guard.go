package api

import (
	"crypto/subtle"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
)

// hsts sends Strict-Transport-Security on answers to requests that came
// over TLS: always with Config.HSTS (the operator says the service is only
// reached through TLS), else when the connection is TLS or a trusted proxy
// says so (X-Forwarded-Proto: https with Config.TrustProxy).
func (s *Server) hsts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		r := c.Request()
		if s.cfg.HSTS || r.TLS != nil || s.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
			c.Response().Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}

// metricsAuth guards /metrics with Config.MetricsToken when one is set.
func (s *Server) metricsAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		want := s.cfg.MetricsToken
		if want == "" {
			return next(c)
		}
		got := bearer(c.Request().Header.Get("Authorization"))
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return reports.Errorf(reports.EUNAUTHORIZED, "/metrics needs the metrics token")
		}
		return next(c)
	}
}

// failures counts failed sign-ins per client address in a sliding window,
// so that guessing tokens on the sign-in page is slowed to a trickle
// (tokens are 256-bit, but the page should not be an oracle at line rate).
type failures struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	by     map[string][]time.Time
}

// maxTrackedAddresses bounds the memory of the failure counts: past it,
// entries whose window has passed are dropped, and if none has, the
// oldest-looking are (an attacker with that many addresses is not slowed
// by a per-address limit anyway).
const maxTrackedAddresses = 100_000

func newFailures(max int, window time.Duration) *failures {
	return &failures{max: max, window: window, now: time.Now, by: map[string][]time.Time{}}
}

// blocked says how long addr must wait before trying again (0: it may).
func (f *failures) blocked(addr string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	ts := f.recent(addr)
	if len(ts) < f.max {
		return 0
	}
	return ts[0].Add(f.window).Sub(f.now())
}

// fail records a failed sign-in of addr.
func (f *failures) fail(addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.by) >= maxTrackedAddresses {
		cut := f.now().Add(-f.window)
		for a, ts := range f.by {
			if len(ts) == 0 || ts[len(ts)-1].Before(cut) {
				delete(f.by, a)
			}
		}
		for a := range f.by {
			if len(f.by) < maxTrackedAddresses {
				break
			}
			delete(f.by, a)
		}
	}
	f.by[addr] = append(f.recent(addr), f.now())
}

// recent drops addr's failures older than the window; f.mu is held.
func (f *failures) recent(addr string) []time.Time {
	ts := f.by[addr]
	cut := f.now().Add(-f.window)
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(f.by, addr)
		return nil
	}
	if len(ts) > f.max {
		ts = ts[len(ts)-f.max:]
	}
	f.by[addr] = ts
	return ts
}
