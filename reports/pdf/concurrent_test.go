package pdf_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/pdf"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.sha256 from the current output")

// One FontSet and one Renderer serve many goroutines; every render must
// give the bytes a lone render gives (run with -race).
func TestRenderConcurrent(t *testing.T) {
	r := mustRenderer(t)
	forms := seedForms(t)
	want := make([][]byte, len(forms))
	for i := range forms {
		want[i] = renderForm(t, r, &forms[i])
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			for k := range 6 {
				i := (g + k) % len(forms)
				f := forms[i] // a copy: forms are not shared mutably
				var buf bytes.Buffer
				if err := r.Render(context.Background(), &buf, &f); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(buf.Bytes(), want[i]) {
					errs <- fmt.Errorf("goroutine %d: form %d differs from a lone render", g, i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestGolden pins the exact bytes the writer produces for the hand-made
// document (independent of the layout engine, whose changes must not break
// this package): any change of output must be deliberate
// (go test -run TestGolden -update, after looking at the PDF).
func TestGolden(t *testing.T) {
	golden := filepath.Join("testdata", "golden.sha256")
	var got strings.Builder
	fmt.Fprintf(&got, "%x  hand.pdf\n", sha256.Sum256(render(t, handDoc(), pdf.Options{CreationDate: time.Unix(1577836800, 0)})))
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("no golden file (create it with -update after checking the PDFs by eye): %v", err)
	}
	if got.String() != string(want) {
		t.Errorf("output changed (layout, fonts or writer); if intended, look at the PDFs and run -update:\n got:\n%s want:\n%s", got.String(), want)
	}
}

// A cached subset gives exactly the bytes a fresh one gives.
func TestCacheSameBytes(t *testing.T) {
	forms := seedForms(t)
	cold := pdf.NewRenderer(mustFonts(t).WithoutCache(), mustRegistry(t), pdf.Options{CreationDate: time.Unix(1577836800, 0)})
	warm := mustRenderer(t)
	for i := range forms {
		want := renderForm(t, cold, &forms[i])
		for range 2 { // the second render hits the cache
			if got := renderForm(t, warm, &forms[i]); !bytes.Equal(got, want) {
				t.Fatalf("form %d: cached render differs from uncached", i)
			}
		}
	}
}
