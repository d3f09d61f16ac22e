package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store/sqlite"
)

// finishedBatches makes three batches of 2020 in DATA/spool the way serve
// does, finished on 1 January, 1 February and 1 March 2020 (a fake clock),
// and returns them oldest first.
func finishedBatches(t *testing.T, dir string) []batch.Batch {
	bs, _ := finishedBatchesWith(t, dir)
	return bs
}

func finishedBatchesWith(t *testing.T, dir string) ([]batch.Batch, map[string]reports.Renderer) {
	t.Helper()
	if code, _, errOut := runCLI(t, "batch", "generate", "-n", "3", "-units", "1", "-data", dir, "-sample", seedPath); code != 0 {
		t.Fatalf("generate: %s", errOut)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "reportd.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	fams, err := loadFamilies(e)
	if err != nil {
		t.Fatal(err)
	}
	xlsx, err := newRenderer(e, "xlsx", fams)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := NewBatches(ctx, BatchConfig{Store: st, Renderers: map[string]reports.Renderer{"xlsx": xlsx}, Families: fams, Spool: filepath.Join(dir, "spool")})
	if err != nil {
		t.Fatal(err)
	}
	var out []batch.Batch
	for _, month := range []time.Month{1, 2, 3} {
		now := time.Date(2020, month, 1, 2, 0, 0, 0, time.UTC)
		r.Now = func() time.Time { return now }
		b, _, err := r.Create(ctx, batch.Spec{Year: 2020, Formats: []string{"xlsx"}}, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if b, err = r.Run(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out, map[string]reports.Renderer{"xlsx": xlsx}
}

func wantFiles(t *testing.T, bs []batch.Batch, exist ...bool) {
	t.Helper()
	for i, b := range bs {
		_, err := os.Stat(b.Archive)
		if got := err == nil; got != exist[i] {
			t.Errorf("batch %d archive exists: %v, want %v (%v)", b.ID, got, exist[i], err)
		}
	}
}

func TestBatchPruneCommand(t *testing.T) {
	dir := t.TempDir()
	bs := finishedBatches(t, dir)
	code, out, errOut := runCLI(t, "batch", "prune", "-data", dir, "-keep-archives", "1", "-keep-days", "30", "-dry-run")
	if code != 0 || !strings.Contains(out, "would prune\tbatch 1\t2020") || !strings.Contains(out, "would prune\tbatch 2\t2020") ||
		strings.Contains(out, "batch 3") || !strings.Contains(errOut, "2 archives would prune, 1 kept") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	wantFiles(t, bs, true, true, true)

	// The policy from the environment, as serve reads it.
	code, out, errOut = runCLIEnv(t, map[string]string{"REPORTD_KEEP_ARCHIVES": "1", "REPORTD_KEEP_DAYS": "30"}, "batch", "prune", "-data", dir)
	if code != 0 || !strings.Contains(out, "pruned\tbatch 1") || !strings.Contains(out, "pruned\tbatch 2") || !strings.Contains(errOut, "2 archives pruned, 1 kept") {
		t.Fatalf("prune: exit %d\n%s%s", code, out, errOut)
	}
	wantFiles(t, bs, false, false, true)
	code, out, _ = runCLI(t, "batch", "show", "-data", dir, "1")
	if code != 0 || !strings.Contains(out, "archive: deleted") || !strings.Contains(out, "by the retention policy") {
		t.Errorf("show: %q", out)
	}
	code, out, _ = runCLI(t, "batch", "list", "-data", dir)
	if code != 0 || strings.Count(out, "(archive pruned ") != 2 || !strings.Contains(out, bs[2].Archive) {
		t.Errorf("list: %q", out)
	}
	// The defaults (3 per year and unit) keep what is left.
	code, out, errOut = runCLI(t, "batch", "prune", "-data", dir)
	if code != 0 || out != "" || !strings.Contains(errOut, "0 archives pruned, 1 kept") {
		t.Errorf("prune with defaults: exit %d\n%s%s", code, out, errOut)
	}
	wantFiles(t, bs, false, false, true)
}

func TestRetentionFlagsRefuseNonsense(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"negative days", nil, []string{"batch", "prune", "-data", dir, "-keep-days", "-1"}, "-keep-days (env REPORTD_KEEP_DAYS): \"-1\""},
		{"not a number", nil, []string{"batch", "prune", "-data", dir, "-keep-archives", "three"}, "-keep-archives"},
		{"env not a number", map[string]string{"REPORTD_KEEP_ARCHIVES": "3 per year"}, []string{"batch", "prune", "-data", dir}, "REPORTD_KEEP_ARCHIVES"},
		{"serve", nil, []string{"serve", "-data", dir, "-keep-days", "1.5"}, "-keep-days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLIEnv(t, tc.env, tc.args...)
			if code == 0 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want a failure naming %q", code, errOut, tc.want)
			}
		})
	}
}

// TestServePrunesAtStart: archives that aged out while the service was
// down are deleted when it starts; 0 keeps them.
func TestServePrunesAtStart(t *testing.T) {
	for _, tc := range []struct {
		name  string
		keep  batch.Retention
		exist []bool
	}{
		{"latest 1, 30 days", batch.Retention{KeepArchives: 1, KeepDays: 30}, []bool{false, false, true}},
		{"keep-archives 0", batch.Retention{KeepArchives: 0, KeepDays: 30}, []bool{true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bs, renderers := finishedBatchesWith(t, dir)
			// A spool a crash left behind after the archive was recorded.
			left := filepath.Join(dir, "spool", "batch-3.d")
			if err := os.MkdirAll(left, 0o700); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, err := sqlite.Open(ctx, filepath.Join(dir, "reportd.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
			srv, err := api.New(api.Config{Store: st, Renderers: renderers})
			if err != nil {
				t.Fatal(err)
			}
			stop, err := serveBatches(ctx, e, st, renderers, nil, srv, dir, "", tc.keep, nil, jobOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			wantFiles(t, bs, tc.exist...)
			if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("spool of a finished batch left at start: %v", err)
			}
			for i, b := range bs {
				got, err := st.Batch(ctx, b.ID)
				if err != nil {
					t.Fatal(err)
				}
				if pruned := !got.ArchivePruned.IsZero(); pruned == tc.exist[i] {
					t.Errorf("batch %d: marked pruned %v, archive kept %v", b.ID, pruned, tc.exist[i])
				}
			}
		})
	}
}
