package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/sqlite"
	"github.com/reportd/reportd/reports/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func(t *testing.T) store.Store {
		path := filepath.Join(t.TempDir(), "data", "reportd.db")
		return func(t *testing.T) store.Store {
			s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}

// The database holds every form and token hash: only its owner may read it.
func TestDatabaseFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "reportd.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateForms(t.Context(), []reports.Form{storetest.Form(2020, "甲", "乙")}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			if p == path {
				t.Fatal(err)
			}
			continue
		}
		if mode := st.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %v, want no group or other access", filepath.Base(p), mode)
		}
	}
}
