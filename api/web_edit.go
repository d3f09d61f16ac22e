package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
)

// The edit page shows every field the form's family declares and the
// indicator table as rows of inputs. What the clerk typed is kept verbatim
// (editState) until it parses, so a bad amount is shown back with its
// message instead of being lost.

// fieldID is the HTML id of a field path's input: "f-funds-total",
// "f-indicators-2-target". Ids are stable so that messages link to inputs.
func fieldID(path string) string {
	var b strings.Builder
	b.WriteString("f-")
	for _, r := range path {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '.' || r == '[' || r == ']':
			if !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		default:
			// Extra keys may be Chinese (绩效标准): keep them unique.
			fmt.Fprintf(&b, "u%x", r)
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// editState is the content of the edit form: raw field values by key and
// indicator rows by column key.
type editState struct {
	Values map[string]string
	Rows   []map[string]string
	// Keep holds, per row, the indicator columns the family does not
	// declare (an imported 指标解释, a column of another family) as JSON:
	// the page carries them in a hidden input that moves with its row, so
	// that saving never loses what the page cannot show. "" for none; may
	// be shorter than Rows.
	Keep []string
}

// keepOf returns the kept columns of row i.
func (st *editState) keepOf(i int) string {
	if i < len(st.Keep) {
		return st.Keep[i]
	}
	return ""
}

// stateOf fills the edit form from a stored form, money in the family's unit.
func stateOf(f *reports.Form, fam *family.Family) editState {
	st := editState{Values: map[string]string{}}
	for _, fd := range fam.Fields {
		v := f.Get(fd.Key)
		if fd.Type == family.TypeMoney && reports.IsMoney(fd.Key) && fam.Funds.Unit == family.UnitWanYuan {
			if m := f.Amount(fd.Key); m.Set {
				v = m.WanYuan(2)
			}
		}
		st.Values[fd.Key] = v
	}
	for i := range f.Indicators {
		row := map[string]string{}
		for _, c := range fam.Indicators.Columns {
			row[c.Key] = f.Indicators[i].Get(c.Key)
		}
		st.Rows = append(st.Rows, row)
		keep := map[string]string{}
		for k, v := range f.Indicators[i].Extra {
			if !declared(fam, k) {
				keep[k] = v
			}
		}
		st.Keep = append(st.Keep, "")
		if len(keep) > 0 {
			data, _ := json.Marshal(keep) // strings only: cannot fail
			st.Keep[i] = string(data)
		}
	}
	return st
}

// declared reports whether the family has an indicator column key.
func declared(fam *family.Family, key string) bool {
	return slices.ContainsFunc(fam.Indicators.Columns, func(c family.Column) bool { return c.Key == key })
}

// Names of the edit form's inputs: "f.KEY" for fields, "i.COLUMN" repeated
// once per indicator row in row order (so that reordering rows in the page
// needs no renumbering).
const (
	fieldPrefix  = "f."
	columnPrefix = "i."
	keepName     = "r.keep" // a row's undeclared columns (editState.Keep)
)

// stateFrom reads the posted edit form.
func stateFrom(form url.Values, fam *family.Family) editState {
	st := editState{Values: map[string]string{}}
	for _, fd := range fam.Fields {
		st.Values[fd.Key] = normalizeNewlines(form.Get(fieldPrefix + fd.Key))
	}
	n := 0
	for _, c := range fam.Indicators.Columns {
		n = max(n, len(form[columnPrefix+c.Key]))
	}
	st.Keep = form[keepName]
	for i := 0; i < n; i++ {
		row := map[string]string{}
		for _, c := range fam.Indicators.Columns {
			if vs := form[columnPrefix+c.Key]; i < len(vs) {
				row[c.Key] = normalizeNewlines(vs[i])
			}
		}
		st.Rows = append(st.Rows, row)
	}
	return st
}

// normalizeNewlines turns the CRLF browsers send for textareas into LF.
func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// apply performs a row operation of the edit form ("add", "del:3",
// "up:3", "down:3") and returns the row to focus afterwards (-1 for none).
func (st *editState) apply(op string) (focus int, ok bool) {
	name, arg, _ := strings.Cut(op, ":")
	i, err := strconv.Atoi(arg)
	if name != "add" && (err != nil || i < 0 || i >= len(st.Rows)) {
		return -1, false
	}
	// Kept columns move with their rows: first one entry per row.
	keep := make([]string, len(st.Rows))
	copy(keep, st.Keep)
	st.Keep = keep
	switch name {
	case "add":
		st.Rows = append(st.Rows, map[string]string{})
		st.Keep = append(st.Keep, "")
		return len(st.Rows) - 1, true
	case "del":
		st.Rows = slices.Delete(st.Rows, i, i+1)
		st.Keep = slices.Delete(st.Keep, i, i+1)
		return min(i, len(st.Rows)-1), true
	case "up":
		if i > 0 {
			st.Rows[i-1], st.Rows[i] = st.Rows[i], st.Rows[i-1]
			st.Keep[i-1], st.Keep[i] = st.Keep[i], st.Keep[i-1]
			return i - 1, true
		}
		return i, true
	case "down":
		if i+1 < len(st.Rows) {
			st.Rows[i+1], st.Rows[i] = st.Rows[i], st.Rows[i+1]
			st.Keep[i+1], st.Keep[i] = st.Keep[i], st.Keep[i+1]
			return i + 1, true
		}
		return i, true
	}
	return -1, false
}

// toForm applies the edit state to a copy of the stored form. Values that
// do not parse (an amount, the year) give problems at their path; rows left
// wholly blank are dropped (with their kept columns: the clerk emptied
// every cell they could see); a blank 一级/二级 cell means "same as above",
// as in the printed form, and takes the value of the row above.
func (st editState) toForm(base reports.Form, fam *family.Family) (reports.Form, reports.Problems) {
	f := base
	f.Extra = cloneMap(base.Extra)
	f.Lines, f.Source = nil, ""
	var probs reports.Problems
	bad := func(path, msg string) {
		probs = append(probs, reports.Problem{Severity: reports.SeverityError, Path: path, Message: msg})
	}
	// A value that does not parse stays in the form's Unread: the page
	// shows it as typed and Check reports it with every other problem.
	unread := func(path, text, msg string) {
		f.MarkUnread(path, text, msg)
		bad(path, msg)
	}
	for _, fd := range fam.Fields {
		v := st.Values[fd.Key]
		switch {
		case fd.Key == "year":
			if strings.TrimSpace(v) == "" {
				f.Year = 0
			} else if err := f.Set("year", v); err != nil {
				unread("year", v, "年度格式错误：应为四位数年份，例如 2020")
			}
		case reports.IsMoney(fd.Key):
			parse := reports.ParseMoney
			if fam.Funds.Unit == family.UnitWanYuan {
				parse = reports.ParseWanYuan
			}
			m, err := parse(v)
			if err != nil {
				unread(fd.Key, v, "金额格式错误：应为数字，最多"+map[bool]string{true: "六", false: "两"}[fam.Funds.Unit == family.UnitWanYuan]+"位小数，例如 790,000.00")
				continue
			}
			f.Set(fd.Key, m.Plain()) // exact: Plain is what ParseMoney reads back
		case strings.HasPrefix(fd.Key, "extra.") && v == "":
			// Blank and absent are the same; keep the form's hash unchanged.
			delete(f.Extra, strings.TrimPrefix(fd.Key, "extra."))
		default:
			f.Set(fd.Key, v) // text: cannot fail
		}
	}
	f.Indicators = nil
	for ri, row := range st.Rows {
		blank := true
		for _, v := range row {
			if strings.TrimSpace(v) != "" {
				blank = false
			}
		}
		if blank {
			continue
		}
		var in reports.Indicator
		for _, c := range fam.Indicators.Columns {
			if v := strings.TrimSpace(row[c.Key]); v != "" || isLevel(c.Key) {
				in.Set(c.Key, v)
			}
		}
		if keep := st.keepOf(ri); keep != "" {
			var cols map[string]string
			if err := json.Unmarshal([]byte(keep), &cols); err != nil {
				// Only a page altered outside the browser gets here.
				bad("indicators", fmt.Sprintf("第 %d 行的隐藏列无法读取，请重新打开编辑页面。", ri+1))
			}
			for k, v := range cols {
				if !declared(fam, k) && !isLevel(k) {
					in.Set(k, v)
				}
			}
		}
		if n := len(f.Indicators); n > 0 {
			prev := f.Indicators[n-1]
			if in.Level1 == "" {
				in.Level1 = prev.Level1
				if in.Level2 == "" {
					in.Level2 = prev.Level2
				}
			} else if in.Level2 == "" && in.Level1 == prev.Level1 {
				in.Level2 = prev.Level2
			}
		}
		f.Indicators = append(f.Indicators, in)
	}
	return f, probs
}

// isLevel reports whether an indicator column is one of Indicator's own.
func isLevel(key string) bool {
	return key == "level1" || key == "level2" || key == "level3" || key == "target"
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// editField is one input of the edit page.
type editField struct {
	Key, ID, Name, Label, Type, Value string
	Required                          bool
	Options                           []string
	Hint                              string
	Problems                          []reports.Problem
}

// editGroup is a fieldset of the edit page.
type editGroup struct {
	Legend string
	Fields []editField
}

// editRow is one indicator row of the edit page.
type editRow struct {
	Index int // 0-based
	Cells []editField
	Keep  string // editState.Keep of the row, for its hidden input
	Focus bool
}

type editColumn struct {
	Key, Label string
}

// editView is what edit.html shows.
type editView struct {
	Groups   []editGroup
	Columns  []editColumn
	Rows     []editRow
	Blank    editRow // template of a new row for the page's script
	Problems []viewProblem
	Unit     string // the family's money unit
}

// viewProblem is a problem with the place it links to.
type viewProblem struct {
	reports.Problem
	Label  string
	Anchor string
}

func problemsByPath(ps reports.Problems) map[string][]reports.Problem {
	m := map[string][]reports.Problem{}
	for _, p := range ps {
		m[p.Path] = append(m[p.Path], p)
	}
	return m
}

// buildEditView lays the edit form out: base fields, long texts, amounts
// and headings, then the indicator rows; problems sit with their fields
// and, in order, in the summary at the top. units, when not empty, are the
// only 申报单位 the caller may choose (a clerk's).
func buildEditView(st editState, fam *family.Family, ps reports.Problems, focusRow int, units []string) editView {
	by := problemsByPath(ps)
	v := editView{Unit: fam.Funds.Unit}
	groups := []editGroup{{Legend: "基本信息"}, {Legend: "项目情况"}, {Legend: "资金情况"}, {Legend: "标题（留空则按表式自动生成）"}}
	shown := map[string]bool{}
	for _, fd := range fam.Fields {
		ef := editField{
			Key: fd.Key, ID: fieldID(fd.Key), Name: fieldPrefix + fd.Key, Label: fam.PrintedLabel(&fd),
			Type: fd.Type, Value: st.Values[fd.Key], Required: fd.Required, Options: fd.Options, Problems: by[fd.Key],
		}
		shown[fd.Key] = true
		g := 0
		switch {
		case fd.Key == "funds_heading" || fd.Key == "targets_heading":
			g = 3
		case fd.Type == family.TypeLongText:
			g = 1
		case fd.Type == family.TypeMoney:
			g = 2
			ef.Hint = "单位：" + fam.Funds.Unit
		case fd.Type == family.TypeDate:
			ef.Hint = "例如 2020-01-01"
		case fd.Type == family.TypePeriod:
			ef.Hint = "例如 2023.07-2024.01"
		}
		if fd.Key == "unit" && len(units) > 0 {
			ef.Type, ef.Options = family.TypeChoice, units
		}
		if ef.Type == family.TypeChoice && ef.Value != "" && !slices.Contains(ef.Options, ef.Value) {
			ef.Options = append([]string{ef.Value}, ef.Options...) // never lose what was entered
		}
		groups[g].Fields = append(groups[g].Fields, ef)
	}
	for _, g := range groups {
		if len(g.Fields) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	for _, c := range fam.Indicators.Columns {
		v.Columns = append(v.Columns, editColumn{Key: c.Key, Label: c.Label})
	}
	row := func(i int, values map[string]string) editRow {
		r := editRow{Index: i, Focus: i == focusRow, Keep: st.keepOf(i)}
		for _, c := range fam.Indicators.Columns {
			path := reports.IndicatorPath(i, c.Key)
			r.Cells = append(r.Cells, editField{
				Key: c.Key, ID: fieldID(path), Name: columnPrefix + c.Key, Label: c.Label,
				Value: values[c.Key], Problems: by[path],
			})
			shown[path] = true
		}
		return r
	}
	for i, values := range st.Rows {
		v.Rows = append(v.Rows, row(i, values))
	}
	v.Blank = row(len(st.Rows), map[string]string{})
	v.Blank.Keep = ""
	for _, p := range ps {
		vp := viewProblem{Problem: p, Label: p.Label()}
		if fd, ok := fam.Field(p.Path); ok {
			vp.Label = fam.PrintedLabel(fd)
		}
		if shown[p.Path] {
			vp.Anchor = fieldID(p.Path)
		} else if strings.HasPrefix(p.Path, "indicators") {
			vp.Anchor = "indicators"
		}
		v.Problems = append(v.Problems, vp)
	}
	return v
}
