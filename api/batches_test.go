package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store"
)

// mountBatches adds the batch routes to h's server with a runner over its
// store and the harness's test renderers.
func mountBatches(t *testing.T, h *harness) *batch.Runner {
	t.Helper()
	bs, ok := h.store.(batch.Store)
	if !ok {
		t.Fatalf("%T does not keep batches", h.store)
	}
	r := &batch.Runner{
		Store:     bs,
		Renderers: []reports.Renderer{h.pdf, &testRenderer{format: "xlsx"}},
		Spool:     t.TempDir(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sched := &batch.Scheduler{Runner: r, Schedules: []batch.Schedule{{Name: "year-end", Cron: batch.DefaultCron, Formats: []string{"pdf"}}}}
	h.srv.MountBatches(api.Batches{Runner: r, Scheduler: sched, Ctx: ctx})
	return r
}

type batchBody struct {
	ID       int64
	State    string
	Year     int
	Total    int
	Done     int
	Failed   int
	Pending  int
	URL      string
	Archive  *struct{ URL, SHA256 string }
	Failures []struct {
		FormID int64 `json:"form_id"`
		Reason string
	}
}

func TestBatchRoutes(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		mountBatches(t, h)
		ids := h.importSeed(h.admin)
		w := h.do(req{method: "POST", path: "/api/v1/batches", token: h.admin, contentType: "application/json", body: []byte(`{"year": 2020}`)})
		if w.Code != http.StatusAccepted {
			t.Fatalf("POST: %d %s", w.Code, w.Body)
		}
		loc := w.Header().Get("Location")
		var b batchBody
		decode(t, w, &b)
		if es, _ := h.store.Audit(t.Context(), store.AuditFilter{Limit: 1}); len(es) != 1 || es[0].Action != store.AuditBatchStart || es[0].Actor.Name != "admin token #1" {
			t.Errorf("batch start not audited: %+v", es)
		}
		if loc != b.URL || b.Total != len(ids) || b.Year != 2020 {
			t.Fatalf("created %+v at %q", b, loc)
		}
		deadline := time.Now().Add(20 * time.Second)
		for b.State != "done" {
			if time.Now().After(deadline) {
				t.Fatalf("batch not done: %+v", b)
			}
			time.Sleep(20 * time.Millisecond)
			w = h.do(req{method: "GET", path: loc, token: h.admin})
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", loc, w.Code, w.Body)
			}
			b = batchBody{}
			decode(t, w, &b)
		}
		if b.Done != 2 || b.Pending != 0 || b.Archive == nil {
			t.Fatalf("done batch %+v", b)
		}
		w = h.do(req{method: "GET", path: b.Archive.URL, token: h.admin})
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/zip" || w.Header().Get("ETag") != `"`+b.Archive.SHA256+`"` {
			t.Fatalf("archive: %d %v", w.Code, w.Header())
		}
		zipData := w.Body.Bytes()
		m, err := batch.VerifyArchive(bytes.NewReader(zipData), int64(len(zipData)))
		if err != nil {
			t.Fatal(err)
		}
		if m.Forms != 2 || len(m.Files) != 2*2+1 {
			t.Errorf("manifest: %d forms, %d files", m.Forms, len(m.Files))
		}
		// A large download can resume.
		w = h.do(req{method: "GET", path: b.Archive.URL, token: h.admin, headers: []string{"Range: bytes=10-19"}})
		if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), zipData[10:20]) {
			t.Errorf("range: %d", w.Code)
		}
	})
}

func TestBatchRouteErrors(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		r := mountBatches(t, h)
		h.importSeed(h.admin)
		post := func(token, body string, headers ...string) *httptestResponse {
			w := h.do(req{method: "POST", path: "/api/v1/batches", token: token, contentType: "application/json", body: []byte(body), headers: headers})
			return &httptestResponse{w.Code, w.Body.Bytes(), w.Header().Get("Location")}
		}
		for _, tc := range []struct {
			name, token, body string
			status            int
		}{
			{"no token", "", `{"year": 2020}`, http.StatusUnauthorized},
			{"clerk", h.clerkA, `{"year": 2020}`, http.StatusForbidden},
			{"no year", h.admin, `{}`, http.StatusUnprocessableEntity},
			{"unknown format", h.admin, `{"year": 2020, "formats": ["docx"]}`, http.StatusUnprocessableEntity},
			{"unknown field", h.admin, `{"year": 2020, "yaer": 2021}`, http.StatusUnprocessableEntity},
			{"not json", h.admin, `year=2020`, http.StatusUnprocessableEntity},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := post(tc.token, tc.body); got.code != tc.status {
					t.Errorf("%d %s, want %d", got.code, got.body, tc.status)
				}
			})
		}
		// The same Idempotency-Key finds the same batch.
		a := post(h.admin, `{"year": 2020, "formats": ["pdf"]}`, "Idempotency-Key: year-end-2020")
		b := post(h.admin, `{"year": 2020, "formats": ["pdf"]}`, "Idempotency-Key: year-end-2020")
		if a.code != http.StatusAccepted || a.location == "" || a.location != b.location {
			t.Errorf("idempotent POST: %d %q then %q", a.code, a.location, b.location)
		}
		// An unfinished batch has no archive yet.
		pending, _, err := r.Create(context.Background(), batch.Spec{Year: 2020, Formats: []string{"pdf"}}, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		w := h.do(req{method: "GET", path: "/api/v1/batches/" + itoa(pending.ID) + "/archive.zip", token: h.admin})
		wantError(t, w, http.StatusConflict, reports.ECONFLICT)
		w = h.do(req{method: "GET", path: "/api/v1/batches/999999", token: h.admin})
		wantError(t, w, http.StatusNotFound, reports.ENOTFOUND)
		w = h.do(req{method: "GET", path: "/api/v1/batches/abc", token: h.admin})
		wantError(t, w, http.StatusNotFound, reports.ENOTFOUND)
	})
}

func TestSchedulesRoute(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		mountBatches(t, h)
		w := h.do(req{method: "GET", path: "/api/v1/schedules", token: h.admin})
		if w.Code != http.StatusOK {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		var out struct {
			Schedules []struct {
				Name, Cron, Location string
				NextRun              time.Time `json:"next_run"`
			}
		}
		decode(t, w, &out)
		if len(out.Schedules) != 1 || out.Schedules[0].Cron != batch.DefaultCron || out.Schedules[0].Location != "Asia/Shanghai" {
			t.Fatalf("schedules %+v", out.Schedules)
		}
		next := out.Schedules[0].NextRun.In(batch.Shanghai())
		if next.Month() != time.December || next.Day() != 31 || next.Hour() != 2 || !next.After(time.Now()) {
			t.Errorf("next run %s", next)
		}
	})
}

type httptestResponse struct {
	code     int
	body     []byte
	location string
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
