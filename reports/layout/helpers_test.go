package layout_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/textform"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// mustSeed reads the sample forms.
func mustSeed(tb testing.TB) []reports.Form {
	tb.Helper()
	path := filepath.Join("..", "..", "testdata", "seed", "2020-performance-targets.txt")
	fh, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer fh.Close()
	forms, err := textform.Read(fh, path)
	if err != nil {
		tb.Fatal(err)
	}
	return forms
}

// mustFamily returns a built-in family ("" for the default).
func mustFamily(tb testing.TB, name string) *family.Family {
	tb.Helper()
	reg, err := family.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	fam, err := reg.Get(name)
	if err != nil {
		tb.Fatal(err)
	}
	return fam
}

// golden compares v, as indented JSON, with testdata/golden/name. With
// -update it rewrites the file; without, a missing file is a failure.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file missing (run go test -update once and review it): %v", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got %s\nwant %s\n(run go test -update if the change is intended)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// rounded copies d with every coordinate rounded to 0.01 pt, so golden
// files do not depend on floating-point contraction on some CPUs.
func rounded(d *layout.Document) *layout.Document {
	r := func(x float64) float64 { return math.Round(x*100) / 100 }
	out := *d
	out.WidthPt, out.HeightPt = r(d.WidthPt), r(d.HeightPt)
	out.Pages = make([]layout.Page, len(d.Pages))
	for i, p := range d.Pages {
		np := layout.Page{FirstRow: p.FirstRow, Continued: p.Continued}
		for _, t := range p.Background {
			t.X, t.Y = r(t.X), r(t.Y)
			np.Background = append(np.Background, t)
		}
		for _, f := range p.Fills {
			np.Fills = append(np.Fills, layout.Rect{X: r(f.X), Y: r(f.Y), W: r(f.W), H: r(f.H), Gray: f.Gray})
		}
		for _, t := range p.Texts {
			t.X, t.Y = r(t.X), r(t.Y)
			if t.DX != nil {
				dx := make([]float64, len(t.DX))
				for i, v := range t.DX {
					dx[i] = math.Round(v*1e4) / 1e4
				}
				t.DX = dx
			}
			np.Texts = append(np.Texts, t)
		}
		for _, l := range p.Rules {
			np.Rules = append(np.Rules, layout.Rule{X1: r(l.X1), Y1: r(l.Y1), X2: r(l.X2), Y2: r(l.Y2), Width: l.Width})
		}
		out.Pages[i] = np
	}
	return &out
}
