package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/templates"
)

// The clerks' web pages: server-rendered html/template pages in Chinese
// (templates/pages), a stylesheet and a small script (templates/static),
// signed-cookie sessions opened with an API token. Pages use the same store,
// renderers, worker pool and visibility rules as the API: a clerk sees only
// the forms of their units, others' answer 404.
//
//	GET  /                      → /forms
//	GET  /login, POST /login    sign in with a token
//	POST /logout
//	GET  /forms                 list, ?year=&unit=&q=&page=
//	GET  /forms/{id}            the form laid out like the print, its problems
//	GET  /forms/{id}/edit, POST edit (save, or add/remove/move indicator rows)
//	GET  /forms/{id}/versions   every stored version; …/versions/{n} one, read-only
//	GET  /forms/{id}/delete, POST  confirm, then delete (if still the version shown)
//	GET  /forms/{id}/preview    the PDF shown in the page
//	GET  /forms/{id}/pdf        the PDF (inline; ?download=1 to save)
//	GET  /forms/{id}/xlsx       the workbook (attachment)
//	GET  /upload, POST /upload  import seed text, JSON or XLSX
//	GET  /batches, POST         admins: year-end batches; start one (MountBatches)
//	GET  /batches/{id}          progress (…/progress JSON for the script), failures
//	GET  /batches/{id}/archive  the finished archive
//	GET  /static/*              app.css, app.js
//	GET  /api/v1/families       the form families (JSON, any role)

// pageCSP allows the page's own stylesheet, script and framed PDF, nothing
// else: no inline script or style anywhere in the templates.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// china is the time zone dates are shown in (UTC+8, no daylight saving).
var china = time.FixedZone("CST", 8*3600)

type web struct {
	s     *Server
	fams  *family.Registry
	keys  sessionKeys
	pages map[string]*template.Template
	asset string // content hash of static/, busts browser caches
}

// webRoutes mounts the pages. They have their own router, reached through
// not-found entries of the API's router for the pages' paths (webPaths), so
// the API's route table and its OpenAPI description stay the API's alone;
// the outer middleware (request id, logs, recover, security headers) still
// applies, though metrics count page requests under route "unmatched".
// Without form families or templates (a broken build) the pages are left
// out and the API still serves.
func (s *Server) webRoutes(e *echo.Echo) {
	w, err := newWeb(s)
	if err != nil {
		s.log.Error("web pages disabled", "err", err)
		return
	}
	pages := echo.NewWithConfig(echo.Config{Logger: s.log, NoGroupAutoRegister404Routes: true})
	pages.HTTPErrorHandler = func(c *echo.Context, err error) { w.errorPage(c, err) }
	pages.IPExtractor = e.IPExtractor
	pages.GET("/static/*", w.static)
	pages.HEAD("/static/*", w.static)
	pages.GET("/login", w.loginPage, w.pageErrors)
	// Sign-in never takes shared capacity: its body is small and read
	// under its own deadline (login).
	pages.POST("/login", w.login, w.pageErrors)

	// The session is checked before any body is read, so that only
	// signed-in clerks' posts are admitted (admit.go), each within the
	// clerk's own share.
	g := pages.Group("", w.pageErrors, w.auth, w.admitPosts)
	g.GET("/", func(c *echo.Context) error { return c.Redirect(http.StatusSeeOther, "/forms") })
	g.POST("/logout", w.logout)
	g.GET("/forms", w.list)
	g.GET("/forms/:id", w.view)
	g.GET("/forms/:id/edit", w.editPage)
	g.POST("/forms/:id/edit", w.edit)
	g.GET("/forms/:id/versions", w.versions)
	g.GET("/forms/:id/versions/:n", w.version)
	g.GET("/forms/:id/delete", w.deletePage)
	g.POST("/forms/:id/delete", w.delete)
	g.GET("/forms/:id/preview", w.preview)
	g.GET("/forms/:id/pdf", w.documentOf("pdf"))
	g.GET("/forms/:id/ofd", w.documentOf("ofd"))
	g.GET("/forms/:id/xlsx", w.documentOf("xlsx"))
	g.GET("/forms/:id/actuals/:kind", w.actualsPage)
	g.POST("/forms/:id/actuals/:kind", w.saveActuals)
	g.GET("/upload", w.uploadPage)
	g.POST("/upload", w.upload)
	w.batchRoutes(g)

	serve := func(c *echo.Context) error {
		pages.ServeHTTP(c.Response(), c.Request())
		return nil
	}
	for _, p := range webPaths {
		e.RouteNotFound(p, serve)
	}
	// The families list is API, documented in openapi.json; it lives here
	// because the pages own the loaded families.
	e.GET("/api/v1/families", w.familiesAPI, s.require(store.RoleAdmin, store.RoleClerk, store.RoleService))
}

// webPaths are the paths the pages' router answers; every other path stays
// the API's (its JSON 404 and 405 answers included).
var webPaths = []string{"/", "/login", "/logout", "/upload", "/forms", "/forms/*", "/static/*", "/batches", "/batches/*"}

