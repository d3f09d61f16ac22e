package batch

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	Files   []ManifestFile    `json:"files,omitempty"`
	Failed  []ManifestFailure `json:"failed"`
}

// File kinds in the manifest.
const (
	KindForm    = "form"     // one form's document
	KindUnitPDF = "unit-pdf" // a unit's combined PDF
	KindUnitOFD = "unit-ofd" // a unit's combined OFD
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

// Combiner writes the combined document of one unit: a cover page listing the
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
	// Form loads the form (at the batch's version).
	Form func(ctx context.Context) (reports.Form, error)
}

// writeArchive assembles b's archive into the runner's Blobs and returns
// its size and SHA-256. dir holds work files.
func (r *Runner) writeArchive(ctx context.Context, b Batch, dir string, items []Item) (int64, string, error) {
	return r.blobs().WriteArchive(ctx, b, func(w io.Writer) error {
		a := archiver{ctx: ctx, r: r, b: b, dir: dir}
		return a.write(w, items)
	})
}

type archiver struct {
	ctx context.Context
	r   *Runner
	b   Batch
	dir string
	zw  *zipWriter
	// The manifest's file list grows with the batch: entries go to a
	// temporary file as they are written and are copied into
	// manifest.json at the end, keeping memory flat.
	m      Manifest // without Files
	mfiles *os.File
	mbuf   *bufio.Writer
	nfiles int
	// used holds a 64-bit hash of each of the archive's paths: two units
	// whose names differ only in characters SafeName replaces share a
	// folder, and a project may be called 合订本. Hashes keep memory small
	// however many forms; two paths sharing a hash (odds about 10⁻¹¹ in a
	// year of 20,000 forms) cost only an unneeded -id suffix, never a
	// duplicate.
	used map[uint64]struct{}
}

// unique returns dir/base+ext, or dir/base-id+ext when that is taken.
func (a *archiver) unique(dir, base, ext string, id int64) string {
	name := dir + "/" + base + ext
	for n := 0; a.taken(name); n++ {
		suffix := "-" + strconv.FormatInt(id, 10)
		if n > 0 {
			suffix += "-" + strconv.Itoa(n+1)
		}
		name = dir + "/" + base + suffix + ext
	}
	a.used[pathHash(name)] = struct{}{}
	return name
}

func (a *archiver) taken(name string) bool {
	_, ok := a.used[pathHash(name)]
	return ok
}

// pathHash is FNV-1a: deterministic, so the same batch gives the same
// archive.
func pathHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// book is one combined PDF to render: a volume of a unit's entries.
type book struct {
	UnitBook
	format string        // "pdf", "ofd"
	c      Combiner      // writes it
	name   string        // archive path
	path   string        // spool file
	done   chan struct{} // closed when rendered
	err    error
}

