package fonts_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/reportd/reportd/fonts"
)

// The README lists the SHA-256 of every embedded font; it must stay true.
func TestREADMEChecksums(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []fonts.File{fonts.Title(), fonts.Heading(), fonts.Body()} {
		line := fmt.Sprintf("%x  %s", sha256.Sum256(f.Data), f.Name)
		if !strings.Contains(string(readme), line) {
			t.Errorf("README.md lacks %q", line)
		}
		if string(f.Data[:4]) != "\x00\x01\x00\x00" {
			t.Errorf("%s is not a TrueType font", f.Name)
		}
	}
}
