package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/store/sqlite"
)

func TestBatchCommand(t *testing.T) {
	dir := t.TempDir()
	zip := filepath.Join(dir, "out", "2020.zip")
	code, _, errOut := runCLI(t, "batch", "generate", "-n", "30", "-invalid-every", "10", "-units", "3", "-data", dir, "-sample", seedPath)
	if code != 0 || !strings.Contains(errOut, "stored 30 generated forms") {
		t.Fatalf("generate: exit %d\n%s", code, errOut)
	}
	code, out, errOut := runCLI(t, "batch", "run", "-year", "2020", "-data", dir, "-o", zip)
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"batch 1: 30 forms", "27 done, 3 failed", "failed: form 10", "校验未通过"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.HasPrefix(out, zip+"\t") {
		t.Errorf("stdout %q does not start with the archive path", out)
	}
	code, out, errOut = runCLI(t, "batch", "verify", zip)
	if code != 0 || !strings.Contains(out, "30 forms, 3 failed") {
		t.Errorf("verify: exit %d %s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "batch", "list", "-data", dir)
	if code != 0 || !strings.Contains(out, "1\tdone\t2020\tpdf,xlsx\t27/30 done, 3 failed") {
		t.Errorf("list: %q", out)
	}
	code, out, _ = runCLI(t, "batch", "show", "-data", dir, "1")
	if code != 0 || !strings.Contains(out, "30 forms: 27 done, 3 failed, 0 pending") {
		t.Errorf("show: %q", out)
	}
	// A unit batch of PDFs only.
	unitZip := filepath.Join(dir, "unit.zip")
	code, out, errOut = runCLI(t, "batch", "run", "-year", "2020", "-data", dir, "-unit", "上海市促进中小企业发展协调办公室", "-format", "pdf", "-o", unitZip)
	if code != 0 || !strings.Contains(errOut, "of 上海市促进中小企业发展协调办公室") {
		t.Fatalf("unit run: exit %d\n%s%s", code, out, errOut)
	}
}

func TestBatchCommandErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"batch"}, 2, "usage: reportd batch run"},
		{"unknown subcommand", []string{"batch", "fly"}, 2, `unknown subcommand "fly"`},
		{"no year", []string{"batch", "run", "-data", dir}, 2, "usage: reportd batch run"},
		{"unknown format", []string{"batch", "run", "-year", "2020", "-format", "docx", "-data", dir}, 1, `unknown format "docx"`},
		{"bad year", []string{"batch", "run", "-year", "20", "-data", dir}, 1, "year: 20 is not a year"},
		{"no forms for the year", []string{"batch", "run", "-year", "2019", "-data", dir, "-o", filepath.Join(dir, "empty.zip")}, 1, "no forms for 2019 in " + filepath.Join(dir, "reportd.db")},
		{"show needs a number", []string{"batch", "show", "-data", dir, "x"}, 1, `batch id "x" is not a number`},
		{"show unknown", []string{"batch", "show", "-data", dir, "42"}, 1, "batch 42 not found"},
		{"verify not a zip", []string{"batch", "verify", seedPath}, 1, "verify archive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s%s", code, tc.code, tc.want, out, errOut)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "empty.zip")); !os.IsNotExist(err) {
		t.Errorf("a batch of no forms wrote an archive (%v)", err)
	}
}

