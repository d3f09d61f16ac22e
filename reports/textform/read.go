package textform

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
)

// MaxSize bounds what Read accepts: a real file of forms is a few hundred KB.
const MaxSize = 32 << 20

// Error is a problem in the text itself, located by file and line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Reader reads the text format. With Families set it recognises every
// family's labels and synonyms, detects each form's family from its title
// and labels, and records it in Form.Family; without, it knows the labels of
// the sample's family and common synonyms.
type Reader struct {
	Families *family.Registry
	// Family, when set, is the family of every form read: detection is
	// skipped (reportd -family NAME).
	Family string
}

// Read parses every form in r with the built-in labels (see Reader).
func Read(r io.Reader, name string) ([]reports.Form, error) {
	return Reader{}.Read(r, name)
}

// Read parses every form in r. name is used in messages and recorded as each
// form's Source. Blank level-1/level-2 cells are filled down.
func (rd Reader) Read(r io.Reader, name string) ([]reports.Form, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, &Error{File: name, Msg: fmt.Sprintf("read: %v", err)}
	}
	if len(data) > MaxSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("file is larger than %d MB", MaxSize>>20)}
	}
	text, err := decode(data)
	if err != nil {
		return nil, &Error{File: name, Msg: err.Error()}
	}
	p := parser{name: name, lines: splitRecords(text), families: rd.Families}
	if rd.Family != "" {
		if rd.Families == nil {
			return nil, &Error{File: name, Msg: "form family " + rd.Family + " given without the families"}
		}
		fam, err := rd.Families.Get(rd.Family)
		if err != nil {
			return nil, &Error{File: name, Msg: err.Error()}
		}
		p.fixed = fam
	}
	return p.parse()
}

