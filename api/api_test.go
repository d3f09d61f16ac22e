package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formfile"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/storetest"
	"github.com/reportd/reportd/reports/textform"
)

type storedForm struct {
	ID      int64
	Version int
	Hash    string
	Form    reports.Form
}

func TestImportAndRead(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		ids := h.importSeed(h.admin)
		if len(ids) != 2 || ids[0] == ids[1] {
			t.Fatalf("ids %v, want two", ids)
		}
		// List, with each filter.
		var page struct {
			Forms []struct {
				ID      int64
				Project string
				Unit    string
				Year    int
			}
			Total int
		}
		tests := []struct {
			name  string
			query string
			want  int
		}{
			{"all", "", 2},
			{"year", "?year=2020", 2},
			{"other year", "?year=2021", 0},
			{"unit", "?unit=" + url.QueryEscape(unitA), 2},
			{"q", "?q=" + url.QueryEscape("企业培育"), 1},
			{"page 2 of 1", "?page=2&page_size=1", 1},
			{"page past the end", "?page=3&page_size=1", 0},
		}
		for _, tt := range tests {
			w := h.do(req{method: "GET", path: "/api/v1/forms" + tt.query, token: h.admin})
			if w.Code != 200 {
				t.Fatalf("%s: %d %s", tt.name, w.Code, w.Body)
			}
			decode(t, w, &page)
			if len(page.Forms) != tt.want || page.Total < tt.want {
				t.Errorf("%s: %d forms (total %d), want %d", tt.name, len(page.Forms), page.Total, tt.want)
			}
		}
		wantError(t, h.do(req{method: "GET", path: "/api/v1/forms?year=abc", token: h.admin}), 422, reports.EINVALID)

		// One form, its ETag and If-None-Match.
		w := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d", ids[0]), token: h.admin})
		if w.Code != 200 || w.Header().Get("ETag") != `"v1"` {
			t.Fatalf("GET form: %d ETag %q", w.Code, w.Header().Get("ETag"))
		}
		var sf storedForm
		decode(t, w, &sf)
		if sf.ID != ids[0] || sf.Version != 1 || sf.Form.Project != "企业培育" || sf.Form.Funds.Total.Fen == 0 || len(sf.Form.Indicators) == 0 || len(sf.Hash) != 64 {
			t.Errorf("GET form = %+v", sf)
		}
		w = h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d", ids[0]), token: h.admin, headers: []string{`If-None-Match: "v1"`}})
		if w.Code != http.StatusNotModified {
			t.Errorf("If-None-Match: %d, want 304", w.Code)
		}
		for _, p := range []string{"/api/v1/forms/999999", "/api/v1/forms/abc", "/api/v1/forms/0", "/api/v1/forms/999999/versions", "/api/v1/forms/999999.pdf"} {
			wantError(t, h.do(req{method: "GET", path: p, token: h.admin}), 404, reports.ENOTFOUND)
		}
		wantError(t, h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d.doc", ids[0]), token: h.admin}), 404, reports.ENOTFOUND)
	})
}

