package xlsx_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/reports/xlsx"
)

// quotePrefixes lists, by cell style index, whether the style carries
// quotePrefix.
func quotePrefixes(t *testing.T, data []byte) []bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "xl/styles.xml" {
			continue
		}
		rc, _ := f.Open()
		raw, _ := io.ReadAll(rc)
		rc.Close()
		var ss struct {
			CellXfs struct {
				Xf []struct {
					QuotePrefix string `xml:"quotePrefix,attr"`
				} `xml:"xf"`
			} `xml:"cellXfs"`
		}
		if err := xml.Unmarshal(raw, &ss); err != nil {
			t.Fatal(err)
		}
		out := make([]bool, len(ss.CellXfs.Xf))
		for i, x := range ss.CellXfs.Xf {
			out[i] = x.QuotePrefix == "1" || x.QuotePrefix == "true"
		}
		return out
	}
	t.Fatal("no xl/styles.xml")
	return nil
}

// Text that begins like a formula (= + - @) is written with quotePrefix,
// so that editing the cell or exporting the sheet to CSV keeps it text
// (CSV/formula injection); other text is not marked.
func TestFormulaLikeTextIsQuoted(t *testing.T) {
	form := mustSeed(t)[0]
	form.Project = "=HYPERLINK(\"http://evil.example\",\"点这里\")"
	form.Indicators[0].Target = "@SUM(1+1)"
	form.Indicators[1].Target = "+90%"
	form.Indicators[2].Target = "-5%"
	data := mustRender(t, &form)
	quoted := quotePrefixes(t, data)
	f := mustOpen(t, data)
	const sheet = xlsx.FormSheetName
	rows, _ := f.GetRows(sheet)
	seen := map[string]bool{}
	for r, row := range rows {
		for c, v := range row {
			if v == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			id, err := f.GetCellStyle(sheet, ref)
			if err != nil || id >= len(quoted) {
				t.Fatalf("%s: style %d %v", ref, id, err)
			}
			want := strings.ContainsAny(v[:1], "=+-@")
			if quoted[id] != want {
				t.Errorf("%s %q: quotePrefix %v, want %v", ref, v, quoted[id], want)
			}
			if want {
				seen[v[:1]] = true
			}
			if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
				t.Errorf("%s: %q became the formula %q", ref, v, formula)
			}
		}
	}
	for _, p := range []string{"=", "+", "-", "@"} {
		if !seen[p] {
			t.Errorf("no cell beginning with %q was checked", p)
		}
	}
	// The workbook still reads back to the same text.
	back, err := xlsx.Read(bytes.NewReader(data), "q.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if back[0].Project != form.Project || string(back[0].Indicators[0].Target) != "@SUM(1+1)" {
		t.Errorf("read back %q / %q", back[0].Project, back[0].Indicators[0].Target)
	}
}
