package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store"
)

// Batches is what the year-end batch routes need. The serve command builds
// it (cmd/reportd NewBatches, StartScheduler) and calls MountBatches.
type Batches struct {
	Runner *batch.Runner
	// Scheduler lists the schedules; nil lists none.
	Scheduler *batch.Scheduler
	// Ctx bounds batches started over HTTP: the service's lifetime, not
	// the request's. A batch cut short by shutdown is resumed at the next
	// start.
	Ctx context.Context
	Log *slog.Logger
}

// MountBatches adds the batch routes (admins only):
//
//	POST /api/v1/batches                   start a batch: 202 + Location
//	GET  /api/v1/batches                   the latest batches
//	GET  /api/v1/batches/{id}              state, counts, failures and their reasons
//	GET  /api/v1/batches/{id}/archive.zip  the archive, once done; 410 once pruned
//	GET  /api/v1/schedules                 schedules with their next run
//
// Batches run one at a time, in the order they were started.
func (s *Server) MountBatches(b Batches) {
	if b.Log == nil {
		b.Log = s.log
	}
	if b.Ctx == nil {
		b.Ctx = context.Background()
	}
	h := &batchHandlers{b: b, queue: make(chan struct{}, 1), audit: s.cfg.Store}
	s.openArchive = b.Runner.OpenArchive
	admin := s.require(store.RoleAdmin)
	v1 := s.echo.Group("/api/v1")
	v1.POST("/batches", h.post, admin)
	v1.GET("/batches", h.list, admin)
	v1.GET("/batches/:id", h.get, admin)
	v1.GET("/batches/:id/archive.zip", h.archive, admin)
	v1.GET("/schedules", h.schedules, admin)
}

type batchHandlers struct {
	b     Batches
	queue chan struct{} // one batch renders at a time
	audit store.AuditStore
}

// batchRequest is the body of POST /api/v1/batches.
type batchRequest struct {
	Year    int      `json:"year"`
	Unit    string   `json:"unit,omitempty"`
	Formats []string `json:"formats,omitempty"` // default: every format the server renders
}

// batchJSON is a batch as the API shows it.
type batchJSON struct {
	ID       int64      `json:"id"`
	State    string     `json:"state"`
	Year     int        `json:"year"`
	Unit     string     `json:"unit,omitempty"`
	Formats  []string   `json:"formats"`
	Schedule string     `json:"schedule,omitempty"`
	Total    int        `json:"total"`
	Done     int        `json:"done"`
	Failed   int        `json:"failed"`
	Pending  int        `json:"pending"`
	Created  time.Time  `json:"created"`
	Finished *time.Time `json:"finished,omitempty"`
	Error    string     `json:"error,omitempty"`
	// Archive is null until the batch is done, and again once the
	// retention policy deleted it (ArchivePruned says when).
	Archive       *archiveJSON  `json:"archive"`
	ArchivePruned *time.Time    `json:"archive_pruned,omitempty"`
	Failures      []failureJSON `json:"failures,omitempty"`
	StatusURL     string        `json:"url"`
}

