package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/reportd/reportd/reports"
)

func runValidate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	quiet := fs.Bool("q", false, "print errors only, not warnings")
	in := addInputFlags(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitError{2}
	}
	readers, families, err := in.open()
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no input files (usage: reportd validate FILE...)")
	}
	failed := false
	for _, path := range fs.Args() {
		forms, err := readers.Open(path)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			failed = true
			continue
		}
		errs, warns := 0, 0
		for i := range forms {
			f := &forms[i]
			rules, err := rulesFor(families, f)
			if err != nil {
				fmt.Fprintf(e.stdout, "%s:%d: %s\n", path, f.Line("title"), err)
				errs++
				continue
			}
			for _, p := range reports.Check(f, rules) {
				if p.Severity == reports.SeverityError {
					errs++
				} else {
					warns++
					if *quiet {
						continue
					}
				}
				fmt.Fprintf(e.stdout, "%s: %s: %s%s\n", where(path, p.Line), p.Label(), severityPrefix(p.Severity), p.Message)
			}
		}
		fmt.Fprintf(e.stdout, "%s: %d forms, %d errors, %d warnings\n", path, len(forms), errs, warns)
		for _, f := range forms {
			fam := f.Family
			if fam == "" {
				if d, err := families.Get(""); err == nil {
					fam = d.Name
				}
			}
			fmt.Fprintf(e.stdout, "  %s (%d indicators, family %s)\n", f.Project, len(f.Indicators), fam)
		}
		if errs > 0 {
			failed = true
		}
	}
	if failed {
		return exitError{1}
	}
	return nil
}

func severityPrefix(s reports.Severity) string {
	if s == reports.SeverityWarning {
		return "warning: "
	}
	return ""
}

// where is "FILE:LINE", or FILE alone when the line is unknown (a form
// given as JSON without positions): never "FILE:0".
func where(path string, line int) string {
	if line <= 0 {
		return path
	}
	return fmt.Sprintf("%s:%d", path, line)
}
