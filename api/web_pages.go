package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/formfile"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/store"
)

// loginPage is GET /login. The sign-in form has no session yet, so its
// CSRF token is bound to a nonce cookie instead.
func (w *web) loginPage(c *echo.Context) error {
	return w.showLogin(c, http.StatusOK, "")
}

func (w *web) showLogin(c *echo.Context, status int, problem string) error {
	nonce := randomID()
	c.SetCookie(webCookie(c.Request(), loginCookie, nonce, 3600))
	var fl *flash
	if c.QueryParam("bye") != "" {
		fl = &flash{Kind: "ok", Text: "您已退出。"}
	}
	return w.render(c, status, "login", page{Title: "登录", Flash: fl, Data: struct {
		Next, Nonce, Problem string
	}{safeNext(c.FormValue("next")), w.keys.csrf("login:" + nonce), problem}})
}

// login is POST /login: a valid admin or clerk token opens a session.
func (w *web) login(c *echo.Context) error {
	r := c.Request()
	if wait := w.s.signIns.blocked(c.RealIP()); wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return w.showLogin(c, http.StatusTooManyRequests, fmt.Sprintf("这个地址登录失败次数过多，请 %d 分钟后再试。", int(wait.Minutes())+1))
	}
	// No token yet, so no share of the admission: the small body is read
	// here under its own deadline, and a slow one is cut off.
	data, err := readWithin(c.Response(), r, 64<<10, min(w.s.cfg.BodyGrace, 5*time.Second), w.s.cfg.MinBodyRate, 10*time.Second)
	if err != nil {
		c.Response().Header().Set("Connection", "close")
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameOrigin(r) || !w.keys.csrfOK("login:"+ck.Value, r.PostFormValue(csrfField)) {
		return w.showLogin(c, http.StatusForbidden, "登录页面已过期，请重新输入令牌。")
	}
	tok, err := VerifyToken(r.Context(), w.s.cfg.Store, r.PostFormValue("token"))
	switch {
	case reports.ErrorCode(err) == reports.EUNAUTHORIZED:
		w.s.signIns.fail(c.RealIP())
		w.s.log.Warn("failed sign-in", "remote", c.RealIP(), "request_id", requestID(c))
		return w.showLogin(c, http.StatusUnauthorized, "令牌无效或已被撤销，请检查后重新输入。")
	case err != nil:
		return err
	case tok.Role != store.RoleAdmin && tok.Role != store.RoleClerk:
		return w.showLogin(c, http.StatusForbidden, "服务令牌只能调用接口，不能登录网页。请使用经办人或管理员令牌。")
	}
	value, sess := w.keys.issue(w.s.cfg.SessionLifetime)
	ctx := store.WithActor(r.Context(), actorOf(c, tok))
	if _, err := w.s.cfg.Store.CreateSession(ctx, store.Session{ID: store.SessionHash(sess.ID), TokenID: tok.ID,
		Expires: time.Unix(sess.Expires, 0), Remote: c.RealIP()}); err != nil {
		return err
	}
	if err := w.s.cfg.Store.Record(ctx, store.AuditEntry{Action: store.AuditSignIn, TokenID: tok.ID}); err != nil {
		return err
	}
	c.SetCookie(webCookie(r, sessionCookie, value, int(w.s.cfg.SessionLifetime.Seconds())))
	c.SetCookie(webCookie(r, loginCookie, "", -1))
	return c.Redirect(http.StatusSeeOther, safeNext(r.PostFormValue("next")))
}

// logout is POST /logout: it ends the session in the store, so the old
// cookie (and its CSRF token) no longer work anywhere; with all=1 it ends
// every session of the clerk's token (every browser and device).
func (w *web) logout(c *echo.Context) error {
	ctx := c.Request().Context()
	sess, _ := c.Get(sessionKey).(session)
	e := store.AuditEntry{Action: store.AuditSignOut, TokenID: caller(c).ID}
	if c.FormValue("all") != "" {
		if _, err := w.s.cfg.Store.DeleteSessions(ctx, caller(c).ID); err != nil {
			return err
		}
		e.Action, e.Detail = store.AuditSignOutAll, "all sessions of the token"
	} else if err := w.s.cfg.Store.DeleteSession(ctx, store.SessionHash(sess.ID)); err != nil {
		return err
	}
	if err := w.s.cfg.Store.Record(ctx, e); err != nil {
		return err
	}
	c.SetCookie(webCookie(c.Request(), sessionCookie, "", -1))
	return c.Redirect(http.StatusSeeOther, "/login?bye=1")
}

