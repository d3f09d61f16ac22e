package evaluation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/jsonform"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func mustFamilies(tb testing.TB) *family.Registry {
	tb.Helper()
	reg, err := family.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

// mustActuals reads one of testdata/actuals (form included).
func mustActuals(tb testing.TB, name string) *jsonform.ActualsDocument {
	tb.Helper()
	path := filepath.Join("..", "..", "testdata", "actuals", name)
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	doc, err := jsonform.ReadActuals(fh, path)
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// golden compares v, as indented JSON, with testdata/golden/name. With
// -update it rewrites the file; without, a missing file is a failure.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file missing (run go test -update once and review it): %v", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got %s\nwant %s\n(run go test -update if the change is intended)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func problemsOf(err error) reports.Problems {
	var re *reports.Error
	if errors.As(err, &re) {
		return re.Problems
	}
	return nil
}
