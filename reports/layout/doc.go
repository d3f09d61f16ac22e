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
// Pagination: a row taller than what is left of a page is split line by
// line (long text fields, or rows taller than a page; short rows move
// whole, and at least two lines stay on each side of a split); every page
// after the first starts with 续表; the indicator column header repeats on
// every page that continues the indicator table; merged 一级/二级 cells are
// repeated with （续） at the top of the new page, and so is the label of a
// split field. A heading keeps with the first lines of what follows it.
//
// Break is usable alone (the XLSX backend computes row heights with it). It
// never drops, adds or reorders a character: the lines joined are the input
// minus the newlines it consumed. Nothing is cached globally; a Breaker
// reuses its buffers and a Measurer implementation caches advances.
package layout