// decode returns the UTF-8 text of data, accepting a UTF-8 BOM and files
// saved as GB18030/GBK by Chinese Excel or Notepad.
func decode(data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return "", fmt.Errorf("file is empty: no form found")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", fmt.Errorf("not a text file (binary content)")
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	if bad := firstInvalid(data); hasNonASCII(data[:bad]) {
		// Text that is UTF-8 up to here: not a GB18030 file.
		if !utf8.FullRune(data[bad:]) {
			// Cut in the middle of the last character: read what is there
			// and let the structure checks report the truncation.
			return string(data[:bad]), nil
		}
		return "", fmt.Errorf("line %d: invalid UTF-8 byte sequence", bytes.Count(data[:bad], []byte("\n"))+1)
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return "", fmt.Errorf("not a text file (neither UTF-8 nor GB18030)")
	}
	return string(out), nil
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

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// record is one logical row: its cells and the line it starts on.
type record struct {
	line  int
	cells []string
}

// splitRecords splits text into tab-separated rows. A cell that starts with
// a double quote may span lines (as Excel copies cells with line breaks);
// "" inside it is a literal quote. Trailing empty cells are dropped.
func splitRecords(text string) []record {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var out []record
	line := 1
	i := 0
	for i <= len(text) {
		rec := record{line: line}
		for {
			var cell string
			if i < len(text) && text[i] == '"' {
				cell, i, line = quotedCell(text, i, line)
			} else {
				j := i
				for j < len(text) && text[j] != '\t' && text[j] != '\n' {
					j++
				}
				cell, i = text[i:j], j
			}
			rec.cells = append(rec.cells, cell)
			if i < len(text) && text[i] == '\t' {
				i++
				continue
			}
			break
		}
		for len(rec.cells) > 0 && strings.TrimSpace(rec.cells[len(rec.cells)-1]) == "" {
			rec.cells = rec.cells[:len(rec.cells)-1]
		}
		out = append(out, rec)
		if i >= len(text) {
			break
		}
		i++ // the newline
		line++
	}
	return out
}

// quotedCell reads a quoted cell starting at text[i] == '"'. If no closing
// quote ends the cell, the quote is taken literally up to the end of line.
func quotedCell(text string, i, line int) (string, int, int) {
	var b strings.Builder
	j, l := i+1, line
	for j < len(text) {
		c := text[j]
		if c == '"' {
			if j+1 < len(text) && text[j+1] == '"' {
				b.WriteByte('"')
				j += 2
				continue
			}
			// The closing quote must end the cell.
			if j+1 == len(text) || text[j+1] == '\t' || text[j+1] == '\n' {
				return b.String(), j + 1, l
			}
			break
		}
		if c == '\n' {
			l++
		}
		b.WriteByte(c)
		j++
	}
	// Not a well-formed quoted cell: read it as plain text.
	k := i
	for k < len(text) && text[k] != '\t' && text[k] != '\n' {
		k++
	}
	return text[i:k], k, line
}

type state int

const (
	stateNone       state = iota // before the first title
	stateFields                  // title seen: label/value rows
	stateTableHead               // targets heading seen: expecting the column header
	stateIndicators              // column header seen: indicator rows
)

type parser struct {
	families *family.Registry
	fixed    *family.Family // the family given explicitly, if any
	fam      *family.Family // family of the current form, nil without a registry
	name     string
	lines    []record
	forms    []reports.Form
	cur      *reports.Form
	st       state
	cols     []string       // indicator column keys, in header order ("" for a side label's column)
	above    map[int]string // field keys of a row of labels whose values are on the next row
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &Error{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) parse() ([]reports.Form, error) {
	for i, rec := range p.lines {
		if len(rec.cells) == 0 {
			continue
		}
		if p.families != nil && len(rec.cells) == 1 && p.isTitle(rec.cells[0]) {
			if p.fam = p.fixed; p.fam == nil {
				p.fam = p.families.Detect(strings.TrimSpace(rec.cells[0]), p.labelsAfter(i+1))
			}
		}
		if err := p.record(rec); err != nil {
			return nil, err
		}
	}
	if err := p.finish(len(p.lines)); err != nil {
		return nil, err
	}
	if len(p.forms) == 0 {
		return nil, p.errorf(0, "no form found (a form starts with a title line such as %s)", reports.DefaultTitle)
	}
	return p.forms, nil
}

func (p *parser) record(rec record) error {
	first := strings.TrimSpace(rec.cells[0])
	if len(rec.cells) == 1 && p.isTitle(first) {
		if err := p.finish(rec.line); err != nil {
			return err
		}
		if len(p.forms) == reports.MaxForms {
			return p.errorf(rec.line, "more than %d forms in one file: split it", reports.MaxForms)
		}
		p.forms = append(p.forms, reports.Form{Title: first, Source: p.name})
		p.cur = &p.forms[len(p.forms)-1]
		if p.fam != nil {
			p.cur.Family = p.fam.Name
		}
		p.cur.SetLine("title", rec.line)
		if y, ok := titleYear(first); ok {
			p.cur.Year = y // "2023年项目支出绩效目标申报表"; a subtitle may still say otherwise
			p.cur.SetLine("year", rec.line)
		}
		p.st = stateFields
		p.above = nil
		return nil
	}
	if p.cur == nil {
		return p.errorf(rec.line, "expected a form title such as %s, found %q", reports.DefaultTitle, clip(first))
	}
	if strings.HasPrefix(first, "#") {
		return p.heading(rec)
	}
	if p.fam != nil && p.literalRow(rec) {
		return nil // printed by the family: 财政部门审核意见, 注：…, 填报单位：（盖章）
	}
	switch p.st {
	case stateTableHead:
		return p.header(rec)
	case stateIndicators:
		return p.indicator(rec)
	}
	if p.isTableHeader(rec) {
		p.st = stateTableHead
		return p.header(rec)
	}
	return p.fields(rec)
}

// literalRow reports whether every non-blank cell of rec is text the
// family prints itself.
func (p *parser) literalRow(rec record) bool {
	any := false
	for _, c := range rec.cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if !p.fam.IsLiteral(c) {
			return false
		}
		any = true
	}
	return any
}

// isTableHeader recognises the indicator column header without a "###"
// heading before it, as a table copied from a print has it: its first
// cell (after the section's side label, if any) is the level-1 column.
func (p *parser) isTableHeader(rec record) bool {
	if p.fam == nil {
		return false
	}
	known, first := 0, true
	for _, c := range rec.cells {
		if strings.TrimSpace(c) == "" || p.fam.IsLiteral(c) {
			continue
		}
		k, ok := p.fam.ColumnKey(c)
		if first && (!ok || k != "level1") {
			return false
		}
		first = false
		if ok {
			known++
		}
	}
	return known >= 2
}

// heading handles "## 2020年绩效目标" (or "###"): the indicator table follows.
func (p *parser) heading(rec record) error {
	text := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(rec.cells[0]), "#"))
	known := strings.Contains(text, "绩效目标") || strings.Contains(text, "绩效指标")
	if k, ok := p.sectionHeading(text); ok && k == "targets_heading" {
		known = true // the family's own heading (绩效项目指标表)
	}
	if len(rec.cells) > 1 || !known {
		return p.errorf(rec.line, "unknown heading %q (expected e.g. ### 2020年绩效目标)", clip(text))
	}
	if p.st == stateIndicators || p.st == stateTableHead {
		return p.errorf(rec.line, "second indicator heading in one form; start a new form with its title line")
	}
	p.cur.TargetsHeading = text
	p.cur.SetLine("targets_heading", rec.line)
	p.st = stateTableHead
	return nil
}

