package unitbook

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/layout"
)

// Layout lays one form out: a backend renderer's Document method.
type Layout func(ctx context.Context, f *reports.Form) (*layout.Document, error)

// Parts lays out a unit book with a backend's layout and fonts: the cover
// (目录, listing every project with the page it starts on, failed ones with
// the reason), then each rendered form titled by its project, and the
// book's metadata.
func Parts(ctx context.Context, book batch.UnitBook, lay Layout, m layout.Measurer) ([]layout.Part, layout.Meta, error) {
	var parts []layout.Part
	pages := make([]int, len(book.Entries)) // pages of each rendered form
	for i, e := range book.Entries {
		if e.Failed {
			continue
		}
		f, err := e.Form(ctx)
		if err != nil {
			return nil, layout.Meta{}, fmt.Errorf("form %d: %w", e.FormID, err)
		}
		doc, err := lay(ctx, &f)
		if err != nil {
			return nil, layout.Meta{}, fmt.Errorf("form %d: %w", e.FormID, err)
		}
		pages[i] = len(doc.Pages)
		title := strings.TrimSpace(e.Project)
		if title == "" {
			title = f.FileName()
		}
		parts = append(parts, layout.Part{Title: title, Doc: doc})
	}
	cover := Cover(book, pages, m)
	parts = append([]layout.Part{{Title: "目录", Doc: cover}}, parts...)
	meta := layout.Meta{
		Title:   fmt.Sprintf("%d年度%s（合订本）", book.Year, reports.DefaultTitle),
		Author:  book.Unit,
		Subject: reports.DefaultTitle,
	}
	return parts, meta, nil
}

// Geometry of the cover, in points (A4, margins as the forms use).
const (
	pageW, pageH = 595.28, 841.89
	mm           = 72 / 25.4
	left         = 28 * mm
	right        = pageW - 26*mm
	top          = 37 * mm
	bottom       = pageH - 35*mm
	bodySize     = 12.0
	lineH        = bodySize * 1.6
	padX         = 2 * mm
	colNo        = 14 * mm // 序号
	colPage      = 20 * mm // 起始页 / 未生成
)

// Cover lays out the cover and contents of a unit book. pages[i] is the
// page count of entry i's form (0 when it failed); the cover's own pages
// are counted in the page numbers it prints.
func Cover(book batch.UnitBook, pages []int, m layout.Measurer) *layout.Document {
	c := &cover{m: m}
	// Lay out once to count the cover's pages, then again with the page
	// numbers: row heights do not depend on the numbers.
	c.layout(book, pages, 0)
	n := len(c.doc.Pages)
	c.layout(book, pages, n)
	return c.doc
}

type cover struct {
	m   layout.Measurer
	doc *layout.Document
	pg  *layout.Page
	y   float64
}

func (c *cover) newPage() {
	c.doc.Pages = append(c.doc.Pages, layout.Page{})
	c.pg = &c.doc.Pages[len(c.doc.Pages)-1]
	c.y = top
}

// printable replaces characters no font draws, so a project name that
// failed for a missing glyph can still be listed.
func (c *cover) printable(s string, role layout.Role) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if _, ok := c.m.Advance(role, r); !ok {
			if _, ok := c.m.Advance(role, '□'); ok {
				return '□'
			}
			return '?'
		}
		return r
	}, s)
}

func (c *cover) width(s string, role layout.Role, size float64) float64 {
	w := 0.0
	for _, r := range s {
		a, _ := c.m.Advance(role, r)
		w += a * size
	}
	return w
}

func (c *cover) text(x, y float64, role layout.Role, size float64, s string) {
	c.pg.Texts = append(c.pg.Texts, layout.Text{X: x, Y: y, Role: role, Size: size, S: s})
}

// centered writes wrapped, centred lines and advances y.
func (c *cover) centered(s string, role layout.Role, size float64) {
	s = c.printable(s, role)
	for _, line := range layout.Break(s, right-left, size, role, c.m) {
		c.y += size * 1.5
		c.text(left+(right-left-c.width(line, role, size))/2, c.y, role, size, line)
	}
}

func (c *cover) rule(x1, y1, x2, y2 float64) {
	c.pg.Rules = append(c.pg.Rules, layout.Rule{X1: x1, Y1: y1, X2: x2, Y2: y2, Width: 0.5})
}

// row draws one bordered table row: number, wrapped text, last column.
// It starts a new page (repeating the header) when the row does not fit.
func (c *cover) row(no, text, last string, role layout.Role, fill bool, header func()) {
	mid := right - left - colNo - colPage
	lines := layout.Break(c.printable(text, role), mid-2*padX, bodySize, role, c.m)
	if len(lines) == 0 {
		lines = []string{""}
	}
	h := float64(len(lines))*lineH + 0.6*lineH
	if c.y+h > bottom {
		c.newPage()
		if header != nil {
			header()
		}
	}
	y0 := c.y
	if fill {
		c.pg.Fills = append(c.pg.Fills, layout.Rect{X: left, Y: y0, W: right - left, H: h, Gray: 0.9})
	}
	base := y0 + 0.3*lineH + bodySize
	c.text(left+(colNo-c.width(no, role, bodySize))/2, base, role, bodySize, no)
	for i, l := range lines {
		c.text(left+colNo+padX, base+float64(i)*lineH, role, bodySize, l)
	}
	lastS := c.printable(last, role)
	c.text(right-colPage+(colPage-c.width(lastS, role, bodySize))/2, base, role, bodySize, lastS)
	for _, x := range []float64{left, left + colNo, right - colPage, right} {
		c.rule(x, y0, x, y0+h)
	}
	c.rule(left, y0, right, y0)
	c.rule(left, y0+h, right, y0+h)
	c.y = y0 + h
}

func (c *cover) layout(book batch.UnitBook, pages []int, coverPages int) {
	c.doc = &layout.Document{WidthPt: pageW, HeightPt: pageH}
	c.newPage()
	c.centered(fmt.Sprintf("%d年度%s", book.Year, reports.DefaultTitle), layout.RoleTitle, 22)
	c.y += 6
	c.centered(book.Unit, layout.RoleHeading, 16)
	failed := 0
	for _, e := range book.Entries {
		if e.Failed {
			failed++
		}
	}
	c.y += 10
	c.centered(fmt.Sprintf("共%d个项目，已生成%d个，未生成%d个", len(book.Entries), len(book.Entries)-failed, failed), layout.RoleBody, bodySize)
	c.y += 14
	header := func() { c.row("序号", "项目名称", "起始页", layout.RoleHeading, true, nil) }
	header()
	next := coverPages + 1
	for i, e := range book.Entries {
		last := "未生成"
		if !e.Failed {
			last = strconv.Itoa(next)
			next += pages[i]
		}
		c.row(strconv.Itoa(i+1), e.Project, last, layout.RoleBody, false, header)
	}
	if failed == 0 {
		return
	}
	c.y += 20
	if c.y+3*lineH > bottom {
		c.newPage()
	}
	c.y += 14
	c.text(left, c.y, layout.RoleHeading, 14, "未生成的项目及原因")
	c.y += 10
	fheader := func() { c.row("序号", "项目名称及原因", "", layout.RoleHeading, true, nil) }
	fheader()
	k := 0
	for _, e := range book.Entries {
		if !e.Failed {
			continue
		}
		k++
		c.row(strconv.Itoa(k), e.Project+"："+e.Reason, "", layout.RoleBody, false, fheader)
	}
}
