package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/batch/ofdbook"
	"github.com/reportd/reportd/reports/batch/pdfbook"
	"github.com/reportd/reportd/reports/batch/pglock"
	"github.com/reportd/reportd/reports/batch/riverbatch"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/ofd"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/postgres"
)

const batchUsage = `usage: reportd batch run -year 2020 [-unit 申报单位] [-format pdf,ofd,xlsx] [-o FILE.zip]
       reportd batch list | show ID | verify FILE.zip
       reportd batch prune [-keep-archives N] [-keep-days D] [-dry-run]
       reportd batch generate -n 5000 [-year 2020] [-units 50] [-sample FILE]`

func runBatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, batchUsage)
		return exitError{2}
	}
	if isHelp(args[0]) {
		fmt.Fprintln(e.stdout, batchUsage)
		fmt.Fprintln(e.stdout, "\nRun 'reportd batch SUBCOMMAND -h' for its flags and examples.")
		return nil
	}
	switch args[0] {
	case "run":
		return runBatchRun(ctx, e, args[1:])
	case "list":
		return runBatchList(ctx, e, args[1:])
	case "show":
		return runBatchShow(ctx, e, args[1:])
	case "verify":
		return runBatchVerify(e, args[1:])
	case "generate":
		return runBatchGenerate(ctx, e, args[1:])
	case "prune":
		return runBatchPrune(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "reportd batch: unknown subcommand %q\n%s\n", args[0], batchUsage)
	return exitError{2}
}

// batchStore opens the store and checks it keeps batches.
func batchStore(ctx context.Context, sf storeFlags) (store.Store, batch.Store, error) {
	st, err := sf.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	bs, ok := st.(batch.Store)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("the %T store does not keep batches", st)
	}
	return st, bs, nil
}

// BatchConfig is what NewBatches needs: the serve command and `batch run`
// share it.
type BatchConfig struct {
	Store     batch.Store
	Renderers map[string]reports.Renderer
	Families  *family.Registry
	Spool     string // directory for rendered documents and archives
	Workers   int
	DB        string // postgres://… when replicas share a database: enables advisory locks
	// Blobs keeps documents and archives; files in Spool when nil.
	Blobs batch.Blobs
	// Namespace tells apart the advisory locks of databases sharing a
	// server; the PostgreSQL store's schema when empty.
	Namespace string
	Log       *slog.Logger
	Progress  func(batch.Progress)
}

// NewBatches builds the batch runner and its locker: PostgreSQL advisory
// locks when DB is set (close the returned locker when done), flock(2)
// files in the spool for SQLite.
func NewBatches(ctx context.Context, cfg BatchConfig) (*batch.Runner, *pglock.Locker, error) {
	r := &batch.Runner{
		Store:    cfg.Store,
		Spool:    cfg.Spool,
		Blobs:    cfg.Blobs,
		Workers:  cfg.Workers,
		Log:      cfg.Log,
		Progress: cfg.Progress,
		Check: func(f *reports.Form) reports.Problems {
			rules, err := rulesFor(cfg.Families, f)
			if err != nil {
				return reports.Problems{{Severity: reports.SeverityError, Path: "family", Message: err.Error()}}
			}
			return reports.Check(f, rules)
		},
	}
	for _, name := range slices.Sorted(mapsKeys(cfg.Renderers)) {
		r.Renderers = append(r.Renderers, cfg.Renderers[name])
	}
	// Unit books (合订本) in the formats that have a binder.
	r.Combiners = map[string]batch.Combiner{}
	if p, ok := cfg.Renderers["pdf"].(*pdf.Renderer); ok {
		r.Combiners["pdf"] = &pdfbook.Binder{R: p}
	}
	if o, ok := cfg.Renderers["ofd"].(*ofd.Renderer); ok {
		r.Combiners["ofd"] = &ofdbook.Binder{R: o}
	}
	var locker *pglock.Locker
	if cfg.DB != "" {
		l, err := pglock.Open(ctx, cfg.DB)
		if err != nil {
			return nil, nil, err
		}
		l.Namespace = cfg.Namespace
		if pg, ok := cfg.Store.(*postgres.DB); ok && l.Namespace == "" {
			// Schemas of one server do not share batch locks.
			l.Namespace = pg.Schema()
		}
		r.Locker, locker = l, l
	} else {
		r.Locker = batch.FileLocker{Dir: filepath.Join(cfg.Spool, "locks")}
	}
	return r, locker, nil
}

