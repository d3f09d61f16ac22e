// Package font is the font set every output backend (PDF, OFD) measures and
// draws with; it exists so that no backend imports another.
//
// A Set parses the TrueType fonts of the three layout roles (title 小标宋,
// heading 黑体, body 仿宋/宋体; the embedded Noto Serif/Sans SC by default,
// a site's own files by Config) and the fallbacks (fonts-hanazono for CJK
// Extension A/B such as 𠮷) once per process, with package ttf. It is the
// layout.Measurer, and Resolve is the one glyph choice the backends draw
// with, so what is drawn is what was measured: the role's font, else the
// first fallback that has the character; whitespace a font lacks is a
// space, invisible format characters draw nothing, and scripts that need
// shaping (NeedsShaping) count as missing rather than print garbled.
//
// A character no font has is reported the same way by every backend:
// MissingProblems turns layout's error into one validation problem per
// field, and MissingError lists what a writer found missing.
//
// The one mutable part of a Set is a bounded cache (8 MB, oldest out) of
// what a backend built from a face's character subset (Cached, Store), keyed
// by backend, font and characters, so a batch's repeated title and heading
// subsets cost no font work. WithoutCache gives the uncached behaviour.
package font
