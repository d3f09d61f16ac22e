package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
)

// TestBatchArchivePruned: once the retention policy deleted a batch's
// archive, the batch shows "archive": null and when, and the download
// answers 410 Gone saying why and what to do.
func TestBatchArchivePruned(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		r := mountBatches(t, h)
		var clock atomic.Pointer[time.Time]
		day0 := time.Date(2026, 12, 31, 2, 0, 0, 0, time.UTC)
		clock.Store(&day0)
		r.Now = func() time.Time { return *clock.Load() } // before any batch runs
		h.importSeed(h.admin)
		var urls []string
		for range 2 {
			w := h.do(req{method: "POST", path: "/api/v1/batches", token: h.admin, contentType: "application/json", body: []byte(`{"year": 2020}`)})
			if w.Code != http.StatusAccepted {
				t.Fatalf("POST: %d %s", w.Code, w.Body)
			}
			loc := w.Header().Get("Location")
			waitBatchDone(t, h, loc)
			urls = append(urls, loc)
		}
		later := day0.Add(48 * time.Hour)
		clock.Store(&later)
		rep, err := r.Prune(context.Background(), batch.Retention{KeepArchives: 1, KeepDays: 1}, false)
		if err != nil || len(rep.Pruned) != 1 {
			t.Fatalf("prune: %+v %v", rep, err)
		}

		w := h.do(req{method: "GET", path: urls[0], token: h.admin})
		var raw map[string]json.RawMessage
		decode(t, w, &raw)
		if string(raw["archive"]) != "null" || string(raw["archive_pruned"]) != `"`+later.Format(time.RFC3339)+`"` || string(raw["state"]) != `"done"` {
			t.Errorf("pruned batch shows archive %s, archive_pruned %s, state %s", raw["archive"], raw["archive_pruned"], raw["state"])
		}
		w = h.do(req{method: "GET", path: urls[0] + "/archive.zip", token: h.admin})
		e := wantError(t, w, http.StatusGone, reports.EGONE)
		for _, want := range []string{"retention policy", later.Format(time.RFC3339), "start a new batch of 2020"} {
			if !strings.Contains(e.Error, want) {
				t.Errorf("410 message %q lacks %q", e.Error, want)
			}
		}
		// The list shows it the same way; the kept batch is untouched.
		w = h.do(req{method: "GET", path: "/api/v1/batches", token: h.admin})
		var list struct{ Batches []map[string]json.RawMessage }
		decode(t, w, &list)
		if len(list.Batches) != 2 || string(list.Batches[1]["archive"]) != "null" || string(list.Batches[0]["archive"]) == "null" {
			t.Errorf("list: %v", list.Batches)
		}
		w = h.do(req{method: "GET", path: urls[1] + "/archive.zip", token: h.admin})
		if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/zip" {
			t.Errorf("kept archive: %d %s", w.Code, w.Body)
		}
	})
}

func waitBatchDone(t *testing.T, h *harness, loc string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		w := h.do(req{method: "GET", path: loc, token: h.admin})
		var b batchBody
		decode(t, w, &b)
		if b.State == "done" {
			if b.Archive == nil {
				t.Fatalf("done batch without archive: %s", w.Body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch not done: %s", w.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
