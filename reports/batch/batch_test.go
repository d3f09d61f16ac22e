package batch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/sqlite"
	"github.com/reportd/reportd/reports/store/storetest"
	"github.com/reportd/reportd/reports/textform"
)

// writerRenderer renders with the text and JSON writers: real documents,
// cheap to make, so these tests exercise the batch, not the typesetter.
// hook runs before each render (to count, slow down or cancel).
type writerRenderer struct {
	format   string
	hook     func(f *reports.Form) error
	families *family.Registry
}

func (w writerRenderer) Format() string      { return w.format }
func (w writerRenderer) ContentType() string { return "text/plain" }
func (w writerRenderer) Render(ctx context.Context, out io.Writer, f *reports.Form) error {
	if w.hook != nil {
		if err := w.hook(f); err != nil {
			return err
		}
	}
	if w.format == "json" {
		return jsonform.Write(out, []reports.Form{*f})
	}
	return textform.Write(out, []reports.Form{*f}, w.families)
}

// testStore is what these tests need of a store: batches and a way to add
// forms.
type testStore interface {
	batch.Store
	CreateForms(ctx context.Context, forms []reports.Form) ([]store.StoredForm, error)
}

// eachStore runs a test against SQLite and the real PostgreSQL (own schema).
func eachStore(t *testing.T, test func(t *testing.T, db testStore)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "reportd.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		test(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, mustPostgres(t))
	})
}

