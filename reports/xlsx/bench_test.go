package xlsx_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/reportd/reportd/reports/xlsx"
)

// BenchmarkRender is the cost of one sample form's workbook (the two seed
// forms alternately), layout included.
func BenchmarkRender(b *testing.B) {
	forms := mustSeed(b)
	r := xlsx.NewRenderer(mustFamilies(b), xlsx.Options{})
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := r.Render(ctx, io.Discard, &forms[i%len(forms)]); err != nil {
			b.Fatal(err)
		}
		i++
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