func (p *parser) header(rec record) error {
	p.cols = p.cols[:0]
	seen := map[string]bool{}
	for _, c := range rec.cells {
		label, _ := normalizeLabel(c)
		if p.fam != nil && (label == "" || p.fam.IsLiteral(c)) && len(p.cols) == 0 {
			p.cols = append(p.cols, "") // the side label's column (本年度绩效指标)
			continue
		}
		key, ok := p.columnKey(c, label)
		if !ok {
			if label == "" {
				return p.errorf(rec.line, "indicator table header has an empty column")
			}
			key = label // a family-specific column such as 绩效标准
		}
		if seen[key] {
			return p.errorf(rec.line, "indicator table header names %q twice", label)
		}
		seen[key] = true
		p.cols = append(p.cols, key)
	}
	need := []string{"level1", "level2", "level3", "target"}
	var want []string
	for _, k := range need {
		want = append(want, columnLabel(k))
	}
	if p.fam != nil {
		// The family's level and target columns are required; its extra
		// columns (绩效标准…) are optional.
		need, want = need[:0], want[:0]
		for _, c := range p.fam.Indicators.Columns {
			switch c.Key {
			case "level1", "level2", "level3", "target":
				need, want = append(need, c.Key), append(want, c.Label)
			}
		}
	}
	for i, k := range need {
		if !seen[k] {
			return p.errorf(rec.line, "indicator table header lacks the %s column (expected %s)", want[i], strings.Join(want, " "))
		}
	}
	p.st = stateIndicators
	return nil
}

func (p *parser) indicator(rec record) error {
	i := len(p.cur.Indicators)
	if len(rec.cells) > len(p.cols) {
		extra := strings.TrimSpace(strings.Join(rec.cells[len(p.cols):], ""))
		if extra != "" {
			p.unread(fmt.Sprintf("indicators[%d]", i), rec.line, extra,
				fmt.Sprintf("这一行有%d格，表头只有%d列：多出的「%s」不属于任何列", len(rec.cells), len(p.cols), clip(extra)))
		}
	}
	if i == reports.MaxIndicators {
		return p.errorf(rec.line, "more than %d indicator rows in one form", reports.MaxIndicators)
	}
	var in reports.Indicator
	for c, key := range p.cols {
		if key == "" {
			continue
		}
		v := ""
		if c < len(rec.cells) {
			v = strings.TrimSpace(rec.cells[c])
		}
		if v != "" || key == "level1" || key == "level2" || key == "level3" || key == "target" {
			in.Set(key, v)
		}
		p.cur.SetLine(reports.IndicatorPath(i, key), rec.line)
	}
	// A blank level means "same as the row above" (a merged cell in print),
	// in the columns the family says so (level 1 and 2 by default); a
	// nested column only while the columns before it were blank too.
	if i > 0 {
		prev := &p.cur.Indicators[i-1]
		for _, key := range p.fillDown() {
			if strings.TrimSpace(in.Get(key)) != "" {
				break
			}
			in.Set(key, prev.Get(key))
		}
	} else if in.Level1 == "" && in.Level2 == "" && in.Level3 == "" && in.Target == "" {
		return p.errorf(rec.line, "empty indicator row")
	}
	p.cur.Indicators = append(p.cur.Indicators, in)
	return nil
}

// fillDown lists the indicator columns whose blank cells repeat the row
// above, in the family's order.
func (p *parser) fillDown() []string {
	if p.fam == nil {
		return []string{"level1", "level2"}
	}
	var keys []string
	for _, c := range p.fam.Indicators.Columns {
		if c.FillsDown() {
			keys = append(keys, c.Key)
		}
	}
	return keys
}

// labelRow returns the field keys of a row of labels side by side with no
// value between them ("中期目标 | 年度目标" above their two values), by cell
// index, or nil. Labels with blank cells between them are label/value
// pairs left empty ("其他资金 | | 当年其他资金").
func (p *parser) labelRow(cells []string) map[int]string {
	keys := map[int]string{}
	last := -1
	for i, c := range cells {
		t := strings.TrimSpace(c)
		if t == "" || p.fam != nil && p.fam.IsLiteral(t) {
			continue
		}
		k, ok := p.fieldKey(t, mustNorm(t))
		if !ok || last >= 0 && i != last+1 {
			return nil
		}
		keys[i], last = k, i
	}
	if len(keys) < 2 {
		return nil
	}
	return keys
}

