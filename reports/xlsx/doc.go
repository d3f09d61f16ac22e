// Package xlsx writes 财政项目支出绩效目标表 forms as Excel workbooks and reads
// such workbooks back, after a clerk edited them in Excel, WPS or LibreOffice.
//
// The writer consumes the neutral layout.Grid (nothing here knows a form
// family): one sheet 绩效目标表 per form, merged and bordered like the printed
// form, amounts as numbers, dates as dates, targets as text, row heights
// computed from the text because no spreadsheet autofits merged cells, print
// setup for A4, and sheet protection that leaves only value cells editable.
// A very hidden sheet records the schema version and which cell holds which
// field path, so Read can map an edited workbook back to reports.Form; Read
// also works from the labels alone when that map is stale or gone.
package xlsx
