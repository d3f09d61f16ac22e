package batch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Defaults of the retention policy: a finance office keeps the last few
// runs of each year (a re-run after a late correction, the one before it)
// and whatever was made this month, and nothing older.
const (
	DefaultKeepArchives = 3
	DefaultKeepDays     = 30
)

// Retention says which finished batches keep their archives. An archive
// is kept when its batch is one of the KeepArchives latest finished
// batches of its year and unit filter, or finished less than KeepDays days
// ago; any other archive in the spool is deleted. 0 in either field keeps
// every archive (pruning off).
type Retention struct {
	KeepArchives int
	KeepDays     int
}

// DefaultRetention is DefaultKeepArchives and DefaultKeepDays.
func DefaultRetention() Retention {
	return Retention{KeepArchives: DefaultKeepArchives, KeepDays: DefaultKeepDays}
}

// Enabled reports whether the policy deletes anything.
func (p Retention) Enabled() bool { return p.KeepArchives > 0 && p.KeepDays > 0 }

// Validate refuses negative numbers, naming the setting.
func (p Retention) Validate() error {
	if p.KeepArchives < 0 {
		return fmt.Errorf("keep-archives: %d is negative (0 keeps every archive)", p.KeepArchives)
	}
	if p.KeepDays < 0 {
		return fmt.Errorf("keep-days: %d is negative (0 keeps every archive)", p.KeepDays)
	}
	return nil
}

func (p Retention) String() string {
	if !p.Enabled() {
		return "keep every archive"
	}
	return fmt.Sprintf("keep the latest %d per year and unit, and every archive of the last %d days", p.KeepArchives, p.KeepDays)
}

// PrunedArchive is one archive deleted by Prune (or that would be, in a
// dry run).
type PrunedArchive struct {
	Batch Batch
	Size  int64 // bytes on disk; 0 when the file was already gone
}

// PruneReport is what Prune did.
type PruneReport struct {
	DryRun bool
	// Pruned lists the archives deleted, oldest finished first.
	Pruned []PrunedArchive
	// Kept counts the archives in the spool the policy keeps.
	Kept int
	// SpoolDirs lists the spool directories of finished batches removed:
	// a finished batch's per-form files are redundant with its archive,
	// whatever the policy.
	SpoolDirs []string
	// TempFiles lists the temporary archive files (ARCHIVE.*.tmp) of
	// finished batches removed: what a writer killed mid-archive left.
	TempFiles []string
	// Bytes is the disk space freed (or that would be).
	Bytes int64
}

// PruneLockKey is the lock name that makes one process prune at a time.
const PruneLockKey = "reportd prune archives"

