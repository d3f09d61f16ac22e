package batch_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"

	"github.com/reportd/reportd/reports/batch"
)

func TestFileLocker(t *testing.T) {
	ctx := context.Background()
	l := batch.FileLocker{Dir: t.TempDir()}
	a, err := l.Lock(ctx, "reportd batch 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Lock(ctx, "reportd batch 1"); !errors.Is(err, batch.ErrHeld) {
		t.Fatalf("second lock: %v, want ErrHeld", err)
	}
	other, err := l.Lock(ctx, "reportd batch 2")
	if err != nil {
		t.Fatal(err)
	}
	other.Unlock(ctx)
	if err := a.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := l.Lock(ctx, "reportd batch 1")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	b.Unlock(ctx)
}

// TestTwoProcessesOneBatch: two runners (as two processes on one SQLite
// database would be) start the same batch at once; with file locks one
// runs it and the other steps aside, so each form renders once.
func TestTwoProcessesOneBatch(t *testing.T) {
	db := mustSQLite(t)
	const n = 40
	mustForms(t, db, n, 0)
	spool := t.TempDir()
	var renders atomic.Int64
	newLocked := func() *batch.Runner {
		r := newRunner(db, spool, func(*reports.Form) error {
			renders.Add(1)
			time.Sleep(2 * time.Millisecond)
			return nil
		})
		r.Locker = batch.FileLocker{Dir: filepath.Join(spool, "locks")}
		return r
	}
	a, b := newLocked(), newLocked()
	bt, _, err := a.Create(context.Background(), spec2020, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, r := range []*batch.Runner{a, b} {
		go func() { _, err := r.Run(context.Background(), bt.ID); errs <- err }()
	}
	e1, e2 := <-errs, <-errs
	locked := 0
	for _, err := range []error{e1, e2} {
		switch {
		case errors.Is(err, batch.ErrLocked):
			locked++
		case err != nil:
			t.Fatal(err)
		}
	}
	// The second may also come late and find the batch done (locked 0).
	if locked > 1 || renders.Load() != n {
		t.Errorf("%d runs stepped aside, %d renders for %d forms", locked, renders.Load(), n)
	}
}
