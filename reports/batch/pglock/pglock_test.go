package pglock_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/reportd/reportd/reports/batch/pglock"
)

func testURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("REPORTD_TEST_POSTGRES")
	if url == "skip" {
		t.Skip("REPORTD_TEST_POSTGRES=skip")
	}
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test"
	}
	return url
}

func mustLocker(t *testing.T) *pglock.Locker {
	t.Helper()
	l, err := pglock.Open(context.Background(), testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

// uniqueKey keeps parallel test runs on one server apart.
func uniqueKey(t *testing.T) string { return t.Name() + " " + time.Now().Format(time.RFC3339Nano) }

func TestExclusive(t *testing.T) {
	ctx := context.Background()
	a, b := mustLocker(t), mustLocker(t)
	key := uniqueKey(t)
	la, err := a.Lock(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, key); !errors.Is(err, pglock.ErrHeld) {
		t.Fatalf("second replica got %v, want ErrHeld", err)
	}
	// Another key is independent.
	lo, err := b.Lock(ctx, key+" other")
	if err != nil {
		t.Fatal(err)
	}
	lo.Unlock(ctx)
	if err := la.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	lb, err := b.Lock(ctx, key)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	lb.Unlock(ctx)
}

// TestReleasedWhenProcessDies: closing the holder's connections (what a
// killed process amounts to) frees the lock without any expiry.
func TestReleasedWhenProcessDies(t *testing.T) {
	ctx := context.Background()
	a, err := pglock.Open(ctx, testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	b := mustLocker(t)
	key := uniqueKey(t)
	if _, err := a.Lock(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctx, key); !errors.Is(err, pglock.ErrHeld) {
		t.Fatalf("got %v, want ErrHeld", err)
	}
	a.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := b.Lock(ctx, key)
		if err == nil {
			l.Unlock(ctx)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock not released after the holder closed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTwoSchedulers runs the same job on two gocron schedulers (two
// replicas) every second for a few seconds: each tick runs once in all.
func TestTwoSchedulers(t *testing.T) {
	var mu sync.Mutex
	runs := map[int64][]string{} // tick second → replicas that ran it
	name := uniqueKey(t)
	var scheds []gocron.Scheduler
	for _, replica := range []string{"a", "b"} {
		s, err := gocron.NewScheduler(gocron.WithDistributedLocker(mustLocker(t)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.NewJob(gocron.CronJob("* * * * * *", true), gocron.NewTask(func() {
			tick := time.Now().Truncate(time.Second).Unix()
			mu.Lock()
			runs[tick] = append(runs[tick], replica)
			mu.Unlock()
			// Hold the lock well past the other replica's trigger.
			time.Sleep(400 * time.Millisecond)
		}), gocron.WithName(name))
		if err != nil {
			t.Fatal(err)
		}
		scheds = append(scheds, s)
	}
	for _, s := range scheds {
		s.Start()
	}
	time.Sleep(4200 * time.Millisecond)
	for _, s := range scheds {
		if err := s.Shutdown(); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(runs) < 3 {
		t.Fatalf("only %d ticks ran in 4 s", len(runs))
	}
	for tick, who := range runs {
		if len(who) != 1 {
			t.Errorf("tick %d ran on %v", tick, who)
		}
	}
}
