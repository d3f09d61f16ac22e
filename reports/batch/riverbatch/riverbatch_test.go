package riverbatch_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/batch/riverbatch"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/storetest"
)

// jsonRenderer writes the form as JSON: cheap, so the test is about the
// queue.
type jsonRenderer struct{}

func (jsonRenderer) Render(_ context.Context, w io.Writer, f *reports.Form) error {
	return json.NewEncoder(w).Encode(f)
}
func (jsonRenderer) Format() string      { return "json" }
func (jsonRenderer) ContentType() string { return "application/json" }

// flakyBlobs fails the first store of some documents, as a database that
// drops a connection would.
type flakyBlobs struct {
	batch.Blobs
	mu     sync.Mutex
	failOn map[string]bool
	failed int
}

func (f *flakyBlobs) PutDocument(ctx context.Context, id int64, name string, write func(io.Writer) error) (batch.Output, error) {
	f.mu.Lock()
	fail := f.failOn[name]
	delete(f.failOn, name)
	if fail {
		f.failed++
	}
	f.mu.Unlock()
	if fail {
		if err := write(io.Discard); err != nil {
			return batch.Output{}, err
		}
		return batch.Output{}, errors.New("connection reset by peer")
	}
	return f.Blobs.PutDocument(ctx, id, name, write)
}

// TestQueue: two replicas (River clients) share a batch: both render,
// each form is recorded once, a failed store is retried, a second Enqueue
// adds nothing, and one replica assembles an archive that verifies.
func TestQueue(t *testing.T) {
	url, schema := storetest.PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, url, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db := open()
	sample, err := formgen.ReadSample("../../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		t.Fatal(err)
	}
	var forms []reports.Form
	for _, f := range formgen.Generate(sample, formgen.Options{N: 120, Year: 2020, Units: 5, Seed: 3, InvalidEvery: 40}) {
		forms = append(forms, f)
	}
	if _, err := db.CreateForms(ctx, forms); err != nil {
		t.Fatal(err)
	}
	flaky := &flakyBlobs{Blobs: db.Blobs(), failOn: map[string]bool{"3.json": true, "77.json": true}}
	var first *batch.Runner
	var queues []*riverbatch.Queue
	for _, name := range []string{"replica-a", "replica-b"} {
		rdb := open()
		r := &batch.Runner{Store: rdb, Renderers: []reports.Renderer{jsonRenderer{}}, Spool: t.TempDir(), Blobs: flaky, Workers: 2}
		q, err := riverbatch.New(ctx, riverbatch.Config{DB: rdb, Runner: r, Workers: 2, ID: name,
			RenderTimeout: 10 * time.Second, RescueAfter: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		r.Enqueue = q.Enqueue
		if first == nil {
			first = r
		}
		queues = append(queues, q)
	}
	b, _, err := first.Create(ctx, batch.Spec{Year: 2020, Formats: []string{"json"}}, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	// Queued twice (two replicas resuming at start): no job is doubled.
	for range 2 {
		if err := first.Start(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	var jobs int
	if err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM river_job WHERE kind = 'reportd_batch_render'").Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 120 {
		t.Fatalf("%d render jobs for 120 forms", jobs)
	}
	for _, q := range queues {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Stop(context.Background()) })
	}
	for {
		if b, err = db.Batch(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if b.State == batch.StateDone {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("batch not done: %d/%d", b.Done+b.Failed, b.Total)
		case <-time.After(200 * time.Millisecond):
		}
	}
	if b.Done != 117 || b.Failed != 3 {
		t.Errorf("done %d failed %d, want 117 and 3 (invalid forms)", b.Done, b.Failed)
	}
	if flaky.failed != 2 {
		t.Errorf("%d stores failed, want 2", flaky.failed)
	}
	// Both replicas rendered; every render job completed, retried ones
	// included, and none is left. River records a job completed shortly
	// after its work returns (its completer batches the updates), so the
	// batch can be done while the last job still shows running: wait for
	// the queue to settle before reading the states.
	for {
		var open int
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM river_job
			WHERE kind = 'reportd_batch_render' AND state = 'running'`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d render jobs still running after the batch finished", open)
		case <-time.After(100 * time.Millisecond):
		}
	}
	rows, err := db.Pool().Query(ctx, `SELECT attempted_by[array_length(attempted_by, 1)], state, count(*), max(attempt)
		FROM river_job WHERE kind = 'reportd_batch_render' GROUP BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	split := map[string]int{}
	maxAttempt := 0
	for rows.Next() {
		var by, state string
		var n, attempt int
		if err := rows.Scan(&by, &state, &n, &attempt); err != nil {
			t.Fatal(err)
		}
		if state != "completed" {
			t.Errorf("%d render jobs %s", n, state)
		}
		split[by] += n
		maxAttempt = max(maxAttempt, attempt)
	}
	rows.Close()
	t.Logf("render jobs per replica: %v", split)
	if split["replica-a"] == 0 || split["replica-b"] == 0 || split["replica-a"]+split["replica-b"] != 120 {
		t.Errorf("split %v: both replicas should render, 120 jobs in all", split)
	}
	if maxAttempt < 2 {
		t.Errorf("no job was retried after the failed store")
	}
	// The archive, read back from the database, verifies.
	ar, err := first.OpenArchive(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(ar)
	ar.Close()
	file := filepath.Join(t.TempDir(), "a.zip")
	os.WriteFile(file, data, 0o600)
	f, _ := os.Open(file)
	defer f.Close()
	m, err := batch.VerifyArchive(f, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	perForm := map[int64]int{}
	for _, e := range m.Files {
		if e.Kind == batch.KindForm {
			perForm[e.FormID]++
		}
	}
	if len(perForm) != 117 || len(m.Failed) != 3 {
		t.Errorf("archive has %d forms and %d failures", len(perForm), len(m.Failed))
	}
	for id, n := range perForm {
		if n != 1 {
			t.Errorf("form %d is %d times in the archive", id, n)
		}
	}

	// A batch `reportd batch run -o FILE` started is left to that command.
	cli, _, err := first.Create(ctx, batch.Spec{Year: 2020, Formats: []string{"json"}}, "", "", filepath.Join(t.TempDir(), "cli.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if err := queues[1].Enqueue(ctx, cli.ID); err != nil {
		t.Fatal(err)
	}
	var cliJobs int
	db.Pool().QueryRow(ctx, "SELECT count(*) FROM river_job WHERE (args->>'batch')::bigint = $1", cli.ID).Scan(&cliJobs)
	if cliJobs != 0 {
		t.Errorf("%d jobs queued for a command-line batch", cliJobs)
	}
}
