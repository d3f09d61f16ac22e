package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/evaluation"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formfile"
	"github.com/reportd/reportd/reports/jsonform"
)

// evaluated is one self-evaluation or monitoring report read from a file.
type evaluated struct {
	path   string
	target *reports.Form
	result *evaluation.Result
}

// actualsInputs reads what `score` and `render -kind` take: actuals JSON
// (reportd/actuals/v1, carrying the form or paired with one from -form), a
// filled self-evaluation or monitoring workbook (paired with -form), or,
// for render, target forms alone (a blank report of kind to fill in).
type actualsInputs struct {
	readers  formfile.Readers
	fams     *family.Registry
	formFile string // -form
	kind     string // the kind of blank reports made from target forms ("" refuses them)
	month    int    // -month of blank monitoring reports
	forms    []reports.Form
}

func (in *actualsInputs) targets() ([]reports.Form, error) {
	if in.formFile == "" {
		return nil, nil
	}
	if in.forms == nil {
		// An actuals JSON that carries its form serves as the form file too.
		if data, err := os.ReadFile(in.formFile); err == nil && isActualsJSON(data) {
			doc, err := jsonform.ReadActuals(bytes.NewReader(data), in.formFile)
			if err != nil {
				return nil, err
			}
			if doc.Form == nil {
				return nil, fmt.Errorf("-form %s: actuals without their form", in.formFile)
			}
			in.forms = []reports.Form{*doc.Form}
			return in.forms, nil
		}
		forms, err := in.readers.Open(in.formFile)
		if err != nil {
			return nil, err
		}
		in.forms = forms
	}
	return in.forms, nil
}

// pair finds the target form of actuals read from path: the only form of
// -form, or the one of the same year, unit and project.
func (in *actualsInputs) pair(path string, year int, unit, project string) (*reports.Form, error) {
	forms, err := in.targets()
	if err != nil {
		return nil, err
	}
	if forms == nil {
		return nil, fmt.Errorf("%s: the target form is needed: give it with -form FILE (or put it in the JSON as \"form\")", path)
	}
	if len(forms) == 1 {
		return &forms[0], nil
	}
	for i := range forms {
		f := &forms[i]
		if f.Year == year && strings.TrimSpace(f.Project) == strings.TrimSpace(project) && (unit == "" || f.Unit == unit) {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%s: none of the %d forms of %s is %d %s %s", path, len(forms), in.formFile, year, unit, project)
}

// isActualsJSON tells an actuals document from a form document by its schema.
func isActualsJSON(data []byte) bool {
	var probe struct {
		Schema string `json:"schema"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Schema == jsonform.ActualsSchema
}

func (in *actualsInputs) read(path string) ([]evaluated, error) {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if isActualsJSON(data) {
			doc, err := jsonform.ReadActuals(bytes.NewReader(data), path)
			if err != nil {
				return nil, err
			}
			target := doc.Form
			if target == nil {
				if target, err = in.pair(path, doc.Year, "", ""); err != nil {
					return nil, err
				}
			}
			r, err := evaluation.Evaluate(in.fams, target, &doc.Actuals)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return []evaluated{{path, target, r}}, nil
		}
	}
	forms, err := in.readers.Open(path)
	if err != nil {
		return nil, err
	}
	var out []evaluated
	for i := range forms {
		f := &forms[i]
		fam, err := in.fams.Get(f.Family)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if fam.DocumentKind() != family.KindTarget {
			// A filled self-evaluation or monitoring workbook.
			target, err := in.pair(path, f.Year, f.Unit, f.Project)
			if err != nil {
				return nil, err
			}
			a, err := evaluation.FromDerived(in.fams, target, nil, f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			r, err := evaluation.Evaluate(in.fams, target, a)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			out = append(out, evaluated{path, target, r})
			continue
		}
		if in.kind == "" {
			return nil, fmt.Errorf("%s: %s is a target form, not actuals (reportd/actuals/v1 JSON or a filled self-evaluation workbook)", path, f.Project)
		}
		a := reports.NewActuals(in.kind, f)
		a.Month = in.month
		r, err := evaluation.Evaluate(in.fams, f, a)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, evaluated{path, f, r})
	}
	return out, nil
}

// printReportProblems writes a report's problems on stderr as validate
// does (FILE:LINE or workbook cell: 字段: 说明) and reports whether any is
// an error.
func printReportProblems(e *env, path string, ps reports.Problems) bool {
	bad := false
	for _, p := range ps {
		fmt.Fprintf(e.stderr, "%s: %s: %s%s\n", p.Where(path), p.Label(), severityPrefix(p.Severity), p.Message)
		bad = bad || p.Severity == reports.SeverityError
	}
	return bad
}
