// Package layout typesets forms: it builds the neutral Grid of a form from
// its family, breaks text into lines by Chinese rules (GB/T 15834 禁则 on top
// of Unicode UAX #14), and paginates the grid into a Document of positioned
// items. It depends on neither fpdf nor excelize; glyph widths come from an
// injected Measurer.
package layout