// StartScheduler starts the year-end schedules (and resumes interrupted
// batches) for `reportd serve`. schedules come from REPORTD_SCHEDULES
// (see ParseSchedules); empty means the default: every unit's forms of
// the ending year, PDF and XLSX, on 31 December at 02:00 Asia/Shanghai.
// Call Stop on the result at shutdown.
// The runner's locker also makes each tick run on one process only.
func StartScheduler(ctx context.Context, r *batch.Runner, spec string, log *slog.Logger) (*batch.Scheduler, error) {
	// The default documents stay PDF and XLSX; OFD is asked for by a
	// schedule's format=pdf+ofd+xlsx or a batch's formats.
	var defaults []string
	for _, f := range r.Formats() {
		if f != "ofd" {
			defaults = append(defaults, f)
		}
	}
	schedules, err := ParseSchedules(spec, defaults)
	if err != nil {
		return nil, err
	}
	s := &batch.Scheduler{Runner: r, Schedules: schedules, Log: log, Locker: r.Locker}
	if err := s.Start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// ParseSchedules reads schedules written one per ";": NAME=CRON[,year=Y]
// [,unit=U][,format=pdf+xlsx], e.g.
// "year-end=0 2 31 12 *;unit-a=0 3 31 12 *,unit=市财政局,format=pdf".
// Empty gives the default year-end schedule with formats.
func ParseSchedules(spec string, formats []string) ([]batch.Schedule, error) {
	if strings.TrimSpace(spec) == "" {
		return []batch.Schedule{{Name: "year-end", Cron: batch.DefaultCron, Formats: formats}}, nil
	}
	var out []batch.Schedule
	for _, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, rest, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("schedule %q: expected NAME=CRON[,year=Y][,unit=U][,format=pdf+xlsx]", part)
		}
		fields := strings.Split(rest, ",")
		sc := batch.Schedule{Name: strings.TrimSpace(name), Cron: strings.TrimSpace(fields[0]), Formats: formats}
		for _, f := range fields[1:] {
			k, v, _ := strings.Cut(f, "=")
			switch strings.TrimSpace(k) {
			case "year":
				y, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil {
					return nil, fmt.Errorf("schedule %s: year %q is not a number", sc.Name, v)
				}
				sc.Year = y
			case "unit":
				sc.Unit = strings.TrimSpace(v)
			case "format":
				sc.Formats = batch.ParseFormats(strings.ReplaceAll(v, "+", ","))
			default:
				return nil, fmt.Errorf("schedule %s: unknown option %q (year, unit, format)", sc.Name, k)
			}
		}
		out = append(out, sc)
	}
	return out, nil
}

