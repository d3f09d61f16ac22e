package batch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store"
)

// fakeClock is the runner's clock in these tests: batches finish on the
// days the test says.
type fakeClock struct{ t atomic.Pointer[time.Time] }

var day0 = time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)

func (c *fakeClock) set(days float64) {
	t := day0.Add(time.Duration(days * 24 * float64(time.Hour)))
	c.t.Store(&t)
}
func (c *fakeClock) now() time.Time { return *c.t.Load() }

// pruneFixture is a spool with finished batches of two groups:
//
//	2020, every unit: finished on days 0, 10, 20, 30, 40
//	2020, one unit:   finished on days 5, 35
//
// named "all@DAY" and "unit@DAY".
type pruneFixture struct {
	r       *batch.Runner
	db      testStore
	clock   *fakeClock
	batches map[string]batch.Batch
}

func newPruneFixture(t *testing.T, db testStore) *pruneFixture {
	t.Helper()
	forms := mustForms(t, db, 4, 0)
	clock := &fakeClock{}
	clock.set(0)
	r := newRunner(db, t.TempDir(), nil)
	r.Now = clock.now
	r.Locker = batch.FileLocker{Dir: filepath.Join(r.Spool, "locks")}
	fx := &pruneFixture{r: r, db: db, clock: clock, batches: map[string]batch.Batch{}}
	unit := forms[0].Unit
	for _, run := range []struct {
		name string
		day  float64
		unit string
	}{
		{"all@0", 0, ""}, {"unit@5", 5, unit}, {"all@10", 10, ""}, {"all@20", 20, ""},
		{"all@30", 30, ""}, {"unit@35", 35, unit}, {"all@40", 40, ""},
	} {
		clock.set(run.day)
		spec := spec2020
		spec.Unit = run.unit
		b, _, err := r.Create(context.Background(), spec, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if b, err = r.Run(context.Background(), b.ID); err != nil {
			t.Fatal(err)
		}
		if b.State != batch.StateDone || !b.Finished.Equal(store.Timestamp(clock.now())) {
			t.Fatalf("%s: %+v", run.name, b)
		}
		fx.batches[run.name] = b
	}
	return fx
}

// check fails unless exactly the named batches are pruned: marked in the
// store and their archives deleted, the others intact.
func (fx *pruneFixture) check(t *testing.T, wantPruned []string, at time.Time) {
	t.Helper()
	for name, b := range fx.batches {
		got, err := fx.db.Batch(context.Background(), b.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, statErr := os.Stat(b.Archive)
		if slices.Contains(wantPruned, name) {
			if !got.ArchivePruned.Equal(store.Timestamp(at)) {
				t.Errorf("%s: archive pruned at %v, want %v", name, got.ArchivePruned, at)
			}
			if !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("%s: archive still on disk (%v)", name, statErr)
			}
			continue
		}
		if !got.ArchivePruned.IsZero() {
			t.Errorf("%s: kept archive marked pruned at %v", name, got.ArchivePruned)
		}
		if statErr != nil {
			t.Errorf("%s: kept archive: %v", name, statErr)
		}
	}
}

func prunedNames(fx *pruneFixture, rep batch.PruneReport) []string {
	var out []string
	for _, p := range rep.Pruned {
		for name, b := range fx.batches {
			if b.ID == p.Batch.ID {
				out = append(out, name)
			}
		}
	}
	return out
}

func TestPruneRetention(t *testing.T) {
	tests := []struct {
		name string
		keep batch.Retention
		now  float64 // day of the prune
		want []string
	}{
		{"defaults: latest 3 per group, 30 days", batch.DefaultRetention(), 60,
			[]string{"all@0", "all@10"}},
		{"latest 1, 30 days: only the latest of each group is young enough", batch.Retention{KeepArchives: 1, KeepDays: 30}, 60,
			[]string{"all@0", "unit@5", "all@10", "all@20", "all@30"}},
		{"latest 1, 50 days: younger ones survive past the count; exactly 50 days old does not", batch.Retention{KeepArchives: 1, KeepDays: 50}, 60,
			[]string{"all@0", "unit@5", "all@10"}},
		{"latest 1, 1 day", batch.Retention{KeepArchives: 1, KeepDays: 1}, 60,
			[]string{"all@0", "unit@5", "all@10", "all@20", "all@30"}},
		{"everything younger than 50 days", batch.Retention{KeepArchives: 1, KeepDays: 50}, 41,
			nil},
		{"count larger than any group", batch.Retention{KeepArchives: 10, KeepDays: 1}, 400,
			nil},
		{"keep-archives 0 keeps everything", batch.Retention{KeepArchives: 0, KeepDays: 1}, 400,
			nil},
		{"keep-days 0 keeps everything", batch.Retention{KeepArchives: 1, KeepDays: 0}, 400,
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Pruning deletes: each case gets its own databases.
			eachStore(t, func(t *testing.T, db testStore) {
				fx := newPruneFixture(t, db)
				fx.clock.set(tt.now)
				rep, err := fx.r.Prune(context.Background(), tt.keep, false)
				if err != nil {
					t.Fatal(err)
				}
				if got := prunedNames(fx, rep); !slices.Equal(got, tt.want) {
					t.Errorf("pruned %q, want %q (oldest finished first)", got, tt.want)
				}
				if rep.Kept != len(fx.batches)-len(tt.want) {
					t.Errorf("kept %d, want %d", rep.Kept, len(fx.batches)-len(tt.want))
				}
				var bytes int64
				for _, p := range rep.Pruned {
					if p.Size != p.Batch.ArchiveSize {
						t.Errorf("batch %d: reported %d bytes, archive was %d", p.Batch.ID, p.Size, p.Batch.ArchiveSize)
					}
					bytes += p.Size
				}
				if rep.Bytes != bytes {
					t.Errorf("freed %d bytes, archives were %d", rep.Bytes, bytes)
				}
				fx.check(t, tt.want, fx.clock.now())
				// A second pass finds nothing more to do.
				again, err := fx.r.Prune(context.Background(), tt.keep, false)
				if err != nil || len(again.Pruned) != 0 {
					t.Errorf("second prune: %d pruned, %v", len(again.Pruned), err)
				}
				fx.check(t, tt.want, fx.clock.now())
			})
		})
	}
}

