package postgres_test

import (
	"testing"

	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func(t *testing.T) store.Store {
		url, schema := storetest.PostgresURL(t)
		return func(t *testing.T) store.Store {
			s, err := postgres.Open(t.Context(), url, postgres.Options{Schema: schema})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}
