package ttf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/reportd/reportd/fonts"
)

// TestSubsetSanitizer runs the OpenType Sanitizer (the font validator of
// Chrome and Firefox; Debian: opentype-sanitizer) on subsets of the
// embedded fonts and of the fallback font.
func TestSubsetSanitizer(t *testing.T) {
	ots, err := exec.LookPath("ots-sanitize")
	if err != nil {
		t.Skip("ots-sanitize not installed (Debian: opentype-sanitizer)")
	}
	srcs := map[string][]byte{"title": fonts.Title().Data, "heading": fonts.Heading().Data, "body": fonts.Body().Data}
	if data, err := os.ReadFile(hanaMinB); err == nil {
		srcs["fallback"] = data
	}
	for name, data := range srcs {
		t.Run(name, func(t *testing.T) {
			f := mustParse(t, data)
			sub, _, err := f.Subset(nil, formGlyphs(t, f))
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(t.TempDir(), "subset.ttf")
			if err := os.WriteFile(in, sub, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(ots, in, in+".out").CombinedOutput()
			if err != nil {
				t.Fatalf("ots-sanitize: %v\n%s", err, out)
			}
		})
	}
}