// listRow is a form in the list with its check result.
type listRow struct {
	store.StoredForm
	Errors, Warnings int
}

// list is GET /forms.
func (w *web) list(c *echo.Context) error {
	tok := caller(c)
	f := store.ListFilter{Unit: strings.TrimSpace(c.QueryParam("unit")), Query: strings.TrimSpace(c.QueryParam("q")), PageSize: 20}
	var fl *flash
	if y := strings.TrimSpace(c.QueryParam("year")); y != "" {
		n, err := reports.ParseYear(y)
		if err != nil {
			fl = &flash{Kind: "error", Text: "年度「" + y + "」不是有效年份，已忽略。"}
		}
		f.Year = n
	}
	if p, err := strconv.Atoi(c.QueryParam("page")); err == nil && p > 0 {
		f.Page = p
	}
	if tok.Role == store.RoleClerk {
		f.Units = append([]string{}, tok.Units...)
	}
	res, err := w.s.cfg.Store.ListForms(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if n, err := strconv.Atoi(c.QueryParam("imported")); err == nil && n > 0 && fl == nil {
		fl = &flash{Kind: "ok", Text: importText(n, c.QueryParam("created"), c.QueryParam("updated"), c.QueryParam("unchanged"))}
	}
	if fl == nil {
		fl = w.deletedFlash(c)
	}
	rows := make([]listRow, 0, len(res.Forms))
	for _, sf := range res.Forms {
		ps := w.check(&sf.Form)
		rows = append(rows, listRow{StoredForm: sf, Errors: len(ps.Errors()), Warnings: len(ps) - len(ps.Errors())})
	}
	pages := (res.Total + res.PageSize - 1) / res.PageSize
	link := func(p int) string {
		q := url.Values{}
		for _, k := range []string{"year", "unit", "q"} {
			if v := c.QueryParam(k); v != "" {
				q.Set(k, v)
			}
		}
		q.Set("page", strconv.Itoa(p))
		return "/forms?" + q.Encode()
	}
	data := struct {
		Year, Unit, Q string
		Units         []string // a clerk's units, for the unit filter
		Rows          []listRow
		Total         int
		Page, Pages   int
		Prev, Next    string
	}{Year: c.QueryParam("year"), Unit: f.Unit, Q: f.Query, Units: tok.Units, Rows: rows, Total: res.Total, Page: res.Page, Pages: max(pages, 1)}
	if res.Page > 1 {
		data.Prev = link(res.Page - 1)
	}
	if res.Page < pages {
		data.Next = link(res.Page + 1)
	}
	return w.render(c, http.StatusOK, "forms", page{Title: "表格列表", Nav: "forms", Flash: fl, Data: data})
}

// visible returns the form of the {id} parameter if the caller may see it.
func (w *web) visible(c *echo.Context) (store.StoredForm, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return store.StoredForm{}, reports.Errorf(reports.ENOTFOUND, "no form %q", c.Param("id"))
	}
	return w.s.visibleForm(c, id)
}