func TestImportRefusesBadBodies(t *testing.T) {
	eachStore(t, func(c *api.Config) { c.BodyLimit, c.MaxForms = 64<<10, 2 }, func(t *testing.T, h *harness) {
		valid := storetest.Form(2020, unitA, "好")
		threeForms, _ := json.Marshal(map[string]any{"schema": "reportd/form/v1", "forms": []reports.Form{valid, valid, valid}})
		invalid := storetest.Form(2020, unitA, "坏")
		invalid.Category = ""
		invalid.Start = "2020-13-45"
		twoForms, _ := json.Marshal(map[string]any{"schema": "reportd/form/v1", "forms": []reports.Form{valid, invalid}})
		// One unreadable value must not hide the others (issue #18).
		manyBad := bytes.Replace(formJSON(t, valid), []byte(`"total":"`), []byte(`"total":"七十九万`), 1)
		manyBad = bytes.Replace(manyBad, []byte(`"start":"2020-01-01"`), []byte(`"start":"2020-13-45"`), 1)
		manyBad = bytes.Replace(manyBad, []byte(`"current":"`), []byte(`"projct":"x","current":"`), 1)
		brokenSeed := strings.Replace(string(seed(t)), "项目名称：", "项目名称", 1)
		brokenSeed = strings.Replace(brokenSeed, "2020-01-01", "2020-13-45", 1)
		tests := []struct {
			name        string
			contentType string
			body        []byte
			status      int
			code        string
			wantPaths   []string // problem paths that must be present
			wantLine    bool
		}{
			{"invalid second form stores neither", "application/json", twoForms, 422, reports.EINVALID, []string{"category", "start"}, false},
			{"invalid seed text names lines", textType, []byte(brokenSeed), 422, reports.EINVALID, nil, true},
			{"every problem of a JSON form at once", "application/json", manyBad, 422, reports.EINVALID, []string{"funds.total", "start", "funds.projct"}, true},
			{"JSON syntax error", "application/json", []byte(`{"schema":"reportd/form/v1","forms":[{]}`), 422, reports.EINVALID, nil, false},
			{"wrong schema", "application/json", []byte(`{"schema":"other/v9","forms":[]}`), 422, reports.EINVALID, nil, false},
			{"empty text", textType, nil, 422, reports.EINVALID, nil, false},
			{"unknown content type", "application/pdf", []byte("%PDF"), 415, reports.EINVALID, nil, false},
			{"no content type", "", seed(t), 415, reports.EINVALID, nil, false},
			{"xlsx without a reader", api.XLSXType, []byte("PK"), 415, reports.EINVALID, nil, false},
			{"octet-stream that is no workbook", "application/octet-stream", seed(t), 415, reports.EINVALID, nil, false},
			{"too large", textType, bytes.Repeat([]byte("x"), 65<<10), 413, reports.ETOOLARGE, nil, false},
			{"more forms than MaxForms", "application/json", threeForms, 413, reports.ETOOLARGE, nil, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := wantError(t, h.do(req{method: "POST", path: "/api/v1/forms/import", token: h.admin, contentType: tt.contentType, body: tt.body}), tt.status, tt.code)
				if tt.status == 422 && len(e.Problems) == 0 {
					t.Errorf("422 without problems: %+v", e)
				}
				if tt.status == 415 && e.Error == http.StatusText(415) {
					t.Errorf("415 does not say which Content-Type to send: %+v", e)
				}
				paths := map[string]bool{}
				line := false
				for _, p := range e.Problems {
					paths[p.Path] = true
					line = line || p.Line > 0
					if p.Message == "" || p.Severity != "error" {
						t.Errorf("problem %+v", p)
					}
				}
				for _, p := range tt.wantPaths {
					if !paths[p] {
						t.Errorf("no problem at %s in %+v", p, e.Problems)
					}
				}
				if tt.wantLine && !line {
					t.Errorf("no problem names a line: %+v", e.Problems)
				}
			})
		}
		var page struct{ Total int }
		decode(t, h.do(req{method: "GET", path: "/api/v1/forms", token: h.admin}), &page)
		if page.Total != 0 {
			t.Fatalf("%d forms stored after refused imports", page.Total)
		}
		// Warnings do not block and are reported.
		warn := storetest.Form(2020, unitA, "有警告")
		warn.Funds.Current.Fen = warn.Funds.Total.Fen + 1
		w := h.do(req{method: "POST", path: "/api/v1/forms/import", token: h.admin, contentType: "application/json", body: formJSON(t, warn)})
		var out struct {
			IDs      []int64
			Warnings []struct{ Path, Severity string }
		}
		decode(t, w, &out)
		if w.Code != 201 || len(out.IDs) != 1 || len(out.Warnings) == 0 || out.Warnings[0].Path != "funds.current" {
			t.Errorf("import with a warning: %d %s", w.Code, w.Body)
		}
	})
}

