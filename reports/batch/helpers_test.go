package batch_test

import (
	"time"

	"archive/zip"
	"bytes"
	"github.com/go-co-op/gocron/v2"
	"github.com/reportd/reportd/reports/batch"
	"io"
	"testing"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func mustReadZipEntry(tb testing.TB, path, name string) []byte {
	tb.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func mustCron(tb testing.TB, spec string, now time.Time) gocron.Cron {
	tb.Helper()
	c := gocron.NewDefaultCron(false)
	if err := c.IsValid(spec, batch.Shanghai(), now); err != nil {
		tb.Fatal(err)
	}
	return c
}
