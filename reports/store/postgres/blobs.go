package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/reportd/reportd/reports/batch"
)

// ChunkSize is the most bytes one row of a document or archive holds.
const ChunkSize = 1 << 20

// Blobs keeps batch documents and archives in the database (tables
// batch_documents, batch_archives, batch_archive_chunks).
type Blobs struct {
	db        *DB
	chunkSize int
	// spool, when set, owns archives that are files in that directory:
	// those written before archives moved into the database.
	spool *batch.SpoolBlobs
}

var _ batch.Blobs = (*Blobs)(nil)

// Blobs returns the database's batch blobs.
func (s *DB) Blobs() *Blobs { return &Blobs{db: s, chunkSize: ChunkSize} }

// WithChunkSize returns blobs that write archives in chunks of n bytes
// (tests use small ones to cross chunk boundaries); reading follows what
// each archive recorded.
func (b *Blobs) WithChunkSize(n int) *Blobs { return &Blobs{db: b.db, chunkSize: n, spool: b.spool} }

// WithSpool returns blobs that also own (and so prune) archive files in
// dir: a service upgraded from files to the database keeps applying its
// retention to the archives it wrote before.
func (b *Blobs) WithSpool(dir string) *Blobs {
	return &Blobs{db: b.db, chunkSize: b.chunkSize, spool: &batch.SpoolBlobs{Dir: dir}}
}

const archivePrefix = "postgres:batch_archives/"

// ArchiveName is "postgres:batch_archives/ID": what batch listings show.
func (b *Blobs) ArchiveName(id int64) string { return archivePrefix + strconv.FormatInt(id, 10) }

// Owns reports whether the archive is kept in the database (or is a file
// of the spool set by WithSpool).
func (b *Blobs) Owns(bt batch.Batch) bool {
	return b.inDB(bt) || b.spool != nil && b.spool.Owns(bt)
}

func (b *Blobs) inDB(bt batch.Batch) bool { return bt.Archive == b.ArchiveName(bt.ID) }

// PutDocument renders into memory (a form's document is tens to hundreds
// of KB), then replaces the stored document in one transaction.
func (b *Blobs) PutDocument(ctx context.Context, id int64, name string, write func(io.Writer) error) (batch.Output, error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return batch.Output{}, err
	}
	data := buf.Bytes()
	sum := sha256.Sum256(data)
	err := b.db.tx(ctx, func(tx pgx.Tx) error {
		var q pgx.Batch
		q.Queue("DELETE FROM batch_documents WHERE batch_id = $1 AND name = $2", id, name)
		for i, c := range chunks(data, b.chunkSize) {
			q.Queue("INSERT INTO batch_documents (batch_id, name, chunk, data) VALUES ($1, $2, $3, $4)", id, name, i, c)
		}
		return tx.SendBatch(ctx, &q).Close()
	})
	if err != nil {
		return batch.Output{}, fmt.Errorf("store document %s of batch %d: %w", name, id, err)
	}
	return batch.Output{Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

func chunks(data []byte, size int) [][]byte {
	out := [][]byte{}
	for len(data) > size {
		out = append(out, data[:size])
		data = data[size:]
	}
	return append(out, data) // an empty document is one empty chunk
}

// OpenDocument reads a document into memory.
func (b *Blobs) OpenDocument(ctx context.Context, id int64, name string) (io.ReadCloser, error) {
	rows, err := b.db.pool.Query(ctx, "SELECT data FROM batch_documents WHERE batch_id = $1 AND name = $2 ORDER BY chunk", id, name)
	if err != nil {
		return nil, fmt.Errorf("read document %s of batch %d: %w", name, id, err)
	}
	var buf bytes.Buffer
	n := 0
	for rows.Next() {
		var c []byte
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read document %s of batch %d: %w", name, id, err)
		}
		buf.Write(c)
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read document %s of batch %d: %w", name, id, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("document %s of batch %d: %w", name, id, fs.ErrNotExist)
	}
	return io.NopCloser(&buf), nil
}

// Documents lists a batch's documents with their sizes.
func (b *Blobs) Documents(ctx context.Context, id int64) (map[string]int64, error) {
	rows, err := b.db.pool.Query(ctx, "SELECT name, sum(length(data)) FROM batch_documents WHERE batch_id = $1 GROUP BY name", id)
	if err != nil {
		return nil, fmt.Errorf("documents of batch %d: %w", id, err)
	}
	out := map[string]int64{}
	var name string
	var size int64
	_, err = pgx.ForEachRow(rows, []any{&name, &size}, func() error { out[name] = size; return nil })
	if err != nil {
		return nil, fmt.Errorf("documents of batch %d: %w", id, err)
	}
	return out, nil
}

// DeleteDocuments removes a batch's documents.
func (b *Blobs) DeleteDocuments(ctx context.Context, id int64) (int64, error) {
	var n int64
	err := b.db.pool.QueryRow(ctx, `WITH d AS (DELETE FROM batch_documents WHERE batch_id = $1 RETURNING length(data) AS n)
		SELECT coalesce(sum(n), 0) FROM d`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("delete documents of batch %d: %w", id, err)
	}
	return n, nil
}