func runBatchRun(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("batch run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	year := fs.Int("year", 0, "年度 of the forms (required)")
	unit := fs.String("unit", "", "only this 申报单位 (exact name)")
	format := fs.String("format", "pdf,xlsx", "documents per form, comma-separated: pdf, ofd, xlsx (pdf and ofd also bind a book per unit)")
	out := fs.String("o", "", "archive file (default: reportd-YEAR[-UNIT].zip in the current directory)")
	spool := fs.String("spool", "", "directory for rendered documents until the archive is written (default: DATA/spool)")
	workers := fs.Int("workers", 0, "renders at once (0: one per CPU)")
	fresh := fs.Bool("new", false, "start a new batch even if an interrupted one with the same settings exists")
	force := fs.Bool("force", false, "overwrite an existing -o file (the batches that wrote it are then recorded as replaced)")
	fs.BoolVar(&e.pdfa, "pdfa", e.getenv("REPORTD_PDFA") == "1", "write PDFs as PDF/A-2b for archiving (XMP metadata, sRGB output intent; env REPORTD_PDFA=1)")
	sf := addStoreFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "-year YEAR [-unit 申报单位] [-format pdf,ofd,xlsx] [-o FILE.zip] [flags]",
		about:    "Render every stored form of the year (and unit) into one archive with a manifest and 汇总.xlsx.\nRefuses a year without forms (exit 1). An interrupted run resumes when started again with the same flags.",
		examples: []string{"reportd batch run -year 2020", "reportd batch run -year 2020 -unit 上海市财政局 -format pdf -o 2020-财政局.zip"}}); err != nil {
		return err
	}
	if *year == 0 || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, batchUsage)
		return exitError{2}
	}
	formats := batch.ParseFormats(*format)
	fams, err := loadFamilies(e)
	if err != nil {
		return err
	}
	renderers := map[string]reports.Renderer{}
	for _, f := range formats {
		if _, dup := renderers[f]; dup {
			continue // Spec.Validate names the duplicate
		}
		r, err := newRenderer(e, f, fams)
		if err != nil {
			return fmt.Errorf("-format: %w", err)
		}
		renderers[f] = r
	}
	spec := batch.Spec{Year: *year, Unit: *unit, Formats: formats}
	if err := spec.Validate(slices.Collect(mapsKeys(renderers))); err != nil {
		return err
	}
	archive := *out
	if archive == "" {
		name := fmt.Sprintf("reportd-%d", *year)
		if *unit != "" {
			name += "-" + *unit
		}
		archive = reports.SafeName(name) + ".zip"
	}
	if archive, err = filepath.Abs(archive); err != nil {
		return err
	}
	if *spool == "" {
		*spool = filepath.Join(*sf.data, "spool")
	}
	st, bs, err := batchStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()

	bar := newProgressBar(e.stderr)
	logLevel := slog.LevelInfo
	if bar.tty {
		logLevel = slog.LevelWarn // keep the bar readable
	}
	log := slog.New(slog.NewTextHandler(bar, &slog.HandlerOptions{Level: logLevel}))
	r, locker, err := NewBatches(ctx, BatchConfig{Store: bs, Renderers: renderers, Families: fams, Spool: *spool,
		Workers: *workers, DB: *sf.db, Log: log, Progress: bar.update})
	if err != nil {
		return err
	}
	if locker != nil {
		defer locker.Close()
	}

	// One writer per archive path on this host: two runs with the same -o
	// would each record the size and SHA-256 of a file the other replaces.
	lock, err := batch.FileLocker{Dir: filepath.Join(*spool, "locks")}.Lock(ctx, "archive "+archive)
	if err != nil {
		return fmt.Errorf("%s: another batch run is writing this archive (%v)", archive, err)
	}
	defer lock.Unlock(context.WithoutCancel(ctx))

	b, err := findResumable(ctx, bs, spec, archive)
	if err != nil {
		return err
	}
	if b.ID == 0 || *fresh {
		if err := claimArchive(ctx, bs, archive, *force); err != nil {
			return err
		}
		// An archive of nothing, with exit 0, would pass for a year's work
		// done: a wrong -year, -unit or -data must be noticed.
		if page, err := st.ListForms(ctx, store.ListFilter{Year: *year, Unit: *unit, PageSize: 1}); err != nil {
			return err
		} else if page.Total == 0 {
			return fmt.Errorf("no forms for %d%s in %s: nothing to archive (check -year, -unit and -data/-db)", *year, unitNote(*unit), sf.describe())
		}
	}
	if b.ID != 0 && !*fresh {
		fmt.Fprintf(e.stderr, "resuming batch %d (%d of %d forms already finished)\n", b.ID, b.Done+b.Failed, b.Total)
	} else {
		if b, _, err = r.Create(ctx, spec, "", "", archive); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "batch %d: %d forms of %d%s\n", b.ID, b.Total, *year, unitNote(*unit))
	}
	start := time.Now()
	b, err = r.Run(ctx, b.ID)
	bar.finish()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted; run the same command again to resume batch %d", b.ID)
		}
		return err
	}
	fmt.Fprintf(e.stderr, "batch %d: %d forms, %d done, %d failed in %s\n", b.ID, b.Total, b.Done, b.Failed, time.Since(start).Round(time.Millisecond))
	if b.Failed > 0 {
		printFailures(ctx, e.stderr, bs, b.ID)
	}
	fmt.Fprintf(e.stdout, "%s\t%d bytes\tsha256 %s\n", b.Archive, b.ArchiveSize, b.ArchiveSHA256)
	return nil
}

