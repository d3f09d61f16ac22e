package xlsx

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
)

// ContentType is the media type of the workbooks written.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Renderer renders forms as XLSX workbooks: the form's family, layout.Build,
// then Write. It is safe for concurrent use.
type Renderer struct {
	families *family.Registry
	opts     Options
}

var _ reports.Renderer = (*Renderer)(nil)

// NewRenderer returns a workbook renderer laying forms out by their family
// in families.
func NewRenderer(families *family.Registry, opts Options) *Renderer {
	opts.compressors = &sync.Pool{}
	return &Renderer{families: families, opts: opts}
}

// Format implements reports.Renderer.
func (r *Renderer) Format() string { return "xlsx" }

// ContentType implements reports.Renderer.
func (r *Renderer) ContentType() string { return ContentType }

// Render implements reports.Renderer: one form, one workbook with the sheet
// 绩效目标表.
func (r *Renderer) Render(ctx context.Context, w io.Writer, f *reports.Form) error {
	s, err := r.sheet(ctx, f, false)
	if err != nil {
		return err
	}
	return Write(w, []Sheet{s}, false, r.opts)
}

// RenderCombined writes several forms into one workbook: a 汇总 sheet (one
// row per form: unit, project, the four amounts, indicator count and
// validation result) followed by one sheet per form named after its project.
func (r *Renderer) RenderCombined(ctx context.Context, w io.Writer, forms []*reports.Form) error {
	sheets := make([]Sheet, len(forms))
	for i, f := range forms {
		s, err := r.sheet(ctx, f, true)
		if err != nil {
			return fmt.Errorf("%s: %w", f.FileName(), err)
		}
		sheets[i] = s
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return Write(w, sheets, true, r.opts)
}

// sheet lays out one form; check adds its validation problems (for 汇总).
func (r *Renderer) sheet(ctx context.Context, f *reports.Form, check bool) (Sheet, error) {
	if err := ctx.Err(); err != nil {
		return Sheet{}, err
	}
	fam, err := r.families.Get(f.Family)
	if err != nil {
		return Sheet{}, err
	}
	s := Sheet{Grid: layout.Build(f, fam), Form: f, Family: fam.Name, Choices: map[string][]string{}}
	for _, fd := range fam.Fields {
		if fd.Type == family.TypeChoice && len(fd.Options) > 0 {
			s.Choices[fd.Key] = fd.Options
		}
	}
	if check {
		s.Problems = reports.Check(f, fam.Rules())
	}
	return s, nil
}