func TestParseSchedules(t *testing.T) {
	formats := []string{"pdf", "xlsx"}
	for _, tc := range []struct {
		name, spec string
		want       []batch.Schedule
		err        string
	}{
		{"default", "", []batch.Schedule{{Name: "year-end", Cron: batch.DefaultCron, Formats: formats}}, ""},
		{"two", "year-end=0 2 31 12 *;a=0 3 31 12 *,unit=市财政局,format=pdf,year=2020", []batch.Schedule{
			{Name: "year-end", Cron: "0 2 31 12 *", Formats: formats},
			{Name: "a", Cron: "0 3 31 12 *", Unit: "市财政局", Formats: []string{"pdf"}, Year: 2020},
		}, ""},
		{"both formats", "x=0 2 31 12 *,format=pdf+xlsx", []batch.Schedule{{Name: "x", Cron: "0 2 31 12 *", Formats: formats}}, ""},
		{"no name", "0 2 31 12 *", nil, "expected NAME=CRON"},
		{"bad option", "x=0 2 31 12 *,color=red", nil, `unknown option "color"`},
		{"bad year", "x=0 2 31 12 *,year=next", nil, `year "next" is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSchedules(tc.spec, formats)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want error %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(tc.want)
			if !bytes.Equal(gj, wj) {
				t.Errorf("got %s\nwant %s", gj, wj)
			}
		})
	}
}

// TestServeBatches wires batches into a server the way `reportd serve`
// does and runs one over HTTP with the real renderers.
func TestServeBatches(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "reportd.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, getenv: func(string) string { return "" }}
	fams, err := loadFamilies(e)
	if err != nil {
		t.Fatal(err)
	}
	renderers := map[string]reports.Renderer{}
	for _, f := range []string{"pdf", "xlsx"} {
		if renderers[f], err = newRenderer(e, f, fams); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	forms, err := formReaders(fams).Read("txt", bytes.NewReader(data), "seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateForms(ctx, forms); err != nil {
		t.Fatal(err)
	}
	secret := store.NewSecret()
	if _, err := st.CreateToken(ctx, store.Token{Role: store.RoleAdmin, Hash: store.HashToken(secret)}); err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Config{Store: st, Renderers: renderers})
	if err != nil {
		t.Fatal(err)
	}
	stop, err := serveBatches(ctx, e, st, renderers, fams, srv, dir, "", batch.DefaultRetention(), nil, jobOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	call := func(method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+secret)
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	w := call("POST", "/api/v1/batches", `{"year": 2020}`)
	if w.Code != http.StatusAccepted {
		t.Fatalf("POST: %d %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	deadline := time.Now().Add(60 * time.Second)
	for {
		w = call("GET", loc, "")
		var b struct{ State string }
		json.Unmarshal(w.Body.Bytes(), &b)
		if b.State == "done" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not done: %s", w.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	w = call("GET", loc+"/archive.zip", "")
	m, err := batch.VerifyArchive(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range m.Files {
		kinds[f.Kind+"."+f.Format]++
	}
	// Two forms of one unit: a PDF and a workbook each, the unit's book,
	// the summary.
	if kinds["form.pdf"] != 2 || kinds["form.xlsx"] != 2 || kinds["unit-pdf.pdf"] != 1 || kinds["summary.xlsx"] != 1 {
		t.Errorf("archive holds %v", kinds)
	}
	w = call("GET", "/api/v1/schedules", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"name":"year-end"`) {
		t.Errorf("schedules: %d %s", w.Code, w.Body)
	}
}

func FuzzParseSchedules(f *testing.F) {
	for _, s := range []string{"", "year-end=0 2 31 12 *", "a=0 3 31 12 *,unit=市财政局,format=pdf+xlsx,year=2020;b=* * * * *", "=", ";;", "x=,year=", "x=1,unit="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := ParseSchedules(spec, []string{"pdf"})
		if err != nil {
			return
		}
		for _, sc := range got {
			if sc.Name == "" || strings.ContainsAny(sc.Name, ";") {
				t.Errorf("schedule %+v from %q", sc, spec)
			}
		}
	})
}

// An attack found that two `batch run` with the same -o left batch 1's
// recorded size and SHA-256 describing the file batch 2 overwrote.
func TestBatchRunRefusesAnExistingArchive(t *testing.T) {
	dir := t.TempDir()
	zip := filepath.Join(dir, "year.zip")
	if code, _, errOut := runCLI(t, "batch", "generate", "-n", "4", "-units", "2", "-data", dir, "-sample", seedPath); code != 0 {
		t.Fatalf("generate: %s", errOut)
	}
	if code, _, errOut := runCLI(t, "batch", "run", "-year", "2020", "-format", "pdf", "-data", dir, "-o", zip); code != 0 {
		t.Fatalf("first run: %s", errOut)
	}
	first, _ := os.ReadFile(zip)
	code, _, errOut := runCLI(t, "batch", "run", "-year", "2020", "-format", "pdf", "-data", dir, "-o", zip, "-unit", "x")
	if code == 0 || !strings.Contains(errOut, "exists") || !strings.Contains(errOut, "-force") {
		t.Fatalf("second run over the archive: exit %d\n%s", code, errOut)
	}
	if now, _ := os.ReadFile(zip); !bytes.Equal(now, first) {
		t.Fatal("the refused run changed the archive")
	}
	if code, _, errOut := runCLI(t, "batch", "run", "-year", "2020", "-format", "xlsx", "-data", dir, "-o", zip, "-force"); code != 0 {
		t.Fatalf("forced run: %s", errOut)
	}
	// Batch 1's record no longer claims the file; batch 2's matches it.
	_, out, _ := runCLI(t, "batch", "show", "-data", dir, "1")
	if !strings.Contains(out, "pruned") && !strings.Contains(out, "deleted") && !strings.Contains(out, "no longer") {
		t.Errorf("batch 1 still claims the overwritten archive:\n%s", out)
	}
	if code, out, errOut := runCLI(t, "batch", "verify", zip); code != 0 {
		t.Errorf("verify after -force: %s%s", out, errOut)
	}
}
