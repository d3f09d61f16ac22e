package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store/postgres"
)

// retentionFlags are -keep-archives and -keep-days, defaulting to
// REPORTD_KEEP_ARCHIVES / REPORTD_KEEP_DAYS, else batch's defaults.
type retentionFlags struct {
	archives, days *string
}

func addRetentionFlags(fs *flag.FlagSet, e *env) retentionFlags {
	return retentionFlags{
		archives: fs.String("keep-archives", envOr(e, "REPORTD_KEEP_ARCHIVES", strconv.Itoa(batch.DefaultKeepArchives)),
			"keep the archives of this many latest finished batches per year and unit; 0 keeps every archive (env REPORTD_KEEP_ARCHIVES)"),
		days: fs.String("keep-days", envOr(e, "REPORTD_KEEP_DAYS", strconv.Itoa(batch.DefaultKeepDays)),
			"also keep every archive of a batch finished in the last this many days; 0 keeps every archive (env REPORTD_KEEP_DAYS)"),
	}
}

// retention reads the flags (or their environment variables).
func (f retentionFlags) retention() (batch.Retention, error) {
	var keep batch.Retention
	for _, v := range []struct {
		name, env, s string
		to           *int
	}{
		{"-keep-archives", "REPORTD_KEEP_ARCHIVES", *f.archives, &keep.KeepArchives},
		{"-keep-days", "REPORTD_KEEP_DAYS", *f.days, &keep.KeepDays},
	} {
		n, err := strconv.Atoi(v.s)
		if err != nil || n < 0 {
			return keep, fmt.Errorf("%s (env %s): %q is not a whole number of 0 or more (0 keeps every archive)", v.name, v.env, v.s)
		}
		*v.to = n
	}
	return keep, nil
}

// pruneAtStart applies the retention policy when the service starts:
// archives that aged out while it was down, spool files a crash left.
// A failure is logged, never fatal: the service is useful without it.
func pruneAtStart(ctx context.Context, r *batch.Runner, keep batch.Retention, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rep, err := r.Prune(ctx, keep, false)
	switch {
	case errors.Is(err, batch.ErrLocked):
		log.Info("another replica is pruning batch archives")
		return
	case err != nil:
		log.Error("prune batch archives", "err", err)
	}
	log.Info("batch archive retention", "policy", keep.String(), "pruned", len(rep.Pruned), "kept", rep.Kept,
		"spool_dirs", len(rep.SpoolDirs), "freed_bytes", rep.Bytes)
}

func runBatchPrune(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("batch prune", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	rf := addRetentionFlags(fs, e)
	dry := fs.Bool("dry-run", false, "list what would be deleted, delete nothing")
	sf := addStoreFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[-keep-archives N] [-keep-days D] [-dry-run] [flags]",
		about:    "Delete old batch archives by the retention policy; -dry-run lists what would go.",
		examples: []string{"reportd batch prune -keep-archives 5 -dry-run"}}); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, batchUsage)
		return exitError{2}
	}
	keep, err := rf.retention()
	if err != nil {
		return err
	}
	st, bs, err := batchStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	// The spool of `reportd serve` with the same -data: the archives it
	// made are the ones the policy governs.
	cfg := BatchConfig{Store: bs, Renderers: map[string]reports.Renderer{},
		Spool: filepath.Join(*sf.data, "spool"), DB: *sf.db, Log: slog.New(slog.NewTextHandler(e.stderr, nil))}
	if pg, ok := bs.(*postgres.DB); ok {
		// serve keeps archives in the database: prune those (and files
		// of the spool from before).
		cfg.Blobs = pg.Blobs().WithSpool(cfg.Spool)
	}
	r, locker, err := NewBatches(ctx, cfg)
	if err != nil {
		return err
	}
	if locker != nil {
		defer locker.Close()
	}
	rep, err := r.Prune(ctx, keep, *dry)
	if errors.Is(err, batch.ErrLocked) {
		return errors.New("another reportd process is pruning archives now; try again in a moment")
	}
	verb := "pruned"
	if *dry {
		verb = "would prune"
	}
	for _, p := range rep.Pruned {
		b := p.Batch
		fmt.Fprintf(e.stdout, "%s\tbatch %d\t%d%s\tfinished %s\t%s\t%d bytes\n", verb, b.ID, b.Spec.Year, unitNote(b.Spec.Unit),
			b.Finished.In(china).Format("2006-01-02 15:04"), b.Archive, p.Size)
	}
	for _, d := range rep.SpoolDirs {
		fmt.Fprintf(e.stdout, "%s\tspool %s\n", map[bool]string{false: "removed", true: "would remove"}[*dry], d)
	}
	fmt.Fprintf(e.stderr, "%s: %d archives %s, %d kept, %d spool directories, %s freed\n", keep, len(rep.Pruned), verb, rep.Kept,
		len(rep.SpoolDirs), humanSize(rep.Bytes))
	return err
}

// humanSize is a byte count for people: 612.3 MB.
func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
