package ttf_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/reportd/reportd/fonts"
	"github.com/reportd/reportd/reports/font/ttf"
)

const hanaMinB = "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"

func mustParse(tb testing.TB, data []byte) *ttf.Font {
	tb.Helper()
	f, err := ttf.Parse(data)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestParseEmbedded(t *testing.T) {
	tests := []struct {
		name, ps string
		file     fonts.File
	}{
		{"title", "NotoSerifSC-Bold", fonts.Title()},
		{"heading", "NotoSansSC-Medium", fonts.Heading()},
		{"body", "NotoSerifSC-Regular", fonts.Body()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.file.Data)
			if f.PostScriptName != tt.ps {
				t.Errorf("PostScriptName = %q, want %q", f.PostScriptName, tt.ps)
			}
			if f.UnitsPerEm != 1000 {
				t.Errorf("UnitsPerEm = %d", f.UnitsPerEm)
			}
			for _, r := range "财政项目支出绩效目标表，。（）0123456789%≥≤ABCxyz珺堃昇喆赟燊" {
				g, ok := f.GlyphIndex(r)
				if !ok || g == 0 {
					t.Errorf("%c (U+%04X): no glyph", r, r)
					continue
				}
				if f.Advance(g) == 0 {
					t.Errorf("%c: zero advance", r)
				}
			}
			if g, _ := f.GlyphIndex('中'); f.Advance(g) != 1000 {
				t.Errorf("advance of 中 = %d, want 1000", f.Advance(g))
			}
			if _, ok := f.GlyphIndex(0x20BB7); ok {
				t.Errorf("Noto SC unexpectedly has U+20BB7")
			}
		})
	}
}

func TestParseFallbackSupplementary(t *testing.T) {
	data, err := os.ReadFile(hanaMinB)
	if err != nil {
		t.Skipf("fallback font not installed: %v", err)
	}
	f := mustParse(t, data)
	if g, ok := f.GlyphIndex(0x20BB7); !ok || g == 0 {
		t.Fatalf("HanaMinB has no glyph for U+20BB7")
	}
}

func TestRefused(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"collection", "ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x0c", "collections"},
		{"cff", "OTTO\x00\x00\x00\x00\x00\x00\x00\x00", "CFF"},
		{"garbage", "hello world, not a font", "not a TrueType font"},
		{"short", "\x00\x01", "too short"},
		{"truncated directory", "\x00\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00", "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ttf.Parse([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// A subset must be a valid font again, with the same outlines and advances
// under the new numbering.
func TestSubsetRoundTrip(t *testing.T) {
	f := mustParse(t, fonts.Body().Data)
	text := []rune("财政项目支出绩效目标表，维护开发专精特新微信公众号Åé")
	gids := []uint16{0}
	for _, r := range text {
		g, ok := f.GlyphIndex(r)
		if !ok {
			t.Fatalf("no glyph for %c", r)
		}
		gids = append(gids, g)
	}
	sub, all, err := f.Subset(nil, gids)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < len(gids) {
		t.Fatalf("subset lists %d glyphs, want ≥ %d", len(all), len(gids))
	}
	s := mustParse(t, sub)
	if s.PostScriptName != f.PostScriptName {
		t.Errorf("subset PostScript name %q, want %q", s.PostScriptName, f.PostScriptName)
	}
	if s.ItalicAngle != f.ItalicAngle || s.WeightClass != f.WeightClass || s.Ascent != f.Ascent {
		t.Errorf("subset post/OS/2 metrics differ: %+v", s)
	}
	if int(s.NumGlyphs) != len(all) {
		t.Fatalf("subset NumGlyphs = %d, want %d", s.NumGlyphs, len(all))
	}
	for i, old := range all {
		if s.Advance(uint16(i)) != f.Advance(old) {
			t.Errorf("glyph %d (old %d): advance %d, want %d", i, old, s.Advance(uint16(i)), f.Advance(old))
		}
	}
	if len(sub) > 100_000 {
		t.Errorf("subset of %d glyphs is %d bytes", len(all), len(sub))
	}
	keep, err := f.SubsetKeepIDs(nil, gids)
	if err != nil {
		t.Fatal(err)
	}
	k := mustParse(t, keep)
	if k.NumGlyphs != f.NumGlyphs {
		t.Errorf("keep-IDs subset has %d glyphs, want %d", k.NumGlyphs, f.NumGlyphs)
	}
	if !bytes.Equal(sub[:4], []byte{0, 1, 0, 0}) {
		t.Errorf("subset signature % x", sub[:4])
	}
}

func FuzzParse(f *testing.F) {
	body := fonts.Body().Data
	// A real font's subset is a small, valid seed that exercises every table.
	font, err := ttf.Parse(body)
	if err != nil {
		f.Fatal(err)
	}
	g, _ := font.GlyphIndex('中')
	a, _ := font.GlyphIndex('Å')
	seed, _, err := font.Subset(nil, []uint16{0, g, a})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(buildFont([][]byte{nil, triangle, triangle, composite(2)}, map[rune]uint16{'A': 3, 'B': 1, '中': 2}))
	f.Add([]byte("ttcf"))
	f.Add([]byte("OTTO\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := ttf.Parse(data)
		if err != nil {
			return
		}
		var gids []uint16
		for _, r := range []rune{0, 'A', '中', 0x20BB7, 0xFFFF, 0x10FFFF} {
			if g, ok := font.GlyphIndex(r); ok {
				gids = append(gids, g)
				_ = font.Advance(g)
			}
		}
		for g := range min(int(font.NumGlyphs), 8) {
			gids = append(gids, uint16(g))
		}
		sub, _, err := font.Subset(nil, gids)
		if err != nil {
			return
		}
		if _, err := ttf.Parse(sub); err != nil {
			t.Fatalf("subset of a valid font does not parse: %v", err)
		}
	})
}
