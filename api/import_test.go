package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
)

type importAnswer struct {
	IDs   []int64
	Forms []struct {
		ID              int64
		Version         int
		Project         string
		Status          string
		PreviousVersion int `json:"previous_version"`
	}
	Created, Updated, Unchanged int
}

// TestImportByNaturalKey: importing the same forms again stores nothing
// twice; a changed form becomes a new version of the stored one; the
// answer says per form what happened (issue #18, defect 2).
func TestImportByNaturalKey(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		imp := func(body []byte, status int) importAnswer {
			t.Helper()
			w := h.do(req{method: "POST", path: "/api/v1/forms/import", token: h.clerkA, contentType: textType, body: body})
			if w.Code != status {
				t.Fatalf("import: %d, want %d: %s", w.Code, status, w.Body)
			}
			var a importAnswer
			decode(t, w, &a)
			return a
		}
		first := imp(seed(t), http.StatusCreated)
		if first.Created != 2 || first.Forms[0].Status != "created" {
			t.Fatalf("first import: %+v", first)
		}
		again := imp(seed(t), http.StatusOK)
		if again.Unchanged != 2 || again.Created != 0 || fmt.Sprint(again.IDs) != fmt.Sprint(first.IDs) || again.Forms[1].Version != 1 {
			t.Fatalf("same file again: %+v", again)
		}
		changed := bytes.Replace(seed(t), []byte("上半年发布申报通知"), []byte("一季度发布申报通知"), 1)
		upd := imp(changed, http.StatusOK)
		if upd.Updated != 1 || upd.Unchanged != 1 || upd.Forms[0].Status != "updated" || upd.Forms[0].Version != 2 ||
			upd.Forms[0].PreviousVersion != 1 || upd.IDs[0] != first.IDs[0] {
			t.Fatalf("corrected file: %+v", upd)
		}
		var page struct{ Total int }
		decode(t, h.do(req{method: "GET", path: "/api/v1/forms", token: h.admin}), &page)
		if page.Total != 2 {
			t.Fatalf("%d forms stored after three imports of the same two", page.Total)
		}
		// A new project is created beside them.
		other := bytes.ReplaceAll(seed(t), []byte("企业培育"), []byte("企业培育二期"))
		if a := imp(other, http.StatusCreated); a.Created != 1 || a.Unchanged != 1 {
			t.Fatalf("file with one new project: %+v", a)
		}
		// One body holding a form twice is refused: which should win?
		twice := append(append([]byte{}, seed(t)...), seed(t)...)
		e := wantError(t, h.do(req{method: "POST", path: "/api/v1/forms/import", token: h.clerkA, contentType: textType, body: twice}), 422, reports.EINVALID)
		if len(e.Problems) != 2 || !strings.Contains(e.Problems[0].Message, "与第 1 张表") {
			t.Fatalf("duplicate in one body: %+v", e)
		}
	})
}

// TestGetPutRoundTrip: what GET /api/v1/forms/{id} answers can be PUT back;
// unchanged, it makes no new version (issue #18, defect 8).
func TestGetPutRoundTrip(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		id := h.importSeed(h.clerkA)[0]
		path := fmt.Sprintf("/api/v1/forms/%d", id)
		got := h.do(req{method: "GET", path: path, token: h.clerkA})
		if got.Code != 200 {
			t.Fatalf("GET: %d", got.Code)
		}
		put := func(body []byte, etag string) (int, int) {
			w := h.do(req{method: "PUT", path: path, token: h.clerkA, contentType: "application/json", body: body, headers: []string{"If-Match: " + etag}})
			var out struct{ Version int }
			_ = json.Unmarshal(w.Body.Bytes(), &out)
			if w.Code != 200 {
				t.Logf("PUT: %d %s", w.Code, w.Body)
			}
			return w.Code, out.Version
		}
		if code, v := put(got.Body.Bytes(), got.Header().Get("ETag")); code != 200 || v != 1 {
			t.Fatalf("PUT of the GET answer: %d, version %d; want 200 and version 1 (unchanged)", code, v)
		}
		changed := bytes.Replace(got.Body.Bytes(), []byte("上半年发布申报通知"), []byte("一季度发布申报通知"), 1)
		if code, v := put(changed, got.Header().Get("ETag")); code != 200 || v != 2 {
			t.Fatalf("PUT of a changed form: %d, version %d; want 2", code, v)
		}
		var vs struct{ Versions []json.RawMessage }
		decode(t, h.do(req{method: "GET", path: path + "/versions", token: h.clerkA}), &vs)
		if len(vs.Versions) != 2 {
			t.Fatalf("%d versions after an unchanged and a changed PUT, want 2", len(vs.Versions))
		}
	})
}
