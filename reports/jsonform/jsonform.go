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
	"reflect"
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
	var forms []reports.Form
	if probe.Forms != nil {
		raws, err := elements(data, "forms")
		if err != nil {
			return nil, fmt.Errorf("%s: %s", name, describe(data, err))
		}
		for i, el := range raws {
			f, err := readForm(data, el, false)
			if err != nil {
				return nil, fmt.Errorf("%s: line %d: forms[%d]: %v", name, lineAt(data, el.off), i, err)
			}
			forms = append(forms, f)
		}
	} else {
		f, err := readForm(data, value{off: 0, raw: data}, true)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		forms = []reports.Form{f}
	}
	if len(forms) == 0 {
		return nil, fmt.Errorf("%s: \"forms\" is empty: no form found", name)
	}
	for i := range forms {
		forms[i].Source = name
	}
	return forms, nil
}

// value is a JSON value of the document and its offset in it.
type value struct {
	off int64
	raw json.RawMessage
}

// members returns the members of the JSON object raw, in order, with the
// offsets of their keys, or an error when raw is not an object.
func members(raw value) ([]string, []value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw.raw))
	if t, err := dec.Token(); err != nil {
		return nil, nil, err
	} else if t != json.Delim('{') {
		return nil, nil, errNotObject
	}
	var keys []string
	var vals []value
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := t.(string)
		off := raw.off + dec.InputOffset()
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys, vals = append(keys, key), append(vals, value{off: off, raw: v})
	}
	return keys, vals, nil
}

var errNotObject = errors.New("not a JSON object")

// elements returns the elements of the array at key of the top-level object.
func elements(data []byte, key string) ([]value, error) {
	keys, vals, err := members(value{raw: data})
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		if k != key {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(vals[i].raw))
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil, fmt.Errorf("%q must be an array of forms", key)
		}
		var out []value
		for dec.More() {
			off := vals[i].off + dec.InputOffset()
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			// InputOffset is just past the previous token; the element
			// starts after the separator and white space.
			rest := data[off:]
			off += int64(len(rest) - len(bytes.TrimLeft(rest, ", \t\r\n")))
			out = append(out, value{off: off, raw: v})
		}
		return out, nil
	}
	return nil, nil
}

// readForm decodes one form member by member: a member that cannot be read
// (a misspelt key, a number for an amount, "七十九万") is recorded in the
// form's Unread with its line, and the others are still read, so that
// validation reports every problem of the form at once. Members are
// decoded by encoding/json into the Form itself, so the schema stays
// the Form's JSON tags.
func readForm(data []byte, raw value, allowSchema bool) (reports.Form, error) {
	var f reports.Form
	keys, vals, err := members(raw)
	if err != nil {
		return f, err
	}
	for i, key := range keys {
		v := vals[i]
		line := lineAt(data, v.off)
		switch {
		case key == "schema" && allowSchema:
			continue
		case key == "funds" && isObject(v.raw):
			fk, fv, err := members(v)
			if err != nil {
				return f, err
			}
			for j, k := range fk {
				path := "funds." + k
				f.SetLine(path, lineAt(data, fv[j].off))
				decodeMember(&f.Funds, k, fv[j].raw, &f, path)
			}
			continue
		case key == "indicators" && isArray(v.raw):
			var rows []json.RawMessage
			if err := json.Unmarshal(v.raw, &rows); err != nil {
				return f, err
			}
			if len(rows) > reports.MaxIndicators {
				return f, fmt.Errorf("\"indicators\" has %d rows; at most %d are read", len(rows), reports.MaxIndicators)
			}
			f.Indicators = make([]reports.Indicator, len(rows))
			offs := rowOffsets(v)
			for j, row := range rows {
				rv := value{off: offs[j], raw: row}
				f.SetLine(fmt.Sprintf("indicators[%d]", j), lineAt(data, rv.off))
				rk, rvals, err := members(rv)
				if err != nil {
					f.MarkUnread(fmt.Sprintf("indicators[%d]", j), string(row), "每行应是一个对象，如 {\"level1\": \"产出指标\", …}")
					continue
				}
				for k, col := range rk {
					path := reports.IndicatorPath(j, col)
					f.SetLine(path, lineAt(data, rvals[k].off))
					decodeMember(&f.Indicators[j], col, rvals[k].raw, &f, path)
				}
			}
			continue
		case key == "year" && isString(v.raw):
			// Written as text ("2020", "2020年"): read it as the text
			// importers do rather than refuse the form.
			var s string
			_ = json.Unmarshal(v.raw, &s)
			f.SetLine(key, line)
			_ = f.Set("year", s)
			continue
		}
		f.SetLine(key, line)
		decodeMember(&f, key, v.raw, &f, key)
	}
	return f, nil
}

// decodeMember decodes {key: raw} into dst (the form or one of its parts);
// a failure is recorded at path in form's Unread.
func decodeMember(dst any, key string, raw json.RawMessage, form *reports.Form, path string) {
	k, _ := json.Marshal(key)
	obj := append(append(append([]byte("{"), k...), ':'), raw...)
	obj = append(obj, '}')
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		text := string(raw)
		var s string
		if json.Unmarshal(raw, &s) == nil {
			text = s
		}
		form.MarkUnread(path, text, memberError(key, raw, err))
	}
}

// memberError says in words for a clerk why a member was not read,
// without Go's type names.
func memberError(key string, raw json.RawMessage, err error) string {
	var typ *json.UnmarshalTypeError
	switch {
	case strings.Contains(err.Error(), "unknown field"):
		return fmt.Sprintf("未知字段「%s」：这类表没有这个字段（拼写错误？字段见 docs/form-schema-v1.md）", key)
	case errors.As(err, &typ):
		want := "文本（带引号的字符串）"
		switch typ.Type.Kind() {
		case reflect.Int, reflect.Int64, reflect.Int32:
			want = "整数，如 2020"
		case reflect.Map:
			want = "对象，如 {\"键\": \"值\"}"
		case reflect.Slice:
			want = "数组"
		case reflect.Struct:
			if typ.Type == reflect.TypeOf(reports.Money{}) {
				want = "带引号的金额文本，如 \"790000.00\"（不用 JSON 数字，以免精度损失）"
			} else {
				want = "对象"
			}
		}
		return fmt.Sprintf("应为%s，填写的是 JSON %s %s", want, jsonKind(typ.Value), clip(string(raw)))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(v string) string {
	switch {
	case strings.HasPrefix(v, "number"):
		return "数字"
	case v == "string":
		return "文本"
	case v == "bool":
		return "true/false"
	case v == "array":
		return "数组"
	case v == "object":
		return "对象"
	}
	return v
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// rowOffsets returns the offset of each element of the JSON array v.
func rowOffsets(v value) []int64 {
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	_, _ = dec.Token()
	var out []int64
	for dec.More() {
		off := dec.InputOffset()
		rest := v.raw[off:]
		off += int64(len(rest) - len(bytes.TrimLeft(rest, ", \t\r\n")))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			break
		}
		out = append(out, v.off+off)
	}
	return out
}

func isObject(raw []byte) bool { return bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) }
func isArray(raw []byte) bool  { return bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) }
func isString(raw []byte) bool { return bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) }

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