func newWeb(s *Server) (*web, error) {
	fams := s.cfg.Families
	if fams == nil {
		var err error
		if fams, err = family.Builtin(); err != nil {
			return nil, err
		}
	}
	w := &web{s: s, fams: fams, keys: newSessionKeys(s.cfg.SessionKey, nil), pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"join":      strings.Join,
		"fieldID":   fieldID,
		"inc":       func(i int) int { return i + 1 },
		"dec":       func(i int) int { return i - 1 },
		"multiline": func(s string) bool { return strings.Contains(s, "\n") },
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(china).Format("2006-01-02 15:04")
		},
		"bytes": humanBytes,
		"short": func(hash string) string { return hash[:min(len(hash), 12)] },
		// renders says whether this server has a format's renderer, so a
		// page offers only downloads that work.
		"renders": func(format string) bool { _, ok := s.cfg.Renderers[format]; return ok },
	}
	names, err := fs.Glob(templates.Pages, "pages/*.html")
	if err != nil {
		return nil, err
	}
	// Files named part-*.html hold parts several pages share (the printed
	// layout of a form); every page is parsed with them. (A leading "_"
	// would keep them out of the embedded directory.)
	shared := []string{"pages/layout.html", "pages/part-*.html"}
	for _, name := range names {
		if name == "pages/layout.html" || strings.HasPrefix(path.Base(name), "part-") {
			continue
		}
		t, err := template.New("").Funcs(funcs).ParseFS(templates.Pages, append(shared, name)...)
		if err != nil {
			return nil, fmt.Errorf("web page %s: %w", name, err)
		}
		w.pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	h := sha256.New()
	err = fs.WalkDir(templates.Static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.Static, p)
		h.Write([]byte(p))
		h.Write(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	w.asset = hex.EncodeToString(h.Sum(nil))[:12]
	return w, nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 0, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// flash is a one-line message at the top of a page.
type flash struct {
	Kind string // "ok", "error"
	Text string
}

// page is what every template receives; Data is the page's own.
type page struct {
	Title string
	Nav   string
	User  *store.Token
	Admin bool
	CSRF  string
	Flash *flash
	Asset string
	Data  any
}

const sessionKey = "reportd.session"

// render writes a page. Pages are never cached: they show one clerk's data.
func (w *web) render(c *echo.Context, status int, name string, p page) error {
	t, ok := w.pages[name]
	if !ok {
		return fmt.Errorf("no web page %q", name)
	}
	p.Asset = w.asset
	if tok, ok := TokenFrom(c.Request().Context()); ok {
		p.User = &tok
		p.Admin = tok.Role == store.RoleAdmin
	}
	if sess, ok := c.Get(sessionKey).(session); ok {
		p.CSRF = w.keys.csrf(sess.ID)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("web page %s: %w", name, err)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", pageCSP)
	// Same-origin referrers let the browser send Origin on the pages' own
	// posts; other sites still learn nothing.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// pageErrors answers the errors of page handlers as pages, not JSON: a
// missing form is the same 404 page whether it does not exist or belongs
// to another unit.
func (w *web) pageErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if err := next(c); err != nil {
			w.errorPage(c, err)
		}
		return nil
	}
}

// errorPage answers err as a page.
func (w *web) errorPage(c *echo.Context, err error) {
	if resp, _ := echo.UnwrapResponse(c.Response()); resp != nil && resp.Committed {
		w.s.log.Warn("web page error after response started", "err", err, "request_id", requestID(c))
		return
	}
	status, text := http.StatusInternalServerError, "服务器内部错误，请稍后重试。如果问题持续，请把下面的请求编号告诉管理员。"
	var mbe *http.MaxBytesError
	switch code := reports.ErrorCode(err); {
	case errors.As(err, &mbe):
		status, text = http.StatusRequestEntityTooLarge, fmt.Sprintf("文件太大：最多 %s。", humanBytes(w.s.cfg.BodyLimit))
	case code == reports.ENOTFOUND:
		status, text = http.StatusNotFound, "没有找到这张表，或您无权查看。"
	case code == reports.EFORBIDDEN:
		status, text = http.StatusForbidden, reports.ErrorMessage(err)
	case code == reports.EUNAUTHORIZED:
		status, text = http.StatusUnauthorized, "请先登录。"
	case code == reports.EUNAVAILABLE:
		status, text = http.StatusServiceUnavailable, "服务器正忙，请稍后重试。"
		c.Response().Header().Set("Retry-After", "1")
	case code == reports.ETOOMANY:
		status, text = http.StatusTooManyRequests, "您同时提交的请求太多，请等上一个完成后再试。"
		c.Response().Header().Set("Retry-After", "1")
	case code == reports.ETIMEOUT:
		status, text = http.StatusRequestTimeout, "上传太慢，已中断。请检查网络后重试。"
	case code == reports.EINVALID:
		status, text = http.StatusUnprocessableEntity, reports.ErrorMessage(err)
	default:
		var sc echo.HTTPStatusCoder
		if errors.As(err, &sc) && sc.StatusCode() < 500 {
			status, text = sc.StatusCode(), http.StatusText(sc.StatusCode())
			if status == http.StatusNotFound {
				text = "没有这个页面。"
			}
		} else {
			w.s.log.Error("web page failed", "err", err, "path", c.Request().URL.Path, "request_id", requestID(c))
		}
	}
	c.Response().Header().Del("Content-Disposition")
	c.Response().Header().Del("ETag")
	err = w.render(c, status, "error", page{Title: http.StatusText(status), Data: struct {
		Status    int
		Text      string
		RequestID string
	}{status, text, requestID(c)}})
	if err != nil {
		w.s.log.Error("web error page failed", "err", err)
	}
}

// admitPosts admits the posts of a signed-in clerk (uploads, edits) with
// the API's admission, which reads their body; then checks their CSRF
// token and origin.
func (w *web) admitPosts(next echo.HandlerFunc) echo.HandlerFunc {
	admitted := w.s.admitBody(w.checkPost(next))
	return func(c *echo.Context) error {
		if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
			return admitted(c)
		}
		return next(c)
	}
}

// checkPost parses a post's form (its body is in memory by now) and
// checks its CSRF token and origin.
func (w *web) checkPost(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		r := c.Request()
		sess, _ := c.Get(sessionKey).(session)
		r.Body = http.MaxBytesReader(c.Response(), r.Body, w.s.cfg.BodyLimit+64<<10)
		if _, err := c.FormValues(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return err
			}
			return &reports.Error{Code: reports.EINVALID, Message: "表单内容无法读取。", Err: err}
		}
		if !sameOrigin(r) || !w.keys.csrfOK(sess.ID, r.PostFormValue(csrfField)) {
			return reports.Errorf(reports.EFORBIDDEN, "页面已过期或来源不明，请刷新页面后重试。")
		}
		return next(c)
	}
}

