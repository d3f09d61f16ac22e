package main

import (
	"context"
	"flag"
	"fmt"
)

func runFamilies(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("families", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	tmplDir := fs.String("templates", e.getenv("REPORTD_FAMILIES"), "directory of extra form family files (*.json)")
	if err := parseFlags(e, fs, args, helpText{usage: "[-templates DIR]",
		about:    "List the form families (layouts) reportd knows: built in and those in -templates DIR.",
		examples: []string{"reportd families", "reportd families -templates ./families"}}); err != nil {
		return err
	}
	families, err := familiesFrom(*tmplDir)
	if err != nil {
		return err
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "NAME\tKIND\tTITLE\tSOURCE\tDESCRIPTION")
	def := families.Default()
	for _, f := range families.List() {
		name := f.Name
		if c, err := families.Companion(nil, f.DocumentKind()); f == def || err == nil && c == f {
			name += " (default)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, f.DocumentKind(), f.Title, f.Source, f.Description)
	}
	return tw.Flush()
}
