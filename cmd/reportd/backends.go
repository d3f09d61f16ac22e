package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/ofd"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/xlsx"
	"github.com/reportd/reportd/templates"
)

// backend builds the renderer of one output format. Each format is one
// entry in backends; constructors read their configuration from env.
type backend func(e *env, fams *family.Registry) (reports.Renderer, error)

var backends = map[string]backend{
	"pdf":  newPDFRenderer,
	"ofd":  newOFDRenderer,
	"xlsx": newXLSXRenderer,
}

// newRenderer returns the renderer for a format name ("pdf", "ofd", "xlsx").
func newRenderer(e *env, format string, fams *family.Registry) (reports.Renderer, error) {
	b, ok := backends[strings.ToLower(format)]
	if !ok {
		names := make([]string, 0, len(backends))
		for n := range backends {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(names, ", "))
	}
	return b(e, fams)
}

// loadFamilies returns the embedded form families plus a site's own from
// REPORTD_FAMILIES (a directory of *.json), when set.
func loadFamilies(e *env) (*family.Registry, error) {
	return family.Load(templates.Families, e.getenv("REPORTD_FAMILIES"))
}

// pdfFontConfig reads the site's fonts: REPORTD_FONT_TITLE, _HEADING and
// _BODY (TrueType files; unset means the embedded Noto fonts) and
// REPORTD_FONT_FALLBACKS (a path list separated like PATH; "none" for no
// fallback; unset means fonts-hanazono when installed).
func pdfFontConfig(e *env) font.Config {
	cfg := font.Config{
		Title:   e.getenv("REPORTD_FONT_TITLE"),
		Heading: e.getenv("REPORTD_FONT_HEADING"),
		Body:    e.getenv("REPORTD_FONT_BODY"),
	}
	switch fb := e.getenv("REPORTD_FONT_FALLBACKS"); fb {
	case "":
	case "none":
		cfg.Fallbacks = []string{}
	default:
		cfg.Fallbacks = filepath.SplitList(fb)
	}
	return cfg
}

// loadFonts parses the site's fonts once per process: the PDF and OFD
// renderers share the set (and its subset cache).
func (e *env) loadFonts() (*font.Set, error) {
	e.fontsOnce.Do(func() { e.fonts, e.fontsErr = font.Load(pdfFontConfig(e)) })
	return e.fonts, e.fontsErr
}

func newPDFRenderer(e *env, fams *family.Registry) (reports.Renderer, error) {
	fonts, err := e.loadFonts()
	if err != nil {
		return nil, err
	}
	created, err := pdf.SourceDateEpoch(e.getenv)
	if err != nil {
		return nil, err
	}
	return pdf.NewRenderer(fonts, fams, pdf.Options{CreationDate: created, PDFA: e.pdfa}), nil
}

// newOFDRenderer draws with the PDF's fonts; SOURCE_DATE_EPOCH dates the
// documents as it dates PDFs (unset: no date, output depends on the form
// alone).
func newOFDRenderer(e *env, fams *family.Registry) (reports.Renderer, error) {
	fonts, err := e.loadFonts()
	if err != nil {
		return nil, err
	}
	created, err := pdf.SourceDateEpoch(e.getenv)
	if err != nil {
		return nil, err
	}
	return ofd.NewRenderer(fonts, fams, ofd.Options{CreationDate: created}), nil
}

// newXLSXRenderer writes workbooks with the font names of
// REPORTD_XLSX_FONT_TITLE, _HEADING and _BODY (unset: 宋体, 黑体, 仿宋, which
// Chinese Excel and WPS installations have).
func newXLSXRenderer(e *env, fams *family.Registry) (reports.Renderer, error) {
	created, err := pdf.SourceDateEpoch(e.getenv)
	if err != nil {
		return nil, err
	}
	opts := xlsx.Options{Fonts: xlsx.Fonts{
		Title:   e.getenv("REPORTD_XLSX_FONT_TITLE"),
		Heading: e.getenv("REPORTD_XLSX_FONT_HEADING"),
		Body:    e.getenv("REPORTD_XLSX_FONT_BODY"),
	}, Created: created}
	// The printed workbook breaks its pages where the PDF does.
	if fonts, err := e.loadFonts(); err == nil {
		opts.Paginate = func(g *layout.Grid) (*layout.Document, error) { return layout.Paginate(g, fonts) }
	}
	return xlsx.NewRenderer(fams, opts), nil
}