func unitNote(unit string) string {
	if unit == "" {
		return ""
	}
	return " of " + unit
}

// claimArchive refuses to overwrite an existing archive file, or one an
// unfinished batch will write, unless force; with force, every earlier
// batch that recorded this path is marked as no longer having its archive
// there, so that no record describes a file another batch replaced.
func claimArchive(ctx context.Context, bs batch.Store, archive string, force bool) error {
	_, statErr := os.Stat(archive)
	var others []batch.Batch
	for _, state := range []batch.State{batch.StateRunning, batch.StateDone} {
		bb, err := bs.Batches(ctx, state, 0)
		if err != nil {
			return err
		}
		for _, b := range bb {
			if b.Archive == archive && b.ArchivePruned.IsZero() {
				others = append(others, b)
			}
		}
	}
	if !force {
		if statErr == nil {
			return fmt.Errorf("%s exists: choose another -o, or pass -force to overwrite it", archive)
		}
		for _, b := range others {
			if b.State == batch.StateRunning {
				return fmt.Errorf("%s is the archive of unfinished batch %d (other settings): choose another -o, or pass -force", archive, b.ID)
			}
		}
		return nil
	}
	for _, b := range others {
		if b.State == batch.StateDone {
			if err := bs.MarkArchivePruned(ctx, b.ID, time.Now()); err != nil {
				return err
			}
		}
	}
	return nil
}

// findResumable returns the newest unfinished batch with the same spec and
// archive, if any: running the same command again after a crash resumes.
func findResumable(ctx context.Context, bs batch.Store, spec batch.Spec, archive string) (batch.Batch, error) {
	running, err := bs.Batches(ctx, batch.StateRunning, 0)
	if err != nil {
		return batch.Batch{}, err
	}
	for _, b := range running {
		if b.Spec.Year == spec.Year && b.Spec.Unit == spec.Unit && slices.Equal(b.Spec.Formats, spec.Formats) && b.Archive == archive {
			return b, nil
		}
	}
	return batch.Batch{}, nil
}

func printFailures(ctx context.Context, w io.Writer, bs batch.Store, id int64) {
	items, err := bs.BatchItems(ctx, id)
	if err != nil {
		return
	}
	const max = 20
	n := 0
	for _, it := range items {
		if it.State != batch.ItemFailed {
			continue
		}
		if n++; n <= max {
			fmt.Fprintf(w, "  failed: form %d %s / %s: %s\n", it.FormID, it.Unit, it.Project, it.Reason)
		}
	}
	if n > max {
		fmt.Fprintf(w, "  … and %d more (see manifest.json and 汇总.xlsx in the archive)\n", n-max)
	}
}

func runBatchList(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("batch list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[flags]",
		about:    "List the batches, newest first, with their state and archive (times in Beijing time).",
		examples: []string{"reportd batch list"}}); err != nil {
		return err
	}
	st, bs, err := batchStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := bs.Batches(ctx, "", 50)
	if err != nil {
		return err
	}
	for _, b := range list {
		archive := b.Archive
		if !b.ArchivePruned.IsZero() {
			archive = "(archive pruned " + b.ArchivePruned.In(china).Format(time.DateOnly) + ")"
		}
		fmt.Fprintf(e.stdout, "%d\t%s\t%d%s\t%s\t%d/%d done, %d failed\t%s\t%s\n", b.ID, b.State, b.Spec.Year, unitNote(b.Spec.Unit),
			strings.Join(b.Spec.Formats, ","), b.Done, b.Total, b.Failed, b.Created.In(china).Format("2006-01-02 15:04"), archive)
	}
	return nil
}