// valuesBelow reports whether cells hold the values of the labels above:
// no cell under a label is itself a label.
func (p *parser) valuesBelow(cells []string, above map[int]string) bool {
	for i := range above {
		if i < len(cells) {
			t := strings.TrimSpace(cells[i])
			if _, ok := p.fieldKey(t, mustNorm(t)); ok && t != "" {
				return false
			}
		}
	}
	return true
}

// fields reads a row of label/value cells in the form's header part.
func (p *parser) fields(rec record) error {
	cells := rec.cells
	if p.above != nil {
		// The values under a row of labels, cell by cell.
		above := p.above
		p.above = nil
		if p.valuesBelow(cells, above) {
			for i, key := range above {
				v := ""
				if i < len(cells) {
					v = strings.TrimSpace(cells[i])
				}
				p.set(key, v, unitYuan, false, rec.line)
			}
			return nil
		}
	}
	if keys := p.labelRow(cells); keys != nil {
		p.above = keys
		for _, k := range keys {
			p.cur.SetLine(k, rec.line)
		}
		return nil
	}
	if len(cells) == 1 {
		c := strings.TrimSpace(cells[0])
		if y, err := reports.ParseYear(c); err == nil && strings.Contains(c, "年") {
			p.cur.Year = y
			p.cur.SetLine("year", rec.line)
			return nil
		}
		if !strings.ContainsAny(c, "：:") {
			if key, ok := p.sectionHeading(c); ok {
				if key != "" {
					_ = p.cur.Set(key, c)
					p.cur.SetLine(key, rec.line)
				}
				return nil
			}
		}
	}
	for i := 0; i < len(cells); {
		cell := strings.TrimSpace(cells[i])
		if cell == "" || p.fam != nil && p.fam.IsLiteral(cell) {
			i++ // a blank, or a side label (项目资金) the family prints
			continue
		}
		label, value, inline := cell, "", false
		if _, known := p.fieldKey(cell, mustNorm(cell)); !known {
			if l, v, ok := splitColon(cell); ok && strings.TrimSpace(v) != "" {
				label, value, inline = l, v, true
			}
		}
		norm, u := normalizeLabel(label)
		key, ok := p.fieldKey(label, norm)
		if !ok {
			// Recorded, not fatal: the other fields of the form are still
			// read and checked, so every problem shows in one pass.
			if inline {
				// A value cell that happens to contain a colon, without a label before it.
				p.unread(clip(norm), rec.line, label, fmt.Sprintf("不认识的标签「%s」", clip(norm)))
				i++
				continue
			}
			p.unread(clip(norm), rec.line, label, fmt.Sprintf("不认识的标签「%s」（应为这类表的字段名，例如 项目名称：）", clip(norm)))
			i += 2
			continue
		}
		if !inline {
			if i+1 < len(cells) {
				value = cells[i+1]
			}
			i += 2
		} else {
			i++
		}
		p.set(key, strings.TrimSpace(value), u, hasUnit(label), rec.line)
	}
	return nil
}

// unread records a problem of the current form at path and reads on.
func (p *parser) unread(path string, line int, text, reason string) {
	p.cur.MarkUnread(path, text, reason)
	p.cur.SetLine(path, line)
}

// set assigns a field; a value that does not fit its type is kept in the
// form's Unread for Check to report with the others.
func (p *parser) set(key, value string, u unit, explicit bool, line int) {
	p.cur.SetLine(key, line)
	if !explicit && p.fam != nil && p.fam.Funds.Unit == family.UnitWanYuan {
		u = unitWanYuan // the family prints its amounts in 万元
	}
	if reports.IsMoney(key) && u == unitWanYuan {
		m, err := reports.ParseWanYuan(value)
		if err != nil {
			p.cur.MarkUnread(key, value, err.Error()+"（单位：万元）")
			return
		}
		_ = p.cur.Set(key, m.Plain())
		return
	}
	if fd, ok := p.famField(key); ok && fd.Type == family.TypeMoney && value != "" {
		// An extra amount is kept in the family's unit without the unit
		// written after it ("10000万元" → "10000"), as a workbook keeps it.
		wan := p.fam.Funds.Unit == family.UnitWanYuan
		if m, err := parseIn(value, wan); err == nil && m.Set && strings.ContainsAny(value, "万元") {
			value = strings.ReplaceAll(m.Format(wan, m.Decimals(wan)), ",", "")
		}
	}
	if value == "" && strings.HasPrefix(key, "extra.") {
		return // a blank extra field is absent, as the edit page saves it
	}
	_ = p.cur.Set(key, value) // a value that does not parse is kept in Unread
}

