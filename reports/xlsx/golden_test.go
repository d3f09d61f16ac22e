package xlsx_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/ from the current output")

// TestGolden compares a text dump of each sample form's workbook (cells,
// values, types, styles, merges, sizes, print setup, map sheet) with
// testdata/*.golden, so any change to what clerks get is seen in review.
func TestGolden(t *testing.T) {
	for i, form := range mustSeed(t) {
		t.Run(form.Project, func(t *testing.T) {
			f := mustOpen(t, mustRender(t, &form))
			got := dump(t, f)
			path := filepath.Join("testdata", fmt.Sprintf("seed-%d.golden", i+1))
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reference missing: %v (create it with go test -run TestGolden -update, then review it)", err)
			}
			if got != string(want) {
				gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
				for j := 0; j < max(len(gl), len(wl)); j++ {
					var g, w string
					if j < len(gl) {
						g = gl[j]
					}
					if j < len(wl) {
						w = wl[j]
					}
					if g != w {
						t.Fatalf("%s differs from line %d:\n got %s\nwant %s\n(go test -run TestGolden -update rewrites it)", path, j+1, g, w)
					}
				}
			}
		})
	}
}

// dump prints what matters of a workbook, one fact per line.
func dump(t *testing.T, f *excelize.File) string {
	t.Helper()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		visible, _ := f.GetSheetVisible(sheet)
		fmt.Fprintf(&b, "sheet %q visible=%v\n", sheet, visible)
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if sheet == "_reportd" {
			for _, r := range rows {
				fmt.Fprintf(&b, "  map %q\n", strings.Join(r, "|"))
			}
			continue
		}
		ncols := 0
		for _, r := range rows {
			ncols = max(ncols, len(r))
		}
		for c := 1; c <= ncols; c++ {
			name, _ := excelize.ColumnNumberToName(c)
			w, _ := f.GetColWidth(sheet, name)
			fmt.Fprintf(&b, "  col %s width %.2f\n", name, w)
		}
		merges, _ := f.GetMergeCells(sheet, true)
		end := map[string]string{}
		for _, m := range merges {
			end[m.GetStartAxis()] = m.GetEndAxis()
		}
		for r := range rows {
			h, _ := f.GetRowHeight(sheet, r+1)
			fmt.Fprintf(&b, "  row %d height %.2f\n", r+1, h)
			for c := 1; c <= ncols; c++ {
				ref, _ := excelize.CoordinatesToCellName(c, r+1)
				v := ""
				if c-1 < len(rows[r]) {
					v = rows[r][c-1]
				}
				id, _ := f.GetCellStyle(sheet, ref)
				if v == "" && end[ref] == "" && id == 0 {
					continue
				}
				typ, _ := f.GetCellType(sheet, ref)
				st, _ := f.GetStyle(id)
				span := ref
				if e := end[ref]; e != "" {
					span += ":" + e
				}
				fmt.Fprintf(&b, "    %s type=%d %q %s\n", span, typ, clip(v), styleText(st))
			}
		}
		for _, dn := range f.GetDefinedName() {
			if dn.Scope == sheet {
				fmt.Fprintf(&b, "  name %s = %s\n", dn.Name, dn.RefersTo)
			}
		}
		dvs, _ := f.GetDataValidations(sheet)
		for _, dv := range dvs {
			fmt.Fprintf(&b, "  input %s: %s / %s %s %s\n", dv.Sqref, derefS(dv.PromptTitle), derefS(dv.Prompt), dv.Type, dv.Formula1)
		}
		pl, _ := f.GetPageLayout(sheet)
		fmt.Fprintf(&b, "  page size=%d orientation=%s fit=%dx%d\n", deref(pl.Size), derefS(pl.Orientation), deref(pl.FitToWidth), deref(pl.FitToHeight))
		if hf, _ := f.GetHeaderFooter(sheet); hf != nil {
			fmt.Fprintf(&b, "  header %q footer %q\n", hf.OddHeader, hf.OddFooter)
		}
		prot, _ := f.GetSheetProtection(sheet)
		fmt.Fprintf(&b, "  protection %+v\n", prot)
	}
	props, _ := f.GetCustomProps()
	for _, p := range props {
		fmt.Fprintf(&b, "custom %s = %v\n", p.Name, p.Value)
	}
	return b.String()
}

func styleText(st *excelize.Style) string {
	if st == nil {
		return ""
	}
	var parts []string
	if st.Font != nil {
		parts = append(parts, fmt.Sprintf("font=%s/%.1f/bold=%v", st.Font.Family, st.Font.Size, st.Font.Bold))
	}
	if a := st.Alignment; a != nil {
		parts = append(parts, fmt.Sprintf("align=%s/%s/wrap=%v/indent=%d", a.Horizontal, a.Vertical, a.WrapText, a.Indent))
	}
	if len(st.Fill.Color) > 0 {
		parts = append(parts, "fill="+strings.Join(st.Fill.Color, ","))
	}
	if len(st.Border) > 0 {
		parts = append(parts, fmt.Sprintf("borders=%d", len(st.Border)))
	}
	fmtCode := ""
	if st.CustomNumFmt != nil {
		fmtCode = *st.CustomNumFmt
	}
	parts = append(parts, fmt.Sprintf("numfmt=%d%q", st.NumFmt, fmtCode))
	locked := st.Protection == nil || st.Protection.Locked
	parts = append(parts, fmt.Sprintf("locked=%v", locked))
	return strings.Join(parts, " ")
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

func derefS(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