func TestAuth(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		ids := h.importSeed(h.clerkA) // a clerk may import its own unit's forms
		id := ids[0]
		form := fmt.Sprintf("/api/v1/forms/%d", id)
		otherUnit := storetest.Form(2020, unitB, "乙的项目")
		tests := []struct {
			name        string
			r           req
			status      int
			code        string
			wantsBearer bool
		}{
			{"no token", req{method: "GET", path: "/api/v1/forms"}, 401, reports.EUNAUTHORIZED, true},
			{"unknown token", req{method: "GET", path: "/api/v1/forms", token: store.NewSecret()}, 401, reports.EUNAUTHORIZED, true},
			{"not bearer", req{method: "GET", path: "/api/v1/forms", headers: []string{"Authorization: Basic " + h.admin}}, 401, reports.EUNAUTHORIZED, true},
			{"no token to render", req{method: "POST", path: "/api/v1/render", contentType: textType, body: seed(t)}, 401, reports.EUNAUTHORIZED, true},
			{"service may not list", req{method: "GET", path: "/api/v1/forms", token: h.service}, 403, reports.EFORBIDDEN, false},
			{"service may not read", req{method: "GET", path: form + ".pdf", token: h.service}, 403, reports.EFORBIDDEN, false},
			{"service may not import", req{method: "POST", path: "/api/v1/forms/import", token: h.service, contentType: textType, body: seed(t)}, 403, reports.EFORBIDDEN, false},
			{"other clerk: form", req{method: "GET", path: form, token: h.clerkB}, 404, reports.ENOTFOUND, false},
			{"other clerk: pdf", req{method: "GET", path: form + ".pdf", token: h.clerkB}, 404, reports.ENOTFOUND, false},
			{"other clerk: versions", req{method: "GET", path: form + "/versions", token: h.clerkB}, 404, reports.ENOTFOUND, false},
			{"other clerk: put", req{method: "PUT", path: form, token: h.clerkB, contentType: "application/json", body: formJSON(t, otherUnit), headers: []string{`If-Match: "v1"`}}, 404, reports.ENOTFOUND, false},
			{"other clerk: delete", req{method: "DELETE", path: form, token: h.clerkB, headers: []string{`If-Match: "v1"`}}, 404, reports.ENOTFOUND, false},
			{"clerk imports another unit", req{method: "POST", path: "/api/v1/forms/import", token: h.clerkA, contentType: "application/json", body: formJSON(t, otherUnit)}, 403, reports.EFORBIDDEN, false},
			{"clerk moves a form to another unit", req{method: "PUT", path: form, token: h.clerkA, contentType: "application/json", body: formJSON(t, otherUnit), headers: []string{`If-Match: "v1"`}}, 403, reports.EFORBIDDEN, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w := h.do(tt.r)
				wantError(t, w, tt.status, tt.code)
				if got := w.Header().Get("WWW-Authenticate"); (got != "") != tt.wantsBearer {
					t.Errorf("WWW-Authenticate %q", got)
				}
			})
		}
		// The other clerk's listing is empty; the own clerk's and admin's are not.
		for _, c := range []struct {
			name, token string
			want        int
		}{{"own clerk", h.clerkA, 2}, {"other clerk", h.clerkB, 0}, {"other clerk asking for the unit", h.clerkB, 0}, {"admin", h.admin, 2}} {
			path := "/api/v1/forms"
			if strings.Contains(c.name, "asking") {
				path += "?unit=" + url.QueryEscape(unitA)
			}
			var page struct{ Total int }
			decode(t, h.do(req{method: "GET", path: path, token: c.token}), &page)
			if page.Total != c.want {
				t.Errorf("%s lists %d forms, want %d", c.name, page.Total, c.want)
			}
		}
		// Nothing of the refused writes happened.
		var sf storedForm
		decode(t, h.do(req{method: "GET", path: form, token: h.clerkA}), &sf)
		if sf.Version != 1 || sf.Form.Unit != unitA {
			t.Errorf("after refused writes: %+v", sf)
		}
		// A service token renders.
		w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: "application/json", body: formJSON(t, otherUnit)})
		if w.Code != 200 {
			t.Errorf("service render: %d %s", w.Code, w.Body)
		}
	})
}

