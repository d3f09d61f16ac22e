package xlsx

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/layout"
)

// Schema identifies the layout of workbooks this package writes. It is
// stored twice, in a custom document property and in the map sheet, since
// some applications drop one or the other when they re-save.
const Schema = "reportd/xlsx/v1"

// schemaProperty is the custom document property holding Schema.
const schemaProperty = "reportd.schema"

// metaSheet is the very hidden sheet with the schema and the cell map. Each
// row is one cell in column A, its fields separated by tabs (one cell per
// row keeps writing cheap):
//
//	schema  reportd/xlsx/v1
//	summary SHEET                               (the 汇总 sheet)
//	form    SHEET  FAMILY
//	field   SHEET  CELL    PATH   LABELCELL  LABELTEXT
//	column  SHEET  CELL    KEY    HEADERTEXT    (indicator table header)
//
// CELL is where the writer put the value; after a clerk inserts rows it is
// stale, which is why Read finds fields by their labels first and uses the
// label → value offset recorded here.
const metaSheet = "_reportd"

// writeMeta writes the map sheet, the schema property and the document
// properties: the form's own, or generic ones for a workbook of several.
func (b *book) writeMeta(sheets []Sheet) {
	ws := b.wb.addSheet(metaSheet)
	ws.veryHidden = true
	b.wb.setString(ws, 1, 1, strings.Join([]string{"schema", Schema}, "\t"))
	for i, r := range b.meta {
		b.wb.setString(ws, 1, i+2, strings.Join(r, "\t"))
	}
	m := sheets[0].Grid.Meta
	if m.Title == "" {
		m.Title = sheets[0].Grid.Title
	}
	if len(sheets) > 1 {
		m = layout.Meta{Title: "绩效目标汇总表", Subject: reports.DefaultTitle, Author: commonUnit(sheets)}
	}
	b.wb.props = docProps{title: m.Title, creator: m.Author, subject: m.Subject, keywords: m.Keywords, created: b.created(),
		language: "zh-CN", custom: [][2]string{{schemaProperty, Schema}}}
}

// commonUnit is the unit all forms share, or "".
func commonUnit(sheets []Sheet) string {
	unit := ""
	for i, s := range sheets {
		if s.Form == nil || i > 0 && s.Form.Unit != unit {
			return ""
		}
		unit = s.Form.Unit
	}
	return unit
}

// maxSheetName is Excel's limit, in UTF-16 code units.
const maxSheetName = 31

// sheetNames names the sheets of a combined workbook after their projects:
// characters Excel forbids replaced, at most 31 long, unique regardless of
// case (Excel compares names case-insensitively), and never 汇总 or the map
// sheet.
func sheetNames(sheets []Sheet, summary bool) []string {
	used := map[string]bool{strings.ToLower(metaSheet): true}
	if summary {
		used[SummarySheetName] = true
	}
	names := make([]string, len(sheets))
	for i, s := range sheets {
		base := ""
		if s.Form != nil {
			base = s.Form.Project
		}
		if base == "" && s.Grid != nil {
			base = s.Grid.Meta.Title
		}
		base = cleanSheetName(base)
		if base == "" {
			base = fmt.Sprintf("表%d", i+1)
		}
		name := clipUTF16(base, maxSheetName)
		for n := 2; used[strings.ToLower(name)]; n++ {
			suffix := fmt.Sprintf("(%d)", n)
			name = clipUTF16(base, maxSheetName-len(suffix)) + suffix
		}
		used[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}

func cleanSheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r):
			return '_'
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	return strings.Trim(s, "'")
}

// clipUTF16 shortens s to at most n UTF-16 code units, never splitting a
// character.
func clipUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return strings.TrimRight(s[:i], " '")
		}
	}
	return s
}
