package ofd

import (
	"context"
	"io"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/typeset"
)

// Renderer renders forms as OFD: the form's family, layout.Build,
// layout.Paginate with the font.Set as Measurer, then Write — the same
// pages the PDF backend draws. It is safe for concurrent use.
type Renderer struct {
	typeset.Typesetter
	opts Options
}

var _ reports.Renderer = (*Renderer)(nil)

// NewRenderer returns an OFD renderer drawing with fonts, laying forms out
// by their family in families. opts applies to every document.
func NewRenderer(fonts *font.Set, families *family.Registry, opts Options) *Renderer {
	return &Renderer{Typesetter: typeset.New(fonts, families), opts: opts}
}

// Format implements reports.Renderer.
func (r *Renderer) Format() string { return "ofd" }

// ContentType implements reports.Renderer.
func (r *Renderer) ContentType() string { return ContentType }

// Render implements reports.Renderer: one form, one OFD. A character no
// font has is a reports.EINVALID error whose Problems name each field, as
// for PDF.
func (r *Renderer) Render(ctx context.Context, w io.Writer, f *reports.Form) error {
	doc, err := r.Document(ctx, f)
	if err != nil {
		return err
	}
	return Write(w, doc, r.Fonts(), r.opts)
}

// RenderCombined writes several forms into one OFD with an outline entry
// per form (its project name), e.g. one file per unit in a year-end batch.
// The fonts are subset once for the whole file.
func (r *Renderer) RenderCombined(ctx context.Context, w io.Writer, forms []*reports.Form) error {
	parts, meta, err := r.Combined(ctx, forms, r.opts.Meta)
	if err != nil {
		return err
	}
	opts := r.opts
	opts.Meta = meta
	return WriteParts(w, parts, r.Fonts(), opts)
}
