package xlsx_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/xlsx"
)

// hostile builds a minimal workbook whose part is the given XML, written
// by gen so that large parts compress to a small file (as an attacker's do).
func hostile(t *testing.T, part string, gen func(w io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	io.WriteString(w, `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
	w, _ = zw.Create("xl/workbook.xml")
	io.WriteString(w, `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="表" sheetId="1"/></sheets></workbook>`)
	w, err := zw.Create(part)
	if err != nil {
		t.Fatal(err)
	}
	gen(w)
	zw.Close()
	return buf.Bytes()
}

func repeat(head, item, tail string, n int) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, head)
		bw := strings.Repeat(item, 1000)
		for range n / 1000 {
			io.WriteString(w, bw)
		}
		io.WriteString(w, strings.Repeat(item, n%1000))
		io.WriteString(w, tail)
	}
}

// An attack found that a 110 KB workbook of 2.5 million shared strings cost
// 15.7 s and 950 MB, and 1.2 million cells 34 s: such workbooks are
// refused (413) before excelize loads them.
func TestReadRefusesOversizedWorkbooks(t *testing.T) {
	const main = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	tests := []struct {
		name, part string
		gen        func(io.Writer)
		says       string
	}{
		{"2.5 million shared strings", "xl/sharedStrings.xml", repeat(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, `<si><t>a</t></si>`, `</sst>`, 2_500_000), "shared strings"},
		{"1.2 million cells", "xl/worksheets/sheet1.xml", repeat(main+`<row r="1">`, `<c t="n"><v>1</v></c>`, `</row></sheetData></worksheet>`, 1_200_000), "cells"},
		{"a million empty rows", "xl/worksheets/sheet1.xml", repeat(main, `<row/>`, `</sheetData></worksheet>`, 1_000_000), "rows"},
		{"half a million styles", "xl/styles.xml", repeat(`<styleSheet><cellXfs>`, `<xf numFmtId="0"/>`, `</cellXfs></styleSheet>`, 500_000), "styles"},
		{"deep nesting", "xl/worksheets/sheet1.xml", repeat(main, `<x>`, ``, 100_000), "deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := hostile(t, tt.part, tt.gen)
			if len(data) > xlsx.MaxSize {
				t.Fatalf("test workbook of %d bytes is over the file limit", len(data))
			}
			_, err := xlsx.Read(bytes.NewReader(data), "bomb.xlsx")
			var re *reports.Error
			if !errors.As(err, &re) || re.Code != reports.ETOOLARGE || !strings.Contains(re.Message, tt.says) {
				t.Fatalf("Read: %v, want %s mentioning %q", err, reports.ETOOLARGE, tt.says)
			}
		})
	}
}
