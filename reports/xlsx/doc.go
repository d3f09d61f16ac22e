// Package xlsx writes 财政项目支出绩效目标表 forms as Excel workbooks and reads
// such workbooks back, after a clerk edited them in Excel, WPS or LibreOffice.
//
// The writer consumes the neutral layout.Grid (nothing here knows a form
// family): one sheet 绩效目标表 per form, merged and bordered like the printed
// form, labels bold on a light fill, the level columns merged vertically.
//
// Values keep their meaning. Amounts are numbers shown #,##0.00: the cell
// stores the exact decimal digits of the amount (from reports.Money's
// integer 分, never through float64), and only the spreadsheet application
// turns them into its binary number when it loads the file. Canonical dates
// (2020-01-01, 2023-07) are date serials shown yyyy-mm-dd; other spellings
// stay text as entered. Everything else, targets such as "=90%" included,
// is a string cell formatted "@", so neither the file nor a clerk's typing
// makes a formula of it.
//
// No spreadsheet autofits merged cells, so row heights are computed from
// the text, the merged width and conservative font metrics
// (SpreadsheetMeasurer); manual page breaks keep merged level blocks and
// headings together. Print setup is A4 portrait, one page wide, the
// indicator header repeated, centred, 第 N 页 共 M 页 in the footer. Only
// value cells are unlocked; the sheet is protected without a password.
//
// A very hidden sheet records the schema (Schema, also a custom document
// property), each sheet's family and which cell holds which field path,
// with the label → value offset. Read never trusts cell addresses: it finds
// each field by its label (as the map recorded it, or any label or synonym
// of the form family), takes the value at the label's offset, reads the
// indicator table below its header row and fills blank and merged level
// cells down, and so takes rows a clerk inserted or removed, a renamed
// sheet, or a workbook whose map is gone. Untrusted files are bounded (MaxSize, unzipped size, cells) and
// wrong ones refused with a message naming the file.
//
// Writing does not go through excelize: the few SpreadsheetML parts are
// written directly (ooxml.go), several times faster than plain excelize
// writing the same cells (BenchmarkRender against BenchmarkNaiveExcelize).
// Reading uses excelize, and every test reads what the writer wrote with it.
package xlsx
