package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store"
)

// The admins' batch pages show year-end batches as the store records them:
// progress (refreshed by the page's script while a batch runs), failed
// forms with their reasons, and the archive once it is written. When the
// service runs batches (MountBatches), the page starts one through the
// API's own POST /api/v1/batches, as the signed-in admin.

// batchStore is the store's batch side, when it has one.
func (w *web) batchStore() (batch.Store, bool) {
	bs, ok := w.s.cfg.Store.(batch.Store)
	return bs, ok
}

func (w *web) batchRoutes(g *echo.Group) {
	if _, ok := w.batchStore(); !ok {
		return
	}
	admin := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if caller(c).Role != store.RoleAdmin {
				return reports.Errorf(reports.EFORBIDDEN, "只有管理员可以查看年度批量。")
			}
			return next(c)
		}
	}
	g.GET("/batches", w.batches, admin)
	g.POST("/batches", w.startBatch, admin)
	g.GET("/batches/:id", w.batchPage, admin)
	g.GET("/batches/:id/progress", w.batchProgress, admin)
	g.GET("/batches/:id/archive", w.batchArchive, admin)
}

// batchView is a batch as the pages show it.
type batchView struct {
	batch.Batch
	Percent int
}

func viewOf(b batch.Batch) batchView {
	v := batchView{Batch: b, Percent: 100}
	if b.Total > 0 {
		v.Percent = (b.Done + b.Failed) * 100 / b.Total
	}
	return v
}

// batchForm is the start form of the batch list.
type batchForm struct {
	Enabled bool // the service runs batches
	Year    string
	Unit    string
	Formats []batchFormat
	Problem string
}

type batchFormat struct {
	Name    string
	Checked bool
}

// batches is GET /batches: the latest batches, newest first.
func (w *web) batches(c *echo.Context) error {
	year := strconv.Itoa(time.Now().In(china).Year() - 1) // year-end batches close the year before
	return w.showBatches(c, http.StatusOK, w.newBatchForm(year, "", nil, ""))
}

func (w *web) newBatchForm(year, unit string, formats []string, problem string) batchForm {
	f := batchForm{Enabled: w.batchAPI(), Year: year, Unit: unit, Problem: problem}
	for _, name := range slices.Sorted(maps.Keys(w.s.cfg.Renderers)) {
		f.Formats = append(f.Formats, batchFormat{Name: name, Checked: formats == nil || slices.Contains(formats, name)})
	}
	return f
}

func (w *web) showBatches(c *echo.Context, status int, form batchForm) error {
	bs, _ := w.batchStore()
	list, err := bs.Batches(c.Request().Context(), "", 50)
	if err != nil {
		return err
	}
	views := make([]batchView, 0, len(list))
	for _, b := range list {
		views = append(views, viewOf(b))
	}
	return w.render(c, status, "batches", page{Title: "年度批量", Nav: "batches", Data: struct {
		Batches []batchView
		Form    batchForm
	}{views, form}})
}

// batchAPI reports whether the service runs batches: the batch routes are
// mounted after the server is built, so this is asked per request.
func (w *web) batchAPI() bool {
	_, err := w.s.echo.Router().Routes().FindByMethodPath(http.MethodPost, "/api/v1/batches")
	return err == nil
}

