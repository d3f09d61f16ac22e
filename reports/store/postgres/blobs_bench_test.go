package postgres_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/storetest"
)

// The archive of a batch is stored either as bytea chunk rows (what Blobs
// does) or could be a PostgreSQL large object. Both benchmarks write and
// read back the same 32 MB of incompressible data (PDFs and zips are):
//
//	go test -run X -bench Archive -benchtime 3x ./reports/store/postgres
const benchArchive = 32 << 20

func benchData(b *testing.B) []byte {
	data := make([]byte, benchArchive)
	rand.Read(data)
	b.SetBytes(2 * benchArchive) // written and read
	return data
}

func BenchmarkArchiveChunks(b *testing.B) {
	url, schema := storetest.PostgresURL(b)
	db, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	data := benchData(b)
	ctx := context.Background()
	bt, _, err := db.CreateBatch(ctx, batch.Batch{Spec: batch.Spec{Year: 2020, Formats: []string{"pdf"}}, State: batch.StateRunning, Created: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	blobs := db.Blobs()
	bt.Archive = blobs.ArchiveName(bt.ID)
	for b.Loop() {
		if _, _, err := blobs.WriteArchive(ctx, bt, func(w io.Writer) error { _, err := io.Copy(w, bytes.NewReader(data)); return err }); err != nil {
			b.Fatal(err)
		}
		ar, err := blobs.OpenArchive(ctx, bt)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, ar); err != nil || n != benchArchive {
			b.Fatal(n, err)
		}
		ar.Close()
	}
}

// BenchmarkArchiveLargeObject is the alternative: lo_create, write in 1 MiB
// pieces, read back, unlink (large objects are not deleted with a row, so
// they would also need their own clean-up).
func BenchmarkArchiveLargeObject(b *testing.B) {
	url, _ := storetest.PostgresURL(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	data := benchData(b)
	for b.Loop() {
		var oid uint32
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			los := tx.LargeObjects()
			var err error
			if oid, err = los.Create(ctx, 0); err != nil {
				return err
			}
			lo, err := los.Open(ctx, oid, pgx.LargeObjectModeWrite)
			if err != nil {
				return err
			}
			for p := data; len(p) > 0; {
				n := min(len(p), 1<<20)
				if _, err := lo.Write(p[:n]); err != nil {
					return err
				}
				p = p[n:]
			}
			return lo.Close()
		})
		if err != nil {
			b.Fatal(err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			los := tx.LargeObjects()
			lo, err := los.Open(ctx, oid, pgx.LargeObjectModeRead)
			if err != nil {
				return err
			}
			buf := make([]byte, 1<<20)
			var total int
			for {
				n, err := lo.Read(buf)
				total += n
				if err == io.EOF || n == 0 {
					break
				}
				if err != nil {
					return err
				}
			}
			if total != benchArchive {
				b.Fatalf("read %d bytes", total)
			}
			lo.Close()
			return los.Unlink(ctx, oid)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
