package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/reportd/reportd/reports"
)

// runScore prints how each self-evaluation scores: every part's points,
// score and formula, the total and the grade; problems go to stderr as
// FILE:LINE: 字段: message. Exit 1 when any has errors.
func runScore(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	formFile := fs.String("form", "", "the target form(s) the actuals refer to, when the actuals file does not carry its form (.txt, .json, .xlsx)")
	in := addInputFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[-form FORMFILE] ACTUALS.json|自评表.xlsx...",
		about: "Score self-evaluations: actuals JSON (reportd/actuals/v1, carrying its form or paired with one from\n" +
			"-form) or a filled 自评 workbook (with -form). Prints, on stdout, every part's points, score and\n" +
			"formula (exact; printed rounded to the family's decimals), the total and the grade; problems go to\n" +
			"stderr as FILE:LINE: 字段: 说明. Exit 1 when any has errors.",
		examples: []string{
			"reportd score testdata/actuals/2020-企业培育-self-evaluation.json",
			"reportd score -form forms.txt 2020-单位-项目-绩效自评表.xlsx",
		}}); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no input files (usage: reportd score [-form FORMFILE] ACTUALS.json|自评表.xlsx...)")
	}
	readers, fams, err := in.open()
	if err != nil {
		return err
	}
	ai := &actualsInputs{readers: readers, fams: fams, formFile: *formFile}
	failed := false
	for _, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			return err
		}
		evs, err := ai.read(path)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			r := ev.result
			if r.Kind != reports.KindSelfEvaluation {
				return fmt.Errorf("%s: a monitoring report has no score (reportd render -kind monitoring prints it)", path)
			}
			fmt.Fprintf(e.stdout, "%s: %d %s %s\n", path, ev.target.Year, ev.target.Unit, ev.target.Project)
			fmt.Fprint(e.stdout, r.Explain())
			if printReportProblems(e, path, r.Problems) {
				failed = true
			}
		}
	}
	if failed {
		return exitError{1}
	}
	return nil
}
