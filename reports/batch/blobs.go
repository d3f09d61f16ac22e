package batch

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reportd/reportd/reports"
)

// Blobs keeps what a batch produces: each form's rendered documents until
// the archive is assembled, then the archive. SpoolBlobs keeps them in a
// directory of one machine (SQLite, `reportd batch run`); the PostgreSQL
// store keeps them in the database, so that any replica can assemble and
// serve any batch.
type Blobs interface {
	// ArchiveName is what Batch.Archive records for a batch whose archive
	// these blobs keep.
	ArchiveName(id int64) string
	// Owns reports whether b's archive is one these blobs created (and so
	// may delete); an archive written to a path the user chose is not.
	Owns(b Batch) bool

	// PutDocument stores one document of a batch under name (replacing an
	// earlier one), written by write, and returns its size and SHA-256. A
	// document is complete once PutDocument returns nil.
	PutDocument(ctx context.Context, batch int64, name string, write func(io.Writer) error) (Output, error)
	// OpenDocument reads a stored document.
	OpenDocument(ctx context.Context, batch int64, name string) (io.ReadCloser, error)
	// Documents lists a batch's stored documents with their sizes.
	Documents(ctx context.Context, batch int64) (map[string]int64, error)
	// DeleteDocuments removes a batch's documents; it returns the bytes
	// freed (0 when there were none).
	DeleteDocuments(ctx context.Context, batch int64) (int64, error)

	// WriteArchive stores b's archive, written by write, replacing any
	// earlier one only once it is complete, and returns its size and
	// SHA-256.
	WriteArchive(ctx context.Context, b Batch, write func(io.Writer) error) (int64, string, error)
	// OpenArchive reads b's archive; ENOTFOUND when it is gone.
	OpenArchive(ctx context.Context, b Batch) (ArchiveReader, error)
	// DeleteArchive removes b's archive and returns the bytes freed.
	DeleteArchive(ctx context.Context, b Batch) (int64, error)
}

// ArchiveReader is a stored archive: seekable, so HTTP Range requests are
// answered without reading what comes before.
type ArchiveReader interface {
	io.ReadSeekCloser
	Size() int64
}

// SpoolBlobs keeps documents in Dir/batch-ID.d/ and archives at the path
// Batch.Archive records (Dir/batch-ID.zip unless the user chose one).
type SpoolBlobs struct {
	Dir string
}

var _ Blobs = SpoolBlobs{}

func (s SpoolBlobs) docDir(id int64) string {
	return filepath.Join(s.Dir, fmt.Sprintf("batch-%d.d", id))
}

// ArchiveName is Dir/batch-ID.zip.
func (s SpoolBlobs) ArchiveName(id int64) string {
	return filepath.Join(s.Dir, fmt.Sprintf("batch-%d.zip", id))
}

// Owns reports whether b's archive is Dir/batch-ID.zip.
func (s SpoolBlobs) Owns(b Batch) bool {
	if b.Archive == "" || filepath.Base(b.Archive) != fmt.Sprintf("batch-%d.zip", b.ID) {
		return false
	}
	dir, err1 := filepath.Abs(filepath.Dir(b.Archive))
	spool, err2 := filepath.Abs(s.Dir)
	if err1 == nil && err2 == nil && dir == spool {
		return true
	}
	// The same directory by another name (a symlink, a relative path
	// recorded by a process started elsewhere).
	a, err1 := os.Stat(filepath.Dir(b.Archive))
	d, err2 := os.Stat(s.Dir)
	return err1 == nil && err2 == nil && os.SameFile(a, d)
}

// PutDocument writes through a temporary file renamed into place, so a file
// under its final name is always complete.
func (s SpoolBlobs) PutDocument(_ context.Context, batch int64, name string, write func(io.Writer) error) (Output, error) {
	dir := s.docDir(batch)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Output{}, err
	}
	return spool(dir, name, write)
}

func (s SpoolBlobs) OpenDocument(_ context.Context, batch int64, name string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(s.docDir(batch), name))
}

