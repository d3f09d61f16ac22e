package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
)

// selfEvalBody is the sample's actuals without their form, as a service
// PUTs them for the stored form.
func selfEvalBody(t *testing.T, edit func(map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile("../testdata/actuals/2020-企业培育-self-evaluation.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "form")
	if edit != nil {
		edit(doc)
	}
	out, _ := json.Marshal(doc)
	return out
}

type actualsResult struct {
	Version     int              `json:"version"`
	FormVersion int              `json:"form_version"`
	Actuals     reports.Actuals  `json:"actuals"`
	Problems    []map[string]any `json:"problems"`
	Score       *struct {
		Total, Grade, Explain string
		Cells                 map[string]string
	} `json:"score"`
}

func TestActualsAPI(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		id := h.importSeed(h.admin)[0] // 企业培育 of 上海市促进中小企业发展协调办公室 (unitA)
		path := fmt.Sprintf("/api/v1/forms/%d/actuals/self-evaluation", id)

		// Nothing saved: a blank report pinned to the current form.
		var blank actualsResult
		w := h.do(req{method: "GET", path: path, token: h.clerkA})
		decode(t, w, &blank)
		if blank.Version != 0 || blank.FormVersion != 1 || len(blank.Actuals.Indicators) != 8 || blank.Score == nil || w.Header().Get("ETag") != `"a0"` {
			t.Fatalf("blank actuals: %+v", blank)
		}
		// The pre-filled workbook and the PDF of the blank report.
		if w := h.do(req{method: "GET", path: path + ".xlsx", token: h.clerkA}); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Disposition"), "%E7%BB%A9%E6%95%88%E8%87%AA%E8%AF%84%E8%A1%A8.xlsx") {
			t.Errorf("workbook: %d %q", w.Code, w.Header().Get("Content-Disposition"))
		}

		put := func(ifMatch string, body []byte) req {
			return req{method: "PUT", path: path, token: h.clerkA, contentType: "application/json", body: body, headers: []string{"If-Match: " + ifMatch}}
		}
		// Errors: every problem, nothing saved.
		bad := selfEvalBody(t, func(d map[string]any) {
			ins := d["indicators"].([]any)
			ins[3].(map[string]any)["actual"] = "2310个"
			ins[0].(map[string]any)["actual"] = "80%"
		})
		e := wantError(t, h.do(put(`"a0"`, bad)), 422, reports.EINVALID)
		paths := map[string]bool{}
		for _, p := range e.Problems {
			paths[p.Path] = true
		}
		if !paths["indicators[3].actual"] || !paths["indicators[0].reason"] {
			t.Errorf("problems %+v", e.Problems)
		}
		if w := h.do(req{method: "GET", path: path, token: h.clerkA}); w.Header().Get("ETag") != `"a0"` {
			t.Errorf("a refused body was saved")
		}
		// A clerk of another unit cannot see or save them.
		wantError(t, h.do(req{method: "GET", path: path, token: h.clerkB}), 404, reports.ENOTFOUND)

		// Saved, scored, versioned.
		var saved actualsResult
		w = h.do(put(`"a0"`, selfEvalBody(t, nil)))
		decode(t, w, &saved)
		if saved.Version != 1 || saved.Score.Total != "97.16" || saved.Score.Grade != "优" || w.Header().Get("ETag") != `"a1"` {
			t.Fatalf("saved %+v", saved)
		}
		if saved.Score.Cells["indicators[3].score"] != "12.32" || !strings.Contains(saved.Score.Explain, "40/3 × min(2310 / 2500, 1)") {
			t.Errorf("score cells %v\n%s", saved.Score.Cells, saved.Score.Explain)
		}
		wantError(t, h.do(put(`"a0"`, selfEvalBody(t, nil))), 412, reports.ECONFLICT)
		wantError(t, h.do(req{method: "PUT", path: path, token: h.clerkA, contentType: "application/json", body: selfEvalBody(t, nil)}), 428, reports.EPRECONDITION)
		wantError(t, h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d/actuals/audit", id), token: h.clerkA}), 404, reports.ENOTFOUND)

		// The live score of an unsaved body.
		var live actualsResult
		decode(t, h.do(req{method: "POST", path: path + "/score", token: h.clerkA, contentType: "application/json", body: bad}), &live)
		if live.Score == nil || len(live.Problems) < 2 {
			t.Errorf("score of a bad body: %+v", live)
		}

		// The PDF of the saved report.
		if w := h.do(req{method: "GET", path: path + ".pdf", token: h.clerkA}); w.Code != 200 || w.Header().Get("ETag") == "" {
			t.Errorf("pdf: %d", w.Code)
		}
	})
}
