package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The actuals page without a browser: a save with errors keeps nothing and
// shows each message beside its cell; op=score answers JSON; a stale
// version is refused; another unit's clerk sees nothing.
func TestActualsPage(t *testing.T) {
	site := newWebSite(t)
	path := seedForm(t, site, nil) + "/actuals/self-evaluation"
	b := site.client()
	tok := b.login(site.clerkA)
	page := b.get(path)
	if page.status != http.StatusOK || !strings.Contains(page.body, "项目支出绩效自评表") || !strings.Contains(page.body, `name="indicators[3].actual"`) {
		t.Fatalf("page %d:\n%s", page.status, page.body)
	}
	if strings.Contains(page.body, `name="indicators[3].target"`) {
		t.Errorf("targets must not be editable")
	}
	form := url.Values{"csrf": {tok}, "version": {"0"}, "op": {"save"},
		"extra.funds.total.initial": {"79"}, "extra.funds.total.budget": {"79"}, "extra.funds.total.spent": {"75.13"},
		"indicators[3].actual": {"2310个"}}
	a := b.post(path, form)
	if a.status != http.StatusUnprocessableEntity || !strings.Contains(a.body, "尚未保存") || !strings.Contains(a.body, "单位「个」与年度指标值的单位「家」不同") {
		t.Errorf("bad save: %d", a.status)
	}
	form.Set("op", "score")
	a = b.post(path, form)
	if a.status != http.StatusOK || !strings.Contains(a.body, `"total":"9.51"`) || !strings.Contains(a.body, `"path":"indicators[3].actual"`) {
		t.Errorf("live score: %d %s", a.status, a.body)
	}
	if _, err := site.store.Actuals(t.Context(), 1, "self-evaluation"); err == nil {
		t.Errorf("something was saved")
	}
	other := site.client()
	other.login(site.clerkB)
	if a := other.get(path); a.status != http.StatusNotFound {
		t.Errorf("another unit's clerk: %d", a.status)
	}
	if a := b.get(path + ".xlsx"); a.status != http.StatusOK {
		t.Errorf("pre-filled workbook: %d", a.status)
	}
}
