// Package layout typesets forms: it builds the neutral Grid of a form from
// its family, breaks text into lines by Chinese rules (GB/T 15834 禁则 on top
// of Unicode UAX #14), and paginates the grid into a Document of positioned
// items. It depends on neither fpdf nor excelize; glyph widths come from an
// injected Measurer.
//
// The pipeline is two pure functions:
//
//	g := layout.Build(form, fam)       // *Grid: what XLSX writes
//	doc, err := layout.Paginate(g, m)  // *Document: what PDF draws
//
// Build never fails: blank fields give blank cells and a form with
// validation errors is marked Draft (when its family marks drafts).
// Paginate fails only with *MissingGlyphsError, listing every character the
// Measurer has no glyph for, with its field path and label: a character is
// never dropped or drawn as a box.
//
// Page geometry comes from the family file (see templates/families): by
// default GB/T 9704-2012, the national standard for official documents:
// A4, top margin (天头) 37 mm, binding-side margin (订口) 28 mm and a
// 156 x 225 mm type area, hence right 26 mm and bottom 35 mm. Page numbers
// "— N —" sit in the bottom margin, 7 mm below the type area, so the table
// never meets them. A form's table is typeset in 五号 (10.5 pt) with 1.5
// leading rather than the 三号 of running official text: a form is a table
// and should stay within two or three pages.
//
// Pagination: a row of at most KeepLines lines (the family's keep_lines,
// 6 by default) moves to the next page whole; a longer row is split line
// by line, at least two lines on each side. Every page after the first
// starts with 续表; the indicator column header repeats on every page that
// continues the indicator table; merged 一级/二级 cells and the label of a
// split field are repeated with （续） at the top of the new page. A heading
// keeps with the first lines of what follows it. The last page is
// balanced: when it holds less than a quarter of the type area or fewer
// than three rows, the break before it moves up row by row (never
// splitting a row, never leaving a heading at a page foot) until it holds
// a quarter and three rows or the page before would drop below half, and
// the number of pages never changes.
//
// Rules: the table's outer frame is heavier (1 pt) than its inner rules
// (0.5 pt), or as the family sets (frame_pt, rule_pt); labels and headings
// are shaded only when the family asks (shade). A draft's 草稿 mark is in
// each Page's Background: drawn first, light, and kept out of the text.
//
// Structure: Document.Blocks lists the title, the paragraphs above the
// table and each table cell (TH or TD, with grid row, column and spans);
// each Text names its Block, and page furniture (page numbers, 续表,
// repeats) has none. Each page's Texts are in reading order, the table row
// by row and left to right, so backends that write them in order (PDF)
// give text extraction and screen readers the table as printed.
//
// Line breaking optimises the paragraph (total fit over the break
// opportunities, never more lines than first fit): no last line of one
// Chinese character; numbers, dates and ranges whole and with their unit;
// adjacent full-width marks squeezed half an em (clreq 标点挤压) and a
// closing mark at a line end allowed to overhang its blank half; justified
// lines (Text.DX) widened only between Chinese characters and marks.
//
// Break is usable alone (the XLSX backend computes row heights with it). It
// never drops, adds or reorders a character: the lines joined are the input
// minus the newlines it consumed. Nothing is cached globally; a Breaker
// reuses its buffers and a Measurer implementation caches advances.
package layout