// WriteArchive streams the archive into chunk rows inside one transaction:
// readers see the previous archive (or none) until it commits, never a
// partial one, and two replicas assembling at once leave one whole archive.
func (b *Blobs) WriteArchive(ctx context.Context, bt batch.Batch, write func(io.Writer) error) (int64, string, error) {
	var size int64
	var sum string
	err := b.db.tx(ctx, func(tx pgx.Tx) error {
		// Serialise writers of one batch: the second waits, then replaces.
		if _, err := tx.Exec(ctx, "SELECT 1 FROM batches WHERE id = $1 FOR UPDATE", bt.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM batch_archive_chunks WHERE batch_id = $1", bt.ID); err != nil {
			return err
		}
		cw := &chunkWriter{ctx: ctx, tx: tx, id: bt.ID, buf: make([]byte, 0, b.chunkSize), h: sha256.New()}
		if err := write(cw); err != nil {
			return err
		}
		if err := cw.flush(); err != nil {
			return err
		}
		size, sum = cw.size, hex.EncodeToString(cw.h.Sum(nil))
		_, err := tx.Exec(ctx, `INSERT INTO batch_archives (batch_id, chunk_size, size, sha256) VALUES ($1, $2, $3, $4)
			ON CONFLICT (batch_id) DO UPDATE SET chunk_size = excluded.chunk_size, size = excluded.size, sha256 = excluded.sha256`,
			bt.ID, b.chunkSize, size, sum)
		return err
	})
	if err != nil {
		return 0, "", fmt.Errorf("store archive of batch %d: %w", bt.ID, err)
	}
	return size, sum, nil
}

type chunkWriter struct {
	ctx  context.Context
	tx   pgx.Tx
	id   int64
	buf  []byte
	next int
	size int64
	h    interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (w *chunkWriter) flush() error {
	if len(w.buf) == 0 && w.next > 0 {
		return nil
	}
	if _, err := w.tx.Exec(w.ctx, "INSERT INTO batch_archive_chunks (batch_id, chunk, data) VALUES ($1, $2, $3)", w.id, w.next, w.buf); err != nil {
		return err
	}
	w.h.Write(w.buf)
	w.size += int64(len(w.buf))
	w.next++
	w.buf = w.buf[:0]
	return nil
}

// OpenArchive reads an archive chunk by chunk. An archive written to a
// file (`reportd batch run -o` against this database) is opened from the
// file when this process can see it.
func (b *Blobs) OpenArchive(ctx context.Context, bt batch.Batch) (batch.ArchiveReader, error) {
	if !b.inDB(bt) {
		return batch.OpenArchiveFile(bt)
	}
	r := &archiveReader{ctx: ctx, db: b.db, id: bt.ID, cur: -1}
	err := b.db.pool.QueryRow(ctx, "SELECT chunk_size, size FROM batch_archives WHERE batch_id = $1", bt.ID).Scan(&r.chunkSize, &r.size)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, batch.ArchiveGone(bt, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("archive of batch %d: %w", bt.ID, err)
	}
	return r, nil
}

// archiveReader is an io.ReadSeeker over chunk rows: it holds one chunk
// and fetches the one under the read position, so a seek costs nothing and
// a Range request reads only what it returns.
type archiveReader struct {
	ctx       context.Context
	db        *DB
	id        int64
	chunkSize int64
	size      int64
	pos       int64
	cur       int64 // chunk in data; -1 for none
	data      []byte
}

func (r *archiveReader) Size() int64 { return r.size }

func (r *archiveReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	c := r.pos / r.chunkSize
	if c != r.cur {
		r.data = r.data[:0]
		if err := r.db.pool.QueryRow(r.ctx, "SELECT data FROM batch_archive_chunks WHERE batch_id = $1 AND chunk = $2", r.id, c).Scan(&r.data); err != nil {
			r.cur = -1
			return 0, fmt.Errorf("archive of batch %d, chunk %d: %w", r.id, c, err)
		}
		r.cur = c
	}
	off := r.pos - c*r.chunkSize
	if off >= int64(len(r.data)) {
		return 0, fmt.Errorf("archive of batch %d: chunk %d is %d bytes, short of offset %d", r.id, c, len(r.data), off)
	}
	n := copy(p, r.data[off:])
	r.pos += int64(n)
	return n, nil
}

func (r *archiveReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("seek: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: negative position")
	}
	r.pos = offset
	return offset, nil
}

func (r *archiveReader) Close() error { r.data = nil; return nil }

// DeleteArchive removes an archive's chunks and returns its size.
func (b *Blobs) DeleteArchive(ctx context.Context, bt batch.Batch) (int64, error) {
	if !b.inDB(bt) {
		if b.spool == nil {
			return 0, nil
		}
		return b.spool.DeleteArchive(ctx, bt)
	}
	var size int64
	err := b.db.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "DELETE FROM batch_archives WHERE batch_id = $1 RETURNING size", bt.ID).Scan(&size); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM batch_archive_chunks WHERE batch_id = $1", bt.ID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete archive of batch %d: %w", bt.ID, err)
	}
	return size, nil
}
