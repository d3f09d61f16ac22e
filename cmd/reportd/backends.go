package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/xlsx"
	"github.com/reportd/reportd/templates"
)

// backend builds the renderer of one output format. Each format is one
// entry in backends; constructors read their configuration from env.
type backend func(e *env, fams *family.Registry) (reports.Renderer, error)

var backends = map[string]backend{
	"pdf":  newPDFRenderer,
	"xlsx": newXLSXRenderer,
}

// newRenderer returns the renderer for a format name ("pdf", "xlsx").
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

func newPDFRenderer(e *env, fams *family.Registry) (reports.Renderer, error) {
	fonts, err := font.Load(pdfFontConfig(e))
	if err != nil {
		return nil, err
	}
	created, err := pdf.SourceDateEpoch(e.getenv)
	if err != nil {
		return nil, err
	}
	return pdf.NewRenderer(fonts, fams, pdf.Options{CreationDate: created}), nil
}

// newXLSXRenderer writes workbooks with the font names of
// REPORTD_XLSX_FONT_TITLE, _HEADING and _BODY (unset: 宋体, 黑体, 仿宋, which
// Chinese Excel and WPS installations have).
func newXLSXRenderer(e *env, fams *family.Registry) (reports.Renderer, error) {
	return xlsx.NewRenderer(fams, xlsx.Options{Fonts: xlsx.Fonts{
		Title:   e.getenv("REPORTD_XLSX_FONT_TITLE"),
		Heading: e.getenv("REPORTD_XLSX_FONT_HEADING"),
		Body:    e.getenv("REPORTD_XLSX_FONT_BODY"),
	}}), nil
}
