package api_test

import (
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/formfile"
	"github.com/reportd/reportd/reports/ofd"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/sqlite"
	"github.com/reportd/reportd/reports/textform"
	"github.com/reportd/reportd/reports/xlsx"
)

// webSite is a real server (SQLite, the real PDF and XLSX renderers and
// readers) on a loopback port, with a token per role.
type webSite struct {
	t                     *testing.T
	url                   string
	store                 store.Store
	admin, clerkA, clerkB string
	renderers             []reports.Renderer // for batches run by tests
}

func newWebSite(t *testing.T, opts ...func(*api.Config)) *webSite {
	return newWebSiteWith(t, 0, opts...)
}

// newWebSiteWith runs batches too when batchDelay > 0: each render of a
// batch first waits that long, so pages can watch the progress.
func newWebSiteWith(t *testing.T, batchDelay time.Duration, opts ...func(*api.Config)) *webSite {
	t.Helper()
	fams, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := font.Load(font.Config{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "reportd.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	readers := formfile.Default()
	readers[formfile.Text] = textform.Reader{Families: fams}.Read
	readers[formfile.XLSX] = xlsx.Reader{Families: fams}.Read
	renderers := []reports.Renderer{pdf.NewRenderer(fonts, fams, pdf.Options{}), xlsx.NewRenderer(fams, xlsx.Options{}), ofd.NewRenderer(fonts, fams, ofd.Options{})}
	cfg := api.Config{
		Store:     st,
		Renderers: map[string]reports.Renderer{"pdf": renderers[0], "xlsx": renderers[1], "ofd": renderers[2]},
		Readers:   readers,
		Families:  fams,
		Validate: func(f *reports.Form) reports.Problems {
			fam, err := fams.Get(f.Family)
			if err != nil {
				fam = fams.Default()
			}
			return reports.Check(f, fam.Rules())
		},
		Logger: slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if batchDelay > 0 {
		runner := &batch.Runner{Store: st, Spool: t.TempDir(), Workers: 1}
		for _, r := range renderers {
			runner.Renderers = append(runner.Renderers, slowRenderer{r, batchDelay})
		}
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		srv.MountBatches(api.Batches{Runner: runner, Ctx: ctx})
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	w := &webSite{t: t, url: ts.URL, store: st, renderers: renderers}
	w.admin = w.token(store.RoleAdmin)
	w.clerkA = w.token(store.RoleClerk, unitA)
	w.clerkB = w.token(store.RoleClerk, unitB)
	return w
}

func (w *webSite) token(role store.Role, units ...string) string {
	secret := store.NewSecret()
	if _, err := w.store.CreateToken(context.Background(), store.Token{Name: "测试" + string(role), Role: role, Units: units, Hash: store.HashToken(secret)}); err != nil {
		w.t.Fatal(err)
	}
	return secret
}

// browserless is an HTTP client with a cookie jar that does not follow
// redirects, so tests see them.
type browserless struct {
	t    *testing.T
	site *webSite
	c    *http.Client
}

func (w *webSite) client() *browserless {
	jar, _ := cookiejar.New(nil)
	return &browserless{t: w.t, site: w, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (b *browserless) do(method, path string, body io.Reader, contentType string) answer {
	b.t.Helper()
	r, err := http.NewRequest(method, b.site.url+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if method == http.MethodPost {
		r.Header.Set("Origin", b.site.url)
	}
	resp, err := b.c.Do(r)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(data)}
}

func (b *browserless) get(path string) answer { return b.do(http.MethodGet, path, nil, "") }

func (b *browserless) post(path string, form url.Values) answer {
	return b.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of a page.
func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}

// login signs in with a token and returns the session's CSRF token.
func (b *browserless) login(token string) string {
	b.t.Helper()
	page := b.get("/login")
	a := b.post("/login", url.Values{"csrf": {csrf(b.t, page.body)}, "token": {token}, "next": {"/forms"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/forms" {
		b.t.Fatalf("login: %d %s", a.status, a.body)
	}
	list := b.get("/forms")
	if list.status != http.StatusOK {
		b.t.Fatalf("forms after login: %d", list.status)
	}
	return csrf(b.t, list.body)
}

// upload posts a file to /upload.
func (b *browserless) upload(token, name string, data []byte) answer {
	b.t.Helper()
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", token)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return b.do(http.MethodPost, "/upload", strings.NewReader(buf.String()), mw.FormDataContentType())
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// slowRenderer makes a batch last long enough to watch its progress.
type slowRenderer struct {
	reports.Renderer
	delay time.Duration
}

func (r slowRenderer) Render(ctx context.Context, w io.Writer, f *reports.Form) error {
	select {
	case <-time.After(r.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	return r.Renderer.Render(ctx, w, f)
}