func TestUpdateDeleteHistory(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		id := h.importSeed(h.admin)[0]
		path := fmt.Sprintf("/api/v1/forms/%d", id)
		var sf storedForm
		decode(t, h.do(req{method: "GET", path: path, token: h.admin}), &sf)
		changed := sf.Form
		changed.Project = "企业培育（修订）"
		body := formJSON(t, changed)
		put := func(ifMatch string, body []byte) req {
			r := req{method: "PUT", path: path, token: h.clerkA, contentType: "application/json", body: body}
			if ifMatch != "" {
				r.headers = []string{"If-Match: " + ifMatch}
			}
			return r
		}
		wantError(t, h.do(put("", body)), 428, reports.EPRECONDITION)
		wantError(t, h.do(put(`"v9"`, body)), 412, reports.ECONFLICT)
		wantError(t, h.do(put(`"banana"`, body)), 422, reports.EINVALID)
		two, _ := json.Marshal(map[string]any{"schema": "reportd/form/v1", "forms": []reports.Form{changed, changed}})
		wantError(t, h.do(put(`"v1"`, two)), 422, reports.EINVALID)
		bad := changed
		bad.Plan = ""
		if e := wantError(t, h.do(put(`"v1"`, formJSON(t, bad))), 422, reports.EINVALID); len(e.Problems) == 0 || e.Problems[0].Path != "plan" {
			t.Errorf("problems %+v", e.Problems)
		}
		w := h.do(put(`"v1"`, body))
		if w.Code != 200 || w.Header().Get("ETag") != `"v2"` {
			t.Fatalf("PUT: %d %s ETag %q", w.Code, w.Body, w.Header().Get("ETag"))
		}
		decode(t, w, &sf)
		if sf.Version != 2 || sf.Form.Project != "企业培育（修订）" {
			t.Errorf("PUT answered %+v", sf)
		}
		// The same change again, against the old version: 412.
		wantError(t, h.do(put(`"v1"`, body)), 412, reports.ECONFLICT)
		var hist struct{ Versions []storedForm }
		decode(t, h.do(req{method: "GET", path: path + "/versions", token: h.admin}), &hist)
		if len(hist.Versions) != 2 || hist.Versions[0].Form.Project != "企业培育" || hist.Versions[1].Form.Project != "企业培育（修订）" {
			t.Errorf("history %+v", hist)
		}
		// Delete.
		del := func(ifMatch string) req {
			r := req{method: "DELETE", path: path, token: h.admin}
			if ifMatch != "" {
				r.headers = []string{"If-Match: " + ifMatch}
			}
			return r
		}
		wantError(t, h.do(del("")), 428, reports.EPRECONDITION)
		wantError(t, h.do(del(`"v1"`)), 412, reports.ECONFLICT)
		if w := h.do(del(`W/"v2"`)); w.Code != 204 {
			t.Fatalf("DELETE: %d %s", w.Code, w.Body)
		}
		wantError(t, h.do(req{method: "GET", path: path, token: h.admin}), 404, reports.ENOTFOUND)
		wantError(t, h.do(del(`"v3"`)), 404, reports.ENOTFOUND)
		// If-Match: * changes whatever version is current.
		other := fmt.Sprintf("/api/v1/forms/%d", h.importSeed(h.admin)[0])
		if w := h.do(req{method: "DELETE", path: other, token: h.admin, headers: []string{"If-Match: *"}}); w.Code != 204 {
			t.Errorf("DELETE If-Match *: %d %s", w.Code, w.Body)
		}
	})
}

