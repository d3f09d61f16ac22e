package ttf_test

import (
	"bytes"
	"compress/zlib"
	"os"
	"testing"

	"github.com/reportd/reportd/fonts"
	"github.com/reportd/reportd/reports/font/ttf"
)

// formGlyphs returns the glyphs of the seed sample's text, about what one
// form's body font subset holds.
func formGlyphs(tb testing.TB, f *ttf.Font) []uint16 {
	tb.Helper()
	data, err := os.ReadFile("../../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		tb.Fatal(err)
	}
	seen := map[uint16]bool{0: true}
	gids := []uint16{0}
	for _, r := range string(data) {
		if g, ok := f.GlyphIndex(r); ok && !seen[g] {
			seen[g] = true
			gids = append(gids, g)
		}
	}
	return gids
}

func deflated(b []byte) int {
	var buf bytes.Buffer
	z, _ := zlib.NewWriterLevel(&buf, zlib.BestSpeed)
	z.Write(b)
	z.Close()
	return buf.Len()
}

// BenchmarkSubset compares compact renumbering (what PDFs use) with keeping
// the original glyph IDs and emptying unused glyphs; bytes/op-like figures
// are reported as raw-B and flate-B.
func BenchmarkSubset(b *testing.B) {
	f, err := ttf.Parse(fonts.Body().Data)
	if err != nil {
		b.Fatal(err)
	}
	gids := formGlyphs(b, f)
	b.Run("compact", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			out, _, err = f.Subset(out[:0], gids)
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(out)), "raw-B")
		b.ReportMetric(float64(deflated(out)), "flate-B")
		b.ReportMetric(float64(len(gids)), "glyphs")
	})
	b.Run("keep-ids", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			out, err = f.SubsetKeepIDs(out[:0], gids)
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(out)), "raw-B")
		b.ReportMetric(float64(deflated(out)), "flate-B")
	})
}

func BenchmarkParse(b *testing.B) {
	data := fonts.Body().Data
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ttf.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