// startBatch is POST /batches: it calls the API's POST /api/v1/batches as
// the signed-in admin and follows the new batch.
func (w *web) startBatch(c *echo.Context) error {
	form, _ := c.FormValues() // parsed by auth
	year, unit, formats := strings.TrimSpace(form.Get("year")), strings.TrimSpace(form.Get("unit")), form["format"]
	if formats == nil {
		formats = []string{}
	}
	again := func(status int, problem string) error {
		return w.showBatches(c, status, w.newBatchForm(year, unit, formats, problem))
	}
	if !w.batchAPI() {
		return again(http.StatusServiceUnavailable, "此服务器没有启用批量生成。")
	}
	y, err := reports.ParseYear(year)
	if err != nil {
		return again(http.StatusUnprocessableEntity, "年度应为四位数年份，例如 2020。")
	}
	if len(formats) == 0 {
		return again(http.StatusUnprocessableEntity, "请至少选择一种格式。")
	}
	body, _ := json.Marshal(map[string]any{"year": y, "unit": unit, "formats": formats})
	status, answer := w.apiCall(c, http.MethodPost, "/api/v1/batches", body)
	var out struct {
		ID    int64  `json:"id"`
		Error string `json:"error"`
	}
	json.Unmarshal(answer, &out)
	if status != http.StatusAccepted || out.ID == 0 {
		if out.Error == "" {
			out.Error = http.StatusText(status)
		}
		return again(status, "未能启动批量："+out.Error)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/batches/%d", out.ID))
}

// apiCall runs a request through the API's router as the signed-in caller
// (require takes the token from the context), so the pages use the API's
// own handlers, rules and logs.
func (w *web) apiCall(c *echo.Context, method, path string, body []byte) (int, []byte) {
	r, err := http.NewRequestWithContext(WithToken(c.Request().Context(), caller(c)), method, path, bytes.NewReader(body))
	if err != nil {
		return http.StatusInternalServerError, nil
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(echo.HeaderXRequestID, requestID(c))
	rec := &recorder{header: http.Header{}}
	w.s.echo.ServeHTTP(rec, r)
	return rec.status, rec.body.Bytes()
}

// recorder is the http.ResponseWriter of an internal API call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func (w *web) batchOf(c *echo.Context) (batch.Batch, error) {
	bs, _ := w.batchStore()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return batch.Batch{}, reports.Errorf(reports.ENOTFOUND, "no batch %q", c.Param("id"))
	}
	return bs.Batch(c.Request().Context(), id)
}

// batchPage is GET /batches/{id}: progress, failures and the archive.
func (w *web) batchPage(c *echo.Context) error {
	b, err := w.batchOf(c)
	if err != nil {
		return err
	}
	bs, _ := w.batchStore()
	items, err := bs.BatchItems(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	var failed []batch.Item
	for _, it := range items {
		if it.State == batch.ItemFailed {
			failed = append(failed, it)
		}
	}
	return w.render(c, http.StatusOK, "batch", page{Title: fmt.Sprintf("批量 %d", b.ID), Nav: "batches", Data: struct {
		Batch  batchView
		Failed []batch.Item
	}{viewOf(b), failed}})
}

// batchProgress is GET /batches/{id}/progress, polled by the batch page.
func (w *web) batchProgress(c *echo.Context) error {
	b, err := w.batchOf(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{
		"state": b.State, "total": b.Total, "done": b.Done, "failed": b.Failed,
		"percent": viewOf(b).Percent, "error": b.Error,
	})
}

// batchArchive is GET /batches/{id}/archive: the zip of a finished batch.
func (w *web) batchArchive(c *echo.Context) error {
	b, err := w.batchOf(c)
	if err != nil {
		return err
	}
	if b.State != batch.StateDone || b.Archive == "" {
		return reports.Errorf(reports.ENOTFOUND, "batch %d has no archive yet", b.ID)
	}
	if !b.ArchivePruned.IsZero() {
		// The error page maps no EGONE; a pruned archive says so here.
		text := fmt.Sprintf("第 %d 批的压缩包已于 %s 按保留策略删除。如需再次下载，请重新发起 %d 年度的批量。",
			b.ID, b.ArchivePruned.In(china).Format("2006-01-02 15:04"), b.Spec.Year)
		return w.render(c, http.StatusGone, "error", page{Title: http.StatusText(http.StatusGone), Data: struct {
			Status    int
			Text      string
			RequestID string
		}{http.StatusGone, text, requestID(c)}})
	}
	open := w.s.openArchive
	if open == nil {
		open = func(_ context.Context, b batch.Batch) (batch.ArchiveReader, error) { return batch.OpenArchiveFile(b) }
	}
	f, err := open(c.Request().Context(), b)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set("Content-Disposition", contentDisposition("attachment", archiveName(b), ""))
	h.Set("Content-Type", "application/zip")
	h.Set("Cache-Control", "private, no-cache")
	if b.ArchiveSHA256 != "" {
		h.Set("ETag", `"`+b.ArchiveSHA256+`"`)
	}
	// ServeContent answers ranges and conditional requests: archives of a
	// whole year are large and downloads get interrupted.
	http.ServeContent(c.Response(), c.Request(), archiveName(b), b.Finished, f)
	return nil
}
