package sqlite_test

import (
	"path/filepath"
	"testing"

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
