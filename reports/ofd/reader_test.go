package ofd_test

// These tests open our OFD files in an independent reader: ofd.js 0.2.6
// (npm, Apache-2.0) running in headless Chromium, the only OFD reader
// available here. .ci/run installs it under $HOME/.cache/reportd-npm;
// REPORTD_OFDJS points elsewhere. ofd.js draws each character of a
// TextCode as an SVG <text> at the position DeltaX gives it, and only the
// characters DeltaX positions, so wrong deltas show as missing text.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/textcheck"
)

var artifacts = flag.String("artifacts", filepath.Join("..", "..", "testdata", "artifacts", "ofd"),
	"directory for the reader test's screenshots (gitignored); empty to keep none")

const (
	chromium     = "/usr/bin/chromium"
	ofdJSVersion = "0.2.6"
	// pxPerMM is the scale ofd.js renders at for a 640 px wide screen:
	// (640-10)/210 = 3.0 px per millimetre, 630 × 891 px for A4. pdftoppm
	// renders the PDF at the same 76.2 dpi.
	screenWidth = 640
	pageW       = 630
	pageH       = 891
)

// ofdJS returns ofd.js's minified bundle, or skips the test saying why.
func ofdJS(t *testing.T) []byte {
	t.Helper()
	dir := os.Getenv("REPORTD_OFDJS")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "reportd-npm", "node_modules", "ofd.js")
	}
	meta, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Skipf("ofd.js %s not installed (.ci/run unpacks npm's ofd.js@%s into %s; or set REPORTD_OFDJS): %v", ofdJSVersion, ofdJSVersion, dir, err)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(meta, &pkg); err != nil || pkg.Version != ofdJSVersion {
		t.Skipf("%s has ofd.js %q, the tests need %s (later versions refuse documents without a licence)", dir, pkg.Version, ofdJSVersion)
	}
	js, err := os.ReadFile(filepath.Join(dir, "lib", "ofd.umd.min.js"))
	if err != nil {
		t.Skipf("ofd.js bundle missing: %v", err)
	}
	return js
}

