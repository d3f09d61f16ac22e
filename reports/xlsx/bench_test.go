package xlsx_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/xlsx"
)

// BenchmarkRender is the cost of one sample form's workbook (the two seed
// forms alternately), layout included.
func BenchmarkRender(b *testing.B) {
	forms := mustSeed(b)
	r := xlsx.NewRenderer(mustFamilies(b), xlsx.Options{})
	ctx := context.Background()
	for i := range forms {
		b.Run(fmt.Sprintf("seed%d", i+1), func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := r.Render(ctx, &buf, &forms[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "B/file")
		})
	}
}

// BenchmarkRead is the cost of importing one sample form's workbook.
func BenchmarkRead(b *testing.B) {
	forms := mustSeed(b)
	data := mustRender(b, &forms[1])
	rd := xlsx.Reader{Families: mustFamilies(b)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rd.Read(bytes.NewReader(data), "bench.xlsx"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentRender: one Renderer serves many goroutines (run with -race).
func TestConcurrentRender(t *testing.T) {
	forms := mustSeed(t)
	r := xlsx.NewRenderer(mustFamilies(t), xlsx.Options{Created: time.Unix(1577836800, 0)})
	want := mustRender(t, &forms[0])
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			var buf bytes.Buffer
			err := r.Render(context.Background(), &buf, &forms[0])
			if err == nil && !bytes.Equal(buf.Bytes(), want) {
				err = errors.New("concurrent render differs")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