func TestDocuments(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		id := h.importSeed(h.clerkA)[0]
		path := fmt.Sprintf("/api/v1/forms/%d.pdf", id)
		w := h.do(req{method: "GET", path: path, token: h.clerkA})
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/x-test-pdf" || !strings.HasPrefix(w.Body.String(), "TEST pdf\n") {
			t.Fatalf("GET .pdf: %d %q %.40q", w.Code, w.Header().Get("Content-Type"), w.Body)
		}
		cd := w.Header().Get("Content-Disposition")
		_, enc, ok := strings.Cut(cd, "filename*=UTF-8''")
		name, err := url.PathUnescape(enc)
		if !ok || err != nil || name != "2020-"+unitA+"-企业培育.pdf" || !strings.HasPrefix(cd, fmt.Sprintf("inline; filename=\"2020-form-%d.pdf\"; ", id)) {
			t.Errorf("Content-Disposition %q → %q", cd, name)
		}
		etag := w.Header().Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		w = h.do(req{method: "GET", path: path + "?download=1", token: h.clerkA})
		if cd := w.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; ") {
			t.Errorf("?download=1: Content-Disposition %q", cd)
		}
		calls := h.pdf.calls.Load()
		if w := h.do(req{method: "GET", path: path, token: h.clerkA, headers: []string{"If-None-Match: " + etag}}); w.Code != 304 || w.Body.Len() != 0 {
			t.Errorf("If-None-Match: %d", w.Code)
		}
		if w := h.do(req{method: "GET", path: path, token: h.admin}); w.Code != 200 || w.Header().Get("ETag") != etag {
			t.Errorf("second GET: %d", w.Code)
		}
		if got := h.pdf.calls.Load(); got != calls {
			t.Errorf("renderer called %d more times; documents are cached by content hash", got-calls)
		}
		// XLSX is its own document with its own ETag.
		w = h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d.xlsx", id), token: h.clerkA})
		if w.Code != 200 || w.Header().Get("ETag") == etag || !strings.HasPrefix(w.Body.String(), "TEST xlsx") {
			t.Errorf("GET .xlsx: %d ETag %q", w.Code, w.Header().Get("ETag"))
		}
		// A change makes a new document.
		var sf storedForm
		decode(t, h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d", id), token: h.admin}), &sf)
		sf.Form.Goals += "。"
		h.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/forms/%d", id), token: h.admin, contentType: "application/json", body: formJSON(t, sf.Form), headers: []string{`If-Match: "v1"`}})
		if w := h.do(req{method: "GET", path: path, token: h.admin, headers: []string{"If-None-Match: " + etag}}); w.Code != 200 || w.Header().Get("ETag") == etag {
			t.Errorf("after a change: %d ETag %q (old %q)", w.Code, w.Header().Get("ETag"), etag)
		}
	})
}

func TestRender(t *testing.T) {
	h := newHarness(t, storeKinds[0].open(t), nil)
	one := storetest.Form(2020, unitA, "单个/项目") // "/" is not allowed in file names
	w := h.do(req{method: "POST", path: "/api/v1/render?format=xlsx", token: h.service, contentType: "application/json", body: formJSON(t, one)})
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/x-test-xlsx" {
		t.Fatalf("render one: %d %s", w.Code, w.Body)
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape("单个_项目.xlsx")) {
		t.Errorf("Content-Disposition %q", cd)
	}
	w = h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: textType, body: seed(t)})
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("render seed: %d %s", w.Code, w.Header())
	}
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := []string{"2020-" + unitA + "-企业培育.pdf", "2020-" + unitA + "-服务体系.pdf"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("zip holds %q, want %q", names, want)
	}
	wantError(t, h.do(req{method: "POST", path: "/api/v1/render?format=doc", token: h.service, contentType: textType, body: seed(t)}), 422, reports.EINVALID)
	bad := one
	bad.Unit = ""
	wantError(t, h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: "application/json", body: formJSON(t, bad)}), 422, reports.EINVALID)
	wantError(t, h.do(req{method: "GET", path: "/api/v1/render", token: h.service}), 405, reports.EINVALID)
	// Nothing was stored.
	var page struct{ Total int }
	decode(t, h.do(req{method: "GET", path: "/api/v1/forms", token: h.admin}), &page)
	if page.Total != 0 {
		t.Errorf("render stored %d forms", page.Total)
	}
}

