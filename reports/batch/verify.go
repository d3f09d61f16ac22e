package batch

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
)

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
		if files[f.Name] != nil {
			return m, fmt.Errorf("verify archive: %s appears twice", f.Name)
		}
		files[f.Name] = f
	}
	mf := files[ManifestName]
	if mf == nil {
		return m, fmt.Errorf("verify archive: no %s", ManifestName)
	}
	rc, err := mf.Open()
	if err != nil {
		return m, fmt.Errorf("verify archive: %w", err)
	}
	err = json.NewDecoder(rc).Decode(&m)
	rc.Close()
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
