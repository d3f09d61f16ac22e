package batch

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestZipWriter: archives the streaming writer makes read back with
// archive/zip (and unzip, when installed), stored and deflated entries,
// UTF-8 names, and the Zip64 end records of more than 65,535 entries.
func TestZipWriter(t *testing.T) {
	modified := time.Date(2021, 12, 31, 2, 0, 4, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		entries int
	}{{"empty", 0}, {"few", 3}, {"zip64 entry count", 70000}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var buf bytes.Buffer
			z, err := newZipWriter(&buf, dir, modified)
			if err != nil {
				t.Fatal(err)
			}
			content := func(i int) string { return strings.Repeat(fmt.Sprintf("内容%d;", i), i%7) }
			for i := range tc.entries {
				method := uint16(zip.Store)
				if i%2 == 1 {
					method = zip.Deflate
				}
				w, err := z.Create(fmt.Sprintf("单位%d/文件%d.pdf", i%5, i), method)
				if err != nil {
					t.Fatal(err)
				}
				io.WriteString(w, content(i))
			}
			if err := z.Close(); err != nil {
				t.Fatal(err)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
			zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			if len(zr.File) != tc.entries {
				t.Fatalf("%d entries, want %d", len(zr.File), tc.entries)
			}
			for i, f := range zr.File {
				if i%997 != 0 && i != len(zr.File)-1 {
					continue // a sample is enough for the big case
				}
				if want := fmt.Sprintf("单位%d/文件%d.pdf", i%5, i); f.Name != want || f.NonUTF8 {
					t.Errorf("entry %d: %q, want %q", i, f.Name, want)
				}
				if !f.Modified.Equal(modified) {
					t.Errorf("entry %d modified %v, want %v", i, f.Modified, modified)
				}
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc) // checks the CRC too
				rc.Close()
				if err != nil || string(got) != content(i) {
					t.Errorf("entry %d: %q, %v; want %q", i, got, err, content(i))
				}
			}
			if _, err := exec.LookPath("unzip"); err != nil || tc.entries == 0 {
				return // unzip -t refuses an empty archive; archive/zip read it above
			}
			p := filepath.Join(t.TempDir(), "a.zip")
			os.WriteFile(p, buf.Bytes(), 0o644)
			if out, err := exec.Command("unzip", "-tq", p).CombinedOutput(); err != nil {
				t.Errorf("unzip -t: %v\n%s", err, out)
			}
		})
	}
}
