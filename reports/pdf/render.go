package pdf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
)

// Renderer renders forms as PDF: the form's family, layout.Build,
// layout.Paginate with the FontSet as Measurer, then Write. It is safe for
// concurrent use.
type Renderer struct {
	fonts    *FontSet
	families *family.Registry
	opts     Options
}

var _ reports.Renderer = (*Renderer)(nil)

// NewRenderer returns a PDF renderer drawing with fonts, laying forms out
// by their family in families. opts applies to every document.
func NewRenderer(fonts *FontSet, families *family.Registry, opts Options) *Renderer {
	return &Renderer{fonts: fonts, families: families, opts: opts}
}

// Format implements reports.Renderer.
func (r *Renderer) Format() string { return "pdf" }

// ContentType implements reports.Renderer.
func (r *Renderer) ContentType() string { return "application/pdf" }

// Fonts returns the font set the renderer draws and measures with.
func (r *Renderer) Fonts() *FontSet { return r.fonts }

// Render implements reports.Renderer: one form, one PDF. A character no
// font has is a reports.EINVALID error whose Problems name each field.
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
		return nil, missingToProblems(f, err)
	}
	return doc, nil
}

// RenderCombined writes several forms into one PDF with one bookmark per
// form (its project name), e.g. one file per unit in a year-end batch. The
// fonts are subset once for the whole file.
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

// missingToProblems turns layout's list of unprintable characters into a
// validation error clerks can act on: one problem per field.
func missingToProblems(f *reports.Form, err error) error {
	var me *layout.MissingGlyphsError
	if !errors.As(err, &me) {
		return err
	}
	var probs reports.Problems
	var chars []string
	for _, m := range me.Missing {
		path := m.Path
		probs = append(probs, reports.Problem{
			Severity: reports.SeverityError,
			Path:     path,
			Line:     f.Line(path),
			Message:  missingMessage(m.Rune),
		})
		chars = append(chars, fmt.Sprintf("%s in %s", showRune(m.Rune), m.Label))
	}
	return &reports.Error{
		Code:     reports.EINVALID,
		Message:  "characters not in any font: " + strings.Join(chars, "; "),
		Problems: probs,
	}
}

// missingMessage tells a clerk why a character cannot be printed.
func missingMessage(r rune) string {
	if NeedsShaping(r) {
		return fmt.Sprintf("字符 %s 属于需要从右向左或复杂排版的文字，暂不支持打印", showRune(r))
	}
	return fmt.Sprintf("字符 %s 无可用字体，无法打印", showRune(r))
}

// showRune names a character for messages: "U+20BB7 𠮷", or only the code
// point when the character itself would print as nothing or a box.
func showRune(r rune) string {
	if unicode.IsGraphic(r) && !unicode.Is(unicode.Co, r) {
		return fmt.Sprintf("U+%04X %c", r, r)
	}
	return fmt.Sprintf("U+%04X", r)
}