// auth admits requests with a valid session cookie of a live admin or
// clerk token; admitPosts then checks the CSRF token of every POST.
func (w *web) auth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		r := c.Request()
		var sess session
		ck, err := r.Cookie(sessionCookie)
		if err == nil {
			sess, err = w.keys.open(ck.Value)
		}
		var tok store.Token
		if err == nil {
			_, tok, err = w.s.cfg.Store.UseSession(r.Context(), store.SessionHash(sess.ID), w.s.cfg.SessionIdle)
			if reports.ErrorCode(err) == reports.ENOTFOUND {
				err = errNoSession // signed out, ended, idle, expired, or its token revoked
			}
		}
		if errors.Is(err, errNoSession) || errors.Is(err, http.ErrNoCookie) {
			if ck != nil {
				c.SetCookie(webCookie(r, sessionCookie, "", -1))
			}
			if r.Method == http.MethodGet {
				return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
			}
			return reports.Errorf(reports.EUNAUTHORIZED, "sign in first")
		}
		if err != nil {
			return err
		}
		if tok.Role != store.RoleAdmin && tok.Role != store.RoleClerk {
			return reports.Errorf(reports.EFORBIDDEN, "服务令牌只能调用接口，不能登录网页。")
		}
		c.Set(sessionKey, sess)
		c.SetRequest(r.WithContext(w.s.authenticated(c, tok)))
		return next(c)
	}
}

// jsonErrors answers errors as the API does, for the API routes the pages'
// router serves.
func (s *Server) jsonErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if err := next(c); err != nil {
			s.writeError(c, err)
		}
		return nil
	}
}

// static serves templates/static.
func (w *web) static(c *echo.Context) error {
	name := path.Clean("static/" + c.Param("*"))
	if !strings.HasPrefix(name, "static/") {
		return echo.ErrNotFound
	}
	data, err := fs.ReadFile(templates.Static, name)
	if err != nil {
		return echo.ErrNotFound
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	// Pages link assets with ?v=hash, so a cached copy is never stale.
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, ct, data)
}

// familyOf returns the family a form is printed with; an unknown name
// (a family removed from the site) falls back to the default.
func (w *web) familyOf(f *reports.Form) *family.Family {
	if fam, err := w.fams.Get(f.Family); err == nil {
		return fam
	}
	return w.fams.Default()
}

// check validates a form against its family's rules.
func (w *web) check(f *reports.Form) reports.Problems {
	return reports.Check(f, w.familyOf(f).Rules())
}

// familiesAPI is GET /api/v1/families.
func (w *web) familiesAPI(c *echo.Context) error {
	type famJSON struct {
		Name        string `json:"name"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Default     bool   `json:"default"`
	}
	out := struct {
		Families []famJSON `json:"families"`
	}{Families: []famJSON{}}
	def := w.fams.Default().Name
	for _, f := range w.fams.List() {
		out.Families = append(out.Families, famJSON{Name: f.Name, Title: f.Title, Description: f.Description, Default: f.Name == def})
	}
	return c.JSON(http.StatusOK, out)
}
