package ofd_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/ofd"
	"github.com/reportd/reportd/reports/pdf"
)

// BenchmarkOFDvsPDF renders each sample form as PDF and as OFD in turn,
// through renderers sharing one font set, and reports the median time of
// each, their ratio (the target: OFD ≤ 1.2× PDF) and both sizes (OFD ≤
// 1.1× PDF).
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
				var pts, ots []time.Duration
				pdfOnce := func() {
					pbuf.Reset()
					t0 := time.Now()
					if err := pr.Render(context.Background(), &pbuf, f); err != nil {
						b.Fatal(err)
					}
					pts = append(pts, time.Since(t0))
				}
				ofdOnce := func() {
					obuf.Reset()
					t0 := time.Now()
					if err := or.Render(context.Background(), &obuf, f); err != nil {
						b.Fatal(err)
					}
					ots = append(ots, time.Since(t0))
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					// Alternate which goes first, so neither always meets
					// the other's garbage or a warmer cache.
					if i%2 == 0 {
						pdfOnce()
						ofdOnce()
					} else {
						ofdOnce()
						pdfOnce()
					}
					i++
				}
				// Medians: on a shared machine a burst of other work lands
				// on a few renders of either format.
				pm, om := median(pts), median(ots)
				b.ReportMetric(float64(pm.Microseconds()), "µs-pdf")
				b.ReportMetric(float64(om.Microseconds()), "µs-ofd")
				b.ReportMetric(float64(om)/float64(pm), "time-ofd/pdf")
				b.ReportMetric(float64(pbuf.Len()), "B-pdf")
				b.ReportMetric(float64(obuf.Len()), "B-ofd")
				b.ReportMetric(float64(obuf.Len())/float64(pbuf.Len()), "size-ofd/pdf")
			})
		}
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