func (p *parser) famField(key string) (*family.Field, bool) {
	if p.fam == nil {
		return nil, false
	}
	return p.fam.Field(key)
}

func parseIn(s string, wan bool) (reports.Money, error) {
	if wan {
		return reports.ParseWanYuan(s)
	}
	return reports.ParseMoney(s)
}

// finish closes the current form, checking its structure.
func (p *parser) finish(line int) error {
	if p.cur == nil {
		return nil
	}
	switch p.st {
	case stateFields:
		return p.errorf(line, "form starting at line %d ends before its indicator table (### …绩效目标 heading and 一级目标 header): truncated?", p.cur.Line("title"))
	case stateTableHead:
		return p.errorf(line, "form starting at line %d: indicator heading without the table header row", p.cur.Line("title"))
	}
	return nil
}

// label names a field as the form's family prints it.
func (p *parser) label(key string) string {
	if p.fam != nil {
		if fd, ok := p.fam.Field(key); ok {
			return fd.Label
		}
	}
	return reports.LabelOf(key)
}

// titleYear reads the year a title starts with: "2023年项目支出…".
func titleYear(title string) (int, bool) {
	t := strings.TrimSpace(title)
	if len(t) < 7 || !strings.HasPrefix(t[4:], "年") {
		return 0, false
	}
	y, err := reports.ParseYear(t[:4])
	return y, err == nil
}

func columnLabel(key string) string {
	for _, f := range reports.IndicatorFields {
		if f.Key == key {
			return f.Label
		}
	}
	return key
}

func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// fieldKey finds the field key of a label: the family's labels and synonyms
// first, then the built-in ones.
func (p *parser) fieldKey(raw, norm string) (string, bool) {
	if p.fam != nil {
		if k, ok := p.fam.FieldKey(raw); ok {
			return k, true
		}
	}
	k, ok := labelKeys[norm]
	return k, ok
}

func (p *parser) columnKey(raw, norm string) (string, bool) {
	if p.fam != nil {
		if k, ok := p.fam.ColumnKey(raw); ok {
			return k, true
		}
	}
	k, ok := columnKeys[norm]
	return k, ok
}

// labelsAfter collects the label-looking cells of the form starting at
// record i, up to the next title, for family detection: "label：" cells and
// the cells of the indicator header row (the row starting with 一级…).
func (p *parser) labelsAfter(i int) []string {
	var labels []string
	for ; i < len(p.lines); i++ {
		cells := p.lines[i].cells
		if len(cells) == 0 {
			continue
		}
		if len(cells) == 1 && p.isTitle(cells[0]) {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(cells[0]), "一级") {
			labels = append(labels, cells...)
			continue
		}
		for _, c := range cells {
			if l, _, ok := splitColon(strings.TrimSpace(c)); ok && utf8.RuneCountInString(l) <= 20 {
				labels = append(labels, l)
			}
		}
	}
	return labels
}

// hasUnit reports whether a label states its money unit: "项目总预算（元）".
func hasUnit(label string) bool {
	return strings.Contains(label, "元）") || strings.Contains(label, "元)")
}

func mustNorm(s string) string {
	n, _ := normalizeLabel(s)
	return n
}

// sectionHeading recognises a heading row of the printed table ("本项目上年度
// 市级财政资金使用情况", "总体目标") and returns the field it fills, if any.
func (p *parser) sectionHeading(cell string) (key string, ok bool) {
	if p.fam != nil {
		n := family.NormalizeLabel(cell)
		for _, s := range p.fam.Table.Sections {
			if s.Heading != "" && family.NormalizeLabel(family.Expand(s.Heading, p.cur)) == n {
				if s.Indicators && s.HeadingField == "" {
					return "targets_heading", true // the table's printed heading: the header row follows
				}
				if s.Indicators {
					return "", false // read by "###" as before
				}
				return s.HeadingField, true
			}
		}
	}
	if strings.Contains(cell, "资金") {
		return "funds_heading", true
	}
	return "", false
}

// isTitle recognises the title line that starts a form: the usual
// …绩效目标表 titles, and any title a known family declares.
func (p *parser) isTitle(cell string) bool {
	if isTitle(cell) {
		return true
	}
	if p.families == nil || strings.ContainsAny(cell, "：:") {
		return false
	}
	n := family.NormalizeTitle(cell)
	for _, f := range p.families.List() {
		if family.NormalizeTitle(f.Title) == n || slices.ContainsFunc(f.Detect.Titles, func(t string) bool { return family.NormalizeTitle(t) == n }) {
			return true
		}
	}
	return false
}