// browserTab starts a headless Chromium with a fresh profile that does not
// reach the network on its own (as the api browser tests do).
func browserTab(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("reader test needs %s (Debian package chromium, installed by .ci/run): %v", chromium, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(screenWidth+40, 1000),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(screenWidth+40, 1000)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// reader serves ofd.js, a page that renders /doc.ofd with it, and the
// document, from 127.0.0.1.
type reader struct {
	url  string
	docs map[string][]byte // path → body; replaced per document
}

var fontDecl = regexp.MustCompile(`<ofd:Font ID="(\d+)" FontName="[^"]*" FamilyName="([^"]*)"( Bold="true")?[^>]*><ofd:FontFile>([^<]+)</ofd:FontFile>`)

func newReader(t *testing.T, js []byte) *reader {
	t.Helper()
	rd := &reader{docs: map[string][]byte{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/ofd.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(js)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, ok := rd.docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	rd.url = "http://" + ln.Addr().String()
	return rd
}

// load publishes an OFD and its viewer page. ofd.js 0.2.6 names a font by
// its FamilyName but does not load the embedded file, so the page declares
// each embedded font (from Res/) under that name and weight, as a full
// reader would use it: what is drawn is then our subset, not a system font.
func (rd *reader) load(t *testing.T, data []byte) {
	t.Helper()
	files, _ := unzip(t, data)
	var css strings.Builder
	for _, m := range fontDecl.FindAllStringSubmatch(string(files["Doc_0/PublicRes.xml"]), -1) {
		weight := 400
		if m[3] != "" {
			weight = 700
		}
		name := "/fonts/" + m[4]
		rd.docs[name] = files["Doc_0/Res/"+m[4]]
		fmt.Fprintf(&css, "@font-face{font-family:%q;font-weight:%d;src:url(%s) format('truetype')}\n", m[2], weight, name)
	}
	rd.docs["/doc.ofd"] = data
	rd.docs["/index.html"] = []byte(`<!doctype html><meta charset="utf-8"><style>` + css.String() +
		`body{margin:0;background:#fff}</style><div id="out"></div><script src="/ofd.js"></script><script>
window.done = false; window.failed = "";
ofd.parseOfdDocument({ofd: "/doc.ofd",
  success: function (docs) {
    try {
      for (const d of ofd.renderOfd(` + fmt.Sprint(screenWidth) + `, docs[0])) document.getElementById("out").appendChild(d);
      document.fonts.ready.then(function () { window.done = true; });
    } catch (e) { window.failed = String(e); }
  },
  fail: function (e) { window.failed = String(e) || "failed"; }});
</script>`)
}

// open renders the current document and returns each page's text in
// drawing order.
func (rd *reader) open(t *testing.T, tab context.Context) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(rd.url+"/index.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.done || window.failed !== ""`, chromedp.WithPollingTimeout(45*time.Second))); err != nil {
		t.Fatalf("ofd.js did not finish: %v", err)
	}
	failed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.failed`))
	if err != nil || failed != "" {
		t.Fatalf("ofd.js refused the document: %q %v", failed, err)
	}
	pages, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("#out > div")).map(d => Array.from(d.querySelectorAll("text")).map(e => e.textContent).join(""))`))
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

// TestReaderText opens each form's OFD in ofd.js and finds every character
// of the form in the rendered text, in order: the check the PDFs pass.
// (ofd.js 0.2.6 walks TextCode strings by UTF-16 unit, so it draws a
// character beyond the BMP such as 𠮷 as two lone surrogates, shown as
// replacement marks, though its text reads back whole: a limit of that
// reader. The file holds the one character in a TextCode of its own.)
func TestReaderText(t *testing.T) {
	js := ofdJS(t)
	tab := browserTab(t)
	rd := newReader(t, js)
	r := mustRenderer(t)
	for _, tc := range fidelityCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			data := renderForm(t, r, &tc.form)
			rd.load(t, data)
			pages := rd.open(t, tab)
			if len(pages) == 0 {
				t.Fatal("ofd.js rendered no pages")
			}
			ctx, cancel := context.WithTimeout(tab, 30*time.Second)
			defer cancel()
			if shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#out > div"))); err == nil {
				save(t, "text-"+strings.ReplaceAll(tc.name, " ", "-")+"-p1.png", shot)
			}
			text := strings.Join(pages, "\n")
			if res := textcheck.Check(textcheck.FormCells(&tc.form, false), text); !res.OK() {
				t.Error(res)
			}
		})
	}
}

// TestReaderScreenshot compares page 1 as ofd.js draws it with page 1 of
// the PDF as pdftoppm draws it, at the same size (630 × 891 px, 3 px/mm).
// The bound is on blurred gray levels (3×3 box, so a one-pixel difference
// in anti-aliasing does not count): at most maxDiffShare of the pixels may
// differ by more than diffLevel. Measured on the sample: 0.59% and 0.63%.
// What differs is the renderers, not the positions: poppler draws the
// 0.18 mm rules (half a pixel) as solid one-pixel lines, Chromium
// anti-aliases them in an SVG box it snaps to whole pixels (about half of
// the difference), and glyph edges are smoothed differently. Two controls
// show the bound still catches misplaced content: the same page moved by
// 1 mm, and the PDF's page 2.
func TestReaderScreenshot(t *testing.T) {
	const (
		diffLevel    = 64   // of 255
		maxDiffShare = 0.01 // 1% of the page's pixels
	)
	js := ofdJS(t)
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed (Debian: poppler-utils)")
	}
	tab := browserTab(t)
	rd := newReader(t, js)
	forms := seedForms(t)
	for i := range forms {
		f := &forms[i]
		t.Run(fmt.Sprintf("seed%d", i+1), func(t *testing.T) {
			data := renderForm(t, mustRenderer(t), f)
			rd.load(t, data)
			rd.open(t, tab)
			ctx, cancel := context.WithTimeout(tab, 30*time.Second)
			defer cancel()
			shot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#out > div")))
			if err != nil {
				t.Fatal(err)
			}
			ofdImg := decodePNG(t, shot)
			pdfPages := pdfPNGs(t, f)
			save(t, fmt.Sprintf("seed%d-ofdjs-p1.png", i+1), shot)
			save(t, fmt.Sprintf("seed%d-pdftoppm-p1.png", i+1), pdfPages[0])
			pdfImg := decodePNG(t, pdfPages[0])
			if b := ofdImg.Bounds(); b.Dx() != pageW || b.Dy() != pageH {
				t.Fatalf("ofd.js page 1 is %d×%d px, want %d×%d", b.Dx(), b.Dy(), pageW, pageH)
			}
			share := diffShare(ofdImg, pdfImg, diffLevel)
			t.Logf("page 1: %.3f%% of pixels differ by more than %d gray levels (bound %.1f%%)", 100*share, diffLevel, 100*maxDiffShare)
			if share > maxDiffShare {
				t.Errorf("page 1 differs from the PDF's in %.3f%% of pixels, bound %.1f%%", 100*share, 100*maxDiffShare)
			}
			if moved := diffShare(shift(ofdImg, 3), pdfImg, diffLevel); moved <= maxDiffShare {
				t.Errorf("control: page 1 moved right by 1 mm differs in only %.3f%% of pixels; the bound cannot see it", 100*moved)
			} else {
				t.Logf("control: page 1 moved by 1 mm: %.3f%%", 100*moved)
			}
			if len(pdfPages) > 1 {
				// Control: the bound must tell different pages apart.
				other := diffShare(ofdImg, decodePNG(t, pdfPages[1]), diffLevel)
				t.Logf("control: page 1 against the PDF's page 2: %.3f%%", 100*other)
				if other <= maxDiffShare {
					t.Errorf("control: page 1 against the PDF's page 2 differs in only %.3f%% of pixels; the bound cannot tell pages apart", 100*other)
				}
			}
		})
	}
}