// The API says which family (layout) it read a form as: X-Reportd-Family
// on a rendered document, "family" in what an import stored.
func TestRenderNamesFamily(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, storeKinds[0].open(t), func(c *api.Config) {
		c.Families = reg
		if c.Readers == nil {
			c.Readers = formfile.Default()
		}
		c.Readers[formfile.Text] = textform.Reader{Families: reg}.Read
		c.Validate = func(f *reports.Form) reports.Problems {
			fam, err := reg.Get(f.Family)
			if err != nil {
				return reports.Problems{{Severity: reports.SeverityError, Path: "family", Message: err.Error()}}
			}
			return reports.Check(f, fam.Rules())
		}
	})
	hunan, err := os.ReadFile("../testdata/families/hunan-2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: textType, body: hunan})
	if w.Code != 200 || w.Header().Get("X-Reportd-Family") != "hunan-2023" {
		t.Errorf("render: %d, X-Reportd-Family %q\n%s", w.Code, w.Header().Get("X-Reportd-Family"), w.Body)
	}
	w = h.do(req{method: "POST", path: "/api/v1/forms/import", token: h.admin, contentType: textType, body: hunan})
	var imported struct {
		Forms []struct{ Family string }
	}
	decode(t, w, &imported)
	if len(imported.Forms) != 1 || imported.Forms[0].Family != "hunan-2023" {
		t.Errorf("import answered %+v, want family hunan-2023", imported.Forms)
	}
}

func TestRenderLimits(t *testing.T) {
	t.Run("too many requests with bodies answers 503 with Retry-After", func(t *testing.T) {
		h := newHarness(t, storeKinds[0].open(t), func(c *api.Config) { c.RenderWorkers, c.RenderQueue = 1, 1 })
		h.pdf.block = make(chan struct{})
		codes := make(chan int, 3)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				f := storetest.Form(2020, unitA, fmt.Sprintf("并发 %d", i)) // distinct content: no shared render
				codes <- h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: "application/json", body: formJSON(t, f)}).Code
			})
		}
		// Wait until one renders and one waits.
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(metrics(h), "reportd_renders_waiting 1") {
			if time.Now().After(deadline) {
				t.Fatalf("the two renders never filled the pool:\n%s", metrics(h))
			}
			time.Sleep(5 * time.Millisecond)
		}
		// The same token is past its share of the capacity: 429.
		w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: "application/json", body: formJSON(t, storetest.Form(2020, unitA, "第三个"))})
		wantError(t, w, 429, reports.ETOOMANY)
		if w.Header().Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		// Another token finds the shared capacity full: 503.
		w = h.do(req{method: "POST", path: "/api/v1/render", token: h.admin, contentType: "application/json", body: formJSON(t, storetest.Form(2020, unitA, "第三个"))})
		wantError(t, w, 503, reports.EUNAVAILABLE)
		if w.Header().Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		close(h.pdf.block)
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != 200 {
				t.Errorf("a queued render answered %d", c)
			}
		}
		if m := metrics(h); !strings.Contains(m, "reportd_requests_rejected_total 2") {
			t.Errorf("rejection not counted:\n%s", m)
		}
	})
	t.Run("render pool full answers 503 to document requests", func(t *testing.T) {
		h := newHarness(t, storeKinds[0].open(t), func(c *api.Config) { c.RenderWorkers, c.RenderQueue = 1, 1 })
		var ids []int64
		for i := range 3 {
			f := storetest.Form(2020, unitA, fmt.Sprintf("文档 %d", i))
			w := h.do(req{method: "POST", path: "/api/v1/forms/import", token: h.admin, contentType: "application/json", body: formJSON(t, f)})
			var out struct{ IDs []int64 }
			decode(t, w, &out)
			ids = append(ids, out.IDs...)
		}
		h.pdf.block = make(chan struct{})
		var wg sync.WaitGroup
		for _, id := range ids[:2] {
			wg.Go(func() {
				if w := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d.pdf", id), token: h.admin}); w.Code != 200 {
					t.Errorf("queued document: %d", w.Code)
				}
			})
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(metrics(h), "reportd_renders_waiting 1") {
			if time.Now().After(deadline) {
				t.Fatalf("pool never filled:\n%s", metrics(h))
			}
			time.Sleep(5 * time.Millisecond)
		}
		w := h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d.pdf", ids[2]), token: h.admin})
		wantError(t, w, 503, reports.EUNAVAILABLE)
		if w.Header().Get("Retry-After") == "" || w.Header().Get("Content-Disposition") != "" {
			t.Errorf("503 headers %v", w.Header())
		}
		close(h.pdf.block)
		wg.Wait()
		if m := metrics(h); !strings.Contains(m, `reportd_renders_total{format="pdf",result="rejected"} 1`) {
			t.Errorf("rejection not counted:\n%s", m)
		}
	})
	t.Run("a render over the time limit answers 503", func(t *testing.T) {
		h := newHarness(t, storeKinds[0].open(t), func(c *api.Config) { c.RenderTimeout = 20 * time.Millisecond })
		h.pdf.delay = 5 * time.Second
		start := time.Now()
		wantError(t, h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: "application/json", body: formJSON(t, storetest.Form(2020, unitA, "慢"))}), 503, reports.EUNAVAILABLE)
		if time.Since(start) > 3*time.Second {
			t.Error("the render was not stopped at its time limit")
		}
	})
	t.Run("a panic is a 500 that leaks nothing", func(t *testing.T) {
		h := newHarness(t, storeKinds[0].open(t), nil)
		h.pdf.panics = true
		w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: "application/json", body: formJSON(t, storetest.Form(2020, unitA, "炸"))})
		wantError(t, w, 500, reports.EINTERNAL)
		if strings.Contains(w.Body.String(), "secret") {
			t.Errorf("internal cause sent to the client: %s", w.Body)
		}
		if !strings.Contains(h.logs.String(), "secret internals") {
			t.Error("internal cause not logged")
		}
		// The server still works.
		if w := h.do(req{method: "GET", path: "/healthz"}); w.Code != 200 {
			t.Errorf("after a panic: %d", w.Code)
		}
	})
}

