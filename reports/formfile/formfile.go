// Package formfile opens form files of every supported kind, chosen by file
// extension: ".txt" (the seed's tab-separated text), ".json"
// (reportd/form/v1). It is the one place the CLI, the HTTP layer and the
// batch ask "read these forms".
package formfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/textform"
)

// Kind is a supported input format.
type Kind string

const (
	Text Kind = "txt"
	JSON Kind = "json"
	XLSX Kind = "xlsx"
)

// Reader reads the forms of one kind from a stream.
type Reader func(r io.Reader, name string) ([]reports.Form, error)

// Readers maps each kind to its reader. XLSX is registered by the caller
// that links the workbook importer (see cmd/reportd), keeping this package
// free of the spreadsheet dependency.
type Readers map[Kind]Reader

// Default returns the readers that need no extra dependency.
func Default() Readers {
	return Readers{Text: textform.Read, JSON: jsonform.Read}
}

// KindOf returns the kind for a file name by its extension.
func KindOf(name string) (Kind, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".tsv", ".text":
		return Text, true
	case ".json":
		return JSON, true
	case ".xlsx":
		return XLSX, true
	}
	return "", false
}

// Read parses r as the given kind.
func (rs Readers) Read(kind Kind, r io.Reader, name string) ([]reports.Form, error) {
	read, ok := rs[kind]
	if !ok {
		return nil, fmt.Errorf("%s: unsupported input kind %q", name, kind)
	}
	return read(r, name)
}

// Open reads the forms of a file, choosing the reader by extension.
func (rs Readers) Open(path string) ([]reports.Form, error) {
	kind, ok := KindOf(path)
	if !ok {
		return nil, fmt.Errorf("%s: unknown file type %q (use .txt, .json or .xlsx)", path, filepath.Ext(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	return rs.Read(kind, f, path)
}
