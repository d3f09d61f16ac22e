package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/store"
)

// A form's history and its deletion, on the pages. Both follow the API
// (GET /api/v1/forms/{id}/versions, DELETE with If-Match): the same store
// calls and the same visibility, a clerk sees only their units' forms.

// paper is what the shared "paper" template draws: a form laid out like
// the print, with the name screen readers announce for it.
type paper struct {
	Grid  htmlGrid
	Label string
}

// versionRow is one line of the history page.
type versionRow struct {
	store.StoredForm
	Current bool
	Changes []string // what differs from the version before; nil for the first
}

// history returns the visible form of the {id} parameter and its versions,
// oldest first, each with what changed since the one before.
func (w *web) history(c *echo.Context) (store.StoredForm, []versionRow, error) {
	sf, err := w.visible(c)
	if err != nil {
		return sf, nil, err
	}
	all, err := w.s.cfg.Store.FormVersions(c.Request().Context(), sf.ID)
	if err != nil {
		return sf, nil, err
	}
	// A form moved in from another unit keeps that unit's earlier
	// versions: the caller sees only those of units they may see, as in
	// the API.
	tok := caller(c)
	vs := all[:0]
	for _, v := range all {
		if tok.Sees(v.Form.Unit) {
			vs = append(vs, v)
		}
	}
	rows := make([]versionRow, len(vs))
	for i, v := range vs {
		rows[i] = versionRow{StoredForm: v, Current: v.Version == sf.Version}
		if i > 0 {
			rows[i].Changes = changedFields(&vs[i-1].Form, &v.Form, w.familyOf(&v.Form))
		}
	}
	return sf, rows, nil
}

// versions is GET /forms/{id}/versions: every stored version, newest first.
func (w *web) versions(c *echo.Context) error {
	sf, rows, err := w.history(c)
	if err != nil {
		return err
	}
	slices.Reverse(rows)
	return w.render(c, http.StatusOK, "versions", page{Title: "历史版本：" + sf.Form.Project, Nav: "forms", Data: struct {
		Form     store.StoredForm
		Versions []versionRow
	}{sf, rows}})
}

