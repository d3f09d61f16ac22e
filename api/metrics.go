package api

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"
)

// observe is the outermost handler of a request: it answers errors (the
// one error path), logs the request and counts it.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			s.writeError(c, err)
		}
		status := 0
		var size int64
		if resp, _ := echo.UnwrapResponse(c.Response()); resp != nil {
			status, size = resp.Status, resp.Size
		}
		if status == 0 {
			status = http.StatusOK
		}
		route := c.Path()
		if route == "" || c.RouteInfo().Method == echo.RouteNotFound {
			// The web pages are reached through not-found routes of their
			// own paths (see webRoutes): count them by page, not as misses.
			if slices.Contains(webPaths, route) {
				route = "page " + route
			} else {
				route = "unmatched"
			}
		}
		d := time.Since(start)
		s.metrics.request(metricMethod(c.Request().Method), route, status, d)
		attrs := []any{
			"method", c.Request().Method,
			"path", c.Request().URL.Path,
			"route", route,
			"status", status,
			"bytes", size,
			"duration_ms", float64(d.Microseconds()) / 1000,
			"request_id", requestID(c),
			"remote", c.RealIP(),
		}
		if t, ok := TokenFrom(c.Request().Context()); ok {
			// Who did it, for the audit trail: the token's id, never its secret.
			attrs = append(attrs, "token_id", t.ID, "role", string(t.Role))
		}
		s.log.Log(c.Request().Context(), slogLevel(status), "request", attrs...)
		return nil
	}
}

// metricMethod bounds the method label: any token is a valid HTTP method,
// and one series per name a client invents would grow without end.
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// durationBuckets are upper bounds in seconds, for requests and renders.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; last is +Inf
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(durationBuckets)+1)
	}
	i := sort.SearchFloat64s(durationBuckets, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

// metrics is the Prometheus text exposition, kept by hand: a few
// counters and histograms do not need a client library.
type metrics struct {
	mu        sync.Mutex
	requests  map[[3]string]uint64     // method, route, status
	latency   map[[2]string]*histogram // method, route
	renders   map[[2]string]uint64     // format, result (ok, cached, error)
	renderDur map[string]*histogram    // format
	rejected  uint64                   // requests refused before reading their body
}

func newMetrics() *metrics {
	return &metrics{
		requests:  map[[3]string]uint64{},
		latency:   map[[2]string]*histogram{},
		renders:   map[[2]string]uint64{},
		renderDur: map[string]*histogram{},
	}
}

func (m *metrics) request(method, route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{method, route, strconv.Itoa(status)}]++
	k := [2]string{method, route}
	if m.latency[k] == nil {
		m.latency[k] = &histogram{}
	}
	m.latency[k].observe(d.Seconds())
}

func (m *metrics) reject() {
	m.mu.Lock()
	m.rejected++
	m.mu.Unlock()
}

func (m *metrics) render(format, result string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.renders[[2]string{format, result}]++
	if result == "ok" {
		if m.renderDur[format] == nil {
			m.renderDur[format] = &histogram{}
		}
		m.renderDur[format].observe(d.Seconds())
	}
}

func (s *Server) metricsHandler(c *echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	c.Response().WriteHeader(http.StatusOK)
	return s.metrics.write(c.Response(), s.pool, s.cache)
}

func (m *metrics) write(w io.Writer, p *pool, ch *cache) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP reportd_http_requests_total HTTP requests by method, route and status.\n# TYPE reportd_http_requests_total counter\n")
	for _, k := range sortedKeys(m.requests, func(k [3]string) string { return strings.Join(k[:], "\x00") }) {
		fmt.Fprintf(&b, "reportd_http_requests_total{method=%q,route=%q,status=%q} %d\n", k[0], k[1], k[2], m.requests[k])
	}
	b.WriteString("# HELP reportd_http_request_duration_seconds HTTP request durations by method and route.\n# TYPE reportd_http_request_duration_seconds histogram\n")
	for _, k := range sortedKeys(m.latency, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
		writeHistogram(&b, "reportd_http_request_duration_seconds", fmt.Sprintf("method=%q,route=%q", k[0], k[1]), m.latency[k])
	}
	b.WriteString("# HELP reportd_renders_total Documents asked for, by format and result (ok, cached, error, rejected).\n# TYPE reportd_renders_total counter\n")
	for _, k := range sortedKeys(m.renders, func(k [2]string) string { return k[0] + "\x00" + k[1] }) {
		fmt.Fprintf(&b, "reportd_renders_total{format=%q,result=%q} %d\n", k[0], k[1], m.renders[k])
	}
	b.WriteString("# HELP reportd_render_duration_seconds Time to render one document, by format.\n# TYPE reportd_render_duration_seconds histogram\n")
	for _, k := range sortedKeys(m.renderDur, func(k string) string { return k }) {
		writeHistogram(&b, "reportd_render_duration_seconds", fmt.Sprintf("format=%q", k), m.renderDur[k])
	}
	fmt.Fprintf(&b, "# HELP reportd_requests_rejected_total Requests with a body refused (503) because too many were in progress.\n# TYPE reportd_requests_rejected_total counter\nreportd_requests_rejected_total %d\n", m.rejected)
	running, waiting := p.load()
	fmt.Fprintf(&b, "# HELP reportd_renders_running Renders in progress.\n# TYPE reportd_renders_running gauge\nreportd_renders_running %d\n", running)
	fmt.Fprintf(&b, "# HELP reportd_renders_waiting Renders waiting for a worker.\n# TYPE reportd_renders_waiting gauge\nreportd_renders_waiting %d\n", waiting)
	entries, bytes := ch.size()
	fmt.Fprintf(&b, "# HELP reportd_render_cache_bytes Bytes of rendered documents cached.\n# TYPE reportd_render_cache_bytes gauge\nreportd_render_cache_bytes %d\n", bytes)
	fmt.Fprintf(&b, "# HELP reportd_render_cache_entries Rendered documents cached.\n# TYPE reportd_render_cache_entries gauge\nreportd_render_cache_entries %d\n", entries)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeHistogram(b *strings.Builder, name, labels string, h *histogram) {
	var cum uint64
	for i, le := range durationBuckets {
		cum += h.counts[i]
		fmt.Fprintf(b, "%s_bucket{%s,le=\"%g\"} %d\n", name, labels, le, cum)
	}
	cum += h.counts[len(durationBuckets)]
	fmt.Fprintf(b, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, cum)
	fmt.Fprintf(b, "%s_sum{%s} %g\n", name, labels, h.sum)
	fmt.Fprintf(b, "%s_count{%s} %d\n", name, labels, h.n)
}

func sortedKeys[K comparable, V any](m map[K]V, str func(K) string) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return str(keys[i]) < str(keys[j]) })
	return keys
}

func slogLevel(status int) slog.Level {
	if status >= 500 && status != http.StatusServiceUnavailable {
		return slog.LevelError
	}
	return slog.LevelInfo
}
