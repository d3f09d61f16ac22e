// Package ofd is reportd's OFD backend: it draws a typeset layout.Document
// (the same positioned pages the PDF backend draws) as an OFD package, the
// Chinese fixed-layout format of GB/T 33190-2016 (版式文档) that archive
// systems and 电子公文 workflows ask for, and implements reports.Renderer
// for whole forms.
//
// # Why our own writer
//
// No Go library writes OFD, and what the format needs here is small: a zip
// of a few XML files in the http://www.ofdspec.org/2016 namespace and
// the subset fonts. Written here, it shares the PDF backend's font set
// (package font: fonts parsed once per process, the same glyph choice,
// fallbacks and subset cache) and so prints exactly what the PDF prints.
//
// # The package
//
//	OFD.xml                        DocInfo (DocID, title, author, subject, dates, keywords, creator), DocRoot
//	Doc_0/Document.xml             CommonData (MaxUnitID, A4 PageArea in mm, PublicRes, DocumentRes), Pages, Outlines
//	Doc_0/PublicRes.xml            the fonts: name, family, bold/italic, embedded file
//	Doc_0/DocumentRes.xml          a DrawParam (line width, black) per width of table rule
//	Doc_0/Pages/Page_N/Content.xml one layer: fills, text, rules, in the PDF's drawing order
//	Doc_0/Res/font_ID.ttf          subset TrueType fonts
//
// Every ID is unique in the document and numbered in order (pages, fonts,
// draw parameters, then each page's layer and objects in drawing order, so
// readers stacking objects by ID stack them as drawn); MaxUnitID is the
// last. Lengths are millimetres with three decimals.
//
// Text: a line becomes one TextObject per run of characters in one font,
// with the font's ID, the size, the gray level when not black, and a
// TextCode holding the real characters whose DeltaX places every glyph at
// the advance the PDF gives it (the font's advance at the size plus the
// line's justification spacing; four decimals, "g N V" for repeats).
// Characters beyond the BMP get a TextCode of their own so readers that
// count UTF-16 units (ofd.js) still pair deltas and characters. Invisible
// format characters are left out and spaces-only runs are not written.
//
// Fonts are embedded as subset TrueType files made by ttf.SubsetMapped:
// the PDF's compact subset plus a cmap for exactly the characters used, as
// OFD readers find glyphs by character. Rules become one PathObject per
// width, each line lengthened by half its width as the PDF's projecting
// caps draw it; fills one PathObject per gray level. Combined documents
// (WriteParts, Renderer.RenderCombined) put every form's pages in one
// document with an outline entry (书签) per form.
//
// Output is a pure function of the input: entries in a fixed order, dated
// Options.CreationDate, the DocID a hash of the content (the date left
// out, so a document rendered again keeps its DocID). As for PDF, a zero
// CreationDate means the render time (SOURCE_DATE_EPOCH fixes it).
// Every character is checked before the first byte is written: a missing
// glyph gives the PDF path's error (font.MissingError, and from the
// Renderer the same reports.EINVALID problems). The package then streams
// into the io.Writer entry by entry; subset fonts come deflated from the
// font set's cache when the same characters were drawn before.
package ofd
