package xlsx_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/textform"
	"github.com/reportd/reportd/reports/xlsx"
	"github.com/reportd/reportd/templates"
)

const seedPath = "../../testdata/seed/2020-performance-targets.txt"

func mustFamilies(tb testing.TB) *family.Registry {
	tb.Helper()
	// The built-in families and a third one that exists only as a file.
	reg, err := family.Load(templates.Families, "../../testdata/families/tiny")
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

// mustSeed reads the sample forms, their family detected.
func mustSeed(tb testing.TB) []reports.Form {
	tb.Helper()
	f, err := os.Open(seedPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Reader{Families: mustFamilies(tb)}.Read(f, filepath.Base(seedPath))
	if err != nil {
		tb.Fatal(err)
	}
	return forms
}

func mustRender(tb testing.TB, f *reports.Form) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := xlsx.NewRenderer(mustFamilies(tb), xlsx.Options{Created: time.Unix(1577836800, 0)}).Render(context.Background(), &buf, f); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func mustRead(tb testing.TB, data []byte, name string) []reports.Form {
	tb.Helper()
	forms, err := xlsx.Reader{Families: mustFamilies(tb)}.Read(bytes.NewReader(data), name)
	if err != nil {
		tb.Fatal(err)
	}
	return forms
}

// comparable drops what legitimately differs between a form and its
// re-import: where it came from.
func comparable(f reports.Form) reports.Form {
	f.Source, f.Lines, f.Cells = "", nil, nil
	return f
}
