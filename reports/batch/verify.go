package batch

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// MaxManifest bounds the manifest VerifyArchive reads: a batch of 20,000
// forms in three formats has a manifest of about 20 MB.
const MaxManifest = 64 << 20

// safeName reports whether an archive entry name stays inside the folder
// it is unpacked into on every system: relative, no "..", no empty or "."
// element, no backslash (a separator on Windows), no drive letter or NUL.
func safeName(name string) bool {
	return fs.ValidPath(name) && name != "." && !strings.ContainsAny(name, "\\:\x00")
}

// VerifyArchive reads an archive and checks it against its manifest: every
// listed file is present once with the listed size and SHA-256, nothing else
// is in the archive, and no form appears twice in a format. It returns the
// manifest.
func VerifyArchive(r io.ReaderAt, size int64) (Manifest, error) {
	var m Manifest
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return m, fmt.Errorf("verify archive: %w", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		if !safeName(f.Name) {
			return m, fmt.Errorf("verify archive: unsafe file name %q (absolute, .., backslash or drive): unpacking it could write outside its folder", f.Name)
		}
		if files[f.Name] != nil {
			return m, fmt.Errorf("verify archive: %s appears twice", f.Name)
		}
		files[f.Name] = f
	}
	mf := files[ManifestName]
	if mf == nil {
		return m, fmt.Errorf("verify archive: no %s", ManifestName)
	}
	if mf.UncompressedSize64 > MaxManifest {
		return m, fmt.Errorf("verify archive: %s unpacks to %d MB, more than %d MB: refused", ManifestName, mf.UncompressedSize64>>20, MaxManifest>>20)
	}
	rc, err := mf.Open()
	if err != nil {
		return m, fmt.Errorf("verify archive: %w", err)
	}
	// The header's size can lie: the reader is bounded too.
	data, err := io.ReadAll(io.LimitReader(rc, MaxManifest+1))
	rc.Close()
	if err == nil && len(data) > MaxManifest {
		err = fmt.Errorf("unpacks to more than %d MB: refused", MaxManifest>>20)
	}
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		return m, fmt.Errorf("verify archive: %s: %w", ManifestName, err)
	}
	if len(m.Files)+1 != len(files) {
		return m, fmt.Errorf("verify archive: %d files in the archive, %d in the manifest", len(files)-1, len(m.Files))
	}
	seen := map[string]bool{}
	for _, e := range m.Files {
		f := files[e.Path]
		if f == nil {
			return m, fmt.Errorf("verify archive: %s is in the manifest but not in the archive", e.Path)
		}
		if e.Kind == KindForm {
			key := fmt.Sprintf("%d.%s", e.FormID, e.Format)
			if seen[key] {
				return m, fmt.Errorf("verify archive: form %d has two %s files", e.FormID, e.Format)
			}
			seen[key] = true
		}
		rc, err := f.Open()
		if err != nil {
			return m, fmt.Errorf("verify archive: %s: %w", e.Path, err)
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return m, fmt.Errorf("verify archive: %s: %w", e.Path, err)
		}
		if n != e.Size || hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
			return m, fmt.Errorf("verify archive: %s: size or SHA-256 differs from the manifest", e.Path)
		}
	}
	return m, nil
}
