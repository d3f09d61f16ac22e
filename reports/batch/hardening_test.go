package batch_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/batch"
)

// zipOf builds an archive of the named entries, with a manifest listing
// them (so only the names are wrong).
func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var m batch.Manifest
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
		m.Files = append(m.Files, batch.ManifestFile{Path: n, Size: 1, SHA256: "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"})
	}
	w, _ := zw.Create(batch.ManifestName)
	json.NewEncoder(w).Encode(m)
	zw.Close()
	return buf.Bytes()
}

// An attack found that `batch verify` accepted archives whose entries
// would unpack outside their folder.
func TestVerifyRefusesUnsafeNames(t *testing.T) {
	if _, err := batch.VerifyArchive(bytes.NewReader(zipOf(t, "2020/a.pdf")), int64(len(zipOf(t, "2020/a.pdf")))); err != nil {
		t.Fatalf("a safe archive: %v", err)
	}
	for _, name := range []string{"../../x", "/abs", `..\..\x`, "a/../../x", "C:/x", "a//b", "./a", "a\x00b"} {
		t.Run(name, func(t *testing.T) {
			data := zipOf(t, name)
			_, err := batch.VerifyArchive(bytes.NewReader(data), int64(len(data)))
			if err == nil || !strings.Contains(err.Error(), "unsafe") {
				t.Errorf("VerifyArchive: %v, want an unsafe-name error", err)
			}
		})
	}
}

// A manifest that inflates to gigabytes is refused before it is read.
func TestVerifyBoundsTheManifest(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(batch.ManifestName)
	w.Write([]byte(`{"files":[`))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range batch.MaxManifest>>20 + 2 {
		w.Write(chunk)
	}
	zw.Close()
	_, err := batch.VerifyArchive(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err == nil || !strings.Contains(err.Error(), "MB") {
		t.Fatalf("VerifyArchive: %v, want a size refusal", err)
	}
}

// An attack found FILE.zip.*.tmp (41 + 108 MB) left by kill -9 while an
// archive was written, never removed by the resumed run or by pruning.
func TestLeftoverTemporaryArchivesAreRemoved(t *testing.T) {
	eachStore(t, func(t *testing.T, db testStore) {
		mustForms(t, db, 2, 0)
		r := newRunner(db, t.TempDir(), nil)
		ctx := context.Background()
		out := filepath.Join(t.TempDir(), "year.zip")
		b, _, err := r.Create(ctx, spec2020, "", "", out)
		if err != nil {
			t.Fatal(err)
		}
		// What a kill -9 while writing the archive leaves behind.
		stale := out + ".123456.tmp"
		leftover(t, stale)
		live := out + ".555.tmp" // being written by another attempt right now
		os.WriteFile(live, []byte("z"), 0o600)
		other := filepath.Join(filepath.Dir(out), "other.zip.9.tmp") // another archive's: not ours to touch
		leftover(t, other)
		if b, err = r.Run(ctx, b.ID); err != nil || b.State != batch.StateDone {
			t.Fatalf("run: %+v %v", b, err)
		}
		if _, err := os.Stat(stale); !os.IsNotExist(err) {
			t.Errorf("the resumed run left %s", stale)
		}
		if _, err := os.Stat(live); err != nil {
			t.Errorf("the run removed a temporary archive still being written: %v", err)
		}
		os.Remove(live)
		// And pruning removes one left after the archive was recorded.
		leftover(t, out+".777.tmp")
		dry, err := r.Prune(ctx, batch.DefaultRetention(), true)
		if err != nil || len(dry.TempFiles) != 1 {
			t.Fatalf("dry run: %+v %v", dry, err)
		}
		if _, err := os.Stat(out + ".777.tmp"); err != nil {
			t.Error("a dry run removed a file")
		}
		rep, err := r.Prune(ctx, batch.DefaultRetention(), false)
		if err != nil || len(rep.TempFiles) != 1 {
			t.Fatalf("prune: %+v %v", rep, err)
		}
		if _, err := os.Stat(out + ".777.tmp"); !os.IsNotExist(err) {
			t.Error("prune left the temporary archive")
		}
		if _, err := os.Stat(other); err != nil {
			t.Error("prune removed another archive's temporary file")
		}
		if _, err := os.Stat(out); err != nil {
			t.Errorf("the archive itself: %v", err)
		}
	})
}

// leftover makes a temporary archive nobody has written for an hour.
func leftover(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, bytes.Repeat([]byte("z"), 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}
