package ttf_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/reportd/reportd/fonts"
	"github.com/reportd/reportd/reports/font/ttf"
)

// formRunes lists the sample's characters the font has, ascending, and the
// glyph list SubsetMapped takes (.notdef first).
func formRunes(tb testing.TB, f *ttf.Font, extra string) ([]rune, []uint16) {
	tb.Helper()
	data, err := os.ReadFile("../../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		tb.Fatal(err)
	}
	seen := map[rune]bool{}
	var runes []rune
	for _, r := range string(data) + extra {
		if _, ok := f.GlyphIndex(r); ok && !seen[r] {
			seen[r] = true
			runes = append(runes, r)
		}
	}
	slices.Sort(runes)
	gids := []uint16{0}
	for _, r := range runes {
		g, _ := f.GlyphIndex(r)
		gids = append(gids, g)
	}
	return runes, gids
}

// A mapped subset finds each character's glyph through its own cmap (BMP
// and, for the fallback font, beyond), with the advance of the full font.
func TestSubsetMapped(t *testing.T) {
	srcs := []struct {
		name  string
		data  func() ([]byte, error)
		extra string
	}{
		{"body", func() ([]byte, error) { return fonts.Body().Data, nil }, "中A 1"},
		{"fallback", func() ([]byte, error) { return os.ReadFile(hanaMinB) }, "𠮷𡈁𪚲丂"},
	}
	ots, otsErr := exec.LookPath("ots-sanitize")
	for _, src := range srcs {
		t.Run(src.name, func(t *testing.T) {
			data, err := src.data()
			if err != nil {
				t.Skipf("%v (Debian: fonts-hanazono)", err)
			}
			f := mustParse(t, data)
			runes, gids := formRunes(t, f, src.extra)
			if len(runes) < 3 {
				t.Fatalf("only %d characters", len(runes))
			}
			sub, _, err := f.SubsetMapped(nil, gids, runes)
			if err != nil {
				t.Fatal(err)
			}
			sf := mustParse(t, sub)
			for i, r := range runes {
				g, ok := sf.GlyphIndex(r)
				if !ok || int(g) != i+1 {
					t.Fatalf("%c (%U): glyph %d %v, want %d", r, r, g, ok, i+1)
				}
				if sf.Advance(g) != f.Advance(gids[i+1]) {
					t.Errorf("%c: advance %d, want %d", r, sf.Advance(g), f.Advance(gids[i+1]))
				}
			}
			for _, r := range []rune{'\u0001', 0xFFFF, 0x10FFFD} {
				if g, ok := sf.GlyphIndex(r); ok && g != 0 {
					t.Errorf("%U maps to glyph %d", r, g)
				}
			}
			if otsErr != nil {
				t.Log("ots-sanitize not installed (Debian: opentype-sanitizer); cmap checked by our parser only")
				return
			}
			in := filepath.Join(t.TempDir(), "mapped.ttf")
			if err := os.WriteFile(in, sub, 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(ots, in, in+".out").CombinedOutput(); err != nil {
				t.Fatalf("ots-sanitize: %v\n%s", err, out)
			}
		})
	}
}

func TestSubsetMappedErrors(t *testing.T) {
	f := mustParse(t, fonts.Body().Data)
	a, _ := f.GlyphIndex('a')
	b, _ := f.GlyphIndex('b')
	tests := []struct {
		name  string
		gids  []uint16
		runes []rune
	}{
		{"count mismatch", []uint16{0, a, b}, []rune{'a'}},
		{"descending", []uint16{0, b, a}, []rune{'b', 'a'}},
		{"duplicate", []uint16{0, a, a}, []rune{'a', 'a'}},
		{"glyph out of range", []uint16{0, 65535}, []rune{'a'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := f.SubsetMapped(nil, tt.gids, tt.runes); err == nil {
				t.Error("no error")
			}
		})
	}
	if f.FamilyName != "Noto Serif SC" {
		t.Errorf("FamilyName = %q", f.FamilyName)
	}
}

// The cmap of a mapped subset finds every character of random sets: runs
// of consecutive code points, gaps, characters on both sides of U+FFFF and
// sets large enough for hundreds of segments.
func TestSubsetMappedRandomSets(t *testing.T) {
	f := mustParse(t, fonts.Body().Data)
	rng := rand.New(rand.NewPCG(1, 2))
	for n, size := range []int{1, 2, 50, 700, 3000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			seen := map[rune]bool{}
			var runes []rune
			for len(runes) < size {
				var r rune
				switch rng.IntN(4) {
				case 0:
					r = rune(0x4E00 + rng.IntN(400)) // dense: long runs
				case 1:
					r = rune(0xFFF0 + rng.IntN(40)) // around U+FFFF
				case 2:
					r = rune(0x20000 + rng.IntN(2000))
				default:
					r = rune(0x20 + rng.IntN(0xD000))
				}
				if r >= 0xD800 && r <= 0xDFFF || r == 0xFFFF || seen[r] {
					continue
				}
				seen[r] = true
				runes = append(runes, r)
			}
			slices.Sort(runes)
			gids := []uint16{0}
			for i := range runes {
				gids = append(gids, uint16(1+(i*7+n)%(int(f.NumGlyphs)-1)))
			}
			sub, _, err := f.SubsetMapped(nil, gids, runes)
			if err != nil {
				t.Fatal(err)
			}
			sf := mustParse(t, sub)
			for i, r := range runes {
				if g, ok := sf.GlyphIndex(r); !ok || int(g) != i+1 {
					t.Fatalf("%U: glyph %d %v, want %d", r, g, ok, i+1)
				}
			}
			for range 200 {
				r := rune(0x20 + rng.IntN(0x30000))
				if g, ok := sf.GlyphIndex(r); !seen[r] && ok && g != 0 {
					t.Fatalf("%U is not in the set but maps to glyph %d", r, g)
				}
			}
		})
	}
}
