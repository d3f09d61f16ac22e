package main

import (
	"fmt"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/formfile"
	"github.com/reportd/reportd/reports/textform"
	"github.com/reportd/reportd/reports/xlsx"
	"github.com/reportd/reportd/templates"
)

// familiesFrom returns the built-in form families plus those in dir (the
// -templates flag; "" for none).
func familiesFrom(dir string) (*family.Registry, error) {
	reg, err := family.Load(templates.Families, dir)
	if err != nil {
		return nil, fmt.Errorf("form families: %w", err)
	}
	return reg, nil
}

// formReaders returns the readers for every input kind the binary supports.
func formReaders(families *family.Registry) formfile.Readers {
	rs := formfile.Default()
	rs[formfile.Text] = textform.Reader{Families: families}.Read
	rs[formfile.XLSX] = xlsx.Reader{Families: families}.Read
	return rs
}

// rulesFor returns the validation rules of the form's family.
func rulesFor(families *family.Registry, f *reports.Form) (reports.Rules, error) {
	fam, err := families.Get(f.Family)
	if err != nil {
		return reports.Rules{}, err
	}
	return fam.Rules(), nil
}