func metrics(h *harness) string {
	return h.do(req{method: "GET", path: "/metrics"}).Body.String()
}

func TestOperations(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		for _, p := range []string{"/healthz", "/readyz", "/openapi.json"} {
			w := h.do(req{method: "GET", path: p})
			if w.Code != 200 {
				t.Errorf("%s: %d %s", p, w.Code, w.Body)
			}
			for _, hdr := range []string{"X-Request-Id", "X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy"} {
				if w.Header().Get(hdr) == "" {
					t.Errorf("%s: no %s header", p, hdr)
				}
			}
		}
		h.importSeed(h.admin)
		h.do(req{method: "GET", path: "/api/v1/forms/1.pdf", token: h.admin})
		wantError(t, h.do(req{method: "GET", path: "/nowhere"}), 404, reports.ENOTFOUND)
		h.do(req{method: "GET", path: "/login"})
		m := metrics(h)
		for _, want := range []string{
			`reportd_http_requests_total{method="POST",route="/api/v1/forms/import",status="201"} 1`,
			`reportd_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
			`reportd_http_requests_total{method="GET",route="page /login",status="200"} 1`,
			`reportd_http_request_duration_seconds_bucket{method="POST",route="/api/v1/forms/import",le="+Inf"} 1`,
			`reportd_http_request_duration_seconds_count{method="GET",route="/healthz"} 1`,
			"# TYPE reportd_renders_total counter",
			"reportd_renders_running 0",
		} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %q:\n%s", want, m)
			}
		}
		// Requests are logged with their request id.
		if !strings.Contains(h.logs.String(), `"route":"/api/v1/forms/import"`) || !strings.Contains(h.logs.String(), `"request_id":"`) ||
			!strings.Contains(h.logs.String(), `"role":"admin"`) || strings.Contains(h.logs.String(), h.admin) {
			t.Errorf("request log: %s", h.logs)
		}
		// Readiness follows the store.
		h.store.Close()
		wantError(t, h.do(req{method: "GET", path: "/readyz"}), 503, reports.EUNAVAILABLE)
		if w := h.do(req{method: "GET", path: "/healthz"}); w.Code != 200 {
			t.Errorf("healthz with the store down: %d", w.Code)
		}
	})
}

