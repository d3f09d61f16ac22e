// Package pdfbook binds a unit's forms into one PDF for the year-end
// archive: the unitbook cover listing every project of the unit with the
// page it starts on (and the ones that could not be rendered, with the
// reason), then each form with a bookmark per project. It implements
// batch.Combiner with the PDF backend's layout and writer, so the glyphs of
// the whole book are subset once.
package pdfbook
