package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/jsonform"
)

// soakChildArgs, in the environment, makes TestSoakServer run `reportd
// serve` with these arguments (tab-separated) until SIGTERM: the soak test
// runs the server as its own process so that its memory is measured alone.
const soakChildArgs = "REPORTD_SOAK_CHILD_ARGS"

func TestSoakServer(t *testing.T) {
	args := os.Getenv(soakChildArgs)
	if args == "" {
		t.Skip("helper process of TestSoak (runs only as its child)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, strings.Split(args, "\t")); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

// TestSoak runs a real server (its own process, SQLite, loopback) under 16
// connections of mixed render, import, update, list and document requests
// for REPORTD_SOAK (a duration; CI sets 60s in .ci/run) and requires zero
// errors and a resident set that stops growing after warm-up (the first
// third). It reports requests, rates and RSS.
func TestSoak(t *testing.T) {
	spec := os.Getenv("REPORTD_SOAK")
	if spec == "" {
		t.Skip("soak test: set REPORTD_SOAK=60s to run it (.ci/run does)")
	}
	dur, err := time.ParseDuration(spec)
	if err != nil || dur < 10*time.Second {
		t.Fatalf("REPORTD_SOAK=%q: want a duration of at least 10s", spec)
	}
	const conns = 16
	dir := t.TempDir()
	addr := freeAddr(t)
	base := "http://" + addr
	cmd := exec.Command(os.Args[0], "-test.run=^TestSoakServer$", "-test.v=false")
	cmd.Env = append(os.Environ(), soakChildArgs+"="+strings.Join([]string{"serve", "-addr", addr, "-data", dir, "-keep-archives", "0"}, "\t"))
	var serverLog bytes.Buffer
	cmd.Stdout, cmd.Stderr = &serverLog, &serverLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	admin := waitSoakServer(t, base, dir, &serverLog)

	fams, err := familiesFrom("")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := formReaders(fams).Open(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}, Timeout: time.Minute}
	do := func(method, path string, f *reports.Form, headers ...string) (int, []byte, error) {
		var body io.Reader
		if f != nil {
			var buf bytes.Buffer
			if err := jsonform.Write(&buf, []reports.Form{*f}); err != nil {
				return 0, nil, err
			}
			body = &buf
		}
		r, err := http.NewRequest(method, base+path, body)
		if err != nil {
			return 0, nil, err
		}
		r.Header.Set("Authorization", "Bearer "+admin)
		if f != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		resp, err := client.Do(r)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return resp.StatusCode, data, err
	}

	var seq atomic.Int64
	form := func() *reports.Form {
		f := seed[int(seq.Load())%len(seed)]
		f.Project = fmt.Sprintf("%s 压力 #%d", f.Project, seq.Add(1))
		return &f
	}
	// A few stored forms to read and change from the start.
	var mu sync.Mutex
	var ids []int64
	imp := func() error {
		code, data, err := do("POST", "/api/v1/forms/import", form())
		if err != nil || code != http.StatusCreated && code != http.StatusOK {
			return fmt.Errorf("import: %d %v %s", code, err, data)
		}
		var out struct{ IDs []int64 }
		if err := json.Unmarshal(data, &out); err != nil || len(out.IDs) != 1 {
			return fmt.Errorf("import answer %s: %v", data, err)
		}
		mu.Lock()
		ids = append(ids, out.IDs[0])
		mu.Unlock()
		return nil
	}
	for range 4 {
		if err := imp(); err != nil {
			t.Fatal(err)
		}
	}
	someID := func(r *rand.Rand) int64 {
		mu.Lock()
		defer mu.Unlock()
		return ids[r.IntN(len(ids))]
	}
	ops := []struct {
		name   string
		weight int
		run    func(r *rand.Rand) error
	}{
		{"render pdf (new form)", 30, func(*rand.Rand) error {
			code, data, err := do("POST", "/api/v1/render?format=pdf", form())
			if err != nil || code != http.StatusOK || !bytes.HasPrefix(data, []byte("%PDF")) {
				return fmt.Errorf("render pdf: %d %v", code, err)
			}
			return nil
		}},
		{"render xlsx (new form)", 10, func(*rand.Rand) error {
			code, data, err := do("POST", "/api/v1/render?format=xlsx", form())
			if err != nil || code != http.StatusOK || !bytes.HasPrefix(data, []byte("PK")) {
				return fmt.Errorf("render xlsx: %d %v", code, err)
			}
			return nil
		}},
		{"import", 15, func(*rand.Rand) error { return imp() }},
		{"update (If-Match: *)", 10, func(r *rand.Rand) error {
			code, data, err := do("PUT", fmt.Sprintf("/api/v1/forms/%d", someID(r)), form(), "If-Match", "*")
			if err != nil || code != http.StatusOK {
				return fmt.Errorf("update: %d %v %s", code, err, data)
			}
			return nil
		}},
		{"GET stored pdf", 20, func(r *rand.Rand) error {
			code, _, err := do("GET", fmt.Sprintf("/api/v1/forms/%d.pdf", someID(r)), nil)
			if err != nil || code != http.StatusOK {
				return fmt.Errorf("get pdf: %d %v", code, err)
			}
			return nil
		}},
		{"GET form / list", 15, func(r *rand.Rand) error {
			path := fmt.Sprintf("/api/v1/forms/%d", someID(r))
			if r.IntN(2) == 0 {
				path = "/api/v1/forms?q=" + "压力&page=" + strconv.Itoa(1+r.IntN(3))
			}
			code, data, err := do("GET", path, nil)
			if err != nil || code != http.StatusOK {
				return fmt.Errorf("GET %s: %d %v %s", path, code, err, data)
			}
			return nil
		}},
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	counts := make([]atomic.Int64, len(ops))
	var errCount atomic.Int64
	var firstErrs []string
	var errMu sync.Mutex

	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for ctx.Err() == nil {
				n := r.IntN(total)
				i := 0
				for ; n >= ops[i].weight; i++ {
					n -= ops[i].weight
				}
				if err := ops[i].run(r); err != nil {
					if ctx.Err() != nil && strings.Contains(err.Error(), "context") {
						return
					}
					errCount.Add(1)
					errMu.Lock()
					if len(firstErrs) < 5 {
						firstErrs = append(firstErrs, err.Error())
					}
					errMu.Unlock()
					continue
				}
				counts[i].Add(1)
			}
		})
	}
	// RSS once a second.
	var rss []int64
	start := time.Now()
	tick := time.NewTicker(time.Second)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
			if kb, err := vmRSS(cmd.Process.Pid); err == nil {
				rss = append(rss, kb)
			}
		}
	}
	tick.Stop()
	wg.Wait()
	elapsed := time.Since(start)

	var sum int64
	for i, o := range ops {
		n := counts[i].Load()
		sum += n
		t.Logf("%-24s %7d  %6.1f/s", o.name, n, float64(n)/elapsed.Seconds())
	}
	t.Logf("%d requests in %s over %d connections (%.0f/s), %d errors", sum, elapsed.Round(time.Second), conns, float64(sum)/elapsed.Seconds(), errCount.Load())
	if errCount.Load() > 0 {
		t.Errorf("%d errors, first: %s", errCount.Load(), strings.Join(firstErrs, " | "))
	}
	if len(rss) < 9 {
		t.Fatalf("only %d RSS samples", len(rss))
	}
	// Warm-up is the first third (the render cache fills, pools and
	// buffers reach their size); after it the resident set must stay
	// within 15% (+8 MB of GC slack) of its peak during the second third.
	third := len(rss) / 3
	warm := slices.Max(rss[third : 2*third])
	late := slices.Max(rss[2*third:])
	t.Logf("server RSS: %d MB after 1 s, %d MB peak in the second third, %d MB peak in the last third, %d MB at the end",
		rss[0]>>10, warm>>10, late>>10, rss[len(rss)-1]>>10)
	if late > warm+warm*15/100+8<<10 {
		t.Errorf("the server's RSS grew after warm-up: %d MB → %d MB", warm>>10, late>>10)
	}
}

// waitSoakServer waits for the child's readiness and returns its admin token.
func waitSoakServer(t *testing.T, base, dir string, log *bytes.Buffer) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				tok, err := os.ReadFile(filepath.Join(dir, adminTokenFile))
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimSpace(string(tok))
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the soak server did not start:\n%s", log)
	return ""
}

// vmRSS reads a process's resident set in KB from /proc.
func vmRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}