func runBatchShow(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("batch show", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := addStoreFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[flags] ID",
		about:    "Show one batch: its settings, progress, failed forms and archive.",
		examples: []string{"reportd batch show 3"}}); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: reportd batch show ID")
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return fmt.Errorf("batch id %q is not a number", fs.Arg(0))
	}
	st, bs, err := batchStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := bs.Batch(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "batch %d: %s, %d%s, %s\n%d forms: %d done, %d failed, %d pending\n", b.ID, b.State, b.Spec.Year, unitNote(b.Spec.Unit),
		strings.Join(b.Spec.Formats, ","), b.Total, b.Done, b.Failed, b.Total-b.Done-b.Failed)
	switch {
	case !b.ArchivePruned.IsZero():
		fmt.Fprintf(e.stdout, "archive: deleted %s by the retention policy or replaced by a later run with -force (was %s, %d bytes, sha256 %s)\n",
			b.ArchivePruned.In(china).Format("2006-01-02 15:04"), b.Archive, b.ArchiveSize, b.ArchiveSHA256)
	case b.Archive != "" && b.State == batch.StateDone:
		fmt.Fprintf(e.stdout, "archive: %s (%d bytes, sha256 %s)\n", b.Archive, b.ArchiveSize, b.ArchiveSHA256)
	}
	if b.Error != "" {
		fmt.Fprintf(e.stdout, "last error: %s\n", b.Error)
	}
	printFailures(ctx, e.stdout, bs, b.ID)
	return nil
}

func runBatchVerify(e *env, args []string) error {
	if len(args) == 1 && isHelp(args[0]) {
		fmt.Fprintln(e.stdout, "usage: reportd batch verify FILE.zip\n\nCheck an archive against its manifest: every document present, sizes and SHA-256 as recorded.\n\nexamples:\n  reportd batch verify reportd-2020.zip")
		return nil
	}
	if len(args) != 1 {
		return errors.New("usage: reportd batch verify FILE.zip")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	m, err := batch.VerifyArchive(f, st.Size())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d files match the manifest; %d forms, %d failed\n", args[0], len(m.Files), m.Forms, len(m.Failed))
	return nil
}

func runBatchGenerate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("batch generate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	n := fs.Int("n", 1000, "number of forms")
	year := fs.Int("year", 2020, "年度 of the forms")
	units := fs.Int("units", 50, "number of 申报单位")
	seed := fs.Uint64("seed", 1, "random seed")
	invalid := fs.Int("invalid-every", 0, "make every k-th form invalid (0: none)")
	sample := fs.String("sample", "testdata/seed/2020-performance-targets.txt", "sample forms to vary")
	sf := addStoreFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "-n N [-year 2020] [-units 50] [-sample FILE] [flags]",
		about:    "Store N generated forms (from the sample's texts) for load and batch tests.",
		examples: []string{"reportd batch generate -n 5000 -invalid-every 500"}}); err != nil {
		return err
	}
	forms, err := formgen.ReadSample(*sample)
	if err != nil {
		return err
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	const chunk = 500
	buf := make([]reports.Form, 0, chunk)
	total := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if _, err := st.CreateForms(ctx, buf); err != nil {
			return err
		}
		total += len(buf)
		buf = buf[:0]
		return nil
	}
	for _, f := range formgen.Generate(forms, formgen.Options{N: *n, Year: *year, Units: *units, Seed: *seed, InvalidEvery: *invalid}) {
		buf = append(buf, f)
		if len(buf) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "stored %d generated forms of %d (%d units)\n", total, *year, *units)
	return nil
}

// progressBar draws batch progress: a bar with rate and ETA redrawn in
// place on a terminal, a log line every few seconds otherwise. It is also
// the log's writer, so log lines do not tear the bar.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	last  time.Time
	drawn bool
	p     batch.Progress
}

func newProgressBar(w io.Writer) *progressBar {
	b := &progressBar{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.tty = true
		}
	}
	return b
}

// Write implements io.Writer for the logger.
func (b *progressBar) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tty && b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
	return b.w.Write(p)
}

func (b *progressBar) update(p batch.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.p = p
	now := time.Now()
	every := 5 * time.Second
	if b.tty {
		every = 100 * time.Millisecond
	}
	finished := p.Done+p.Failed == p.Total
	if now.Sub(b.last) < every && !finished && p.Phase == "render" {
		return
	}
	b.last = now
	b.draw(now)
}