// view is GET /forms/{id}: the form as it prints, with its problems.
func (w *web) view(c *echo.Context) error {
	sf, err := w.visible(c)
	if err != nil {
		return err
	}
	fam := w.familyOf(&sf.Form)
	ps := reports.Check(&sf.Form, fam.Rules())
	var fl *flash
	if v, err := strconv.Atoi(c.QueryParam("saved")); err == nil && v > 0 {
		fl = &flash{Kind: "ok", Text: fmt.Sprintf("已保存（第 %d 版）。", v)}
	} else if c.QueryParam("unchanged") != "" {
		fl = &flash{Kind: "ok", Text: "没有修改，版本不变。"}
	} else if st := c.QueryParam("imported"); st != "" {
		switch st {
		case importUpdated:
			fl = &flash{Kind: "ok", Text: fmt.Sprintf("已导入：这张表已存在（同一年度、单位和项目名称），已更新为第 %d 版。", sf.Version)}
		case importUnchanged:
			fl = &flash{Kind: "ok", Text: "已导入：与已存的这张表完全相同，没有新建，版本不变。"}
		default:
			fl = &flash{Kind: "ok", Text: "已导入（新建）。"}
		}
	}
	probs := make([]viewProblem, 0, len(ps))
	for _, p := range ps {
		vp := viewProblem{Problem: p, Label: p.Label(), Anchor: fieldID(p.Path)}
		if p.Path == "indicators" {
			vp.Anchor = "indicators" // the table as a whole
		}
		if fd, ok := fam.Field(p.Path); ok {
			vp.Label = fam.PrintedLabel(fd)
		}
		probs = append(probs, vp)
	}
	grid := gridHTML(layout.Build(&sf.Form, fam), ps)
	return w.render(c, http.StatusOK, "form", page{Title: sf.Form.Project, Nav: "forms", Flash: fl, Data: struct {
		Form     store.StoredForm
		Family   string
		Grid     htmlGrid
		Paper    paper
		Problems []viewProblem
		Errors   int
	}{sf, fam.Description, grid, paper{Grid: grid}, probs, len(ps.Errors())}})
}

// preview is GET /forms/{id}/preview: the PDF in a frame.
func (w *web) preview(c *echo.Context) error {
	sf, err := w.visible(c)
	if err != nil {
		return err
	}
	return w.render(c, http.StatusOK, "preview", page{Title: "预览：" + sf.Form.Project, Nav: "forms", Data: sf})
}

// documentOf answers GET /forms/{id}/pdf, /ofd and /xlsx: rendered through the
// API's cache and worker pool. A PDF is inline (and may be framed by the
// preview page) unless ?download=1.
func (w *web) documentOf(format string) echo.HandlerFunc {
	return func(c *echo.Context) error {
		sf, err := w.visible(c)
		if err != nil {
			return err
		}
		r, err := w.s.renderer(format)
		if err != nil {
			return reports.Errorf(reports.ENOTFOUND, "this server does not render %s", format)
		}
		etag := docETag(sf.Hash, format)
		h := c.Response().Header()
		h.Set("ETag", etag)
		h.Set("Cache-Control", "private, no-cache")
		if matchesETag(c.Request().Header.Get("If-None-Match"), etag) {
			return c.NoContent(http.StatusNotModified)
		}
		data, err := w.s.document(c.Request().Context(), r, &sf.Form, sf.Hash)
		if err != nil {
			return err
		}
		disp := "attachment"
		if format == "pdf" && c.QueryParam("download") == "" {
			disp = "inline"
			// The preview page frames the PDF; nothing else may.
			h.Set("X-Frame-Options", "SAMEORIGIN")
			h.Set("Content-Security-Policy", "frame-ancestors 'self'")
		}
		h.Set("Content-Disposition", contentDisposition(disp, sf.Form.FileName()+"."+format, docFallback(&sf.Form, sf.ID, format)))
		return c.Blob(http.StatusOK, r.ContentType(), data)
	}
}

// editPage is GET /forms/{id}/edit.
func (w *web) editPage(c *echo.Context) error {
	sf, err := w.visible(c)
	if err != nil {
		return err
	}
	fam := w.familyOf(&sf.Form)
	st := stateOf(&sf.Form, fam)
	return w.showEdit(c, http.StatusOK, sf, st, reports.Check(&sf.Form, fam.Rules()), -1, nil)
}

func (w *web) showEdit(c *echo.Context, status int, sf store.StoredForm, st editState, ps reports.Problems, focus int, fl *flash) error {
	fam := w.familyOf(&sf.Form)
	return w.render(c, status, "edit", page{Title: "编辑：" + sf.Form.Project, Nav: "forms", Flash: fl, Data: struct {
		Form   store.StoredForm
		Family string
		View   editView
		Errors int
	}{sf, fam.Description, buildEditView(st, fam, ps, focus, caller(c).Units), len(ps.Errors())}})
}

