package api_test

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports/store/storetest"
)

// "If-Match: *" means any current version: concurrent PUTs all succeed,
// in some order, each making its own new version. An attack found 13 of
// 50 (SQLite) and 39 of 50 (PostgreSQL) answered 412.
func TestIfMatchAnyUnderConcurrency(t *testing.T) {
	const writers = 50
	eachStore(t, func(c *api.Config) { c.PerCallerBodies = writers }, func(t *testing.T, h *harness) {
		id := h.importSeed(h.admin)[0]
		var wg sync.WaitGroup
		var mu sync.Mutex
		var etags []string
		for i := range writers {
			wg.Go(func() {
				f := storetest.Form(2020, unitA, fmt.Sprintf("并发写 %d", i))
				w := h.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/forms/%d", id), token: h.admin, contentType: "application/json",
					body: formJSON(t, f), headers: []string{"If-Match: *"}})
				if w.Code != http.StatusOK {
					t.Errorf("writer %d: %d %s", i, w.Code, w.Body)
					return
				}
				mu.Lock()
				etags = append(etags, w.Header().Get("ETag"))
				mu.Unlock()
			})
		}
		wg.Wait()
		sort.Strings(etags)
		for i := 1; i < len(etags); i++ {
			if etags[i] == etags[i-1] {
				t.Errorf("two writers got version %s", etags[i])
			}
		}
		vs, err := h.store.FormVersions(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != writers+1 {
			t.Errorf("%d versions, want %d", len(vs), writers+1)
		}
	})
}
