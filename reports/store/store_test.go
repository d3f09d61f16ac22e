package store_test

import (
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/storetest"
)

func TestParseMigrations(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		want    []int
		wantErr string
	}{
		{"ordered by number", []string{"0002_b.sql", "0001_a.sql", "README.md"}, []int{1, 2}, ""},
		{"gap", []string{"0001_a.sql", "0003_c.sql"}, nil, "expected number 2"},
		{"duplicate", []string{"0001_a.sql", "0001_b.sql"}, nil, "expected number 2"},
		{"bad name", []string{"init.sql"}, nil, "NNNN_description.sql"},
		{"none", []string{"README.md"}, nil, "no migrations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["m/"+f] = &fstest.MapFile{Data: []byte("-- " + f)}
			}
			ms, err := store.ParseMigrations(fsys, "m")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
				if m.SQL != "-- "+m.Name {
					t.Errorf("%s: SQL %q", m.Name, m.SQL)
				}
			}
			if len(got) != len(tt.want) || got[0] != tt.want[0] || got[len(got)-1] != tt.want[len(tt.want)-1] {
				t.Errorf("versions %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFormHash(t *testing.T) {
	a := storetest.Form(2020, "甲", "项目")
	b := a
	b.Source, b.Lines = "elsewhere.txt", map[string]int{"unit": 9}
	if store.FormHash(&a) != store.FormHash(&b) {
		t.Error("hash depends on where the form was read from")
	}
	c := a
	c.Funds.Total.Fen++
	if store.FormHash(&a) == store.FormHash(&c) {
		t.Error("hash ignores a one-fen change")
	}
	data, hash := store.EncodeForm(&a)
	back, err := store.DecodeForm(data)
	if err != nil || store.FormHash(&back) != hash {
		t.Errorf("round trip: %v, hash %s vs %s", err, store.FormHash(&back), hash)
	}
}

func TestTokens(t *testing.T) {
	a, b := store.NewSecret(), store.NewSecret()
	if a == b || !strings.HasPrefix(a, store.TokenPrefix) || len(a) < 40 {
		t.Errorf("secrets %q %q", a, b)
	}
	if store.HashToken(a) == store.HashToken(b) || store.HashToken(a) != store.HashToken(a+"\n") || len(store.HashToken(a)) != 64 {
		t.Error("HashToken is not a stable SHA-256 of the trimmed secret")
	}
	tests := []struct {
		name string
		tok  store.Token
		unit string
		want bool
	}{
		{"admin sees all", store.Token{Role: store.RoleAdmin}, "任何单位", true},
		{"clerk sees own", store.Token{Role: store.RoleClerk, Units: []string{"甲", "乙"}}, "乙", true},
		{"clerk not others", store.Token{Role: store.RoleClerk, Units: []string{"甲"}}, "乙", false},
		{"service sees no form", store.Token{Role: store.RoleService}, "甲", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tok.Sees(tt.unit); got != tt.want {
				t.Errorf("Sees(%q) = %v", tt.unit, got)
			}
		})
	}
}

// A page number from a query string must not overflow the offset: a
// negative OFFSET is an error in PostgreSQL (a 500) and page 1 in SQLite.
func TestListFilterOffsetNeverOverflows(t *testing.T) {
	for _, tt := range []struct {
		name           string
		page, pageSize int
	}{
		{"largest page", math.MaxInt, 0},
		{"largest page of the largest size", math.MaxInt, store.MaxPageSize},
		{"page times size past int64", math.MaxInt / 100, 500},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := store.ListFilter{Page: tt.page, PageSize: tt.pageSize}.Normalize()
			if off := f.Offset(); off < 0 || off/f.PageSize != f.Page-1 {
				t.Errorf("page %d of %d: offset %d", f.Page, f.PageSize, off)
			}
		})
	}
}