func TestPruneDryRun(t *testing.T) {
	eachStore(t, func(t *testing.T, db testStore) {
		fx := newPruneFixture(t, db)
		// A finished batch's spool left behind (a crash after the archive
		// was recorded) is listed too.
		left := filepath.Join(fx.r.Spool, "batch-"+itoa(fx.batches["all@40"].ID)+".d")
		if err := os.MkdirAll(left, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(left, "1.txt"), []byte("form"), 0o600); err != nil {
			t.Fatal(err)
		}
		fx.clock.set(60)
		rep, err := fx.r.Prune(context.Background(), batch.DefaultRetention(), true)
		if err != nil {
			t.Fatal(err)
		}
		if got := prunedNames(fx, rep); !rep.DryRun || !slices.Equal(got, []string{"all@0", "all@10"}) || !slices.Equal(rep.SpoolDirs, []string{left}) {
			t.Errorf("dry run reports %q and spool %q", got, rep.SpoolDirs)
		}
		fx.check(t, nil, time.Time{})
		if _, err := os.Stat(filepath.Join(left, "1.txt")); err != nil {
			t.Errorf("dry run removed a spool file: %v", err)
		}
		// The real run removes what the dry run listed.
		if _, err := fx.r.Prune(context.Background(), batch.DefaultRetention(), false); err != nil {
			t.Fatal(err)
		}
		fx.check(t, []string{"all@0", "all@10"}, fx.clock.now())
		if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("spool of a finished batch still there: %v", err)
		}
	})
}

