package batch

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/reportd/reportd/reports"
)

// ManifestName and SummaryName are the archive's two files at the root.
const (
	ManifestName = "manifest.json"
	SummaryName  = "汇总.xlsx"
)

// Manifest describes an archive: every file with its size and SHA-256, and
// the forms that failed. It is the last entry of the archive.
type Manifest struct {
	Batch   int64             `json:"batch"`
	Year    int               `json:"year"`
	Unit    string            `json:"unit,omitempty"`
	Formats []string          `json:"formats"`
	Created time.Time         `json:"created"`
	Forms   int               `json:"forms"` // forms in the batch, done and failed
	Files   []ManifestFile    `json:"files"`
	Failed  []ManifestFailure `json:"failed"`
}

// File kinds in the manifest.
const (
	KindForm    = "form"     // one form's document
	KindUnitPDF = "unit-pdf" // a unit's combined PDF
	KindSummary = "summary"  // 汇总.xlsx
)

// ManifestFile is one file of the archive.
type ManifestFile struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"`
	Format  string `json:"format"`
	FormID  int64  `json:"form_id,omitempty"`
	Version int    `json:"version,omitempty"`
	Unit    string `json:"unit,omitempty"`
	Project string `json:"project,omitempty"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
}

// ManifestFailure is a form that could not be rendered.
type ManifestFailure struct {
	FormID  int64  `json:"form_id"`
	Version int    `json:"version"`
	Unit    string `json:"unit"`
	Project string `json:"project"`
	Reason  string `json:"reason"`
}

// Combiner writes the combined PDF of one unit: a cover page listing the
// unit's projects (and the ones that failed), then every rendered form with
// an outline entry (bookmark) per project.
type Combiner interface {
	Combine(ctx context.Context, w io.Writer, book UnitBook) error
}

// UnitBook is what a Combiner binds: the unit's forms in archive order.
type UnitBook struct {
	Year    int
	Unit    string
	Entries []BookEntry
}

// BookEntry is one project of a unit book.
type BookEntry struct {
	FormID  int64
	Version int
	Project string
	Failed  bool
	Reason  string // why it failed
	// PDF is the path of the form's rendered PDF when the batch renders
	// PDFs; Form loads the form itself.
	PDF  string
	Form func(ctx context.Context) (reports.Form, error)
}

// writeArchive assembles b's archive at b.Archive (through a temporary file)
// and returns its size and SHA-256.
func (r *Runner) writeArchive(ctx context.Context, b Batch, dir string, items []Item) (int64, string, error) {
	if err := os.MkdirAll(filepath.Dir(b.Archive), 0o755); err != nil {
		return 0, "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(b.Archive), filepath.Base(b.Archive)+".*.tmp")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	a := archiver{ctx: ctx, r: r, b: b, dir: dir}
	if err := a.write(cw, items); err != nil {
		tmp.Close()
		return 0, "", err
	}
	// The batch is recorded done only after this: the archive must be on
	// disk, not in the page cache, when clients are told it exists.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, "", err
	}
	if err := tmp.Close(); err != nil {
		return 0, "", err
	}
	if err := os.Rename(tmp.Name(), b.Archive); err != nil {
		return 0, "", err
	}
	return cw.n, hex.EncodeToString(h.Sum(nil)), nil
}

type archiver struct {
	ctx context.Context
	r   *Runner
	b   Batch
	dir string
	zw  *zip.Writer
	m   Manifest
}

func (a *archiver) write(w io.Writer, items []Item) error {
	a.zw = zip.NewWriter(w)
	a.m = Manifest{Batch: a.b.ID, Year: a.b.Spec.Year, Unit: a.b.Spec.Unit, Formats: a.b.Spec.Formats,
		Created: a.b.Created.UTC(), Forms: len(items), Files: []ManifestFile{}, Failed: []ManifestFailure{}}
	sum, err := newSummary(a.b)
	if err != nil {
		return err
	}
	defer sum.close()
	for start := 0; start < len(items); {
		end := start
		for end < len(items) && items[end].Unit == items[start].Unit {
			end++
		}
		if err := a.unit(items[start:end], sum); err != nil {
			return err
		}
		start = end
	}
	if err := a.entry(SummaryName, KindSummary, "xlsx", zip.Deflate, ManifestFile{}, sum.write); err != nil {
		return fmt.Errorf("%s: %w", SummaryName, err)
	}
	mw, err := a.zw.CreateHeader(a.header(ManifestName, zip.Deflate))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(mw)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a.m); err != nil {
		return err
	}
	return a.zw.Close()
}

// unit writes one unit's folder: each form's documents, then the unit book.
func (a *archiver) unit(items []Item, sum *summary) error {
	folder := reports.SafeName(items[0].Unit)
	used := map[string]bool{}
	book := UnitBook{Year: a.b.Spec.Year, Unit: items[0].Unit}
	for _, it := range items {
		if err := a.ctx.Err(); err != nil {
			return err
		}
		if err := sum.add(it); err != nil {
			return err
		}
		e := BookEntry{FormID: it.FormID, Version: it.Version, Project: it.Project, Failed: it.State != ItemDone, Reason: it.Reason,
			Form: func(ctx context.Context) (reports.Form, error) {
				return a.r.Store.FormVersion(ctx, it.FormID, it.Version)
			}}
		switch it.State {
		case ItemFailed:
			a.m.Failed = append(a.m.Failed, ManifestFailure{FormID: it.FormID, Version: it.Version, Unit: it.Unit, Project: it.Project, Reason: it.Reason})
			book.Entries = append(book.Entries, e)
			continue
		case ItemPending:
			// Run assembles only when nothing is pending; reaching this is a
			// bug, and shipping an archive with a hole would hide it.
			return fmt.Errorf("item %d (form %d) is still pending", it.Seq, it.FormID)
		}
		base := (&reports.Form{Year: a.b.Spec.Year, Unit: it.Unit, Project: it.Project}).FileName()
		if used[base] {
			base += "-" + strconv.FormatInt(it.FormID, 10)
		}
		used[base] = true
		for _, o := range it.Outputs {
			src := filepath.Join(a.dir, spoolName(it, o.Format))
			if o.Format == "pdf" {
				e.PDF = src
			}
			mf := ManifestFile{FormID: it.FormID, Version: it.Version, Unit: it.Unit, Project: it.Project}
			name := folder + "/" + base + "." + o.Format
			err := a.entry(name, KindForm, o.Format, zip.Store, mf, func(w io.Writer) error { return copyVerified(w, src, o, it.Seq) })
			if err != nil {
				return fmt.Errorf("form %d: %w", it.FormID, err)
			}
		}
		book.Entries = append(book.Entries, e)
	}
	if a.r.Combine == nil || !hasFormat(a.b.Spec.Formats, "pdf") {
		return nil
	}
	name := folder + "/" + reports.SafeName(fmt.Sprintf("%d-%s-合订本", a.b.Spec.Year, items[0].Unit)) + ".pdf"
	err := a.entry(name, KindUnitPDF, "pdf", zip.Deflate, ManifestFile{Unit: items[0].Unit}, func(w io.Writer) error {
		return a.r.Combine.Combine(a.ctx, w, book)
	})
	if err != nil {
		return fmt.Errorf("unit %s: combined pdf: %w", items[0].Unit, err)
	}
	return nil
}

func hasFormat(fs []string, f string) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func (a *archiver) header(name string, method uint16) *zip.FileHeader {
	// A fixed time makes the same batch give the same bytes.
	return &zip.FileHeader{Name: name, Method: method, Modified: a.b.Created.UTC()}
}

// entry writes one archive file and lists it in the manifest.
func (a *archiver) entry(name, kind, format string, method uint16, mf ManifestFile, write func(io.Writer) error) error {
	zf, err := a.zw.CreateHeader(a.header(name, method))
	if err != nil {
		return err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(zf, h)}
	if err := write(cw); err != nil {
		return err
	}
	mf.Path, mf.Kind, mf.Format, mf.Size, mf.SHA256 = name, kind, format, cw.n, hex.EncodeToString(h.Sum(nil))
	a.m.Files = append(a.m.Files, mf)
	return nil
}

// ErrSpoolChanged means a spooled document no longer matches the hash
// recorded when it was rendered.
var ErrSpoolChanged = errors.New("spooled document changed since it was rendered")

// copyVerified copies a spooled document, failing if it is not what was
// recorded: the archive never carries a document the manifest misdescribes.
func copyVerified(w io.Writer, path string, o Output, seq int) error {
	f, err := os.Open(path)
	if err != nil {
		return &spoolError{seq: seq, err: err}
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), f)
	if err != nil {
		return err
	}
	if n != o.Size || hex.EncodeToString(h.Sum(nil)) != o.SHA256 {
		return &spoolError{seq: seq, err: fmt.Errorf("%s: %w", filepath.Base(path), ErrSpoolChanged)}
	}
	return nil
}

// spoolError names the item whose spooled document is missing or changed.
type spoolError struct {
	seq int
	err error
}

func (e *spoolError) Error() string { return e.err.Error() }
func (e *spoolError) Unwrap() error { return e.err }
