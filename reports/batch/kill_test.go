package batch_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/sqlite"
	"github.com/reportd/reportd/reports/store/storetest"
)

// The kill test re-executes this test binary as a batch worker: these
// variables tell TestMain to be that worker.
const (
	envChild = "REPORTD_BATCH_TEST_CHILD" // "DSN|SPOOL|BATCH"
)

func TestMain(m *testing.M) {
	if v := os.Getenv(envChild); v != "" {
		os.Exit(child(v))
	}
	os.Exit(m.Run())
}

// openDSN opens "sqlite:PATH" or "postgres:SCHEMA:URL".
func openDSN(dsn string) (testStore, error) {
	ctx := context.Background()
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		return sqlite.Open(ctx, path, sqlite.Options{})
	}
	rest, _ := strings.CutPrefix(dsn, "postgres:")
	schema, url, _ := strings.Cut(rest, ":")
	return postgres.Open(ctx, url, postgres.Options{Schema: schema})
}

// child runs a batch slowly until it is killed.
func child(v string) int {
	parts := strings.Split(v, "|")
	db, err := openDSN(parts[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	id, _ := strconv.ParseInt(parts[2], 10, 64)
	r := newRunner(db, parts[1], func(*reports.Form) error {
		time.Sleep(10 * time.Millisecond)
		return nil
	})
	if _, err := r.Run(context.Background(), id); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 4
	}
	return 0
}

// TestKill9Resume kills a process running a batch with SIGKILL halfway,
// then resumes the batch: the resume renders only what was not recorded
// and the archive has every form exactly once, matching its manifest.
func TestKill9Resume(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "reportd.db")
		testKill9(t, "sqlite:"+path)
	})
	t.Run("postgres", func(t *testing.T) {
		url, schema := storetest.PostgresURL(t)
		testKill9(t, "postgres:"+schema+":"+url)
	})
}

func testKill9(t *testing.T, dsn string) {
	db, err := openDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.(interface{ Close() error }).Close()
	const n = 300
	forms := mustForms(t, db, n, 11)
	spool := t.TempDir()
	ctx := context.Background()
	b, _, err := newRunner(db, spool, nil).Create(ctx, spec2020, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%d", envChild, dsn, spool, b.ID))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mid, err := db.Batch(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if mid.Done >= 60 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the worker recorded only %d items in 30 s", mid.Done)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("worker was not killed by SIGKILL: %v", err)
	}
	mid, err := db.Batch(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mid.State != batch.StateRunning || mid.Done+mid.Failed >= n {
		t.Fatalf("after kill: state %s, %d done %d failed of %d", mid.State, mid.Done, mid.Failed, n)
	}
	// Files rendered but not recorded may be left in the spool; resume
	// renders them again over the same names.
	var renders atomic.Int64
	r := newRunner(db, spool, func(*reports.Form) error { renders.Add(1); return nil })
	done, err := r.Run(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	left := n - mid.Done - mid.Failed
	if got := int(renders.Load()); got > left || got < left*9/10 {
		t.Errorf("resume rendered %d forms; %d were not recorded (some invalid)", got, left)
	}
	t.Logf("killed after %d done, %d failed; resume rendered %d", mid.Done, mid.Failed, renders.Load())
	mustVerify(t, done, forms)
}
