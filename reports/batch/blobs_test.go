package batch_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
)

// TestDatabaseBlobs: with PostgreSQL blobs a batch's documents and archive
// live in the database: the archive verifies, any offset can be read (HTTP
// Range), nothing is left in the spool, and retention deletes it (then
// reading it is ENOTFOUND, which the API answers 410 after the mark).
func TestDatabaseBlobs(t *testing.T) {
	db := mustPostgres(t)
	forms := mustForms(t, db, 40, 9)
	spool := t.TempDir()
	ctx := context.Background()
	// A batch from before archives moved into the database: a spool file.
	old := newRunner(db, spool, nil)
	ob, _, err := old.Create(ctx, spec2020, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if ob, err = old.Run(ctx, ob.ID); err != nil {
		t.Fatal(err)
	}
	blobs := db.Blobs().WithSpool(spool).WithChunkSize(4096) // many chunks even for a small archive
	r := newRunner(db, spool, nil)
	r.Blobs = blobs
	var ids []int64
	for range 2 {
		b, _, err := r.Create(ctx, spec2020, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if b, err = r.Run(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if b.Archive != blobs.ArchiveName(b.ID) || !blobs.Owns(b) {
			t.Fatalf("archive recorded as %q", b.Archive)
		}
		ids = append(ids, b.ID)
	}
	b, err := db.Batch(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	ar, err := r.OpenArchive(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := io.ReadAll(ar)
	if err != nil {
		t.Fatal(err)
	}
	if ar.Size() != b.ArchiveSize || int64(len(whole)) != b.ArchiveSize || b.ArchiveSize < 3*4096 {
		t.Fatalf("archive: read %d bytes, size %d, batch says %d", len(whole), ar.Size(), b.ArchiveSize)
	}
	file := filepath.Join(t.TempDir(), "a.zip")
	if err := os.WriteFile(file, whole, 0o600); err != nil {
		t.Fatal(err)
	}
	onDisk := b
	onDisk.Archive = file
	mustVerify(t, onDisk, forms)

	// Ranges inside a chunk, across boundaries, at the end.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		off := rng.Int64N(b.ArchiveSize)
		n := 1 + rng.Int64N(3*4096)
		if i == 0 {
			off, n = b.ArchiveSize-10, 10
		}
		if _, err := ar.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, min(n, b.ArchiveSize-off))
		if _, err := io.ReadFull(ar, got); err != nil {
			t.Fatalf("read %d bytes at %d: %v", len(got), off, err)
		}
		if !bytes.Equal(got, whole[off:off+int64(len(got))]) {
			t.Fatalf("bytes %d+%d differ from the whole archive", off, len(got))
		}
	}
	ar.Close()

	// The documents went once the archive was stored; the spool holds no
	// batch directories.
	for _, id := range ids {
		docs, err := blobs.Documents(ctx, id)
		if err != nil || len(docs) != 0 {
			t.Errorf("batch %d: %d documents left (%v)", id, len(docs), err)
		}
	}
	if entries, _ := os.ReadDir(r.Spool); len(entries) > 2 { // the old archive, "locks" at most
		t.Errorf("spool holds %d entries", len(entries))
	}

	// Retention: keep 1 archive, older than a day; the first goes.
	r.Now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	rep, err := r.Prune(ctx, batch.Retention{KeepArchives: 1, KeepDays: 1}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Pruned) != 2 || rep.Pruned[0].Batch.ID != ob.ID || rep.Pruned[1].Batch.ID != ids[0] || rep.Pruned[1].Size != b.ArchiveSize {
		t.Fatalf("pruned %+v", rep.Pruned)
	}
	if _, err := os.Stat(ob.Archive); !os.IsNotExist(err) {
		t.Errorf("the spool archive of batch %d is still there (%v)", ob.ID, err)
	}
	if b, _ = db.Batch(ctx, ids[0]); b.ArchivePruned.IsZero() {
		t.Error("the pruned batch is not marked")
	}
	if _, err := r.OpenArchive(ctx, b); reports.ErrorCode(err) != reports.ENOTFOUND {
		t.Errorf("opening a pruned archive: %v, want ENOTFOUND", err)
	}
	kept, _ := db.Batch(ctx, ids[1])
	if ar, err := r.OpenArchive(ctx, kept); err != nil {
		t.Errorf("the kept archive: %v", err)
	} else {
		ar.Close()
	}
}

// TestDatabaseBlobsDocumentChanged: a stored document that no longer
// matches its recorded hash is rendered again before it goes into the
// archive, as with spool files.
func TestDatabaseBlobsDocumentChanged(t *testing.T) {
	db := mustPostgres(t)
	forms := mustForms(t, db, 12, 0)
	r := newRunner(db, t.TempDir(), nil)
	r.Blobs = db.Blobs()
	ctx := context.Background()
	b, _, err := r.Create(ctx, spec2020, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	items, _ := db.BatchItems(ctx, b.ID)
	it := r.RenderItem(ctx, b, items[3])
	if err := db.SaveBatchItems(ctx, b.ID, []batch.Item{it}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Blobs.PutDocument(ctx, b.ID, "4.txt", func(w io.Writer) error { _, err := io.WriteString(w, "tampered"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err = r.Run(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	ar, err := r.OpenArchive(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer ar.Close()
	data, _ := io.ReadAll(ar)
	file := filepath.Join(t.TempDir(), "a.zip")
	os.WriteFile(file, data, 0o600)
	b.Archive = file
	mustVerify(t, b, forms)
}
