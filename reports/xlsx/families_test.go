package xlsx_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/textform"
	"github.com/reportd/reportd/reports/xlsx"
	"github.com/reportd/reportd/templates"
)

// TestRoundTripFamilies: forms of every family, including one known only
// from a file (tiny-2024: a spanned column, an extra field) and the
// national one (amounts in 万元 with six decimals, a period, an extra
// indicator column, level 1 repeated on every row), come back equal from
// their workbooks. The backend and importer know no family.
func TestRoundTripFamilies(t *testing.T) {
	reg, err := family.Load(templates.Families, "../../testdata/families/tiny")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, family string
	}{
		{"national 2021", "../../testdata/families/national-2023.txt", "national-2021"},
		{"tiny 2024", "../../testdata/families/tiny-2024.txt", "tiny-2024"},
		{"shanghai 2020", seedPath, "shanghai-2020"},
		// Side labels, a fund block with a label over three rows, labels
		// over their values, a blank 审核意见 box, header and footer lines.
		{"hunan 2023", "../../testdata/families/hunan-2023.txt", "hunan-2023"},
		{"wuhan 2020", "../../testdata/families/wuhan-2020.txt", "wuhan-2020"},
		{"hunan infra 2022", "../../testdata/families/hunan-infra-2022.txt", "hunan-infra-2022"},
	}
	r := xlsx.NewRenderer(reg, xlsx.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := os.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			forms, err := textform.Reader{Families: reg}.Read(in, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			for i := range forms {
				if forms[i].Family != tt.family {
					t.Fatalf("form %d read as family %q, want %q", i, forms[i].Family, tt.family)
				}
				var buf bytes.Buffer
				if err := r.Render(context.Background(), &buf, &forms[i]); err != nil {
					t.Fatal(err)
				}
				got, err := xlsx.Reader{Families: reg}.Read(bytes.NewReader(buf.Bytes()), "f.xlsx")
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 {
					t.Fatalf("got %d forms", len(got))
				}
				assertSameForm(t, forms[i], got[0])
			}
		})
	}
}