func (s SpoolBlobs) Documents(_ context.Context, batch int64) (map[string]int64, error) {
	entries, err := os.ReadDir(s.docDir(batch))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(entries))
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		if info, err := e.Info(); err == nil {
			out[e.Name()] = info.Size()
		}
	}
	return out, nil
}

func (s SpoolBlobs) DeleteDocuments(_ context.Context, batch int64) (int64, error) {
	dir := s.docDir(batch)
	if !exists(dir) {
		return 0, nil
	}
	n := dirSize(dir)
	if err := os.RemoveAll(dir); err != nil {
		return 0, fmt.Errorf("remove spool: %w", err)
	}
	return n, nil
}

// WriteArchive writes b.Archive through a temporary file, synced before it
// is renamed into place: the archive must be on disk, not in the page
// cache, when clients are told it exists.
func (s SpoolBlobs) WriteArchive(_ context.Context, b Batch, write func(io.Writer) error) (int64, string, error) {
	if err := os.MkdirAll(filepath.Dir(b.Archive), 0o755); err != nil {
		return 0, "", err
	}
	// An earlier attempt killed while writing (kill -9, power loss) left
	// its temporary file.
	removeTemps(b.Archive)
	tmp, err := os.CreateTemp(filepath.Dir(b.Archive), filepath.Base(b.Archive)+".*.tmp")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(tmp, h)}
	bw := bufio.NewWriterSize(cw, 256<<10)
	if err := write(bw); err != nil {
		tmp.Close()
		return 0, "", err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return 0, "", err
	}
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

// staleTemp is how long a temporary archive must have gone unwritten to
// be a dead writer's: a live one writes continuously, and another attempt
// at the same archive may be writing at the same time (an assembly
// retried while the first is still copying).
const staleTemp = 10 * time.Minute

// tempsOf lists the temporary files WriteArchive makes for archive
// (ARCHIVE.*.tmp) that nobody has written for staleTemp, with their sizes.
func tempsOf(archive string) map[string]int64 {
	out := map[string]int64{}
	if archive == "" {
		return out
	}
	entries, err := os.ReadDir(filepath.Dir(archive))
	if err != nil {
		return out
	}
	prefix := filepath.Base(archive) + "."
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ".tmp") && len(n) > len(prefix)+len(".tmp") {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
				out[filepath.Join(filepath.Dir(archive), n)] = info.Size()
			}
		}
	}
	return out
}

// removeTemps deletes archive's leftover temporary files and says how many
// bytes that freed.
func removeTemps(archive string) (int64, []string, error) {
	var n int64
	var names []string
	var errs []error
	for path, size := range tempsOf(archive) {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		n += size
		names = append(names, path)
	}
	return n, names, errors.Join(errs...)
}

// OpenArchive opens the file at b.Archive.
func (s SpoolBlobs) OpenArchive(_ context.Context, b Batch) (ArchiveReader, error) {
	return OpenArchiveFile(b)
}

// OpenArchiveFile opens the archive file at b.Archive.
func OpenArchiveFile(b Batch) (ArchiveReader, error) {
	f, err := os.Open(b.Archive)
	if err != nil {
		return nil, ArchiveGone(b, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return fileArchive{f, st.Size()}, nil
}

type fileArchive struct {
	*os.File
	size int64
}

func (f fileArchive) Size() int64 { return f.size }

func (s SpoolBlobs) DeleteArchive(_ context.Context, b Batch) (int64, error) {
	var size int64
	if st, err := os.Stat(b.Archive); err == nil {
		size = st.Size()
	}
	if err := removeFile(b.Archive); err != nil {
		return 0, err
	}
	return size, nil
}

// ArchiveGone is the error for an archive that is no longer stored.
func ArchiveGone(b Batch, err error) error {
	return &reports.Error{Code: reports.ENOTFOUND, Message: fmt.Sprintf("the archive of batch %d is no longer on the server", b.ID), Err: err}
}

// OpenArchive reads the archive of a done batch from the runner's Blobs.
func (r *Runner) OpenArchive(ctx context.Context, b Batch) (ArchiveReader, error) {
	return r.blobs().OpenArchive(ctx, b)
}
