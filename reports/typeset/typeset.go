// Package typeset turns forms into typeset pages (layout.Document) with the
// process's fonts: the step every fixed-layout backend shares. reports/pdf
// and reports/ofd each draw what it returns, so neither repeats it and
// neither imports the other.
package typeset

import (
	"context"
	"fmt"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
)

// Typesetter lays forms out by their family and paginates them with the
// fonts' real advances. It is safe for concurrent use.
type Typesetter struct {
	fonts    *font.Set
	families *family.Registry
}

// New returns a Typesetter measuring with fonts and laying forms out by
// their family in families.
func New(fonts *font.Set, families *family.Registry) Typesetter {
	return Typesetter{fonts: fonts, families: families}
}

// Fonts returns the font set the pages are measured (and drawn) with.
func (t Typesetter) Fonts() *font.Set { return t.fonts }

// Document lays out one form. A character no font has is a
// reports.EINVALID error whose Problems name each field.
func (t Typesetter) Document(ctx context.Context, f *reports.Form) (*layout.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fam, err := t.families.Get(f.Family)
	if err != nil {
		return nil, err
	}
	doc, err := layout.Paginate(layout.Build(f, fam), t.fonts)
	if err != nil {
		return nil, font.MissingProblems(f, err)
	}
	return doc, nil
}

// Combined lays out the forms of one combined file (a unit's book, a
// -combine render): each form's pages titled for the outline, and
// the file's metadata: base for one form, the unit's for several (a
// combined file must not be labelled as its first form).
func (t Typesetter) Combined(ctx context.Context, forms []*reports.Form, base layout.Meta) (parts []layout.Part, meta layout.Meta, err error) {
	parts = make([]layout.Part, len(forms))
	for i, f := range forms {
		if parts[i].Doc, err = t.Document(ctx, f); err != nil {
			return nil, meta, fmt.Errorf("%s: %w", f.FileName(), err)
		}
		if parts[i].Title = strings.TrimSpace(f.Project); parts[i].Title == "" {
			parts[i].Title = f.FileName()
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, meta, err
	}
	meta = base
	if len(forms) > 1 {
		meta = layout.Meta{Title: reports.DefaultTitle, Author: commonUnit(forms), Subject: reports.DefaultTitle}
	}
	return parts, meta, nil
}

// commonUnit is the unit all forms share, or "".
func commonUnit(forms []*reports.Form) string {
	u := forms[0].Unit
	for _, f := range forms[1:] {
		if f.Unit != u {
			return ""
		}
	}
	return u
}
