package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/sqlite"
	"github.com/reportd/reportd/reports/store/storetest"
)

// seedPath is the sample of two forms.
var seedPath = filepath.Join("..", "testdata", "seed", "2020-performance-targets.txt")

const (
	unitA = "上海市促进中小企业发展协调办公室"
	unitB = "上海市经济和信息化委员会"
)

// testRenderer is a test double of reports.Renderer: its "document" is a
// marker line and the form's JSON, so tests can see what was rendered.
// block, when set, holds every render until it is closed; delay sleeps
// (honouring ctx); panics makes Render panic.
type testRenderer struct {
	format string
	block  chan struct{}
	delay  time.Duration
	panics bool
	calls  atomic.Int64
}

func (r *testRenderer) Format() string      { return r.format }
func (r *testRenderer) ContentType() string { return "application/x-test-" + r.format }
func (r *testRenderer) Render(ctx context.Context, w io.Writer, f *reports.Form) error {
	r.calls.Add(1)
	if r.panics {
		panic("renderer exploded: secret internals")
	}
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if r.delay > 0 {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	fmt.Fprintf(w, "TEST %s\n", r.format)
	return json.NewEncoder(w).Encode(f)
}

// harness is a server on a fresh store with one token per role.
type harness struct {
	t       testing.TB
	store   store.Store
	srv     *api.Server
	pdf     *testRenderer
	admin   string
	clerkA  string // sees unitA
	clerkB  string // sees unitB
	service string
	logs    *bytes.Buffer
}

type storeKind struct {
	name string
	open func(t testing.TB) store.Store
}

var storeKinds = []storeKind{
	{"sqlite", func(t testing.TB) store.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "reportd.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
	{"postgres", func(t testing.TB) store.Store {
		url, schema := storetest.PostgresURL(t)
		s, err := postgres.Open(t.Context(), url, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

// eachStore runs fn against a fresh harness on every store.
func eachStore(t *testing.T, cfg func(*api.Config), fn func(t *testing.T, h *harness)) {
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) { fn(t, newHarness(t, k.open(t), cfg)) })
	}
}

func newHarness(t testing.TB, st store.Store, cfg func(*api.Config)) *harness {
	h := &harness{t: t, store: st, pdf: &testRenderer{format: "pdf"}, logs: &bytes.Buffer{}}
	c := api.Config{
		Store:     st,
		Renderers: map[string]reports.Renderer{"pdf": h.pdf, "xlsx": &testRenderer{format: "xlsx"}},
		Logger:    slog.New(slog.NewJSONHandler(h.logs, nil)),
	}
	if cfg != nil {
		cfg(&c)
	}
	srv, err := api.New(c)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	h.admin = h.token(store.RoleAdmin)
	h.clerkA = h.token(store.RoleClerk, unitA)
	h.clerkB = h.token(store.RoleClerk, unitB)
	h.service = h.token(store.RoleService)
	return h
}

func (h *harness) token(role store.Role, units ...string) string {
	secret := store.NewSecret()
	if _, err := h.store.CreateToken(context.Background(), store.Token{Role: role, Units: units, Hash: store.HashToken(secret)}); err != nil {
		h.t.Fatal(err)
	}
	return secret
}

// req is one request; headers are "Name: value" strings.
type req struct {
	method, path, token string
	contentType         string
	body                []byte
	headers             []string
}

func (h *harness) do(r req) *httptest.ResponseRecorder {
	h.t.Helper()
	hr := httptest.NewRequest(r.method, r.path, bytes.NewReader(r.body))
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	}
	for _, kv := range r.headers {
		k, v, _ := strings.Cut(kv, ": ")
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, hr)
	return w
}

func seed(t testing.TB) []byte {
	data, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const textType = "text/plain; charset=utf-8"

// importSeed imports the sample as token and returns the new ids.
func (h *harness) importSeed(token string) []int64 {
	h.t.Helper()
	w := h.do(req{method: "POST", path: "/api/v1/forms/import", token: token, contentType: textType, body: seed(h.t)})
	if w.Code != http.StatusCreated {
		h.t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	var out struct{ IDs []int64 }
	decode(h.t, w, &out)
	return out.IDs
}

func decode(t testing.TB, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %s", ct, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error    string
	Code     string
	Problems []struct {
		Form     int
		Severity string
		Path     string
		Line     int
		Message  string
	}
}

func wantError(t testing.TB, w *httptest.ResponseRecorder, status int, code string) errorBody {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body %s", w.Code, status, w.Body)
	}
	var e errorBody
	decode(t, w, &e)
	if e.Code != code || e.Error == "" {
		t.Fatalf("error body %+v, want code %q and a message", e, code)
	}
	return e
}

func formJSON(t testing.TB, f reports.Form) []byte {
	t.Helper()
	data, err := json.Marshal(struct {
		Schema string `json:"schema"`
		reports.Form
	}{"reportd/form/v1", f})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type formT = reports.Form

func sample() reports.Form { return storetest.Form(2020, unitA, "项目") }

// pct percent-encodes every byte of a non-ASCII string.
func pct(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
