// Package unitbook lays out a unit's book for the year-end archive, for
// any backend: a cover listing every project of the unit with the page it
// starts on (and the ones that could not be rendered, with the reason),
// then each form, titled by its project for the outline. pdfbook and
// ofdbook write it as PDF and OFD (batch.Combiner).
package unitbook