// version is GET /forms/{id}/versions/{n}: an old version, read-only, laid
// out like the form page. The current version is the form page itself.
func (w *web) version(c *echo.Context) error {
	sf, rows, err := w.history(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	i := slices.IndexFunc(rows, func(r versionRow) bool { return r.Version == n })
	if err != nil || i < 0 {
		return reports.Errorf(reports.ENOTFOUND, "form %d has no version %q", sf.ID, c.Param("n"))
	}
	if n == sf.Version {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/forms/%d", sf.ID))
	}
	old := rows[i]
	fam := w.familyOf(&old.Form)
	// No problems on the cells: an old version is not to be fixed, only read.
	grid := gridHTML(layout.Build(&old.Form, fam), nil)
	data := struct {
		Form       store.StoredForm // the current version
		Old        versionRow
		Family     string
		Paper      paper
		Prev, Next int // neighbouring old versions, 0 for none
	}{Form: sf, Old: old, Family: fam.Description, Paper: paper{Grid: grid, Label: fmt.Sprintf("第 %d 版（按打印格式，非当前版本）", n)}}
	if i > 0 {
		data.Prev = rows[i-1].Version
	}
	if i+1 < len(rows) && !rows[i+1].Current {
		data.Next = rows[i+1].Version
	}
	return w.render(c, http.StatusOK, "version", page{Title: fmt.Sprintf("第 %d 版：%s", n, old.Form.Project), Nav: "forms", Data: data})
}

// changedFields names, in the family's order, what differs between two
// versions of a form: fields by their printed label, indicator rows by
// number. Differences the family does not show are "其他内容".
func changedFields(prev, cur *reports.Form, fam *family.Family) []string {
	var out []string
	for i := range fam.Fields {
		fd := &fam.Fields[i]
		if prev.Get(fd.Key) != cur.Get(fd.Key) {
			out = append(out, fam.PrintedLabel(fd))
		}
	}
	switch np, nc := len(prev.Indicators), len(cur.Indicators); {
	case np != nc:
		out = append(out, fmt.Sprintf("绩效指标（%d 行 → %d 行）", np, nc))
	default:
		var rows []string
		for i := range cur.Indicators {
			if !sameIndicator(prev.Indicators[i], cur.Indicators[i]) {
				rows = append(rows, strconv.Itoa(i+1))
			}
		}
		if len(rows) > 0 {
			out = append(out, "绩效指标第 "+strings.Join(rows, "、")+" 行")
		}
	}
	if len(out) == 0 && store.FormHash(prev) != store.FormHash(cur) {
		out = append(out, "其他内容")
	}
	return out
}

func sameIndicator(a, b reports.Indicator) bool {
	if a.Level1 != b.Level1 || a.Level2 != b.Level2 || a.Level3 != b.Level3 || a.Target != b.Target || len(a.Extra) != len(b.Extra) {
		return false
	}
	for k, v := range a.Extra {
		if bv, ok := b.Extra[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// deletePage is GET /forms/{id}/delete?version=N: asks 确定删除？ about
// the version the form page showed, or says the form has changed since.
func (w *web) deletePage(c *echo.Context) error {
	sf, err := w.visible(c)
	if err != nil {
		return err
	}
	shown, err := strconv.Atoi(c.QueryParam("version"))
	if err != nil || shown < 1 {
		shown = sf.Version
	}
	status := http.StatusOK
	if shown != sf.Version {
		status = http.StatusConflict
	}
	return w.showDelete(c, status, sf, shown)
}

// showDelete renders the confirmation for version shown of sf. When the
// form is no longer at that version, it says so instead of offering to
// delete what the clerk has not seen.
func (w *web) showDelete(c *echo.Context, status int, sf store.StoredForm, shown int) error {
	var fl *flash
	if shown != sf.Version {
		fl = &flash{Kind: "error", Text: fmt.Sprintf(
			"这张表在您打开后已被修改（您看到的是第 %d 版，现为第 %d 版），没有删除。请先查看最新内容，再决定是否删除。", shown, sf.Version)}
	}
	return w.render(c, status, "delete", page{Title: "删除：" + sf.Form.Project, Nav: "forms", Flash: fl, Data: struct {
		Form  store.StoredForm
		Shown int
		Stale bool
	}{sf, shown, shown != sf.Version}})
}

// delete is POST /forms/{id}/delete: deletes the form if it is still at
// the version the clerk confirmed (the page's If-Match), then returns to
// the list with a message.
func (w *web) delete(c *echo.Context) error {
	sf, err := w.visible(c)
	if err != nil {
		return err
	}
	form, _ := c.FormValues() // parsed by auth
	version, err := strconv.Atoi(form.Get("version"))
	if err != nil || version < 1 {
		// Never "whatever is current": the clerk confirms what they saw.
		return reports.Errorf(reports.EINVALID, "删除请求缺少版本号，请回到表格页面重新删除。")
	}
	if version != sf.Version {
		return w.showDelete(c, http.StatusConflict, sf, version)
	}
	err = w.s.cfg.Store.DeleteForm(c.Request().Context(), sf.ID, version)
	if reports.ErrorCode(err) == reports.ECONFLICT {
		// Saved by someone else between the read above and the delete.
		if cur, cerr := w.s.cfg.Store.Form(c.Request().Context(), sf.ID); cerr == nil {
			return w.showDelete(c, http.StatusConflict, cur, version)
		}
	}
	if err != nil {
		return err
	}
	name := sf.Form.Project
	if name == "" {
		name = "（未填项目名称）"
	}
	sess, _ := c.Get(sessionKey).(session)
	q := url.Values{"deleted": {name}, "sig": {w.keys.note(sess.ID, "deleted", name)}}
	return c.Redirect(http.StatusSeeOther, "/forms?"+q.Encode())
}

// deletedFlash is the list's message after a delete. The name comes from
// the address, so it is shown only when signed for this session: a link
// from elsewhere cannot make the page say what it did not do.
func (w *web) deletedFlash(c *echo.Context) *flash {
	name := c.QueryParam("deleted")
	sess, _ := c.Get(sessionKey).(session)
	if name == "" || !w.keys.noteOK(sess.ID, "deleted", name, c.QueryParam("sig")) {
		return nil
	}
	return &flash{Kind: "ok", Text: "已删除「" + name + "」。"}
}
