package batch

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/reportd/reportd/reports"
)

// Runner creates and runs batches. Its fields are its dependencies; the
// zero value of optional ones is a sensible default.
type Runner struct {
	Store     Store
	Renderers []reports.Renderer // one per format; Format() names it
	// Combiners write a unit's combined document (合订本) per format: "pdf"
	// (pdfbook), "ofd" (ofdbook). A batch gets the books of its formats
	// that have one; nil leaves books out of archives.
	Combiners map[string]Combiner
	// BookSize is the most forms one combined document holds; a larger unit
	// gets several volumes (合订本（第2册）…), which bounds the memory a
	// book takes. 200 when 0.
	BookSize int
	// Spool is the directory for work files (combined PDFs before they go
	// into the archive) and, unless Blobs says otherwise, rendered
	// documents and archives.
	Spool string
	// Blobs keeps rendered documents and archives; SpoolBlobs{Spool} when
	// nil.
	Blobs Blobs
	// Workers render in parallel; runtime.GOMAXPROCS(0) when 0.
	Workers int
	// Locker, when set, makes only one process run a given batch at a time
	// (PostgreSQL with several replicas).
	Locker gocron.Locker
	// Check validates a form by its family's rules; forms with errors fail
	// with the problems as reason. reports.Validate with the default
	// vocabulary when nil.
	Check func(*reports.Form) reports.Problems
	// Retention is applied after each batch this runner finishes (see
	// Prune); the zero value keeps every archive.
	Retention Retention
	Now       func() time.Time
	Log       *slog.Logger
	// Progress, when set, is called after each group of items is recorded.
	Progress func(Progress)

	// local serialises runs of one batch inside this process (a resume at
	// start and a schedule's catch-up can reach the same batch at once);
	// Locker does the same across processes.
	local sync.Map // batch id → *sync.Mutex
	// Enqueue, when set, hands a batch's work to a job queue shared by
	// every replica (riverbatch) instead of running it in this process:
	// Start and Resume call it.
	Enqueue func(ctx context.Context, id int64) error
}

// ErrLocked is returned by Run when another process holds the batch.
var ErrLocked = errors.New("batch is being run by another process")

