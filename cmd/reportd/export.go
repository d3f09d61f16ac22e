package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/textform"
)

func runExport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "json", "output format: json or txt")
	in := addInputFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "-format json|txt FILE...",
		about:    "Convert form files (.txt, .json, .xlsx) to JSON (reportd/form/v1) or the sample's text format, on stdout.",
		examples: []string{"reportd export -format json forms.txt > forms.json", "reportd export -format txt edited.xlsx"}}); err != nil {
		return err
	}
	readers, families, err := in.open()
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no input files (usage: reportd export -format json|txt FILE...)")
	}
	var all []reports.Form
	for _, path := range fs.Args() {
		forms, err := readers.Open(path)
		if err != nil {
			return err
		}
		all = append(all, forms...)
	}
	// Convert fully before writing so a failure prints nothing half-done.
	var buf bytes.Buffer
	switch *format {
	case "json":
		if err := jsonform.Write(&buf, all); err != nil {
			return err
		}
	case "txt", "text":
		if err := textform.Write(&buf, all, families); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown -format %q (use json or txt)", *format)
	}
	_, err = e.stdout.Write(buf.Bytes())
	return err
}
