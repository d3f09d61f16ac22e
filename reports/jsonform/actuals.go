package jsonform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/reportd/reportd/reports"
)

// ActualsSchema identifies the actuals format (docs/actuals-schema-v1.md);
// readers refuse other versions.
const ActualsSchema = "reportd/actuals/v1"

// MaxActualsSize bounds what ReadActuals accepts: one form's actuals and,
// optionally, the form itself.
const MaxActualsSize = 4 << 20

// ActualsDocument is one set of actuals: a self-evaluation or a monitoring
// report. Form is the target form they refer to when the file carries it
// (the command line); the API takes the stored form instead.
type ActualsDocument struct {
	Schema string        `json:"schema"`
	Form   *reports.Form `json:"form,omitempty"`
	reports.Actuals
}

// ReadActuals parses an ActualsDocument. Unknown fields are errors, amounts
// are decimal strings (never JSON numbers), and the indicator rows are
// counted before they are decoded.
func ReadActuals(r io.Reader, name string) (*ActualsDocument, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxActualsSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	if len(data) > MaxActualsSize {
		return nil, fmt.Errorf("%s: larger than %d MB", name, MaxActualsSize>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: file is empty", name)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: line %d: invalid UTF-8 (JSON must be UTF-8)", name, lineAt(data, int64(firstInvalid(data))))
	}
	var probe struct {
		Schema     string          `json:"schema"`
		Indicators json.RawMessage `json:"indicators"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: %s", name, describe(data, err))
	}
	if probe.Schema != ActualsSchema {
		if probe.Schema == "" {
			return nil, fmt.Errorf("%s: \"schema\" is missing (expected %q)", name, ActualsSchema)
		}
		return nil, fmt.Errorf("%s: unsupported schema %q (expected %q)", name, probe.Schema, ActualsSchema)
	}
	if n, err := countElements(probe.Indicators); err != nil {
		return nil, fmt.Errorf("%s: %s", name, describe(data, err))
	} else if n > reports.MaxIndicators {
		return nil, fmt.Errorf("%s: \"indicators\" has %d rows; at most %d", name, n, reports.MaxIndicators)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc ActualsDocument
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %s", name, describe(data, err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", name)
	}
	switch doc.Kind {
	case reports.KindSelfEvaluation, reports.KindMonitoring:
	case "":
		return nil, fmt.Errorf("%s: \"kind\" is missing (%q or %q)", name, reports.KindSelfEvaluation, reports.KindMonitoring)
	default:
		return nil, fmt.Errorf("%s: \"kind\": unknown kind %q (%q or %q)", name, doc.Kind, reports.KindSelfEvaluation, reports.KindMonitoring)
	}
	doc.Source = name
	if doc.Form != nil {
		doc.Form.Source = name
	}
	return &doc, nil
}

// WriteActuals prints actuals (and the form, when not nil) as an indented
// ActualsDocument.
func WriteActuals(w io.Writer, a *reports.Actuals, form *reports.Form) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(ActualsDocument{Schema: ActualsSchema, Form: form, Actuals: *a})
}
