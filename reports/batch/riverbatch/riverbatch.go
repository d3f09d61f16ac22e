package riverbatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store/postgres"
)

// QueueName is the River queue of batch jobs.
const QueueName = "reportd_batch"

// Defaults of Config.
const (
	DefaultRenderTimeout   = time.Minute
	DefaultRescueAfter     = 2 * time.Minute
	DefaultAssembleTimeout = 30 * time.Minute
	renderAttempts         = 8
)

// uniqueStates: a job is not inserted again while one for the same
// arguments waits or runs. Completed jobs are left out so that a batch
// whose item was reset can be enqueued again (the new job finds the item
// done, or renders it).
var uniqueStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}

// RenderArgs is one form of a batch.
type RenderArgs struct {
	Batch int64 `json:"batch"`
	Seq   int   `json:"seq"`
}

func (RenderArgs) Kind() string { return "reportd_batch_render" }

func (RenderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueName, MaxAttempts: renderAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// AssembleArgs writes a batch's archive.
type AssembleArgs struct {
	Batch int64 `json:"batch"`
}

func (AssembleArgs) Kind() string { return "reportd_batch_assemble" }

func (AssembleArgs) InsertOpts() river.InsertOpts {
	// Higher priority (1 is first): the archive is what everyone waits for.
	return river.InsertOpts{Queue: QueueName, MaxAttempts: 25, Priority: 1,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// Config is what New needs.
type Config struct {
	DB     *postgres.DB
	Runner *batch.Runner // its Store is DB, its Blobs DB.Blobs()
	// Workers is how many jobs this replica runs at once; 0 means
	// runtime.GOMAXPROCS, as the in-process runner.
	Workers int
	// ID names this replica in River (job attempts, leader election):
	// unique per process.
	ID string
	// RenderTimeout bounds one form's job; RescueAfter is how long a job
	// may run before River takes it for dead (its replica gone) and runs
	// it again elsewhere; it must be at least RenderTimeout.
	// AssembleTimeout bounds writing the archive, and is also how long a
	// dead assembler's job waits to be rescued.
	RenderTimeout, RescueAfter, AssembleTimeout time.Duration
	Log                                         *slog.Logger
}

// Queue runs batch jobs on this replica and queues new batches.
type Queue struct {
	cfg    Config
	client *river.Client[pgx.Tx]
	log    *slog.Logger
}

// migrationLock serialises River migrations of replicas starting at once.
const migrationLock = 7_465_170_424

// Migrate brings River's tables in db's schema up to date. Replicas
// starting at once take turns under an advisory lock (held by a connection
// of its own: River's migrations cannot all run in one transaction).
func Migrate(ctx context.Context, db *postgres.DB) error {
	m, err := rivermigrate.New(riverpgxv5.New(db.Pool()), &rivermigrate.Config{Schema: db.Schema()})
	if err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	// Closing the connection (not returning it) releases the lock whatever
	// happened.
	defer func() { conn.Hijack().Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	return nil
}

// New migrates River's tables and builds the queue; Start starts working.
func New(ctx context.Context, cfg Config) (*Queue, error) {
	if cfg.RenderTimeout <= 0 {
		cfg.RenderTimeout = DefaultRenderTimeout
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = max(DefaultRescueAfter, 2*cfg.RenderTimeout)
	}
	if cfg.RescueAfter < cfg.RenderTimeout {
		return nil, fmt.Errorf("batch jobs: rescue after %s is shorter than the render timeout %s", cfg.RescueAfter, cfg.RenderTimeout)
	}
	if cfg.AssembleTimeout <= 0 {
		cfg.AssembleTimeout = DefaultAssembleTimeout
	}
	if cfg.Workers <= 0 {
		cfg.Workers = cfg.Runner.Workers
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := Migrate(ctx, cfg.DB); err != nil {
		return nil, err
	}
	q := &Queue{cfg: cfg, log: log}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &renderWorker{q: q}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &assembleWorker{q: q}); err != nil {
		return nil, err
	}
	client, err := river.NewClient(riverpgxv5.New(cfg.DB.Pool()), &river.Config{
		ID:                   cfg.ID,
		Schema:               cfg.DB.Schema(),
		Queues:               map[string]river.QueueConfig{QueueName: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		JobTimeout:           cfg.RenderTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		Logger:               log.With("component", "river"),
		// A batch's rows are kept by the batch; finished jobs are only
		// history.
		CompletedJobRetentionPeriod: 24 * time.Hour,
	})
	if err != nil {
		return nil, fmt.Errorf("batch jobs: %w", err)
	}
	q.client = client
	return q, nil
}

// Start starts this replica's workers and River's maintenance (rescue of
// stuck jobs, clean-up) when it is elected leader.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop lets running jobs finish (up to ctx), then stops. Jobs cut short
// are rescued and run again.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return q.client.StopAndCancel(context.Background())
	}
	return err
}

// Enqueue queues the work left of a batch: a render job per pending form,
// or the assemble job when none is pending. Jobs already queued are not
// inserted twice.
func (q *Queue) Enqueue(ctx context.Context, id int64) error {
	b, err := q.cfg.DB.Batch(ctx, id)
	if err != nil {
		return err
	}
	if b.State == batch.StateDone {
		return nil
	}
	if b.Archive != "" && !q.cfg.DB.Blobs().Owns(b) {
		// Started by `reportd batch run -o FILE`: that command renders
		// it into its own spool and file, and resumes it when run again.
		q.log.Info("not queueing a batch run by the command line", "batch", id, "archive", b.Archive)
		return nil
	}
	seqs, err := q.cfg.DB.PendingItems(ctx, id)
	if err != nil {
		return err
	}
	if len(seqs) == 0 {
		_, err := q.client.Insert(ctx, AssembleArgs{Batch: id}, nil)
		return err
	}
	const chunk = 1000
	for start := 0; start < len(seqs); start += chunk {
		params := make([]river.InsertManyParams, 0, chunk)
		for _, seq := range seqs[start:min(start+chunk, len(seqs))] {
			params = append(params, river.InsertManyParams{Args: RenderArgs{Batch: id, Seq: seq}})
		}
		if _, err := q.client.InsertMany(ctx, params); err != nil {
			return fmt.Errorf("queue batch %d: %w", id, err)
		}
	}
	q.log.Info("queued batch", "batch", id, "forms", len(seqs))
	return nil
}

type renderWorker struct {
	river.WorkerDefaults[RenderArgs]
	q *Queue
}

func (w *renderWorker) Work(ctx context.Context, job *river.Job[RenderArgs]) error {
	q, a := w.q, job.Args
	b, it, err := q.cfg.DB.BatchItem(ctx, a.Batch, a.Seq)
	if err != nil {
		if reports.ErrorCode(err) == reports.ENOTFOUND {
			return river.JobCancel(err) // the batch was deleted
		}
		return err
	}
	if b.State == batch.StateDone || it.State != batch.ItemPending {
		return nil // rendered by an earlier attempt
	}
	out, err := q.cfg.Runner.TryRenderItem(ctx, b, it)
	if err != nil {
		if job.Attempt < job.MaxAttempts {
			return err // River retries with backoff
		}
		// The last attempt: record the form failed so that the batch
		// finishes, with what went wrong.
		out = it
		out.State, out.Reason, out.Outputs = batch.ItemFailed, err.Error(), nil
	}
	if out.State == batch.ItemPending {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errors.New("render interrupted")
	}
	_, left, err := q.cfg.DB.FinishBatchItem(ctx, a.Batch, out)
	if err != nil {
		return err
	}
	if !left {
		if _, err := q.client.Insert(ctx, AssembleArgs{Batch: a.Batch}, nil); err != nil {
			return fmt.Errorf("queue the archive of batch %d: %w", a.Batch, err)
		}
	}
	return nil
}

type assembleWorker struct {
	river.WorkerDefaults[AssembleArgs]
	q *Queue
}

func (w *assembleWorker) Timeout(*river.Job[AssembleArgs]) time.Duration {
	return w.q.cfg.AssembleTimeout
}

func (w *assembleWorker) Work(ctx context.Context, job *river.Job[AssembleArgs]) error {
	q, id := w.q, job.Args.Batch
	left, err := q.cfg.DB.PendingLeft(ctx, id)
	if err != nil {
		return err
	}
	if left {
		// Not reached in the normal course (the last render queues this
		// job); queue what is missing and try again later.
		if err := q.Enqueue(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("batch %d still has pending forms", id)
	}
	b, err := q.cfg.Runner.Assemble(ctx, id)
	if errors.Is(err, batch.ErrLocked) {
		// Another replica is writing it (this job was rescued while
		// that one still runs): look again later.
		return river.JobSnooze(15 * time.Second)
	}
	if err != nil {
		return err
	}
	q.log.Info("batch done", "batch", id, "forms", b.Total, "failed", b.Failed, "archive_bytes", b.ArchiveSize)
	return nil
}
