package api_test

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/api"
)

// documentSuffixes are served by the /forms/:id route (Echo parameters run
// to the next slash) and documented as their own paths.
var documentSuffixes = []string{".pdf", ".ofd", ".xlsx"}

func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	h := newHarness(t, storeKinds[0].open(t), nil)
	mountBatches(t, h) // serve mounts the batch routes too
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	routes := map[string]bool{} // "GET /api/v1/forms/{id}"
	for _, r := range h.srv.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		routes[r.Method+" "+path] = true
		ops, ok := doc.Paths[path]
		if !ok || ops[strings.ToLower(r.Method)] == nil {
			t.Errorf("route %s %s is not documented in openapi.json", r.Method, path)
		}
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(documented)
	for _, op := range documented {
		served := routes[op]
		for _, suf := range documentSuffixes {
			if base, ok := strings.CutSuffix(op, suf); ok && strings.HasPrefix(op, "GET ") {
				served = served || routes[base]
			}
		}
		if !served {
			t.Errorf("openapi.json documents %s, which no route serves", op)
		}
	}
	if len(routes) < 11 {
		t.Errorf("only %d routes found; the walk is broken", len(routes))
	}
}

// TestOpenAPIRefsResolve: every $ref names a component that exists.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	n := 0
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if ref, ok := x.(string); ok && k == "$ref" {
					n++
					var cur any = doc
					for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
						m, _ := cur.(map[string]any)
						cur = m[part]
					}
					if cur == nil {
						t.Errorf("$ref %q does not resolve", ref)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if n < 10 {
		t.Errorf("only %d $refs seen; the walk is broken", n)
	}
}

func TestContentDispositionIsReadable(t *testing.T) {
	// The served header is checked in TestDocuments; this pins the
	// ASCII fallback for clients that ignore filename* (curl -OJ): a
	// readable name, not a row of underscores (issue #18).
	h := newHarness(t, storeKinds[0].open(t), nil)
	w := h.do(req{method: "POST", path: "/api/v1/render", token: h.service, contentType: "application/json",
		body: formJSON(t, func() (f formT) { f = sample(); f.Project = `a"b;c% 项目`; return }())})
	cd := w.Header().Get("Content-Disposition")
	want := `inline; filename="2020-form.pdf"; filename*=UTF-8''2020-` +
		pct(unitA) + `-a_b%3Bc%25%20` + pct("项目") + `.pdf`
	if cd != want {
		t.Errorf("Content-Disposition\n got %s\nwant %s", cd, want)
	}
}