// Prune applies a retention policy to the archives in the spool and
// removes the spool files of every finished batch. It records each pruned
// batch in the store (MarkArchivePruned) before deleting its files, so the
// API never offers a file that is gone. Only done batches are looked at: a
// running batch's files are never touched. Archives written elsewhere
// (`reportd batch run -o FILE`) belong to whoever chose the path and are
// neither deleted nor counted. A dry run reports and changes nothing.
//
// With a Locker only one process prunes at a time; when another holds the
// lock Prune returns an error wrapping ErrLocked and does nothing.
func (r *Runner) Prune(ctx context.Context, keep Retention, dryRun bool) (PruneReport, error) {
	rep := PruneReport{DryRun: dryRun}
	if err := keep.Validate(); err != nil {
		return rep, err
	}
	if r.Locker != nil && !dryRun {
		lock, err := r.Locker.Lock(ctx, PruneLockKey)
		if err != nil {
			return rep, fmt.Errorf("prune archives: %w: %v", ErrLocked, err)
		}
		defer lock.Unlock(context.WithoutCancel(ctx))
	}
	done, err := r.Store.Batches(ctx, StateDone, 0)
	if err != nil {
		return rep, fmt.Errorf("prune archives: %w", err)
	}
	// Latest finished first: the first KeepArchives of a group are kept.
	slices.SortStableFunc(done, func(a, b Batch) int {
		if c := b.Finished.Compare(a.Finished); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	now := r.now()
	maxAge := time.Duration(keep.KeepDays) * 24 * time.Hour
	type group struct {
		year int
		unit string
	}
	seen := map[group]int{}
	var errs []error
	for _, b := range done {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if dir := r.spoolDir(b.ID); exists(dir) {
			rep.SpoolDirs = append(rep.SpoolDirs, dir)
			rep.Bytes += dirSize(dir)
			if !dryRun {
				if err := os.RemoveAll(dir); err != nil {
					errs = append(errs, fmt.Errorf("batch %d: remove spool: %w", b.ID, err))
				}
			}
		}
		if r.Blobs != nil {
			// Documents a crash left after the archive was recorded.
			if dryRun {
				docs, err := r.Blobs.Documents(ctx, b.ID)
				if err != nil {
					errs = append(errs, fmt.Errorf("batch %d: %w", b.ID, err))
				}
				for _, n := range docs {
					rep.Bytes += n
				}
			} else if n, err := r.Blobs.DeleteDocuments(ctx, b.ID); err != nil {
				errs = append(errs, fmt.Errorf("batch %d: %w", b.ID, err))
			} else {
				rep.Bytes += n
			}
		}
		// A finished batch's archive is written: any temporary file of
		// its name is what a killed earlier attempt left, wherever it is.
		if dryRun {
			for path, size := range tempsOf(b.Archive) {
				rep.TempFiles = append(rep.TempFiles, path)
				rep.Bytes += size
			}
		} else {
			n, names, err := removeTemps(b.Archive)
			if err != nil {
				errs = append(errs, fmt.Errorf("batch %d: remove temporary archive: %w", b.ID, err))
			}
			rep.TempFiles = append(rep.TempFiles, names...)
			rep.Bytes += n
		}
		blobs := r.blobs()
		if !blobs.Owns(b) {
			continue
		}
		if !b.ArchivePruned.IsZero() {
			// Marked before deleting: a crash in between left the file.
			if !dryRun {
				if _, err := blobs.DeleteArchive(ctx, b); err != nil {
					errs = append(errs, fmt.Errorf("batch %d: %w", b.ID, err))
				}
			}
			continue
		}
		g := group{b.Spec.Year, b.Spec.Unit}
		seen[g]++
		if !keep.Enabled() || seen[g] <= keep.KeepArchives || now.Sub(b.Finished) < maxAge {
			rep.Kept++
			continue
		}
		size := b.ArchiveSize
		if _, spool := blobs.(SpoolBlobs); spool {
			size = 0 // 0 when the file is gone already
			if st, err := os.Stat(b.Archive); err == nil {
				size = st.Size()
			}
		}
		if !dryRun {
			if err := r.Store.MarkArchivePruned(ctx, b.ID, now); err != nil {
				errs = append(errs, fmt.Errorf("batch %d: %w", b.ID, err))
				continue
			}
			if _, err := blobs.DeleteArchive(ctx, b); err != nil {
				errs = append(errs, fmt.Errorf("batch %d: %w", b.ID, err))
			}
			b.ArchivePruned = now
		}
		rep.Pruned = append(rep.Pruned, PrunedArchive{Batch: b, Size: size})
		rep.Bytes += size
	}
	slices.Reverse(rep.Pruned)
	if len(errs) > 0 {
		return rep, fmt.Errorf("prune archives: %w", errors.Join(errs...))
	}
	return rep, nil
}

// pruneAfterRun applies the runner's Retention once a batch has finished.
func (r *Runner) pruneAfterRun(ctx context.Context, id int64) {
	if !r.Retention.Enabled() {
		return
	}
	rep, err := r.Prune(context.WithoutCancel(ctx), r.Retention, false)
	switch {
	case errors.Is(err, ErrLocked):
		r.log().Info("another process is pruning archives", "batch", id)
	case err != nil:
		r.log().Error("prune archives", "batch", id, "err", err)
	}
	if len(rep.Pruned) > 0 || len(rep.SpoolDirs) > 0 {
		r.log().Info("pruned batch archives", "after", id, "archives", len(rep.Pruned), "spool_dirs", len(rep.SpoolDirs), "bytes", rep.Bytes, "policy", r.Retention.String())
	}
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove archive: %w", err)
	}
	return nil
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
