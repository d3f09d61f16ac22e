package main

import (
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/formfile"
)

// formReaders returns the readers for every input kind the binary supports.
func formReaders() formfile.Readers {
	return formfile.Default()
}

// vocabularyFor returns the indicator vocabulary of the form's family.
func vocabularyFor(f *reports.Form) reports.Vocabulary {
	return reports.DefaultVocabulary
}