// edit is POST /forms/{id}/edit. Row buttons (add, delete, move) change
// the page without saving; 保存 validates with the family's rules and
// stores a new version only when there are no errors, keeping what the
// clerk typed on the page otherwise.
func (w *web) edit(c *echo.Context) error {
	sf, err := w.visible(c)
	if err != nil {
		return err
	}
	fam := w.familyOf(&sf.Form)
	form, _ := c.FormValues() // parsed by auth
	st := stateFrom(form, fam)
	version, _ := strconv.Atoi(form.Get("version"))
	if version < 1 {
		version = sf.Version
	}
	// The page is shown again at the version it was opened with, so a
	// change made meanwhile by someone else is detected on save.
	shown := sf
	shown.Version = version
	if op := form.Get("op"); op != "" && op != "save" {
		focus, ok := st.apply(op)
		if !ok {
			return reports.Errorf(reports.EINVALID, "未知操作：%s", op)
		}
		return w.showEdit(c, http.StatusOK, shown, st, nil, focus, nil)
	}
	f, read := st.toForm(sf.Form, fam)
	// Every problem at once: values that did not parse are in f.Unread,
	// and Check reports them with the others.
	ps := reports.Check(&f, fam.Rules())
	for _, p := range read {
		if _, ok := f.Unread[p.Path]; !ok {
			ps = append(ps, p)
		}
	}
	if !caller(c).Sees(f.Unit) {
		ps = append(ps, reports.Problem{Severity: reports.SeverityError, Path: "unit",
			Message: "您只能填写自己的单位：" + strings.Join(caller(c).Units, "、")})
	}
	if ps.HasErrors() {
		return w.showEdit(c, http.StatusUnprocessableEntity, shown, st, ps, -1,
			&flash{Kind: "error", Text: fmt.Sprintf("有 %d 处需要修改，尚未保存。", len(ps.Errors()))})
	}
	if err := store.CheckStorable(0, &f); err != nil {
		return err
	}
	if store.FormHash(&f) == sf.Hash && version == sf.Version {
		// Nothing changed: no new version to wade through in the history.
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/forms/%d?unchanged=1", sf.ID))
	}
	saved, err := w.s.cfg.Store.UpdateForm(c.Request().Context(), sf.ID, version, f)
	if reports.ErrorCode(err) == reports.ECONFLICT {
		return w.showEdit(c, http.StatusConflict, shown, st, ps, -1, &flash{Kind: "error", Text: fmt.Sprintf(
			"这张表在您编辑期间已被他人修改（现为第 %d 版），您的修改尚未保存。请先复制您的修改，再重新打开这张表。", sf.Version)})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/forms/%d?saved=%d", saved.ID, saved.Version))
}

// uploadProblem is a problem of an uploaded file, with its form.
type uploadProblem struct {
	Form    string // "第1张表（企业培育）"
	Line    int
	Cell    string // "绩效目标表!G14" in a workbook
	Label   string
	Message string
}

// uploadPage is GET /upload.
func (w *web) uploadPage(c *echo.Context) error {
	return w.showUpload(c, http.StatusOK, "", nil)
}

func (w *web) showUpload(c *echo.Context, status int, file string, probs []uploadProblem) error {
	var fl *flash
	if len(probs) > 0 {
		fl = &flash{Kind: "error", Text: "文件「" + file + "」有问题，没有导入任何表。请修改后重新上传。"}
	}
	return w.render(c, status, "upload", page{Title: "上传表格", Nav: "upload", Flash: fl, Data: struct {
		File     string
		Problems []uploadProblem
		Units    []string
		Limit    string
	}{file, probs, caller(c).Units, humanBytes(w.s.cfg.BodyLimit)}})
}

// upload is POST /upload: all forms of the file are stored, or none.
func (w *web) upload(c *echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return w.showUpload(c, http.StatusUnprocessableEntity, "", []uploadProblem{{Message: "请选择要上传的文件。"}})
	}
	kind, ok := formfile.KindOf(fh.Filename)
	if _, known := w.s.cfg.Readers[kind]; !ok || !known {
		return w.showUpload(c, http.StatusUnprocessableEntity, fh.Filename, []uploadProblem{{Message: "不支持这种文件。请上传 .txt（制表符分隔的文本）、.json 或 .xlsx 文件。"}})
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(file)
	file.Close()
	if err != nil {
		return err
	}
	forms, err := w.s.parse(c.Request().Context(), kind, data, fh.Filename)
	switch reports.ErrorCode(err) {
	case "":
	case reports.EUNAVAILABLE:
		return err
	case reports.ETOOLARGE:
		return w.showUpload(c, http.StatusRequestEntityTooLarge, fh.Filename, readProblems(err))
	default:
		return w.showUpload(c, http.StatusUnprocessableEntity, fh.Filename, readProblems(err))
	}
	if len(forms) == 0 {
		return w.showUpload(c, http.StatusUnprocessableEntity, fh.Filename, []uploadProblem{{Message: "文件里没有找到表格。"}})
	}
	if max := w.s.cfg.MaxForms; max > 0 && len(forms) > max {
		return w.showUpload(c, http.StatusRequestEntityTooLarge, fh.Filename,
			[]uploadProblem{{Message: fmt.Sprintf("文件里有 %d 张表，一次最多上传 %d 张；请分成几个文件。", len(forms), max)}})
	}
	var probs []uploadProblem
	tok := caller(c)
	for i := range forms {
		name := fmt.Sprintf("第 %d 张表（%s）", i+1, forms[i].Project)
		for _, p := range w.check(&forms[i]).Errors() {
			probs = append(probs, uploadProblem{Form: name, Line: p.Line, Cell: p.Cell, Label: p.Label(), Message: p.Message})
		}
		if !tok.Sees(forms[i].Unit) {
			probs = append(probs, uploadProblem{Form: name, Line: forms[i].Line("unit"), Label: "申报单位名称",
				Message: fmt.Sprintf("「%s」不是您的单位（%s）", forms[i].Unit, strings.Join(tok.Units, "、"))})
		}
		if err := store.CheckStorable(i, &forms[i]); err != nil {
			probs = append(probs, uploadProblem{Form: name, Message: reports.ErrorMessage(err)})
		}
	}
	for _, d := range w.s.duplicateKeys(forms) {
		probs = append(probs, uploadProblem{Form: fmt.Sprintf("第 %d 张表（%s）", d.Form+1, forms[d.Form].Project),
			Line: d.Line, Cell: d.Cell, Label: d.Label, Message: d.Message})
	}
	if len(probs) > 0 {
		return w.showUpload(c, http.StatusUnprocessableEntity, fh.Filename, probs)
	}
	// A form already stored (same family, 年度, 申报单位, 项目名称) is
	// updated as a new version, or left alone when nothing changed.
	res, err := w.s.storeImport(c.Request().Context(), forms)
	if err != nil {
		return err
	}
	if len(res) == 1 {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/forms/%d?imported=%s", res[0].Form.ID, res[0].Status))
	}
	created, updated, unchanged := importCounts(res)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/forms?imported=%d&created=%d&updated=%d&unchanged=%d", len(res), created, updated, unchanged))
}

// readProblems turns a reader's failure into lines of the upload page.
func readProblems(err error) []uploadProblem {
	pe := parseError(err)
	var inv *invalid
	if errors.As(pe, &inv) {
		out := make([]uploadProblem, 0, len(inv.problems))
		for _, p := range inv.problems {
			out = append(out, uploadProblem{Line: p.Line, Cell: p.Cell, Label: p.Label, Message: p.Message})
		}
		return out
	}
	return []uploadProblem{{Message: reports.ErrorMessage(err)}}
}

// importText says what an upload of n forms did.
func importText(n int, created, updated, unchanged string) string {
	c, _ := strconv.Atoi(created)
	u, _ := strconv.Atoi(updated)
	same, _ := strconv.Atoi(unchanged)
	if c+u+same != n {
		return fmt.Sprintf("已导入 %d 张表。", n)
	}
	parts := []string{}
	if c > 0 {
		parts = append(parts, fmt.Sprintf("新建 %d 张", c))
	}
	if u > 0 {
		parts = append(parts, fmt.Sprintf("更新 %d 张（已存在同一年度、单位和项目名称的表，存为新版本）", u))
	}
	if same > 0 {
		parts = append(parts, fmt.Sprintf("%d 张与已存的相同，未变", same))
	}
	return fmt.Sprintf("已导入 %d 张表：%s。", n, strings.Join(parts, "，"))
}
