package font_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reportd/reportd/fonts"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
)

func TestAdvance(t *testing.T) {
	fs := mustFonts(t)
	tests := []struct {
		name string
		role layout.Role
		r    rune
		em   float64 // -1: only check ok
		ok   bool
	}{
		{"ideograph body", layout.RoleBody, '中', 1, true},
		{"ideograph title", layout.RoleTitle, '表', 1, true},
		{"full-width comma", layout.RoleBody, '，', 1, true},
		{"latin narrower than em", layout.RoleBody, 'i', -1, true},
		{"extension B from the fallback", layout.RoleBody, 0x20BB7, 1, true},
		{"private use in no font", layout.RoleBody, 0x10FFFD, 0, false},
		{"unassigned plane 2", layout.RoleHeading, 0x2FFFF, 0, false},
		{"zero-width space takes no room", layout.RoleBody, 0x200B, 0, true},
		{"unknown role falls back to body", layout.Role(9), '中', 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			em, ok := fs.Advance(tt.role, tt.r)
			if ok != tt.ok {
				t.Fatalf("Advance(%U) ok = %v, want %v", tt.r, ok, tt.ok)
			}
			switch {
			case tt.em >= 0 && em != tt.em:
				t.Errorf("Advance(%U) = %v em, want %v", tt.r, em, tt.em)
			case tt.em < 0 && (em <= 0 || em >= 1):
				t.Errorf("Advance(%U) = %v em, want between 0 and 1", tt.r, em)
			}
		})
	}
	if tab, _ := fs.Advance(layout.RoleBody, '\t'); tab <= 0 {
		t.Errorf("a tab takes %v em; it is drawn as a space", tab)
	}
}

// A site configures its own TrueType files per role; the same file for two
// roles is parsed once (pdf's TestSharedFontEmbeddedOnce checks it is
// embedded once).
func TestLoadConfigured(t *testing.T) {
	dir := t.TempDir()
	sans := filepath.Join(dir, "site-heiti.ttf")
	if err := os.WriteFile(sans, fonts.Heading().Data, 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := font.Load(font.Config{Title: sans, Heading: sans, Fallbacks: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	title, heading, body, fallbacks := fs.Fonts()
	if title != sans || heading != sans || body != "NotoSerifSC-Regular.ttf" || len(fallbacks) != 0 {
		t.Errorf("fonts %q %q %q %q", title, heading, body, fallbacks)
	}
	if _, ok := fs.Advance(layout.RoleBody, 0x20BB7); ok {
		t.Error("U+20BB7 found although no fallback is configured")
	}
	if fs.Faces() != 2 {
		t.Errorf("%d faces, want 2 (site heiti for title and heading, body)", fs.Faces())
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ttc := write("collection.ttc", []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x0c"))
	otf := write("cff.otf", []byte("OTTO\x00\x00\x00\x00\x00\x00\x00\x00"))
	tests := []struct {
		name string
		cfg  font.Config
		want []string
	}{
		{"collection", font.Config{Body: ttc}, []string{"collection.ttc", "collections"}},
		{"cff outlines", font.Config{Title: otf}, []string{"cff.otf", "CFF"}},
		{"missing file", font.Config{Heading: filepath.Join(dir, "absent.ttf")}, []string{"absent.ttf"}},
		{"missing fallback", font.Config{Fallbacks: []string{filepath.Join(dir, "nofallback.ttf")}}, []string{"nofallback.ttf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := font.Load(tt.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func BenchmarkAdvance(b *testing.B) {
	fs := mustFonts(b)
	text := []rune("组织专精特新企业申报复核，制作专精特新企业标牌证书。ISO 9001:2015 𠮷")
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range text {
			fs.Advance(layout.RoleBody, r)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(text)), "ns/rune")
}

// Scripts this writer cannot shape are refused even when a fallback font
// has glyphs for them: never printed garbled.
func TestShapedScriptsRefused(t *testing.T) {
	fs := mustFonts(t)
	for _, r := range []rune{'ب', 'א', 'ก', 'ཀ', 'ᠮ', 'क'} {
		if _, ok := fs.Advance(layout.RoleBody, r); ok {
			t.Errorf("%c (U+%04X) accepted", r, r)
		}
		if !font.NeedsShaping(r) {
			t.Errorf("NeedsShaping(%U) = false", r)
		}
	}
	for _, r := range []rune{'中', 'A', 'é', '，', '①', 0x20BB7, 0x0301} {
		if font.NeedsShaping(r) {
			t.Errorf("NeedsShaping(%U) = true", r)
		}
	}
}

var (
	fontsOnce sync.Once
	fontSet   *font.Set
	fontsErr  error
)

// mustFonts parses the fonts once for the whole test binary, as a process would.
func mustFonts(tb testing.TB) *font.Set {
	tb.Helper()
	fontsOnce.Do(func() { fontSet, fontsErr = font.Load(font.Config{}) })
	if fontsErr != nil {
		tb.Fatal(fontsErr)
	}
	return fontSet
}