func mustPostgres(t *testing.T) *postgres.DB {
	t.Helper()
	url, schema := storetest.PostgresURL(t)
	db, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustForms stores n generated forms of 2020 (every invalidEvery-th one
// invalid) and returns them.
func mustForms(tb testing.TB, db testStore, n, invalidEvery int) []reports.Form {
	tb.Helper()
	sample, err := formgen.ReadSample("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		tb.Fatal(err)
	}
	var forms []reports.Form
	for _, f := range formgen.Generate(sample, formgen.Options{N: n, Year: 2020, Units: 4, Seed: 7, InvalidEvery: invalidEvery}) {
		forms = append(forms, f)
	}
	if _, err := db.CreateForms(context.Background(), forms); err != nil {
		tb.Fatal(err)
	}
	return forms
}

func newRunner(db testStore, spool string, hook func(*reports.Form) error) *batch.Runner {
	fams, err := family.Builtin()
	if err != nil {
		panic(err)
	}
	return &batch.Runner{
		Store:     db,
		Renderers: []reports.Renderer{writerRenderer{format: "txt", hook: hook, families: fams}, writerRenderer{format: "json"}},
		Spool:     spool,
		Workers:   2,
	}
}

var spec2020 = batch.Spec{Year: 2020, Formats: []string{"txt", "json"}}

// mustVerify checks the archive against its manifest and that every form
// of the batch is in it exactly once per format, or listed as failed.
func mustVerify(tb testing.TB, b batch.Batch, forms []reports.Form) batch.Manifest {
	tb.Helper()
	f, err := os.Open(b.Archive)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if st.Size() != b.ArchiveSize {
		tb.Errorf("archive is %d bytes, batch says %d", st.Size(), b.ArchiveSize)
	}
	m, err := batch.VerifyArchive(f, st.Size())
	if err != nil {
		tb.Fatal(err)
	}
	perForm := map[int64]int{}
	for _, e := range m.Files {
		if e.Kind == batch.KindForm {
			perForm[e.FormID]++
		}
	}
	failed := map[int64]bool{}
	for _, fl := range m.Failed {
		if fl.Reason == "" {
			tb.Errorf("form %d failed without a reason", fl.FormID)
		}
		failed[fl.FormID] = true
	}
	for id := int64(1); id <= int64(len(forms)); id++ {
		switch {
		case failed[id] && perForm[id] != 0:
			tb.Errorf("form %d is both failed and in the archive", id)
		case !failed[id] && perForm[id] != len(b.Spec.Formats):
			tb.Errorf("form %d has %d files in the archive, want %d", id, perForm[id], len(b.Spec.Formats))
		}
	}
	if m.Forms != len(forms) || b.Done+b.Failed != len(forms) || b.Failed != len(m.Failed) {
		tb.Errorf("manifest forms=%d failed=%d, batch done=%d failed=%d, want %d forms", m.Forms, len(m.Failed), b.Done, b.Failed, len(forms))
	}
	return m
}

func TestRunArchive(t *testing.T) { eachStore(t, testRunArchive) }

func testRunArchive(t *testing.T, db testStore) {
	forms := mustForms(t, db, 60, 7)
	r := newRunner(db, t.TempDir(), nil)
	var last batch.Progress
	r.Progress = func(p batch.Progress) { last = p }
	ctx := context.Background()
	b, created, err := r.Create(ctx, spec2020, "", "", "")
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if b.Total != 60 || b.State != batch.StateRunning {
		t.Fatalf("new batch: total %d state %s", b.Total, b.State)
	}
	b, err = r.Run(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.State != batch.StateDone || b.Failed != 8 || b.Done != 52 {
		t.Fatalf("batch: state %s done %d failed %d, want done 52 failed 8", b.State, b.Done, b.Failed)
	}
	if last.Done != 52 || last.Failed != 8 || last.Phase != "archive" {
		t.Errorf("last progress %+v", last)
	}
	m := mustVerify(t, b, forms)
	for _, fl := range m.Failed {
		if !strings.Contains(fl.Reason, "校验未通过：项目类别") {
			t.Errorf("form %d: reason %q does not name 项目类别", fl.FormID, fl.Reason)
		}
	}
	// The spool is cleaned once the archive exists.
	if entries, _ := os.ReadDir(r.Spool); len(entries) != 1 {
		t.Errorf("spool holds %d entries after the run, want only the archive", len(entries))
	}
	// Running a finished batch again changes nothing.
	again, err := r.Run(ctx, b.ID)
	if err != nil || again.ArchiveSHA256 != b.ArchiveSHA256 {
		t.Errorf("second run: %v, hash %s vs %s", err, again.ArchiveSHA256, b.ArchiveSHA256)
	}
	checkSummary(t, b, 60)
}

// checkSummary opens 汇总.xlsx from the archive and checks its rows.
func checkSummary(t *testing.T, b batch.Batch, n int) {
	t.Helper()
	data := mustReadZipEntry(t, b.Archive, batch.SummaryName)
	x, err := excelize.OpenReader(bytesReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("汇总")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 {
		t.Fatalf("汇总 has %d rows, want %d + header", len(rows), n)
	}
	if rows[0][1] != "申报单位名称" || rows[0][3] != "项目总预算（元）" {
		t.Errorf("header %q", rows[0])
	}
	failed := 0
	for _, row := range rows[1:] {
		if slices.Contains(row, "失败") {
			failed++
		}
	}
	if failed != b.Failed {
		t.Errorf("汇总 shows %d failures, batch %d", failed, b.Failed)
	}
}

func TestCreateIdempotentKey(t *testing.T) { eachStore(t, testCreateIdempotentKey) }

func testCreateIdempotentKey(t *testing.T, db testStore) {
	mustForms(t, db, 5, 0)
	r := newRunner(db, t.TempDir(), nil)
	ctx := context.Background()
	a, created, err := r.Create(ctx, spec2020, "schedule year-end at 2020-12-31T02:00:00+08:00", "year-end", "")
	if err != nil || !created {
		t.Fatal(created, err)
	}
	b, created, err := r.Create(ctx, spec2020, "schedule year-end at 2020-12-31T02:00:00+08:00", "year-end", "")
	if err != nil || created || b.ID != a.ID {
		t.Fatalf("second create: created=%v id %d vs %d, %v", created, b.ID, a.ID, err)
	}
}

func TestCreateRejectsBadSpec(t *testing.T) { eachStore(t, testCreateRejectsBadSpec) }

func testCreateRejectsBadSpec(t *testing.T, db testStore) {
	r := newRunner(db, t.TempDir(), nil)
	for _, tc := range []struct {
		name string
		spec batch.Spec
	}{
		{"no year", batch.Spec{Formats: []string{"txt"}}},
		{"no format", batch.Spec{Year: 2020}},
		{"unknown format", batch.Spec{Year: 2020, Formats: []string{"docx"}}},
		{"twice", batch.Spec{Year: 2020, Formats: []string{"txt", "txt"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := r.Create(context.Background(), tc.spec, "", "", "")
			if reports.ErrorCode(err) != reports.EINVALID {
				t.Errorf("got %v, want an invalid-input error", err)
			}
		})
	}
}

func TestUnitFilter(t *testing.T) { eachStore(t, testUnitFilter) }

func testUnitFilter(t *testing.T, db testStore) {
	forms := mustForms(t, db, 40, 0)
	unit := forms[1].Unit
	want := 0
	for _, f := range forms {
		if f.Unit == unit {
			want++
		}
	}
	r := newRunner(db, t.TempDir(), nil)
	ctx := context.Background()
	b, _, err := r.Create(ctx, batch.Spec{Year: 2020, Unit: unit, Formats: []string{"txt"}}, "", "", filepath.Join(t.TempDir(), "out", "unit.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err = r.Run(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if b.Total != want || b.Done != want {
		t.Fatalf("unit batch: total %d done %d, want %d", b.Total, b.Done, want)
	}
	f, _ := os.Open(b.Archive)
	defer f.Close()
	st, _ := f.Stat()
	m, err := batch.VerifyArchive(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range m.Files {
		if e.Kind == batch.KindForm && e.Unit != unit {
			t.Errorf("%s: unit %s in a batch of %s", e.Path, e.Unit, unit)
		}
	}
}

// TestResumeAfterCancel interrupts a batch by cancelling its context, then
// resumes it: only what was not recorded is rendered again and the archive
// has every form once.
func TestResumeAfterCancel(t *testing.T) { eachStore(t, testResumeAfterCancel) }

func testResumeAfterCancel(t *testing.T, db testStore) {
	forms := mustForms(t, db, 200, 9)
	spool := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var first atomic.Int64
	r := newRunner(db, spool, func(*reports.Form) error {
		if first.Add(1) == 70 {
			cancel()
		}
		return nil
	})
	b, _, err := r.Create(ctx, spec2020, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, b.ID); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	mid, err := db.Batch(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mid.State != batch.StateRunning || mid.Done == 0 || mid.Done+mid.Failed >= 200 {
		t.Fatalf("after cancel: state %s done %d failed %d", mid.State, mid.Done, mid.Failed)
	}
	if _, err := os.Stat(mid.Archive); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an interrupted batch left an archive: %v", err)
	}
	var second atomic.Int64
	r2 := newRunner(db, spool, func(*reports.Form) error { second.Add(1); return nil })
	done, err := r2.Run(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	left := 200 - mid.Done - mid.Failed
	// Failed (invalid) forms are never rendered; everything else left is
	// rendered exactly once.
	invalidLeft := 0
	for i := range forms {
		if (i+1)%9 == 0 {
			invalidLeft++
		}
	}
	if got := int(second.Load()); got > left || got < left-invalidLeft {
		t.Errorf("resume rendered %d forms, %d were left (%d of them invalid at most)", got, left, invalidLeft)
	}
	mustVerify(t, done, forms)
}

// TestSpoolTampered: a spooled document changed after it was recorded is
// rendered again, not shipped with a wrong hash.
func TestSpoolTampered(t *testing.T) { eachStore(t, testSpoolTampered) }

func testSpoolTampered(t *testing.T, db testStore) {
	forms := mustForms(t, db, 20, 0)
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
	r.Run(ctx, b.ID)
	items, _ := db.BatchItems(context.Background(), b.ID)
	tampered := 0
	for _, it := range items {
		if it.State == batch.ItemDone {
			// Same size, different bytes: only the hash can tell.
			p := filepath.Join(spool, fmt.Sprintf("batch-%d.d", b.ID), fmt.Sprintf("%d.txt", it.Seq))
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)-2] ^= 0x20
			os.WriteFile(p, data, 0o600)
			tampered++
			break
		}
	}
	if tampered == 0 {
		t.Fatal("no item was done before the cancel")
	}
	done, err := newRunner(db, spool, nil).Run(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	mustVerify(t, done, forms)
}

// TestNameCollisions: forms that would share a path (same unit and
// project; units equal after unsafe characters are replaced) all get their
// own file.
func TestNameCollisions(t *testing.T) {
	db := mustSQLite(t)
	sample, err := formgen.ReadSample("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		t.Fatal(err)
	}
	var forms []reports.Form
	for _, f := range formgen.Generate(sample, formgen.Options{N: 4, Year: 2020, Seed: 1}) {
		forms = append(forms, f)
	}
	forms[1].Unit, forms[1].Project = forms[0].Unit, forms[0].Project
	forms[2].Unit, forms[3].Unit = "甲/乙", "甲_乙"
	forms[2].Project, forms[3].Project = "同名", "同名"
	if _, err := db.CreateForms(context.Background(), forms); err != nil {
		t.Fatal(err)
	}
	r := newRunner(db, t.TempDir(), nil)
	b, _, err := r.Create(context.Background(), batch.Spec{Year: 2020, Formats: []string{"txt"}}, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if b, err = r.Run(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	m := mustVerify(t, b, forms)
	paths := map[string]bool{}
	for _, f := range m.Files {
		paths[f.Path] = true
	}
	if len(paths) != len(m.Files) || len(m.Files) != 4+1 {
		t.Errorf("paths %v", paths)
	}
}

// A batch read between CreateBatch and the update that records its archive
// path (a resume at start racing a new batch) still writes its archive in
// the spool, not to an empty path.
func TestRunBeforeArchivePathRecorded(t *testing.T) { eachStore(t, testRunBeforeArchivePathRecorded) }

func testRunBeforeArchivePathRecorded(t *testing.T, db testStore) {
	forms := mustForms(t, db, 3, 0)
	r := newRunner(db, t.TempDir(), nil)
	ctx := context.Background()
	b, created, err := db.CreateBatch(ctx, batch.Batch{Spec: spec2020, State: batch.StateRunning, Created: time.Now()})
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	b, err = r.Run(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(r.Spool, fmt.Sprintf("batch-%d.zip", b.ID)); b.Archive != want {
		t.Fatalf("archive at %q, want %q", b.Archive, want)
	}
	mustVerify(t, b, forms)
}