// pdfPNGs renders the form's PDF with pdftoppm at the size ofd.js uses.
func pdfPNGs(t *testing.T, f *reports.Form) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	if err := pdf.NewRenderer(mustFonts(t), mustRegistry(t), pdf.Options{}).Render(context.Background(), &buf, f); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftoppm", "-png", "-f", "1", "-l", "2", "-scale-to-x", fmt.Sprint(pageW), "-scale-to-y", fmt.Sprint(pageH), in, filepath.Join(dir, "p")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "p-*.png"))
	var pages [][]byte
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, b)
	}
	if len(pages) == 0 {
		t.Fatal("pdftoppm wrote no pages")
	}
	return pages
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func save(t *testing.T, name string, data []byte) {
	t.Helper()
	if *artifacts == "" {
		return
	}
	if err := os.MkdirAll(*artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*artifacts, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// diffShare blurs both images' gray levels with a 3×3 box and returns the
// share of pixels (over a's size) whose levels differ by more than level.
func diffShare(a, b image.Image, level int) float64 {
	ga, gb := blurGray(a), blurGray(b)
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	bw, bh := b.Bounds().Dx(), b.Bounds().Dy()
	n := 0
	for y := range h {
		for x := range w {
			va := ga[y*w+x]
			vb := 255 // outside b: white paper
			if x < bw && y < bh {
				vb = gb[y*bw+x]
			}
			if d := va - vb; d > level || d < -level {
				n++
			}
		}
	}
	return float64(n) / float64(w*h)
}

func blurGray(img image.Image) []int {
	bnd := img.Bounds()
	w, h := bnd.Dx(), bnd.Dy()
	g := make([]int, w*h)
	for y := range h {
		for x := range w {
			r, gg, b, _ := img.At(bnd.Min.X+x, bnd.Min.Y+y).RGBA()
			g[y*w+x] = int((299*r + 587*gg + 114*b) / 1000 >> 8)
		}
	}
	out := make([]int, w*h)
	for y := range h {
		for x := range w {
			sum, n := 0, 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < w && yy < h {
						sum += g[yy*w+xx]
						n++
					}
				}
			}
			out[y*w+x] = sum / n
		}
	}
	return out
}

// shift moves an image dx pixels right, filling with white.
func shift(img image.Image, dx int) image.Image {
	b := img.Bounds()
	out := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.Gray{Y: 255}
			if x-dx >= b.Min.X {
				c = color.GrayModel.Convert(img.At(x-dx, y)).(color.Gray)
			}
			out.SetGray(x, y, c)
		}
	}
	return out
}
