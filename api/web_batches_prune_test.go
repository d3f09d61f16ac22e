package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports/batch"
)

// TestWebBatchPruned: the admin pages stop offering a pruned archive and
// say why; the download answers 410.
func TestWebBatchPruned(t *testing.T) {
	site := newWebSite(t)
	admin := site.client()
	tok := admin.login(site.admin)
	admin.upload(tok, "seed.txt", seed(t))
	runner := &batch.Runner{Store: site.store.(batch.Store), Renderers: site.renderers, Spool: t.TempDir()}
	b, _, err := runner.Create(t.Context(), batch.Spec{Year: 2020, Unit: unitA, Formats: []string{"pdf"}}, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if b, err = runner.Run(t.Context(), b.ID); err != nil {
		t.Fatal(err)
	}
	if err := runner.Store.MarkArchivePruned(t.Context(), b.ID, b.Finished); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/batches/%d", b.ID)
	if a := admin.get(path + "/archive"); a.status != http.StatusGone {
		t.Errorf("pruned archive: %d", a.status)
	}
	page := admin.get(path)
	if strings.Contains(page.body, `href="`+path+`/archive"`) || !strings.Contains(page.body, "按保留策略删除") {
		t.Errorf("batch page still offers the pruned archive:\n%s", page.body)
	}
	list := admin.get("/batches")
	if strings.Contains(list.body, `href="`+path+`/archive"`) || !strings.Contains(list.body, "已按保留策略删除") {
		t.Errorf("batch list still offers the pruned archive")
	}
}