func (a *archiver) write(w io.Writer, items []Item) error {
	zw, err := newZipWriter(w, a.dir, a.b.Created.UTC())
	if err != nil {
		return err
	}
	defer zw.discard()
	a.zw = zw
	a.used = map[uint64]struct{}{pathHash(ManifestName): {}, pathHash(SummaryName): {}}
	a.m = Manifest{Batch: a.b.ID, Year: a.b.Spec.Year, Unit: a.b.Spec.Unit, Formats: a.b.Spec.Formats,
		Created: a.b.Created.UTC(), Forms: len(items), Failed: []ManifestFailure{}}
	mfiles, err := os.CreateTemp(a.dir, "manifest-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(mfiles.Name())
	defer mfiles.Close()
	a.mfiles, a.mbuf = mfiles, bufio.NewWriterSize(mfiles, 64<<10)
	sum, err := newSummary(a.dir)
	if err != nil {
		return err
	}
	defer sum.close()
	var units [][]Item
	for start := 0; start < len(items); {
		end := start
		for end < len(items) && items[end].Unit == items[start].Unit {
			end++
		}
		units = append(units, items[start:end])
		start = end
	}
	// Combined books are laid out again from the forms, the costliest part of
	// assembly: workers render them ahead, in archive order, while this
	// goroutine copies documents into the zip. Books are made as the
	// workers take them, a few ahead, so their entries do not all sit in
	// memory.
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	books := make(chan []*book, a.r.workers())
	go a.renderBooks(ctx, units, books)
	for _, unit := range units {
		var mine []*book
		if len(a.bookFormats()) > 0 {
			select {
			case mine = <-books:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := a.unit(unit, mine, sum); err != nil {
			return err
		}
	}
	// The workbook is a zip of deflated parts already: deflating it again
	// costs CPU and saves nothing, like the documents stored above.
	if err := a.entry(SummaryName, KindSummary, "xlsx", zip.Store, ManifestFile{}, sum.write); err != nil {
		return fmt.Errorf("%s: %w", SummaryName, err)
	}
	if err := a.writeManifest(); err != nil {
		return fmt.Errorf("%s: %w", ManifestName, err)
	}
	return a.zw.Close()
}

// writeManifest writes manifest.json: the batch fields, the file list
// copied from the temporary file, one entry per line, then the failures.
func (a *archiver) writeManifest() error {
	if err := a.mbuf.Flush(); err != nil {
		return err
	}
	if _, err := a.mfiles.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w, err := a.zw.Create(ManifestName, zip.Deflate)
	if err != nil {
		return err
	}
	head, err := marshal(a.m) // Files is nil: omitted, spliced in below
	if err != nil {
		return err
	}
	failed, err := marshal(a.m.Failed)
	if err != nil {
		return err
	}
	// head ends with ,"failed":[…]}; the file list goes before it.
	cut := bytes.LastIndex(head, []byte(`,"failed":`))
	if cut < 0 {
		return errors.New("manifest encoding changed")
	}
	bw := bufio.NewWriter(w)
	bw.Write(head[:cut])
	bw.WriteString(",\n\"files\": [\n")
	if _, err := io.Copy(bw, a.mfiles); err != nil {
		return err
	}
	bw.WriteString("\n],\n\"failed\": ")
	bw.Write(failed)
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// marshal is json.Marshal without HTML escaping (names hold "<" and "&").
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// bookFormats are the batch's formats that have a Combiner, in the
// batch's format order: each unit gets a combined document in each.
func (a *archiver) bookFormats() []string {
	var formats []string
	for _, f := range a.b.Spec.Formats {
		if a.r.Combiners[f] != nil {
			formats = append(formats, f)
		}
	}
	return formats
}

// unitBooks returns a unit's combined documents: volumes of at most
// BookSize entries, in each of formats. n numbers their spool files.
func (a *archiver) unitBooks(items []Item, formats []string, n *int) []*book {
	size := a.r.BookSize
	if size <= 0 {
		size = 200
	}
	unit := items[0].Unit
	folder := reports.SafeName(unit)
	vols := (len(items) + size - 1) / size
	var out []*book
	for v := range vols {
		part := items[v*size : min((v+1)*size, len(items))]
		base := fmt.Sprintf("%d-%s-合订本", a.b.Spec.Year, unit)
		if vols > 1 {
			base += fmt.Sprintf("（第%d册）", v+1)
		}
		ub := UnitBook{Year: a.b.Spec.Year, Unit: unit}
		for _, it := range part {
			id, version := it.FormID, it.Version
			e := BookEntry{FormID: id, Version: version, Project: it.Project, Failed: it.State != ItemDone, Reason: it.Reason,
				Form: func(ctx context.Context) (reports.Form, error) {
					return a.r.Store.FormVersion(ctx, id, version)
				}}
			ub.Entries = append(ub.Entries, e)
		}
		for _, f := range formats {
			out = append(out, &book{UnitBook: ub, format: f, c: a.r.Combiners[f], done: make(chan struct{}),
				name: folder + "/" + reports.SafeName(base) + "." + f,
				path: filepath.Join(a.dir, fmt.Sprintf("book-%d.%s", *n, f))})
			*n++
		}
	}
	return out
}

// renderBooks makes each unit's books, sends them to out in archive order
// and renders them into the spool with the runner's workers. out's
// capacity bounds how far ahead of the archive it runs.
func (a *archiver) renderBooks(ctx context.Context, units [][]Item, out chan<- []*book) {
	formats := a.bookFormats()
	if len(formats) == 0 {
		return
	}
	jobs := make(chan *book)
	var wg sync.WaitGroup
	for range a.r.workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bk := range jobs {
				if bk.err = ctx.Err(); bk.err == nil {
					_, bk.err = spool(a.dir, filepath.Base(bk.path), func(w io.Writer) error {
						return bk.c.Combine(ctx, w, bk.UnitBook)
					})
				}
				close(bk.done)
			}
		}()
	}
	defer wg.Wait()
	defer close(jobs)
	n := 0
	for _, items := range units {
		books := a.unitBooks(items, formats, &n)
		select {
		case out <- books:
		case <-ctx.Done():
			return
		}
		for _, bk := range books {
			select {
			case jobs <- bk:
			case <-ctx.Done():
				return
			}
		}
	}
}

// unit writes one unit's folder: each form's documents, then its books.
func (a *archiver) unit(items []Item, books []*book, sum *summary) error {
	folder := reports.SafeName(items[0].Unit)
	for _, it := range items {
		if err := a.ctx.Err(); err != nil {
			return err
		}
		if err := sum.add(it); err != nil {
			return err
		}
		switch it.State {
		case ItemFailed:
			a.m.Failed = append(a.m.Failed, ManifestFailure{FormID: it.FormID, Version: it.Version, Unit: it.Unit, Project: it.Project, Reason: it.Reason})
			continue
		case ItemPending:
			// Run assembles only when nothing is pending; reaching this is a
			// bug, and shipping an archive with a hole would hide it.
			return fmt.Errorf("item %d (form %d) is still pending", it.Seq, it.FormID)
		}
		base := (&reports.Form{Year: a.b.Spec.Year, Unit: it.Unit, Project: it.Project}).FileName()
		for _, o := range it.Outputs {
			mf := ManifestFile{FormID: it.FormID, Version: it.Version, Unit: it.Unit, Project: it.Project}
			name := a.unique(folder, base, "."+o.Format, it.FormID)
			err := a.entry(name, KindForm, o.Format, zip.Store, mf, func(w io.Writer) error { return a.copyVerified(w, it, o) })
			if err != nil {
				return fmt.Errorf("form %d: %w", it.FormID, err)
			}
		}
	}
	for i, bk := range books {
		select {
		case <-bk.done:
		case <-a.ctx.Done():
			return a.ctx.Err()
		}
		if bk.err != nil {
			return fmt.Errorf("unit %s: combined %s: %w", bk.Unit, bk.format, bk.err)
		}
		ext := "." + bk.format
		name := a.unique(path.Dir(bk.name), strings.TrimSuffix(path.Base(bk.name), ext), ext, int64(i+1))
		err := a.entry(name, "unit-"+bk.format, bk.format, zip.Store, ManifestFile{Unit: bk.Unit}, func(w io.Writer) error {
			f, err := os.Open(bk.path)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		})
		os.Remove(bk.path)
		if err != nil {
			return fmt.Errorf("unit %s: combined %s: %w", bk.Unit, bk.format, err)
		}
	}
	return nil
}

// entry writes one archive file and lists it in the manifest.
func (a *archiver) entry(name, kind, format string, method uint16, mf ManifestFile, write func(io.Writer) error) error {
	zf, err := a.zw.Create(name, method)
	if err != nil {
		return err
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(zf, h)}
	if err := write(cw); err != nil {
		return err
	}
	mf.Path, mf.Kind, mf.Format, mf.Size, mf.SHA256 = name, kind, format, cw.n, hex.EncodeToString(h.Sum(nil))
	line, err := marshal(mf)
	if err != nil {
		return err
	}
	if a.nfiles > 0 {
		a.mbuf.WriteString(",\n")
	}
	a.nfiles++
	_, err = a.mbuf.Write(line)
	return err
}

// ErrSpoolChanged means a spooled document no longer matches the hash
// recorded when it was rendered.
var ErrSpoolChanged = errors.New("spooled document changed since it was rendered")

// copyVerified copies a stored document, failing if it is not what was
// recorded: the archive never carries a document the manifest misdescribes.
func (a *archiver) copyVerified(w io.Writer, it Item, o Output) error {
	name := spoolName(it, o.Format)
	f, err := a.r.blobs().OpenDocument(a.ctx, a.b.ID, name)
	if err != nil {
		if a.ctx.Err() != nil {
			return a.ctx.Err()
		}
		return &spoolError{seq: it.Seq, err: err}
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), f)
	if err != nil {
		return err
	}
	if n != o.Size || hex.EncodeToString(h.Sum(nil)) != o.SHA256 {
		return &spoolError{seq: it.Seq, err: fmt.Errorf("%s: %w", name, ErrSpoolChanged)}
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