type archiveJSON struct {
	URL    string `json:"url"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type failureJSON struct {
	FormID  int64  `json:"form_id"`
	Version int    `json:"version"`
	Unit    string `json:"unit"`
	Project string `json:"project"`
	Reason  string `json:"reason"`
}

func batchURL(id int64) string { return "/api/v1/batches/" + strconv.FormatInt(id, 10) }

func toBatchJSON(b batch.Batch) batchJSON {
	out := batchJSON{ID: b.ID, State: string(b.State), Year: b.Spec.Year, Unit: b.Spec.Unit, Formats: b.Spec.Formats,
		Schedule: b.Schedule, Total: b.Total, Done: b.Done, Failed: b.Failed, Pending: b.Total - b.Done - b.Failed,
		Created: b.Created, Error: b.Error, StatusURL: batchURL(b.ID)}
	if !b.Finished.IsZero() {
		f := b.Finished
		out.Finished = &f
	}
	switch {
	case !b.ArchivePruned.IsZero():
		p := b.ArchivePruned
		out.ArchivePruned = &p
	case b.State == batch.StateDone:
		out.Archive = &archiveJSON{URL: batchURL(b.ID) + "/archive.zip", Size: b.ArchiveSize, SHA256: b.ArchiveSHA256}
	}
	return out
}

// prunedError is the answer for the archive of a batch the retention
// policy deleted: 410, with what to do instead.
func prunedError(b batch.Batch) error {
	what := fmt.Sprintf("%d", b.Spec.Year)
	if b.Spec.Unit != "" {
		what += " " + b.Spec.Unit
	}
	return reports.Errorf(reports.EGONE,
		"the archive of batch %d was deleted on %s by the retention policy (older archives are not kept); start a new batch of %s to render it again",
		b.ID, b.ArchivePruned.UTC().Format(time.RFC3339), what)
}

func (h *batchHandlers) post(c *echo.Context) error {
	var req batchRequest
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return reports.Errorf(reports.EINVALID, "batch request: %v (expected {\"year\": 2020, \"unit\": \"…\", \"formats\": [\"pdf\", \"xlsx\"]})", err)
	}
	if len(req.Formats) == 0 {
		req.Formats = h.b.Runner.Formats()
	}
	spec := batch.Spec{Year: req.Year, Unit: strings.TrimSpace(req.Unit), Formats: req.Formats}
	// An Idempotency-Key makes a retried POST find the batch it started.
	key := strings.TrimSpace(c.Request().Header.Get("Idempotency-Key"))
	if key != "" {
		key = "api " + key
	}
	b, created, err := h.b.Runner.Create(c.Request().Context(), spec, key, "", "")
	if err != nil {
		return err
	}
	if created {
		detail := fmt.Sprintf("batch %d: %d forms of %d %s (%s)", b.ID, b.Total, spec.Year, spec.Unit, strings.Join(spec.Formats, ","))
		if err := h.audit.Record(c.Request().Context(), store.AuditEntry{Action: store.AuditBatchStart, Detail: detail}); err != nil {
			h.b.Log.Warn("audit batch start", "batch", b.ID, "err", err)
		}
		go h.run(b.ID)
	}
	c.Response().Header().Set("Location", batchURL(b.ID))
	return c.JSON(http.StatusAccepted, toBatchJSON(b))
}

// run renders a batch in the background, after the ones before it.
func (h *batchHandlers) run(id int64) {
	select {
	case h.queue <- struct{}{}:
	case <-h.b.Ctx.Done():
		return // resumed at the next start
	}
	defer func() { <-h.queue }()
	// With a job queue (several replicas) Start only queues the work.
	if err := h.b.Runner.Start(h.b.Ctx, id); err != nil && h.b.Ctx.Err() == nil && !errors.Is(err, batch.ErrLocked) {
		h.b.Log.Error("batch failed", "batch", id, "err", err)
	}
}

func batchID(c *echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, reports.Errorf(reports.ENOTFOUND, "no batch %q", c.Param("id"))
	}
	return id, nil
}

func (h *batchHandlers) list(c *echo.Context) error {
	bs, err := h.b.Runner.Store.Batches(c.Request().Context(), "", 100)
	if err != nil {
		return err
	}
	out := make([]batchJSON, 0, len(bs))
	for _, b := range bs {
		out = append(out, toBatchJSON(b))
	}
	return c.JSON(http.StatusOK, map[string]any{"batches": out})
}

func (h *batchHandlers) get(c *echo.Context) error {
	id, err := batchID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := h.b.Runner.Store.Batch(ctx, id)
	if err != nil {
		return err
	}
	out := toBatchJSON(b)
	if b.Failed > 0 {
		items, err := h.b.Runner.Store.BatchItems(ctx, id)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.State == batch.ItemFailed {
				out.Failures = append(out.Failures, failureJSON{FormID: it.FormID, Version: it.Version, Unit: it.Unit, Project: it.Project, Reason: it.Reason})
			}
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

func (h *batchHandlers) archive(c *echo.Context) error {
	id, err := batchID(c)
	if err != nil {
		return err
	}
	b, err := h.b.Runner.Store.Batch(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if b.State != batch.StateDone {
		return reports.Errorf(reports.ECONFLICT, "batch %d is not finished: %d of %d forms done", id, b.Done+b.Failed, b.Total)
	}
	if !b.ArchivePruned.IsZero() {
		return prunedError(b)
	}
	// Any replica serves any archive: with PostgreSQL it is read from the
	// database, not from the disk of the replica that assembled it.
	f, err := h.b.Runner.OpenArchive(c.Request().Context(), b)
	if err != nil {
		return err
	}
	defer f.Close()
	name := archiveName(b)
	hd := c.Response().Header()
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", contentDisposition("attachment", name, ""))
	hd.Set("ETag", `"`+b.ArchiveSHA256+`"`)
	hd.Set("Cache-Control", "private, max-age=31536000, immutable") // a done archive never changes
	// ServeContent answers Range and If-None-Match: a 600 MB download
	// can resume.
	http.ServeContent(c.Response(), c.Request(), name, b.Finished, f)
	return nil
}

// archiveName is the one name of a batch's archive, the same from the
// API and the pages and in both filename parameters: ASCII, and unique
// per batch (a unit's batch is told apart by its ID, listed with its unit).
func archiveName(b batch.Batch) string {
	return fmt.Sprintf("reportd-%d-batch-%d.zip", b.Spec.Year, b.ID)
}

func (h *batchHandlers) schedules(c *echo.Context) error {
	var list []batch.ScheduleInfo
	if h.b.Scheduler != nil {
		var err error
		if list, err = h.b.Scheduler.List(c.Request().Context()); err != nil {
			return err
		}
	}
	if list == nil {
		list = []batch.ScheduleInfo{}
	}
	return c.JSON(http.StatusOK, map[string]any{"schedules": list})
}
