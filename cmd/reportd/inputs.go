package main

import (
	"flag"
	"fmt"
	"io"

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

// inputFlags are the flags of every command that reads form files.
type inputFlags struct {
	templates *string // directory of a site's own families
	family    *string // the family of every form read, instead of detecting it
}

func addInputFlags(fs *flag.FlagSet, e *env) inputFlags {
	return inputFlags{
		templates: fs.String("templates", e.getenv("REPORTD_FAMILIES"), "directory of extra form family files (*.json) (env REPORTD_FAMILIES)"),
		family:    fs.String("family", "", "form family of every input form, instead of detecting it (see reportd families)"),
	}
}

// open loads the families and returns the readers: with -family, every
// form read is of that family.
func (in inputFlags) open() (formfile.Readers, *family.Registry, error) {
	families, err := familiesFrom(*in.templates)
	if err != nil {
		return nil, nil, err
	}
	name := *in.family
	if name == "" {
		return formReaders(families), families, nil
	}
	if _, err := families.Target(name); err != nil {
		return nil, nil, err
	}
	rs := formReaders(families)
	rs[formfile.Text] = textform.Reader{Families: families, Family: name}.Read
	for kind, read := range rs {
		if kind == formfile.Text {
			continue
		}
		rs[kind] = func(r io.Reader, file string) ([]reports.Form, error) {
			forms, err := read(r, file)
			for i := range forms {
				forms[i].Family = name
			}
			return forms, err
		}
	}
	return rs, families, nil
}

// rulesFor returns the validation rules of the form's family.
func rulesFor(families *family.Registry, f *reports.Form) (reports.Rules, error) {
	fam, err := families.Get(f.Family)
	if err != nil {
		return reports.Rules{}, err
	}
	return fam.Rules(), nil
}
