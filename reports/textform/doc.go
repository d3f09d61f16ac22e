// Package textform reads and writes the tab-separated text format in which
// the sample forms were published (see ../shared/seed): one or more forms per
// file, each a title line, a year line, label/value cells, a fund block and
// the 年度绩效目标 table.
//
// The reader is tolerant of what copies from Excel and Word produce (BOM,
// CRLF, trailing tabs, "##"/"###" headings, full- or half-width colons,
// quoted cells with line breaks) and strict about structure: an unknown label
// or a row out of place is an error naming the file and line.
package textform
