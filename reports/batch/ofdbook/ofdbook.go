// Package ofdbook binds a unit's forms into one OFD for the year-end
// archive: the unitbook cover (projects and the pages they start on, failed
// ones with the reason), then each form with an outline entry (书签) per
// project. It implements batch.Combiner with the OFD backend's layout and
// writer, so the glyphs of the whole book are subset once.
package ofdbook

import (
	"context"
	"io"

	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/batch/unitbook"
	"github.com/reportd/reportd/reports/ofd"
)

// Binder writes unit books with an OFD renderer's layout and fonts.
type Binder struct {
	R    *ofd.Renderer
	Opts ofd.Options // CreationDate etc.; Meta is set per book
}

var _ batch.Combiner = (*Binder)(nil)

// Combine implements batch.Combiner.
func (b *Binder) Combine(ctx context.Context, w io.Writer, book batch.UnitBook) error {
	parts, meta, err := unitbook.Parts(ctx, book, b.R.Document, b.R.Fonts())
	if err != nil {
		return err
	}
	opts := b.Opts
	opts.Meta = meta
	return ofd.WriteParts(w, parts, b.R.Fonts(), opts)
}
