package ofd_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/ofd"
	"github.com/reportd/reportd/reports/pdf"
)

// BenchmarkOFDvsPDF renders each sample form as PDF and as OFD in turn,
// through renderers sharing one font set, and reports both times, their
// ratio (the target: OFD ≤ 1.2× PDF) and both sizes (OFD ≤ 1.1× PDF).
// "uncached" builds the font subsets every time, as in a batch where every
// form differs; "cached" takes them from the font set's cache, as when a
// form is downloaded again.
//
//	go test -run X -bench OFDvsPDF -benchtime 200x ./reports/ofd
func BenchmarkOFDvsPDF(b *testing.B) {
	forms := seedForms(b)
	for _, mode := range []struct {
		name string
		fs   *font.Set
	}{{"uncached", mustFonts(b).WithoutCache()}, {"cached", mustFonts(b)}} {
		pr := pdf.NewRenderer(mode.fs, mustRegistry(b), pdf.Options{})
		or := ofd.NewRenderer(mode.fs, mustRegistry(b), ofd.Options{})
		for i, name := range []string{"seed1", "seed2"} {
			f := &forms[i]
			b.Run(mode.name+"/"+name, func(b *testing.B) {
				var pbuf, obuf bytes.Buffer
				var pt, ot time.Duration
				b.ReportAllocs()
				for b.Loop() {
					pbuf.Reset()
					obuf.Reset()
					t0 := time.Now()
					if err := pr.Render(context.Background(), &pbuf, f); err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					if err := or.Render(context.Background(), &obuf, f); err != nil {
						b.Fatal(err)
					}
					pt, ot = pt+t1.Sub(t0), ot+time.Since(t1)
				}
				n := float64(b.N)
				b.ReportMetric(float64(pt.Microseconds())/n, "µs-pdf")
				b.ReportMetric(float64(ot.Microseconds())/n, "µs-ofd")
				b.ReportMetric(float64(ot)/float64(pt), "time-ofd/pdf")
				b.ReportMetric(float64(pbuf.Len()), "B-pdf")
				b.ReportMetric(float64(obuf.Len()), "B-ofd")
				b.ReportMetric(float64(obuf.Len())/float64(pbuf.Len()), "size-ofd/pdf")
			})
		}
	}
}
