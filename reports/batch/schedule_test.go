package batch_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/batch/pglock"
	"github.com/reportd/reportd/reports/store/storetest"
)

var shanghai = batch.Shanghai()

func at(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, shanghai) }

// waitBatches polls until n batches are done, or fails after 20 s.
func waitBatches(t *testing.T, st batch.Store, n int) []batch.Batch {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		bs, err := st.Batches(context.Background(), "", 0)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, b := range bs {
			if b.State == batch.StateDone {
				done++
			}
		}
		if done >= n || time.Now().After(deadline) {
			if done != n || len(bs) != n {
				t.Fatalf("%d batches (%d done), want %d done", len(bs), done, n)
			}
			return bs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPrevTick(t *testing.T) {
	for _, tc := range []struct {
		name string
		cron string
		now  time.Time
		want time.Time
	}{
		{"yearly, months later", batch.DefaultCron, at(2021, 3, 1, 10), at(2020, 12, 31, 2)},
		{"yearly, exactly on the tick", batch.DefaultCron, at(2020, 12, 31, 2), at(2020, 12, 31, 2)},
		{"yearly, just before", batch.DefaultCron, at(2020, 12, 31, 1), at(2019, 12, 31, 2)},
		{"hourly", "0 * * * *", at(2021, 3, 1, 10).Add(59 * time.Minute), at(2021, 3, 1, 10)},
		{"every minute", "* * * * *", at(2021, 3, 1, 10).Add(90 * time.Second), at(2021, 3, 1, 10).Add(time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCron(t, tc.cron, tc.now)
			got, ok := batch.PrevTick(c, tc.now)
			if !ok || !got.Equal(tc.want) {
				t.Errorf("PrevTick(%s, %s) = %s %v, want %s", tc.cron, tc.now, got, ok, tc.want)
			}
		})
	}
}

// TestCatchUpOnce: the service was down over three year-end ticks; at start
// it runs one batch (the latest tick's year), then the next tick runs as
// scheduled, and a restart does not run anything again.
func TestCatchUpOnce(t *testing.T) { eachStore(t, testCatchUpOnce) }

func testCatchUpOnce(t *testing.T, db testStore) {
	mustForms(t, db, 12, 0)
	r := newRunner(db, t.TempDir(), nil)
	ctx := context.Background()
	sc := batch.Schedule{Name: "year-end", Cron: batch.DefaultCron, Formats: []string{"txt"}}
	if err := db.SetScheduleTick(ctx, sc.Name, at(2017, 12, 31, 2)); err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(at(2021, 3, 1, 10))
	s := &batch.Scheduler{Runner: r, Schedules: []batch.Schedule{sc}, Clock: clock}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	bs := waitBatches(t, db, 1)
	if bs[0].Spec.Year != 2020 || bs[0].Key != batch.TickKey(sc.Name, at(2020, 12, 31, 2)) || bs[0].Total != 12 {
		t.Errorf("caught-up batch: year %d key %q total %d", bs[0].Spec.Year, bs[0].Key, bs[0].Total)
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || !list[0].NextRun.Equal(at(2021, 12, 31, 2)) || !list[0].LastTick.Equal(at(2020, 12, 31, 2)) {
		t.Errorf("List = %+v", list)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}

	// Restart: nothing was missed, nothing runs.
	s = &batch.Scheduler{Runner: r, Schedules: []batch.Schedule{sc}, Clock: clock}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	// The next tick runs on time.
	clock.BlockUntilContext(ctx, 1)
	clock.Advance(at(2021, 12, 31, 2).Sub(clock.Now()) + time.Second)
	bs = waitBatches(t, db, 2)
	if bs[0].Spec.Year != 2021 {
		t.Errorf("scheduled batch: year %d, want 2021", bs[0].Spec.Year)
	}
}

// TestFirstStartNoCatchUp: a schedule never seen before records its latest
// tick instead of running last year's batch.
func TestFirstStartNoCatchUp(t *testing.T) { eachStore(t, testFirstStartNoCatchUp) }

func testFirstStartNoCatchUp(t *testing.T, db testStore) {
	mustForms(t, db, 3, 0)
	r := newRunner(db, t.TempDir(), nil)
	ctx := context.Background()
	clock := clockwork.NewFakeClockAt(at(2021, 3, 1, 10))
	sc := batch.Schedule{Name: "year-end", Cron: batch.DefaultCron, Formats: []string{"txt"}}
	s := &batch.Scheduler{Runner: r, Schedules: []batch.Schedule{sc}, Clock: clock}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	tick, ok, err := db.ScheduleTick(ctx, sc.Name)
	if err != nil || !ok || !tick.Equal(at(2020, 12, 31, 2)) {
		t.Fatalf("recorded tick %s %v %v", tick, ok, err)
	}
	clock.BlockUntilContext(ctx, 1)
	clock.Advance(at(2021, 12, 31, 2).Sub(clock.Now()) + time.Second)
	bs := waitBatches(t, db, 1)
	if bs[0].Spec.Year != 2021 {
		t.Errorf("year %d, want 2021", bs[0].Spec.Year)
	}
}

func TestValidateSchedules(t *testing.T) { eachStore(t, testValidateSchedules) }

func testValidateSchedules(t *testing.T, db testStore) {
	r := newRunner(db, t.TempDir(), nil)
	for _, tc := range []struct {
		name      string
		schedules []batch.Schedule
	}{
		{"bad cron", []batch.Schedule{{Name: "a", Cron: "0 2 31 13 *", Formats: []string{"txt"}}}},
		{"no name", []batch.Schedule{{Cron: batch.DefaultCron, Formats: []string{"txt"}}}},
		{"twice", []batch.Schedule{{Name: "a", Cron: batch.DefaultCron, Formats: []string{"txt"}}, {Name: "a", Cron: batch.DefaultCron, Formats: []string{"txt"}}}},
		{"unknown format", []batch.Schedule{{Name: "a", Cron: batch.DefaultCron, Formats: []string{"doc"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &batch.Scheduler{Runner: r, Schedules: tc.schedules}
			if err := s.ValidateSchedules(); err == nil {
				t.Error("accepted")
			}
		})
	}
}

// TestTwoReplicasCatchUp: two replicas on one PostgreSQL database start
// after a missed tick. With advisory locks, one batch is created and each
// form is rendered once in all.
func TestTwoReplicasCatchUp(t *testing.T) {
	db := mustPostgres(t)
	const n = 40
	mustForms(t, db, n, 0)
	ctx := context.Background()
	sc := batch.Schedule{Name: "year-end", Cron: batch.DefaultCron, Formats: []string{"txt"}}
	if err := db.SetScheduleTick(ctx, sc.Name, at(2019, 12, 31, 2)); err != nil {
		t.Fatal(err)
	}
	url := os.Getenv("REPORTD_TEST_POSTGRES")
	if url == "" {
		url = storetest.DefaultPostgresURL
	}
	var renders atomic.Int64
	spool := t.TempDir()
	var scheds []*batch.Scheduler
	for range 2 {
		l, err := pglock.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		// Tests of other packages (and other runs) share the server's
		// advisory locks: keep this schema's apart.
		l.Namespace = db.Schema()
		r := newRunner(db, spool, func(*reports.Form) error {
			renders.Add(1)
			time.Sleep(5 * time.Millisecond) // long enough for the replicas to overlap
			return nil
		})
		r.Locker = l
		scheds = append(scheds, &batch.Scheduler{Runner: r, Schedules: []batch.Schedule{sc}, Locker: l,
			Clock: clockwork.NewFakeClockAt(at(2021, 3, 1, 10))})
	}
	for _, s := range scheds {
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
	}
	waitBatches(t, db, 1)
	// Let the other replica's jobs finish before counting.
	for _, s := range scheds {
		s.Stop()
	}
	if got := renders.Load(); got != n {
		t.Errorf("%d renders for %d forms", got, n)
	}
}

// TestStartResumes: a batch interrupted before (here by a cancelled run)
// is finished when the scheduler starts, as at service start.
func TestStartResumes(t *testing.T) { eachStore(t, testStartResumes) }

func testStartResumes(t *testing.T, db testStore) {
	forms := mustForms(t, db, 30, 0)
	spool := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	r := newRunner(db, spool, func(*reports.Form) error {
		if n.Add(1) == 10 {
			cancel()
		}
		return nil
	})
	b, _, err := r.Create(context.Background(), spec2020, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, b.ID); err == nil {
		t.Fatal("the cancelled run finished")
	}
	s := &batch.Scheduler{Runner: newRunner(db, spool, nil), Clock: clockwork.NewFakeClockAt(at(2021, 3, 1, 10))}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	bs := waitBatches(t, db, 1)
	mustVerify(t, bs[0], forms)
}
