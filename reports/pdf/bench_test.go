package pdf_test

import (
	"bytes"
	stdzlib "compress/zlib"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
	"github.com/klauspost/compress/zlib"

	"github.com/reportd/reportd/fonts"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/pdf"
)

// bigForm is the seed's second form grown to 60 indicators and about 2,000
// characters of long text: a long real-world form.
func bigForm(tb testing.TB) reports.Form {
	tb.Helper()
	f := seedForms(tb)[1]
	base := f.Indicators
	f.Indicators = nil
	for i := range 60 {
		in := base[i%len(base)]
		in.Level3 = fmt.Sprintf("%s%d", in.Level3, i+1)
		if i/len(base)%2 == 1 {
			in.Level1 = in.Level1 + "（续" + fmt.Sprint(i/len(base)) + "）"
		}
		f.Indicators = append(f.Indicators, in)
	}
	long := []*string{&f.Overview, &f.Basis, &f.Necessity, &f.Measures, &f.Plan, &f.Goals}
	total := 0
	for _, p := range long {
		total += len([]rune(*p))
	}
	for i := 0; total < 2000; i++ {
		p := long[i%len(long)]
		add := []rune(*long[(i+1)%len(long)])
		*p += string(add)
		total += len(add)
	}
	return f
}

// BenchmarkPDF renders whole forms (family, layout, PDF) per seed form and
// the big form; B/file is the PDF size. Subsets are built every time, as in
// a batch where every form differs (BenchmarkPDFCached: the same form
// again, as when a clerk downloads a form twice).
func BenchmarkPDF(b *testing.B) {
	benchmarkPDF(b, pdf.NewRenderer(mustFonts(b).WithoutCache(), mustRegistry(b), pdf.Options{}))
}

func BenchmarkPDFCached(b *testing.B) {
	benchmarkPDF(b, mustRenderer(b))
}

func benchmarkPDF(b *testing.B, r *pdf.Renderer) {
	forms := seedForms(b)
	cases := []struct {
		name string
		form reports.Form
	}{{"seed1", forms[0]}, {"seed2", forms[1]}, {"60ind-2000chars", bigForm(b)}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := r.Render(context.Background(), &buf, &c.form); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "B/file")
		})
	}
}

// BenchmarkPDFBatch renders 200 different generated forms in turn through
// one cached renderer, as a year-end batch does: the title and heading
// subsets repeat, the body subsets do not. Reported per form.
func BenchmarkPDFBatch(b *testing.B) {
	r := mustRenderer(b)
	var forms []reports.Form
	for _, f := range formgen.Generate(seedForms(b), formgen.Options{N: 200, Seed: 1}) {
		forms = append(forms, f)
	}
	var buf bytes.Buffer
	size := 0
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf.Reset()
		f := &forms[i%len(forms)]
		i++
		if err := r.Render(context.Background(), &buf, f); err != nil {
			b.Fatal(err)
		}
		size += buf.Len()
	}
	b.ReportMetric(float64(size)/float64(i), "B/file")
}

// BenchmarkWrite is the PDF backend alone, on an already paginated form,
// building the subsets each time (uncached) or taking them from the cache.
func BenchmarkWrite(b *testing.B) {
	r := mustRenderer(b)
	f := seedForms(b)[1]
	doc, err := r.Document(context.Background(), &f)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fs   *font.Set
	}{{"uncached", r.Fonts().WithoutCache()}, {"cached", r.Fonts()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := pdf.Write(io.Discard, doc, c.fs, pdf.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLayout is family → Build → Paginate alone, measuring with the
// real fonts.
func BenchmarkLayout(b *testing.B) {
	r := mustRenderer(b)
	f := seedForms(b)[1]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Document(context.Background(), &f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNaiveFPDF is the baseline this package replaces: go-pdf/fpdf
// with the TrueType font added from bytes for every document and text
// wrapped by MultiCell (which also drops a CJK character per line break).
func BenchmarkNaiveFPDF(b *testing.B) {
	body := fonts.Body().Data
	forms := seedForms(b)
	for i, f := range forms {
		b.Run(fmt.Sprintf("seed%d", i+1), func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := naiveFPDF(&buf, &f, body); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "B/file")
		})
	}
}

func naiveFPDF(w io.Writer, f *reports.Form, font []byte) error {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(28, 37, 26)
	p.AddUTF8FontFromBytes("serif", "", font)
	p.AddPage()
	p.SetFont("serif", "", 22)
	p.CellFormat(0, 12, f.DisplayTitle(), "", 1, "C", false, 0, "")
	p.SetFont("serif", "", 10.5)
	for _, fd := range reports.Fields {
		if v := f.Get(fd.Key); v != "" && fd.Key != "title" {
			p.MultiCell(0, 6, fd.Label+"："+v, "1", "L", false)
		}
	}
	for _, in := range f.Indicators {
		p.MultiCell(0, 6, strings.Join([]string{in.Level1, in.Level2, in.Level3, string(in.Target)}, " | "), "1", "L", false)
	}
	return p.Output(w)
}

// BenchmarkCompressLevel measures the zlib levels on what a form's PDF
// compresses: its glyph subsets and page content. It chose compressLevel.
func BenchmarkCompressLevel(b *testing.B) {
	r := mustRenderer(b)
	f := seedForms(b)[1]
	doc, err := r.Document(context.Background(), &f)
	if err != nil {
		b.Fatal(err)
	}
	raw := rawStreams(b, doc, r.Fonts())
	type compressor interface {
		io.WriteCloser
		Reset(io.Writer)
	}
	for _, level := range []int{1, 2, 3, 6} {
		for _, lib := range []string{"std", "klauspost"} {
			b.Run(fmt.Sprintf("%s-level%d", lib, level), func(b *testing.B) {
				var out bytes.Buffer
				var z compressor
				if lib == "std" {
					z, _ = stdzlib.NewWriterLevel(&out, level)
				} else {
					z, _ = zlib.NewWriterLevel(&out, level)
				}
				b.SetBytes(int64(len(raw)))
				for b.Loop() {
					out.Reset()
					z.Reset(&out)
					z.Write(raw)
					z.Close()
				}
				b.ReportMetric(float64(out.Len()), "B/out")
			})
		}
	}
}

// rawStreams approximates the uncompressed stream bytes of a document: the
// PDF written with its streams inflated back.
func rawStreams(tb testing.TB, doc *layout.Document, fs *font.Set) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := pdf.Write(&buf, doc, fs, pdf.Options{}); err != nil {
		tb.Fatal(err)
	}
	var raw bytes.Buffer
	data := buf.Bytes()
	for {
		i := bytes.Index(data, []byte("stream\n"))
		if i < 0 {
			break
		}
		data = data[i+len("stream\n"):]
		zr, err := stdzlib.NewReader(bytes.NewReader(data))
		if err != nil {
			tb.Fatal(err)
		}
		io.Copy(&raw, zr)
		j := bytes.Index(data, []byte("endstream"))
		data = data[j+len("endstream"):]
	}
	return raw.Bytes()
}

func mustRegistry(tb testing.TB) *family.Registry {
	tb.Helper()
	mustRenderer(tb)
	return reg
}
