package family

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/reportd/reportd/reports"
)

// Error is a mistake in a family file, located by file, JSON path
// ("table.sections[1].rows[0].cells[2].value") and, for syntax errors, line.
type Error struct {
	File string
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// MaxFileSize bounds a family file; real ones are a few KB.
const MaxFileSize = 1 << 20

// Parse reads one family file. source names it in messages. The result is
// checked: every key a table cell references is declared, spans add up to
// the grid's columns, types and units are known.
func Parse(data []byte, source string) (*Family, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{File: source, Msg: fmt.Sprintf("larger than %d KB", MaxFileSize>>10)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var fam Family
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fam); err != nil {
		return nil, decodeError(data, source, err)
	}
	if dec.More() {
		return nil, &Error{File: source, Msg: "more than one JSON value in the file"}
	}
	fam.Source = source
	if err := fam.check(); err != nil {
		return nil, err
	}
	return &fam, nil
}

func decodeError(data []byte, source string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &Error{File: source, Line: lineAt(data, syn.Offset), Msg: "invalid JSON: " + syn.Error()}
	case errors.As(err, &typ):
		return &Error{File: source, Path: typ.Field, Line: lineAt(data, typ.Offset),
			Msg: fmt.Sprintf("expected %s, found JSON %s", typeName(typ.Type), typ.Value)}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		var raw any
		if json.Unmarshal(data, &raw) == nil {
			if p := unknownPath(raw, reflect.TypeFor[Family](), ""); p != "" {
				return &Error{File: source, Path: p, Msg: "unknown key " + name + " (misspelt?)"}
			}
		}
		return &Error{File: source, Msg: "unknown key " + name + " (misspelt?)"}
	}
	return &Error{File: source, Msg: err.Error()}
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Float64:
		return "a number"
	}
	return t.String()
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// unknownPath walks decoded JSON beside the Go type and returns the path of
// the first key the type does not declare, so the message can point at it.
func unknownPath(v any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Map:
			for _, k := range sortedKeys(val) {
				if p := unknownPath(val[k], t.Elem(), join(path, k)); p != "" {
					return p
				}
			}
		case reflect.Struct:
			fields := map[string]reflect.Type{}
			for i := 0; i < t.NumField(); i++ {
				sf := t.Field(i)
				name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
				if name != "" && name != "-" {
					fields[strings.ToLower(name)] = sf.Type
				}
			}
			for _, k := range sortedKeys(val) {
				ft, ok := fields[strings.ToLower(k)]
				if !ok {
					return join(path, k)
				}
				if p := unknownPath(val[k], ft, join(path, k)); p != "" {
					return p
				}
			}
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range val {
				if p := unknownPath(e, t.Elem(), path+"["+strconv.Itoa(i)+"]"); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// checker collects the first problem with its path.
type checker struct {
	fam *Family
	err *Error
}

func (c *checker) fail(path, format string, args ...any) {
	if c.err == nil {
		c.err = &Error{File: c.fam.Source, Path: path, Msg: fmt.Sprintf(format, args...)}
	}
}

var types = []string{TypeText, TypeLongText, TypeDate, TypePeriod, TypeMoney, TypeYear, TypeChoice}

func (f *Family) check() error {
	c := &checker{fam: f}
	if f.Name == "" {
		c.fail("name", "is required")
	} else if strings.ContainsAny(f.Name, "/\\ \t") {
		c.fail("name", "%q must not contain spaces or slashes", f.Name)
	}
	if strings.TrimSpace(f.Title) == "" {
		c.fail("title", "is required")
	}
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		c.fail("kind", "unknown kind %q (one of %s)", f.Kind, strings.Join(Kinds, ", "))
	}
	for _, k := range sortedKeys(anyMap(f.Companions)) {
		switch {
		case k == KindTarget || !slices.Contains(Kinds, k):
			c.fail("companions."+k, "not a derived document kind (%s, %s)", KindSelfEvaluation, KindMonitoring)
		case f.Companions[k] == "":
			c.fail("companions."+k, "a family name is required")
		}
	}
	f.fields = map[string]*Field{}
	for i := range f.Fields {
		fd := &f.Fields[i]
		p := fmt.Sprintf("fields[%d]", i)
		switch {
		case fd.Key == "":
			c.fail(p+".key", "is required")
		case f.fields[fd.Key] != nil:
			c.fail(p+".key", "%q is declared twice", fd.Key)
		case !knownKey(fd.Key):
			c.fail(p+".key", "%q is not a field of the form; family-specific fields are written \"extra.NAME\"", fd.Key)
		}
		if fd.Label == "" {
			c.fail(p+".label", "is required")
		}
		if fd.Type == "" {
			fd.Type = TypeText
		}
		if !slices.Contains(types, fd.Type) {
			c.fail(p+".type", "unknown type %q (one of %s)", fd.Type, strings.Join(types, ", "))
		}
		if fd.Type == TypeChoice && len(fd.Options) == 0 {
			c.fail(p+".options", "a choice needs options")
		}
		if reports.IsMoney(fd.Key) && fd.Type != TypeMoney {
			c.fail(p+".type", "%q is an amount: its type must be money", fd.Key)
		}
		f.fields[fd.Key] = fd
	}
	if f.Funds.Unit == "" && len(f.Funds.Rows) > 0 {
		c.fail("funds.unit", "is required (元 or 万元)")
	}
	if f.Funds.Unit != "" && f.Funds.Unit != UnitYuan && f.Funds.Unit != UnitWanYuan {
		c.fail("funds.unit", "%q: must be 元 or 万元", f.Funds.Unit)
	}
	for _, d := range []struct {
		name string
		v    *int
	}{{"decimals", f.Funds.Decimals}, {"max_decimals", f.Funds.MaxDecimals}} {
		if d.v != nil && (*d.v < 0 || *d.v > 6) {
			c.fail("funds."+d.name, "%d: must be between 0 and 6", *d.v)
		}
	}
	if least, most := f.DecimalRange(); least > most {
		c.fail("funds.max_decimals", "%d is less than decimals (%d)", most, least)
	}
	for i, h := range f.Header {
		if h.Left == "" && h.Right == "" {
			c.fail(fmt.Sprintf("header[%d]", i), "an empty line: give left or right text")
		}
	}
	for i, k := range f.Funds.Rows {
		if fd, ok := f.fields[k]; !ok {
			c.fail(fmt.Sprintf("funds.rows[%d]", i), "%q is not declared in fields", k)
		} else if fd.Type != TypeMoney {
			c.fail(fmt.Sprintf("funds.rows[%d]", i), "%q is not of type money", k)
		}
	}
	f.checkIndicators(c)
	f.checkScoring(c)
	f.checkPage(c)
	f.checkTable(c)
	if c.err != nil {
		return c.err
	}
	return nil
}

func (f *Family) checkCell(c *checker, cell *Cell, cp string) {
	set := 0
	for _, v := range []string{cell.Label, cell.Text, cell.Value} {
		if v != "" {
			set++
		}
	}
	if cell.Blank {
		set++
	}
	if set != 1 {
		c.fail(cp, "exactly one of label, text, value and blank is required")
	}
	if cell.Label != "" {
		if _, ok := f.fields[cell.Label]; !ok {
			c.fail(cp+".label", "%q is not declared in fields", cell.Label)
		}
	}
	if cell.Value != "" {
		if _, ok := f.fields[cell.Value]; !ok {
			c.fail(cp+".value", "%q is not declared in fields", cell.Value)
		}
	}
	switch cell.Align {
	case "", "left", "center", "right":
	default:
		c.fail(cp+".align", "%q: one of left, center, right", cell.Align)
	}
	if cell.Span < 0 {
		c.fail(cp+".span", "must be positive")
	}
	if cell.Span == 0 {
		cell.Span = 1
	}
	if cell.Rows < 0 {
		c.fail(cp+".rows", "must be positive")
	}
	if cell.Rows == 0 {
		cell.Rows = 1
	}
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// checkScoring checks that weights are exact non-negative decimals, that no
// level-1 name has two weights, and that weights and budget points add up
// to 100, as the 财政部 rule's do.
func (f *Family) checkScoring(c *checker) {
	s := f.Scoring
	if s == nil {
		return
	}
	num := func(path string, n json.Number) *big.Rat {
		if n == "" {
			return nil
		}
		r, ok := new(big.Rat).SetString(string(n))
		if !ok || r.Sign() < 0 || strings.ContainsAny(string(n), "eE") {
			c.fail(path, "%q: a non-negative decimal number is required", string(n))
			return nil
		}
		return r
	}
	total := big.NewRat(10, 1)
	if r := num("scoring.budget_points", s.BudgetPoints); r != nil {
		total = r
	}
	seen := map[string]bool{}
	for i, w := range s.Weights {
		p := fmt.Sprintf("scoring.weights[%d]", i)
		if len(w.Level1) == 0 {
			c.fail(p+".level1", "at least one level-1 name is required")
		}
		for _, n := range w.Level1 {
			if seen[n] {
				c.fail(p+".level1", "%q has more than one weight", n)
			}
			seen[n] = true
		}
		if w.Points == "" {
			c.fail(p+".points", "is required")
		} else if r := num(p+".points", w.Points); r != nil {
			total.Add(total, r)
		}
	}
	if len(s.Weights) > 0 && total.Cmp(big.NewRat(100, 1)) != 0 {
		c.fail("scoring.weights", "budget points and weights add up to %s, not 100", total.FloatString(2))
	}
	if s.Decimals != 0 && s.Decimals != 1 && s.Decimals != 2 {
		c.fail("scoring.decimals", "%d: scores print with 1 or 2 decimals", s.Decimals)
	}
	if r := num("scoring.review_above_percent", s.ReviewAbovePercent); r != nil && r.Cmp(big.NewRat(100, 1)) <= 0 {
		c.fail("scoring.review_above_percent", "must be more than 100 (an actual beyond its target)")
	}
}

func knownKey(k string) bool {
	if strings.HasPrefix(k, "extra.") {
		return len(k) > len("extra.")
	}
	return slices.ContainsFunc(reports.Fields, func(fd reports.Field) bool { return fd.Key == k })
}

func (f *Family) checkIndicators(c *checker) {
	cols := f.Indicators.Columns
	if len(cols) == 0 {
		c.fail("indicators.columns", "at least one column is required")
	}
	seen := map[string]bool{}
	for i := range cols {
		col := &cols[i]
		p := fmt.Sprintf("indicators.columns[%d]", i)
		if col.Key == "" {
			c.fail(p+".key", "is required")
		} else if seen[col.Key] {
			c.fail(p+".key", "%q is declared twice", col.Key)
		}
		seen[col.Key] = true
		if col.Label == "" {
			c.fail(p+".label", "is required")
		}
		if col.Span < 0 {
			c.fail(p+".span", "must be positive")
		}
		if col.Span == 0 {
			col.Span = 1
		}
		if col.Merge && i > 0 && !cols[i-1].Merge {
			c.fail(p+".merge", "merged columns must come first (a merged column is nested in the one before)")
		}
	}
	for l1 := range f.Vocab.Level2 {
		if len(f.Vocab.Level1) > 0 && !slices.Contains(f.Vocab.Level1, l1) {
			c.fail("vocabulary.level2."+l1, "%q is not in vocabulary.level1", l1)
		}
	}
}

func (f *Family) checkPage(c *checker) {
	p := &f.Page
	for _, v := range []struct {
		name string
		val  float64
	}{{"width_mm", p.WidthMM}, {"height_mm", p.HeightMM}, {"title_pt", p.TitleSize},
		{"subtitle_pt", p.SubtitleSize}, {"heading_pt", p.HeadingSize}, {"body_pt", p.BodySize}} {
		if v.val <= 0 {
			c.fail("page."+v.name, "must be a positive number")
		}
	}
	for _, v := range []struct {
		name string
		val  float64
	}{{"top_mm", p.TopMM}, {"bottom_mm", p.BottomMM}, {"left_mm", p.LeftMM}, {"right_mm", p.RightMM},
		{"footer_mm", p.FooterMM}, {"page_number_pt", p.PageNumberSize}, {"leading", p.Leading}, {"padding_mm", p.PaddingMM}} {
		if v.val < 0 {
			c.fail("page."+v.name, "must not be negative")
		}
	}
	if p.WidthMM-p.LeftMM-p.RightMM < 50 {
		c.fail("page", "the printable width (%.0f mm) is too small", p.WidthMM-p.LeftMM-p.RightMM)
	}
	if p.HeightMM-p.TopMM-p.BottomMM < 80 {
		c.fail("page", "the printable height (%.0f mm) is too small", p.HeightMM-p.TopMM-p.BottomMM)
	}
	if p.FooterMM >= p.BottomMM && p.BottomMM > 0 {
		c.fail("page.footer_mm", "the page number (%.0f mm from the edge) must sit inside the bottom margin (%.0f mm)", p.FooterMM, p.BottomMM)
	}
	if p.Leading != 0 && (p.Leading < 1 || p.Leading > 3) {
		c.fail("page.leading", "must be between 1 and 3 (line height / type size)")
	}
	for _, v := range []struct {
		name     string
		val, max float64
	}{{"title_pt", p.TitleSize, 72}, {"subtitle_pt", p.SubtitleSize, 48}, {"heading_pt", p.HeadingSize, 36},
		{"body_pt", p.BodySize, 36}, {"page_number_pt", p.PageNumberSize, 36}, {"padding_mm", p.PaddingMM, 10},
		{"width_mm", p.WidthMM, 2000}, {"height_mm", p.HeightMM, 2000}} {
		if v.val > v.max {
			c.fail("page."+v.name, "%g is more than %g", v.val, v.max)
		}
	}
}

func (f *Family) checkTable(c *checker) {
	t := &f.Table
	n := len(t.Columns)
	if n == 0 {
		c.fail("table.columns", "at least one column width is required")
		return
	}
	for i, w := range t.Columns {
		if w <= 0 {
			c.fail(fmt.Sprintf("table.columns[%d]", i), "widths must be positive")
		}
	}
	indicators := 0
	for si := range t.Sections {
		s := &t.Sections[si]
		sp := fmt.Sprintf("table.sections[%d]", si)
		if s.HeadingField != "" {
			if _, ok := f.fields[s.HeadingField]; !ok && !knownKey(s.HeadingField) {
				c.fail(sp+".heading_field", "%q is not a field of the form", s.HeadingField)
			}
		}
		off := 0 // columns taken by the section's side label
		if s.LabelSpan < 0 {
			c.fail(sp+".label_span", "must be positive")
		}
		if s.Label != "" {
			if s.LabelSpan <= 0 {
				s.LabelSpan = 1
			}
			off = s.LabelSpan
			if off >= n {
				c.fail(sp+".label_span", "the side label takes %d of the table's %d columns: none is left for the rows", off, n)
				continue
			}
		} else if s.LabelSpan > 0 {
			c.fail(sp+".label_span", "is only meaningful with a label")
		}
		if s.Indicators {
			indicators++
			if len(s.Rows) > 0 {
				c.fail(sp+".rows", "an indicator section has no rows of its own")
			}
			total := 0
			for _, col := range f.Indicators.Columns {
				total += col.Span
			}
			if total != n-off {
				if off > 0 {
					c.fail("indicators.columns", "spans add up to %d but the table has %d columns, %d of them beside the side label of %s", total, n, n-off, sp)
				} else {
					c.fail("indicators.columns", "spans add up to %d but the table has %d columns", total, n)
				}
			}
			continue
		}
		if len(s.Rows) == 0 && s.Heading == "" {
			c.fail(sp, "a section needs a heading or rows")
		}
		if len(s.Rows) == 0 && s.Label != "" {
			c.fail(sp+".label", "a side label needs rows beside it")
		}
		// covered[i] counts the rows below still covered by a cell of an
		// earlier row that spans several rows.
		covered := make([]int, n)
		for ri := range s.Rows {
			row := &s.Rows[ri]
			rp := fmt.Sprintf("%s.rows[%d]", sp, ri)
			if row.HeightMM < 0 || row.HeightMM > 200 {
				c.fail(rp+".height_mm", "must be between 0 and 200 (millimetres)")
			}
			col := off
			for ci := range row.Cells {
				cell := &row.Cells[ci]
				cp := fmt.Sprintf("%s.cells[%d]", rp, ci)
				f.checkCell(c, cell, cp)
				for col < n && covered[col] > 0 {
					col++
				}
				if col+cell.Span > n {
					c.fail(cp+".span", "the cell does not fit: the row has %d free columns from column %d", n-col, col+1)
					break
				}
				for k := col; k < col+cell.Span; k++ {
					if covered[k] > 0 {
						c.fail(cp+".span", "the cell runs into column %d, covered by a cell of a row above (rows)", k+1)
					}
					covered[k] = cell.Rows // this row counts: decremented below
				}
				if cell.Rows > len(s.Rows)-ri {
					c.fail(cp+".rows", "%d rows run past the end of the section (%d rows left)", cell.Rows, len(s.Rows)-ri)
				}
				col += cell.Span
			}
			free := 0
			for k := off; k < n; k++ {
				if covered[k] == 0 {
					free++
				}
			}
			if free > 0 {
				total := 0
				for _, cell := range row.Cells {
					total += cell.Span
				}
				c.fail(rp, "cells span %d columns but the table has %d (%d left empty)", total, n-off, free)
			}
			for k := range covered {
				if covered[k] > 0 {
					covered[k]--
				}
			}
		}
	}
	if indicators != 1 {
		c.fail("table.sections", "exactly one section must have \"indicators\": true (found %d)", indicators)
	}
}
