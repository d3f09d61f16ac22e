package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/reportd/reportd/reports/textcheck"
)

// runVerify checks that PDFs (or OFDs) carry every character of their
// forms: how a finance office confirms an archive (or a document from
// elsewhere) is complete.
func runVerify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	in := addInputFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "FORMFILE PDF|OFD...",
		about:    "Check that each document carries every character of its form (PDF needs pdftotext).",
		examples: []string{"reportd verify forms.txt 2020-*.pdf"}}); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return errors.New("usage: reportd verify FORMFILE PDF|OFD... (PDFs need pdftotext, Debian package poppler-utils)")
	}
	readers, families, err := in.open()
	if err != nil {
		return err
	}
	forms, err := readers.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	var text string
	for _, path := range fs.Args()[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var t string
		if bytes.HasPrefix(data, []byte("PK")) {
			t, err = textcheck.OFDText(data) // an OFD package is a zip
		} else {
			t, err = textcheck.PDFText(ctx, data)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		text += t
	}
	failed := false
	for i := range forms {
		f := &forms[i]
		fam, err := families.Get(f.Family)
		if err != nil {
			return err
		}
		r := textcheck.Check(textcheck.FamilyCells(f, fam), text)
		fmt.Fprintf(e.stdout, "%s: %s\n", f.Project, r)
		failed = failed || !r.OK()
	}
	if failed {
		return exitError{1}
	}
	return nil
}
