package ofd

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
)

// Renderer renders forms as OFD: the form's family, layout.Build,
// layout.Paginate with the font.Set as Measurer, then Write — the same
// pages the PDF backend draws. It is safe for concurrent use.
type Renderer struct {
	fonts    *font.Set
	families *family.Registry
	opts     Options
}

var _ reports.Renderer = (*Renderer)(nil)

// NewRenderer returns an OFD renderer drawing with fonts, laying forms out
// by their family in families. opts applies to every document.
func NewRenderer(fonts *font.Set, families *family.Registry, opts Options) *Renderer {
	return &Renderer{fonts: fonts, families: families, opts: opts}
}

// Format implements reports.Renderer.
func (r *Renderer) Format() string { return "ofd" }

// ContentType implements reports.Renderer.
func (r *Renderer) ContentType() string { return ContentType }

// Fonts returns the font set the renderer draws and measures with.
func (r *Renderer) Fonts() *font.Set { return r.fonts }

// Render implements reports.Renderer: one form, one OFD. A character no
// font has is a reports.EINVALID error whose Problems name each field, as
// for PDF.
func (r *Renderer) Render(ctx context.Context, w io.Writer, f *reports.Form) error {
	doc, err := r.Document(ctx, f)
	if err != nil {
		return err
	}
	return Write(w, doc, r.fonts, r.opts)
}

// Document lays out one form: the typeset pages Write draws.
func (r *Renderer) Document(ctx context.Context, f *reports.Form) (*layout.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fam, err := r.families.Get(f.Family)
	if err != nil {
		return nil, err
	}
	doc, err := layout.Paginate(layout.Build(f, fam), r.fonts)
	if err != nil {
		return nil, font.MissingProblems(f, err)
	}
	return doc, nil
}

// RenderCombined writes several forms into one OFD with an outline entry
// per form (its project name), e.g. one file per unit in a year-end batch.
// The fonts are subset once for the whole file.
func (r *Renderer) RenderCombined(ctx context.Context, w io.Writer, forms []*reports.Form) error {
	parts := make([]Part, len(forms))
	for i, f := range forms {
		doc, err := r.Document(ctx, f)
		if err != nil {
			return fmt.Errorf("%s: %w", f.FileName(), err)
		}
		title := strings.TrimSpace(f.Project)
		if title == "" {
			title = f.FileName()
		}
		parts[i] = Part{Title: title, Doc: doc}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	opts := r.opts
	if len(forms) > 1 {
		// The first form's metadata would mislabel a combined file.
		opts.Meta = layout.Meta{Title: reports.DefaultTitle, Author: commonUnit(forms), Subject: reports.DefaultTitle}
	}
	return WriteParts(w, parts, r.fonts, opts)
}

func commonUnit(forms []*reports.Form) string {
	u := forms[0].Unit
	for _, f := range forms[1:] {
		if f.Unit != u {
			return ""
		}
	}
	return u
}
