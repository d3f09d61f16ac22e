package pdfbook

import (
	"context"
	"io"

	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/batch/unitbook"
	"github.com/reportd/reportd/reports/pdf"
)

// Binder writes unit books with a PDF renderer's layout and fonts.
type Binder struct {
	R    *pdf.Renderer
	Opts pdf.Options // CreationDate etc.; Meta is set per book
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
	return pdf.WriteParts(w, parts, b.R.Fonts(), opts)
}