// TestPruneSparesRunningAndForeign: a running batch's spool (and its
// archive path) and an archive written outside the spool are never touched,
// however old.
func TestPruneSparesRunningAndForeign(t *testing.T) {
	eachStore(t, func(t *testing.T, db testStore) {
		mustForms(t, db, 6, 0)
		clock := &fakeClock{}
		clock.set(0)
		spool := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var n atomic.Int64
		r := newRunner(db, spool, func(*reports.Form) error {
			if n.Add(1) == 3 {
				cancel()
			}
			return nil
		})
		r.Now = clock.now
		running, _, err := r.Create(ctx, spec2020, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Run(ctx, running.ID); !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted run: %v", err)
		}
		// Something where its archive will go, to see it is left alone.
		if err := os.WriteFile(running.Archive, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		before := spoolFiles(t, spool, running.ID)
		if len(before) == 0 {
			t.Fatal("the interrupted batch spooled nothing")
		}
		r = newRunner(db, spool, nil)
		r.Now = clock.now
		foreign := filepath.Join(t.TempDir(), "reportd-2020.zip")
		var done []batch.Batch
		for i, archive := range []string{foreign, "", ""} {
			clock.set(float64(i))
			b, _, err := r.Create(context.Background(), spec2020, "", "", archive)
			if err != nil {
				t.Fatal(err)
			}
			if b, err = r.Run(context.Background(), b.ID); err != nil {
				t.Fatal(err)
			}
			done = append(done, b)
		}
		clock.set(1000)
		rep, err := r.Prune(context.Background(), batch.Retention{KeepArchives: 1, KeepDays: 1}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Pruned) != 1 || rep.Pruned[0].Batch.ID != done[1].ID {
			t.Errorf("pruned %+v, want only batch %d (the older of the two in the spool)", rep.Pruned, done[1].ID)
		}
		if after := spoolFiles(t, spool, running.ID); !slices.Equal(after, before) {
			t.Errorf("running batch's spool changed: %q, was %q", after, before)
		}
		if data, err := os.ReadFile(running.Archive); err != nil || string(data) != "partial" {
			t.Errorf("running batch's archive path touched: %q %v", data, err)
		}
		if _, err := os.Stat(foreign); err != nil {
			t.Errorf("archive written with -o was deleted: %v", err)
		}
		b, err := db.Batch(context.Background(), running.ID)
		if err != nil || b.State != batch.StateRunning || !b.ArchivePruned.IsZero() {
			t.Errorf("running batch after prune: %+v %v", b, err)
		}
		// The store refuses to mark a running batch, and knows no other.
		if err := db.MarkArchivePruned(context.Background(), running.ID, clock.now()); reports.ErrorCode(err) != reports.ECONFLICT {
			t.Errorf("marking a running batch: %v, want %s", err, reports.ECONFLICT)
		}
		if err := db.MarkArchivePruned(context.Background(), 99999, clock.now()); reports.ErrorCode(err) != reports.ENOTFOUND {
			t.Errorf("marking an unknown batch: %v, want %s", err, reports.ENOTFOUND)
		}
		// The batch resumes and finishes as if nothing happened.
		if _, err := r.Run(context.Background(), running.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func spoolFiles(t *testing.T, spool string, id int64) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(spool, "batch-"+itoa(id)+".d"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestPruneAfterEachBatch: a runner with a Retention prunes when it
// finishes a batch; the first mark is kept when marked again.
func TestPruneAfterEachBatch(t *testing.T) {
	eachStore(t, func(t *testing.T, db testStore) {
		mustForms(t, db, 3, 0)
		clock := &fakeClock{}
		r := newRunner(db, t.TempDir(), nil)
		r.Now = clock.now
		r.Retention = batch.Retention{KeepArchives: 1, KeepDays: 7}
		var bs []batch.Batch
		for _, d := range []float64{0, 10, 20} {
			clock.set(d)
			b, _, err := r.Create(context.Background(), spec2020, "", "", "")
			if err != nil {
				t.Fatal(err)
			}
			if b, err = r.Run(context.Background(), b.ID); err != nil {
				t.Fatal(err)
			}
			bs = append(bs, b)
		}
		for i, at := range []float64{10, 20} {
			got, err := db.Batch(context.Background(), bs[i].ID)
			if err != nil {
				t.Fatal(err)
			}
			clock.set(at)
			if !got.ArchivePruned.Equal(store.Timestamp(clock.now())) {
				t.Errorf("batch %d pruned at %v, want day %v", i, got.ArchivePruned, at)
			}
			if _, err := os.Stat(bs[i].Archive); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("batch %d archive: %v", i, err)
			}
			clock.set(99)
			if err := db.MarkArchivePruned(context.Background(), bs[i].ID, clock.now()); err != nil {
				t.Fatal(err)
			}
			if again, _ := db.Batch(context.Background(), bs[i].ID); !again.ArchivePruned.Equal(got.ArchivePruned) {
				t.Errorf("marking again moved the date to %v", again.ArchivePruned)
			}
		}
		if _, err := os.Stat(bs[2].Archive); err != nil {
			t.Errorf("latest archive: %v", err)
		}
	})
}

func TestPruneLocked(t *testing.T) {
	eachStore(t, func(t *testing.T, db testStore) {
		r := newRunner(db, t.TempDir(), nil)
		l := batch.FileLocker{Dir: filepath.Join(r.Spool, "locks")}
		r.Locker = l
		held, err := l.Lock(context.Background(), batch.PruneLockKey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Prune(context.Background(), batch.DefaultRetention(), false); !errors.Is(err, batch.ErrLocked) {
			t.Errorf("prune while another holds the lock: %v, want ErrLocked", err)
		}
		// A dry run only reads.
		if _, err := r.Prune(context.Background(), batch.DefaultRetention(), true); err != nil {
			t.Errorf("dry run while locked: %v", err)
		}
		held.Unlock(context.Background())
		if _, err := r.Prune(context.Background(), batch.DefaultRetention(), false); err != nil {
			t.Errorf("prune after unlock: %v", err)
		}
		if _, err := r.Prune(context.Background(), batch.Retention{KeepArchives: -1}, true); err == nil {
			t.Error("a negative retention was accepted")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
