package layout_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/textform"
)

// The national 财预〔2021〕101号 family: 万元 amounts, a period, a 绩效标准
// column, level 1 repeated on every row, a level-2 row with no level 3.
func TestNationalFamilyGolden(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "testdata", "families", "national-2023.txt")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	forms, err := textform.Reader{Families: reg}.Read(fh, path)
	if err != nil {
		t.Fatal(err)
	}
	f := forms[0]
	fam, err := reg.Get(f.Family)
	if err != nil {
		t.Fatal(err)
	}
	g := layout.Build(&f, fam)
	if g.Draft {
		t.Error("a valid national form is marked draft")
	}
	golden(t, "grid-national.json", g)
	doc, err := layout.Paginate(g, layout.MonoMeasurer{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "doc-national.json", doc)

	var texts []string
	for _, p := range doc.Pages {
		for _, tx := range p.Texts {
			texts = append(texts, tx.S)
		}
	}
	all := strings.Join(texts, "\n")
	// Amounts print in 万元 with separators (the extra "800" as 800.00).
	for _, want := range []string{"1,250.50", "860.123456", "800.00", "2023.07-2024.01", "绩效标准", "按验收面积计", "=100.00(%)"} {
		if !strings.Contains(all, want) {
			t.Errorf("the national form lacks %q", want)
		}
	}
}
