package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/reportd/reportd/reports"
)

func runValidate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	quiet := fs.Bool("q", false, "print errors only, not warnings")
	in := addInputFlags(fs, e)
	if err := parseFlags(e, fs, args, helpText{usage: "[-q] FILE...",
		about: "Check form files (.txt, .json, .xlsx). Every problem of every form is reported in one pass on\n" +
			"stderr, each as FILE:LINE: 字段: 说明 (FILE: 表!单元格: … for workbooks); a summary per file goes\n" +
			"to stdout. Exit 0 when no form has an error (warnings allowed), 1 otherwise.",
		examples: []string{"reportd validate forms.txt", "reportd validate -q 2020/*.xlsx"}}); err != nil {
		return err
	}
	readers, families, err := in.open()
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("没有输入文件（用法：reportd validate FILE...）")
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
				fmt.Fprintf(e.stderr, "%s: %s: %s\n", path, formName(i, f), err)
				errs++
				continue
			}
			ps := reports.Check(f, rules)
			if *quiet {
				ps = ps.Errors()
			}
			printProblems(e.stderr, path, i, f, ps)
			for _, p := range ps {
				if p.Severity == reports.SeverityError {
					errs++
				} else {
					warns++
				}
			}
		}
		fmt.Fprintf(e.stdout, "%s：%d 张表，%d 处错误，%d 处警告\n", path, len(forms), errs, warns)
		for _, f := range forms {
			fam := f.Family
			if fam == "" {
				if d, err := families.Get(""); err == nil {
					fam = d.Name
				}
			}
			fmt.Fprintf(e.stdout, "  %s（%d 个指标，表式 %s）\n", f.Project, len(f.Indicators), fam)
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

// printProblems writes a form's problems, one a line: where (file and
// line, or workbook cell; the form when the field is missing from the
// input), the field's Chinese label, and the message.
func printProblems(w io.Writer, path string, i int, f *reports.Form, ps reports.Problems) {
	for _, p := range ps {
		where := p.Where(path)
		if where == path {
			where = path + ": " + formName(i, f)
		}
		fmt.Fprintf(w, "%s: %s: %s%s\n", where, p.Label(), severityPrefix(p.Severity), p.Message)
	}
}

// formName names the i-th form of a file for messages: 第2张表（服务体系）.
func formName(i int, f *reports.Form) string {
	if f.Project == "" {
		return fmt.Sprintf("第%d张表", i+1)
	}
	return fmt.Sprintf("第%d张表（%s）", i+1, f.Project)
}

func severityPrefix(s reports.Severity) string {
	if s == reports.SeverityWarning {
		return "警告："
	}
	return ""
}