func TestNew(t *testing.T) {
	st := storeKinds[0].open(t)
	tests := []struct {
		name string
		cfg  api.Config
	}{
		{"no store", api.Config{Renderers: map[string]reports.Renderer{"pdf": &testRenderer{format: "pdf"}}}},
		{"no renderer", api.Config{Store: st}},
		{"renderer under the wrong name", api.Config{Store: st, Renderers: map[string]reports.Renderer{"xlsx": &testRenderer{format: "pdf"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := api.New(tt.cfg); err == nil {
				t.Error("New accepted an unusable config")
			}
		})
	}
}

func TestServeFinishesRendersOnShutdown(t *testing.T) {
	h := newHarness(t, storeKinds[0].open(t), nil)
	h.pdf.block = make(chan struct{})
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- h.srv.Serve(ctx, ln) }()
	got := make(chan int, 1)
	go func() {
		r, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/render", bytes.NewReader(formJSON(t, storetest.Form(2020, unitA, "停机"))))
		r.Header.Set("Authorization", "Bearer "+h.service)
		r.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			got <- -1
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	for h.pdf.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel() // SIGTERM
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) with a render in flight", err)
	default:
	}
	close(h.pdf.block)
	if code := <-got; code != 200 {
		t.Errorf("in-flight render answered %d", code)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// A form moved into a clerk's unit does not show that clerk what it said
// while it belonged to another unit.
func TestVersionsOfAnotherUnitStayHidden(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		secret := storetest.Form(2020, unitB, "乙的项目")
		secret.Overview = "乙单位的内部情况"
		var out struct{ IDs []int64 }
		decode(t, h.do(req{method: "POST", path: "/api/v1/forms/import", token: h.admin, contentType: "application/json", body: formJSON(t, secret)}), &out)
		path := fmt.Sprintf("/api/v1/forms/%d", out.IDs[0])
		moved := secret
		moved.Unit, moved.Overview = unitA, "转给甲单位"
		if w := h.do(req{method: "PUT", path: path, token: h.admin, contentType: "application/json", body: formJSON(t, moved), headers: []string{`If-Match: "v1"`}}); w.Code != 200 {
			t.Fatalf("move: %d %s", w.Code, w.Body)
		}
		var hist struct{ Versions []storedForm }
		decode(t, h.do(req{method: "GET", path: path + "/versions", token: h.clerkA}), &hist)
		if len(hist.Versions) != 1 || hist.Versions[0].Version != 2 || strings.Contains(fmt.Sprint(hist), "乙单位的内部情况") {
			t.Errorf("clerk of %s sees %+v", unitA, hist.Versions)
		}
		decode(t, h.do(req{method: "GET", path: path + "/versions", token: h.admin}), &hist)
		if len(hist.Versions) != 2 {
			t.Errorf("admin sees %d versions, want 2", len(hist.Versions))
		}
	})
}

// Any token is a valid HTTP method: counting each by name would let
// anyone grow the metrics without bound.
func TestMetricsMethodsAreBounded(t *testing.T) {
	h := newHarness(t, storeKinds[0].open(t), nil)
	for i := range 3 {
		h.do(req{method: fmt.Sprintf("BREW%d", i), path: "/healthz"})
		h.do(req{method: fmt.Sprintf("BREW%d", i), path: fmt.Sprintf("/nowhere/%d", i)})
	}
	m := metrics(h)
	if strings.Contains(m, "BREW") {
		t.Errorf("metrics count unknown methods by name:\n%s", m)
	}
	if !strings.Contains(m, `reportd_http_requests_total{method="OTHER",route="/healthz",status="405"} 3`) {
		t.Errorf("unknown methods not counted as OTHER:\n%s", m)
	}
}

// Every document of a zip has its own name, even when a project is named
// like the suffix given to a repeated one.
func TestRenderZipNamesAreUnique(t *testing.T) {
	h := newHarness(t, storeKinds[0].open(t), nil)
	var forms []reports.Form
	for i, p := range []string{"项目", "项目 (2)", "项目"} {
		f := storetest.Form(2020, unitA, p)
		f.Goals = fmt.Sprint("目标 ", i) // distinct content
		forms = append(forms, f)
	}
	body, _ := json.Marshal(map[string]any{"schema": "reportd/form/v1", "forms": forms})
	w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: "application/json", body: body})
	if w.Code != 200 {
		t.Fatalf("render: %d %s", w.Code, w.Body)
	}
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range zr.File {
		if seen[f.Name] {
			t.Errorf("two documents named %q", f.Name)
		}
		seen[f.Name] = true
	}
}