func (b *progressBar) draw(now time.Time) {
	p := b.p
	n := p.Done + p.Failed
	pct := 100.0
	if p.Total > 0 {
		pct = 100 * float64(n) / float64(p.Total)
	}
	elapsed := now.Sub(p.Started).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(n-p.Resumed) / elapsed
	}
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(p.Total-n)/rate) * time.Second).Round(time.Second).String()
	}
	phase := ""
	if p.Phase == "archive" {
		phase = "  writing archive…"
	}
	if !b.tty {
		fmt.Fprintf(b.w, "batch %d: %d/%d (%.1f%%), %d failed, %.1f forms/s, ETA %s%s\n", p.Batch, n, p.Total, pct, p.Failed, rate, eta, phase)
		return
	}
	const width = 30
	fill := int(pct / 100 * width)
	bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
	fmt.Fprintf(b.w, "\r\033[K%s %d/%d %5.1f%%  %.1f/s  ETA %s  failed %d%s", bar, n, p.Total, pct, rate, eta, p.Failed, phase)
	b.drawn = true
}

func (b *progressBar) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tty && b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}

// serveBatches wires year-end batches into `reportd serve`: the runner
// (spool in DATA/spool), the scheduler (REPORTD_SCHEDULES, default 31 Dec
// 02:00 Asia/Shanghai; interrupted batches resume and missed ticks catch up
// at start), the retention of archives (keep, applied now and after each
// finished batch), PostgreSQL advisory locks when db is a postgres:// URL, and
// the /api/v1/batches and /api/v1/schedules routes. Call the returned stop
// at shutdown, after the server has stopped.
//
// With PostgreSQL the batch work goes through River (riverbatch): every
// replica runs jobs.Workers render jobs at once, whichever replica started
// the batch.
func serveBatches(ctx context.Context, e *env, st store.Store, renderers map[string]reports.Renderer, fams *family.Registry,
	srv *api.Server, dataDir, db string, keep batch.Retention, log *slog.Logger, jobs jobOptions) (stop func(), err error) {
	bs, ok := st.(batch.Store)
	if !ok {
		return nil, fmt.Errorf("the %T store does not keep batches", st)
	}
	cfg := BatchConfig{Store: bs, Renderers: renderers, Families: fams, Spool: filepath.Join(dataDir, "spool"), DB: db, Log: log}
	pg, _ := st.(*postgres.DB)
	if pg != nil {
		// Replicas share documents and archives through the database:
		// any replica assembles or serves any batch.
		cfg.Blobs = pg.Blobs().WithSpool(cfg.Spool)
	}
	r, locker, err := NewBatches(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var queue *riverbatch.Queue
	if pg != nil {
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		queue, err = riverbatch.New(ctx, riverbatch.Config{DB: pg, Runner: r, Workers: jobs.Workers, ID: jobs.Replica,
			RenderTimeout: jobs.RenderTimeout, RescueAfter: jobs.RescueAfter, AssembleTimeout: jobs.AssembleTimeout, Log: log})
		if err != nil {
			if locker != nil {
				locker.Close()
			}
			return nil, err
		}
		r.Enqueue = queue.Enqueue
		if err := queue.Start(ctx); err != nil {
			if locker != nil {
				locker.Close()
			}
			return nil, fmt.Errorf("batch jobs: %w", err)
		}
		log.Info("batch jobs", "replica", jobs.Replica, "workers", jobs.Workers, "rescue_after", jobs.RescueAfter)
	}
	// Archives that aged out while the service was down go now; each
	// batch it finishes prunes again.
	r.Retention = keep
	pruneAtStart(ctx, r, keep, log)
	sched, err := StartScheduler(ctx, r, e.getenv("REPORTD_SCHEDULES"), log)
	if err != nil {
		if queue != nil {
			queue.Stop(context.WithoutCancel(ctx))
		}
		if locker != nil {
			locker.Close()
		}
		return nil, err
	}
	srv.MountBatches(api.Batches{Runner: r, Scheduler: sched, Ctx: ctx, Log: log})
	return func() {
		if err := sched.Stop(); err != nil {
			log.Error("stop scheduler", "err", err)
		}
		if queue != nil {
			// Running jobs get a moment to finish; the rest are rescued
			// by another replica.
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
			if err := queue.Stop(stopCtx); err != nil {
				log.Error("stop batch jobs", "err", err)
			}
			cancel()
		}
		if locker != nil {
			locker.Close()
		}
	}, nil
}
