// Package jsonform reads and writes forms as JSON in the versioned schema
// "reportd/form/v1" (documented in docs/form-schema-v1.md and served as part
// of the OpenAPI description). Money is a decimal string in 元 ("790000.00"),
// never a JSON number, so no amount passes through float64.
package jsonform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/reportd/reportd/reports"
)

// Schema identifies the document format; readers refuse other versions.
const Schema = "reportd/form/v1"

// MaxSize bounds what Read accepts.
const MaxSize = 32 << 20

// Document is the top-level JSON object: {"schema": …, "forms": [...]}.
type Document struct {
	Schema string         `json:"schema"`
	Forms  []reports.Form `json:"forms"`
}

// Read parses a Document, or a single form object carrying "schema".
// Unknown fields are errors: a misspelt key must not silently drop data.
func Read(r io.Reader, name string) ([]reports.Form, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s: larger than %d MB", name, MaxSize>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: file is empty: no form found", name)
	}
	if !utf8.Valid(data) {
		// encoding/json would turn the bytes into U+FFFD silently: the
		// form would be stored and printed with characters lost.
		return nil, fmt.Errorf("%s: line %d: invalid UTF-8 (JSON must be UTF-8)", name, lineAt(data, int64(firstInvalid(data))))
	}
	var probe struct {
		Schema string          `json:"schema"`
		Forms  json.RawMessage `json:"forms"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: %s", name, describe(data, err))
	}
	// Count the forms before decoding them: "{}" is 3 bytes of input
	// but a Form and its validation cost about a kilobyte.
	if n, err := countElements(probe.Forms); err != nil {
		return nil, fmt.Errorf("%s: %s", name, describe(data, err))
	} else if n > reports.MaxForms {
		return nil, fmt.Errorf("%s: \"forms\" has %d forms; at most %d are read at once", name, n, reports.MaxForms)
	}
	if probe.Schema != Schema {
		if probe.Schema == "" {
			return nil, fmt.Errorf("%s: \"schema\" is missing (expected %q)", name, Schema)
		}
		return nil, fmt.Errorf("%s: unsupported schema %q (expected %q)", name, probe.Schema, Schema)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var forms []reports.Form
	if probe.Forms != nil {
		var doc Document
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("%s: %s", name, describe(data, err))
		}
		forms = doc.Forms
	} else {
		var one struct {
			Schema string `json:"schema"`
			reports.Form
		}
		if err := dec.Decode(&one); err != nil {
			return nil, fmt.Errorf("%s: %s", name, describe(data, err))
		}
		forms = []reports.Form{one.Form}
	}
	if len(forms) == 0 {
		return nil, fmt.Errorf("%s: \"forms\" is empty: no form found", name)
	}
	for i := range forms {
		forms[i].Source = name
	}
	return forms, nil
}

// countElements counts the elements of a JSON array without decoding
// them; 0 for anything else.
func countElements(raw json.RawMessage) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return 0, nil
	}
	n := 0
	for dec.More() {
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// describe turns a decoding error into a message with a line number.
func describe(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("line %d: invalid JSON: %v", lineAt(data, syn.Offset), syn)
	case errors.As(err, &typ):
		return fmt.Sprintf("line %d: field %q: expected %s, found JSON %s", lineAt(data, typ.Offset), typ.Field, typ.Type, typ.Value)
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return msg
}

func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// Write prints forms as an indented Document.
func Write(w io.Writer, forms []reports.Form) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if forms == nil {
		forms = []reports.Form{}
	}
	return enc.Encode(Document{Schema: Schema, Forms: forms})
}
