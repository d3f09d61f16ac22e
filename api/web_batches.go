package api

import (
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store"
)

// The admins' batch pages show year-end batches as the store records them:
// progress (refreshed by the page's script while a batch runs), failed
// forms with their reasons, and the archive once it is written. They read
// the store only; batches are started by the scheduler or the batch API.

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

// batches is GET /batches: the latest batches, newest first.
func (w *web) batches(c *echo.Context) error {
	bs, _ := w.batchStore()
	list, err := bs.Batches(c.Request().Context(), "", 50)
	if err != nil {
		return err
	}
	views := make([]batchView, 0, len(list))
	for _, b := range list {
		views = append(views, viewOf(b))
	}
	return w.render(c, http.StatusOK, "batches", page{Title: "年度批量", Nav: "batches", Data: views})
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
	f, err := os.Open(b.Archive)
	if err != nil {
		return &reports.Error{Code: reports.ENOTFOUND, Message: "the archive file is gone", Err: err}
	}
	defer f.Close()
	name := fmt.Sprintf("%d年度绩效目标表-批量%d.zip", b.Spec.Year, b.ID)
	if b.Spec.Unit != "" {
		name = fmt.Sprintf("%d年度绩效目标表-%s-批量%d.zip", b.Spec.Year, b.Spec.Unit, b.ID)
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", contentDisposition("attachment", reports.SafeName(name)))
	h.Set("Content-Type", "application/zip")
	h.Set("Cache-Control", "private, no-cache")
	if b.ArchiveSHA256 != "" {
		h.Set("ETag", `"`+b.ArchiveSHA256+`"`)
	}
	// ServeContent answers ranges and conditional requests: archives of a
	// whole year are large and downloads get interrupted.
	http.ServeContent(c.Response(), c.Request(), name, st.ModTime(), f)
	return nil
}