// Formats lists the formats the runner can render.
func (r *Runner) Formats() []string {
	out := make([]string, len(r.Renderers))
	for i, rd := range r.Renderers {
		out[i] = rd.Format()
	}
	return out
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (r *Runner) blobs() Blobs {
	if r.Blobs != nil {
		return r.Blobs
	}
	return SpoolBlobs{Dir: r.Spool}
}

func (r *Runner) renderer(format string) reports.Renderer {
	for _, rd := range r.Renderers {
		if rd.Format() == format {
			return rd
		}
	}
	return nil
}

// Create records a new batch. archive is where its zip goes ("" puts it in
// the spool directory). With a non-empty key an existing batch of that key
// is returned instead (created=false).
func (r *Runner) Create(ctx context.Context, spec Spec, key, schedule, archive string) (Batch, bool, error) {
	if err := spec.Validate(r.Formats()); err != nil {
		return Batch{}, false, err
	}
	b := Batch{Spec: spec, Key: key, Schedule: schedule, State: StateRunning, Archive: archive, Created: r.now()}
	b, created, err := r.Store.CreateBatch(ctx, b)
	if err != nil {
		return Batch{}, false, fmt.Errorf("create batch: %w", err)
	}
	if created && b.Archive == "" {
		// The id is known only now; the store keeps the path we set here.
		b.Archive = r.blobs().ArchiveName(b.ID)
		if err := r.Store.UpdateBatch(ctx, b); err != nil {
			return Batch{}, false, fmt.Errorf("create batch: %w", err)
		}
	}
	return b, created, nil
}

// spoolDir holds a batch's work files until its archive is written (and,
// with SpoolBlobs, its rendered documents).
func (r *Runner) spoolDir(id int64) string {
	return filepath.Join(r.Spool, fmt.Sprintf("batch-%d.d", id))
}

func spoolName(it Item, format string) string {
	return strconv.Itoa(it.Seq) + "." + format
}

// Run renders what is not done yet and writes the archive. It is safe to
// call again after any interruption: finished items are kept, and the
// archive is written only when every item is done or failed. A cancelled
// context stops it promptly with the context's error, leaving the batch
// running (resumable).
func (r *Runner) Run(ctx context.Context, id int64) (Batch, error) {
	if r.Locker != nil {
		lock, err := r.Locker.Lock(ctx, LockKey(id))
		if err != nil {
			return Batch{}, fmt.Errorf("run batch %d: %w: %v", id, ErrLocked, err)
		}
		defer lock.Unlock(context.WithoutCancel(ctx))
	}
	defer r.lockLocal(id)()
	b, err := r.Store.Batch(ctx, id)
	if err != nil {
		return Batch{}, fmt.Errorf("run batch %d: %w", id, err)
	}
	if b.State == StateDone {
		return b, nil
	}
	if b.Archive == "" {
		// Read between CreateBatch and the update that records the path
		// (a resume at start racing a new batch): the path is derived.
		b.Archive = r.blobs().ArchiveName(b.ID)
	}
	b, err = r.run(ctx, b, false)
	if err == nil {
		r.pruneAfterRun(ctx, id)
	}
	if err != nil && ctx.Err() == nil {
		// Remember why it stopped, for GET /batches/{id}; the batch stays
		// running so the next start resumes it.
		b.Error = err.Error()
		if uerr := r.Store.UpdateBatch(context.WithoutCancel(ctx), b); uerr != nil {
			r.log().Error("record batch error", "batch", id, "err", uerr)
		}
	}
	return b, err
}

// lockLocal waits until no other run of batch id in this process holds
// it, and returns the unlock. The second of two concurrent runs then finds
// the batch done (or resumes what is left) instead of racing the first.
func (r *Runner) lockLocal(id int64) func() {
	m, _ := r.local.LoadOrStore(id, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// LockKey is the lock name of a batch for Runner.Locker.
func LockKey(id int64) string { return "reportd batch " + strconv.FormatInt(id, 10) }

func (r *Runner) run(ctx context.Context, b Batch, retried bool) (Batch, error) {
	items, err := r.Store.BatchItems(ctx, b.ID)
	if err != nil {
		return b, fmt.Errorf("run batch %d: %w", b.ID, err)
	}
	stored, err := r.blobs().Documents(ctx, b.ID)
	if err != nil {
		return b, fmt.Errorf("run batch %d: %w", b.ID, err)
	}
	p := Progress{Batch: b.ID, Total: len(items), Started: r.now(), Phase: "render"}
	var todo []Item
	for _, it := range items {
		switch {
		case it.State == ItemPending:
			todo = append(todo, it)
		case it.State == ItemDone && !spooled(stored, it):
			// Recorded but its file is gone (spool cleaned, disk
			// replaced): render it again rather than ship a hole.
			r.log().Warn("spooled output missing, rendering again", "batch", b.ID, "seq", it.Seq)
			todo = append(todo, it)
		case it.State == ItemDone:
			p.Done++
		default:
			p.Failed++
		}
	}
	p.Resumed = p.Done + p.Failed
	if p.Resumed > 0 {
		r.log().Info("resuming batch", "batch", b.ID, "finished", p.Resumed, "left", len(todo))
	}
	r.report(p)
	if err := r.render(ctx, b, todo, &p); err != nil {
		return b, err
	}
	p.Phase = "archive"
	r.report(p)
	return r.assemble(ctx, b, retried)
}

// Assemble writes the archive of a batch whose items are all done or
// failed, records the batch done and deletes its documents. A document
// that no longer matches its recorded hash is rendered again, once.
func (r *Runner) Assemble(ctx context.Context, id int64) (Batch, error) {
	if r.Locker != nil {
		lock, err := r.Locker.Lock(ctx, LockKey(id))
		if err != nil {
			return Batch{}, fmt.Errorf("assemble batch %d: %w: %v", id, ErrLocked, err)
		}
		defer lock.Unlock(context.WithoutCancel(ctx))
	}
	defer r.lockLocal(id)()
	b, err := r.Store.Batch(ctx, id)
	if err != nil {
		return b, fmt.Errorf("assemble batch %d: %w", id, err)
	}
	if b.State == StateDone {
		return b, nil
	}
	if b.Archive == "" {
		b.Archive = r.blobs().ArchiveName(b.ID)
	}
	b, err = r.assemble(ctx, b, false)
	if err == nil {
		r.pruneAfterRun(ctx, id)
	}
	return b, err
}

// Start runs a batch in this process, or queues its work when Enqueue is
// set; either way it is safe to call again for the same batch.
func (r *Runner) Start(ctx context.Context, id int64) error {
	if r.Enqueue != nil {
		return r.Enqueue(ctx, id)
	}
	_, err := r.Run(ctx, id)
	return err
}

func (r *Runner) assemble(ctx context.Context, b Batch, retried bool) (Batch, error) {
	items, err := r.Store.BatchItems(ctx, b.ID)
	if err != nil {
		return b, fmt.Errorf("run batch %d: %w", b.ID, err)
	}
	dir := r.spoolDir(b.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return b, fmt.Errorf("run batch %d: %w", b.ID, err)
	}
	size, sum, err := r.writeArchive(ctx, b, dir, items)
	var se *spoolError
	if errors.As(err, &se) && !retried {
		// A spooled file no longer matches its recorded hash (disk fault,
		// someone editing the spool): render that form again, once.
		r.log().Warn("spooled output changed, rendering again", "batch", b.ID, "seq", se.seq)
		for _, it := range items {
			if it.Seq == se.seq {
				it = r.RenderItem(ctx, b, it)
				if it.State == ItemPending {
					return b, ctx.Err()
				}
				if err := r.Store.SaveBatchItems(ctx, b.ID, []Item{it}); err != nil {
					return b, fmt.Errorf("run batch %d: %w", b.ID, err)
				}
			}
		}
		return r.assemble(ctx, b, true)
	}
	if err != nil {
		return b, fmt.Errorf("batch %d: write archive: %w", b.ID, err)
	}
	b.State, b.ArchiveSize, b.ArchiveSHA256, b.Error, b.Finished = StateDone, size, sum, "", r.now()
	if err := r.Store.UpdateBatch(context.WithoutCancel(ctx), b); err != nil {
		return b, fmt.Errorf("run batch %d: %w", b.ID, err)
	}
	// The archive is the result now; the documents are redundant.
	if _, err := r.blobs().DeleteDocuments(context.WithoutCancel(ctx), b.ID); err != nil {
		r.log().Warn("remove documents", "batch", b.ID, "err", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		r.log().Warn("remove spool", "dir", dir, "err", err)
	}
	return r.Store.Batch(context.WithoutCancel(ctx), b.ID)
}

func (r *Runner) report(p Progress) {
	if r.Progress != nil {
		r.Progress(p)
	}
}

func spooled(stored map[string]int64, it Item) bool {
	for _, o := range it.Outputs {
		if size, ok := stored[spoolName(it, o.Format)]; !ok || size != o.Size {
			return false
		}
	}
	return true
}

func (r *Runner) workers() int {
	if r.Workers > 0 {
		return r.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// render runs the workers and records results in groups: a crash loses at
// most the last group, whose items are rendered again on resume.
func (r *Runner) render(ctx context.Context, b Batch, todo []Item, p *Progress) error {
	workers := r.workers()
	jobs := make(chan Item)
	results := make(chan Item, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				results <- r.RenderItem(ctx, b, it)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, it := range todo {
			select {
			case jobs <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	const group = 64
	var pending []Item
	var saveErr error
	flush := func() {
		if len(pending) == 0 || saveErr != nil {
			return
		}
		// Results already rendered are worth keeping even when the run is
		// being cancelled.
		if err := r.Store.SaveBatchItems(context.WithoutCancel(ctx), b.ID, pending); err != nil {
			saveErr = fmt.Errorf("record batch %d items: %w", b.ID, err)
			return
		}
		for _, it := range pending {
			if it.State == ItemDone {
				p.Done++
			} else {
				p.Failed++
			}
		}
		pending = pending[:0]
		r.report(*p)
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case it, ok := <-results:
			if !ok {
				done = true
				break
			}
			if it.State == ItemPending {
				continue // interrupted mid-render: left for the next run
			}
			pending = append(pending, it)
			if len(pending) >= group {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
	flush()
	if saveErr != nil {
		return saveErr
	}
	return ctx.Err()
}

// RenderItem renders one form of b into the runner's Blobs. It returns the
// item pending when the context was cancelled, failed with a reason when
// the form cannot be rendered, done otherwise.
func (r *Runner) RenderItem(ctx context.Context, b Batch, it Item) Item {
	out, err := r.TryRenderItem(ctx, b, it)
	if err != nil {
		return failed(it, err.Error())
	}
	return out
}

// TryRenderItem is RenderItem that returns, instead of a failed item, the
// errors worth trying again: the store or blobs failing. A job queue
// retries those with backoff; a form that cannot be rendered is failed.
func (r *Runner) TryRenderItem(ctx context.Context, b Batch, it Item) (Item, error) {
	out := r.renderItem(ctx, b, it)
	if out.transient != nil && ctx.Err() == nil {
		return it, out.transient
	}
	return out.Item, nil
}

type rendered struct {
	Item
	transient error // storage failed: the reason, and worth trying again
}

func (r *Runner) renderItem(ctx context.Context, b Batch, it Item) rendered {
	if ctx.Err() != nil {
		return rendered{Item: it}
	}
	it.Outputs, it.Reason = nil, ""
	f, err := r.Store.FormVersion(ctx, it.FormID, it.Version)
	if err != nil {
		if ctx.Err() != nil {
			return rendered{Item: it}
		}
		out := rendered{Item: failed(it, "读取表单失败："+reports.ErrorMessage(err))}
		if reports.ErrorCode(err) != reports.ENOTFOUND {
			out.transient = errors.New(out.Reason)
		}
		return out
	}
	var probs reports.Problems
	if r.Check != nil {
		probs = r.Check(&f)
	} else {
		probs = reports.Check(&f, reports.DefaultRules)
	}
	it.Summary = Summary{Funds: f.Funds, Indicators: len(f.Indicators)}
	for _, pr := range probs {
		if pr.Severity == reports.SeverityError {
			it.Summary.Errors++
		} else {
			it.Summary.Warnings++
		}
	}
	if probs.HasErrors() {
		return rendered{Item: failed(it, "校验未通过："+joinProblems(probs.Errors()))}
	}
	for _, format := range b.Spec.Formats {
		rd := r.renderer(format)
		if rd == nil {
			return rendered{Item: failed(it, fmt.Sprintf("no renderer for format %q", format))}
		}
		var renderErr error
		out, err := r.blobs().PutDocument(ctx, b.ID, spoolName(it, format), func(w io.Writer) error {
			renderErr = rd.Render(ctx, w, &f)
			return renderErr
		})
		if err != nil {
			if ctx.Err() != nil {
				return rendered{Item: Item{Seq: it.Seq, FormID: it.FormID, Version: it.Version, Unit: it.Unit, Project: it.Project, State: ItemPending}}
			}
			reason := fmt.Sprintf("生成%s失败：%v", strings.ToUpper(format), err)
			out := rendered{Item: failed(it, reason)}
			if renderErr == nil {
				// The document rendered; storing it failed.
				out.transient = errors.New(reason)
			}
			return out
		}
		out.Format = format
		it.Outputs = append(it.Outputs, out)
	}
	it.State = ItemDone
	return rendered{Item: it}
}

func failed(it Item, reason string) Item {
	it.State, it.Reason, it.Outputs = ItemFailed, reason, nil
	return it
}

// joinProblems lists the first few errors for a reason a clerk can act on.
func joinProblems(ps reports.Problems) string {
	const max = 5
	var parts []string
	for i, p := range ps {
		if i == max {
			parts = append(parts, fmt.Sprintf("等共%d项", len(ps)))
			break
		}
		parts = append(parts, p.Label()+"："+p.Message)
	}
	return strings.Join(parts, "；")
}

// spool writes one document to dir/name through a temporary file, so a file
// under its final name is always complete, and returns its size and hash.
func spool(dir, name string, write func(io.Writer) error) (Output, error) {
	tmp, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return Output{}, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	bw := bufio.NewWriterSize(cw, 64<<10)
	if err := write(bw); err != nil {
		tmp.Close()
		return Output{}, err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return Output{}, err
	}
	if err := tmp.Close(); err != nil {
		return Output{}, err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return Output{}, err
	}
	return Output{Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Resume runs every batch left running (by a crash or a shutdown), oldest
// first. Batches another replica holds are skipped.
func (r *Runner) Resume(ctx context.Context) error {
	bs, err := r.Store.Batches(ctx, StateRunning, 0)
	if err != nil {
		return fmt.Errorf("resume batches: %w", err)
	}
	var errs []error
	for i := len(bs) - 1; i >= 0; i-- {
		if err := r.Start(ctx, bs[i].ID); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, ErrLocked) {
				continue
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
