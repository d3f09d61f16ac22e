// Package pdf is reportd's PDF backend: it draws a typeset layout.Document
// (pages of positioned text, rules and fills) as a PDF 1.7 file, and
// implements reports.Renderer for whole forms (family → layout.Build →
// layout.Paginate → Write).
//
// # Why our own writer, not go-pdf/fpdf
//
// fpdf's MultiCell drops one CJK character at every automatic line break,
// it re-parses the 15 MB TrueType font for every document (~33 ms and ~31 MB
// allocated per form) and JSON-encodes the font descriptor per document.
// Layout does the line breaking; what is left (text at positions, lines,
// gray boxes, embedded subset fonts) is a few hundred lines of PDF, written
// here so that all per-process work happens once. fpdf remains only as the
// naive baseline in the benchmarks (BenchmarkNaiveFPDF).
//
// # Fonts
//
// A font.Set (package font, shared with the other backends) parses the
// fonts of the three roles (title 小标宋, heading 黑体, body 仿宋/宋体;
// embedded Noto Serif/Sans SC by default, a site's own TTFs by font.Config) and the fallbacks (fonts-hanazono for CJK Extension A/B
// such as 𠮷) once per process, with package ttf. It is immutable and
// shared by concurrent renders, and it is the layout.Measurer, so layout
// measures with exactly the glyphs that are drawn. A character is drawn
// from the role's font, else from the first fallback that has it; text
// switches fonts per run of characters. A character no font has fails the
// render with an error listing it as U+XXXX with its field; whitespace a
// font lacks is drawn as a space and invisible format characters
// (zero-width space, BOM, soft hyphen) take no room. Glyphs are drawn one
// per character, without OpenType shaping, so right-to-left and complex
// scripts (Arabic-script Uyghur, Tibetan, traditional Mongolian, Thai,
// Indic) are refused like missing characters (NeedsShaping) rather than
// printed garbled.
//
// Each document embeds, per font used, a glyph subset as CIDFontType2 with
// Identity-H encoding, a FontFile2 renumbered compactly (CID = new glyph ID;
// components of composite glyphs appended), a /W widths array and a
// ToUnicode CMap with one CID per character (supplementary-plane
// characters as UTF-16 surrogate pairs), so pdftotext and search give back
// exactly the text. The subset tag (ABCDEF+NotoSerifSC-Regular) is a hash
// of the character set. Compact renumbering was measured against keeping
// the original glyph IDs with empty glyphs (BenchmarkSubset in package ttf,
// the sample's 406 glyphs of Noto Serif SC): both deflate to ~92 KB, but
// keeping IDs writes 309 KB instead of 126 KB (full-size loca and hmtx for
// 30,000 glyphs) and takes ~60× longer to build; it also could
// not give two characters that share a glyph their own ToUnicode entries.
//
// The font.Set keeps the finished bytes of recent subsets (compressed font
// program, widths, ToUnicode; bounded at 8 MB, oldest out first), keyed by
// font and character set: the title and heading subsets of a family's forms
// repeat across a batch, and a form downloaded twice costs no font work.
// font.Set.WithoutCache gives the uncached behaviour.
//
// # Output
//
// Streams are Flate-compressed at the level chosen by measurement (see
// compressLevel) with compressors reused through a sync.Pool. The whole
// file is built in memory and written with one Write, so a failure writes
// nothing. Output is a pure function of the input: no clock is read (the
// creation date is Options.CreationDate, e.g. from SOURCE_DATE_EPOCH via
// SourceDateEpoch, and omitted when zero), maps are iterated in sorted
// order and the document ID is a hash of the content.
//
// WriteParts concatenates several documents into one PDF with a bookmark
// (outline item) per part; the batch uses it for "one PDF per unit with a
// bookmark per project" through Renderer.RenderCombined.
package pdf
