// Package templates holds the declarative files reportd is built with: form
// families (families/*.json, read by reports/family) and, later, web pages.
package templates

import "embed"

// Families holds the built-in form family files, families/NAME.json.
//
//go:embed families
var Families embed.FS
