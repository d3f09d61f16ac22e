// Package templates holds the declarative files reportd is built with: form
// families (families/*.json, read by reports/family) and the clerks' web
// pages (pages/*.html for html/template, static/ for their CSS and script).
package templates

import "embed"

// Families holds the built-in form family files, families/NAME.json.
//
//go:embed families
var Families embed.FS

// Pages holds the web pages, pages/NAME.html: layout.html defines the frame
// every other page fills with its "content" template.
//
//go:embed pages
var Pages embed.FS

// Static holds the pages' stylesheet and script, static/NAME, served as is.
//
//go:embed static
var Static embed.FS
