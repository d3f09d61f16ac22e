package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/jsonform"
)

// runLoadgen measures the service on loopback: POST /api/v1/render with a
// different form each time (every request is a real render) and GET
// /api/v1/forms/{id}.pdf (served from the render cache after the first),
// each for -d at -c connections. Without -url it starts `reportd serve`
// in-process on a temporary data directory.
func runLoadgen(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	target := fs.String("url", "", "base URL of a running reportd on loopback (default: start one in-process)")
	token := fs.String("token", "", "admin token for -url")
	conns := fs.Int("c", 16, "concurrent connections")
	dur := fs.Duration("d", 5*time.Second, "duration of each phase (at most 2m)")
	input := fs.String("form", seedDefault, "form file whose first form is rendered")
	phase := fs.String("phase", "both", "render (POST /render), get (GET /forms/{id}.pdf) or both")
	if err := parseFlags(e, fs, args, helpText{usage: "[-c 16] [-d 5s] [-url URL -token TOKEN]",
		about:    "Measure renders/s and p50/p99 latency of a reportd server on loopback.",
		examples: []string{"reportd loadgen -c 16 -d 8s -url http://127.0.0.1:8080 -token $(cat data/admin-token)"}}); err != nil {
		return err
	}
	if *dur <= 0 || *dur > 2*time.Minute || *conns < 1 || *conns > 256 {
		return errors.New("-d must be in (0, 2m] and -c in [1, 256]")
	}
	if *phase != "both" && *phase != "render" && *phase != "get" {
		return fmt.Errorf("-phase %q: use render, get or both", *phase)
	}
	fams, err := familiesFrom("")
	if err != nil {
		return err
	}
	forms, err := formReaders(fams).Open(*input)
	if err != nil {
		return err
	}
	base, admin := *target, *token
	if base == "" {
		dir, err := os.MkdirTemp("", "reportd-loadgen-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		stop, addr, err := startInProcess(ctx, e, dir)
		if err != nil {
			return err
		}
		defer stop()
		base = "http://" + addr
		data, err := os.ReadFile(filepath.Join(dir, adminTokenFile))
		if err != nil {
			return err
		}
		admin = string(bytes.TrimSpace(data))
	}
	if err := loopbackOnly(base); err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}, Timeout: time.Minute}

	// Phase 1: stateless renders, each of a different form.
	var seq atomic.Int64
	render := func() (*http.Request, error) {
		f := forms[0]
		f.Project = fmt.Sprintf("%s #%d", f.Project, seq.Add(1))
		var buf bytes.Buffer
		if err := jsonform.Write(&buf, []reports.Form{f}); err != nil {
			return nil, err
		}
		r, err := http.NewRequest("POST", base+"/api/v1/render?format=pdf", &buf)
		if err != nil {
			return nil, err
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+admin)
		return r, nil
	}
	if *phase != "get" {
		res, err := hammer(ctx, client, *conns, *dur, render)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "POST /api/v1/render (new form each time)  %s\n", res)
	}
	if *phase == "render" {
		return nil
	}

	// Phase 2: a stored form's PDF.
	var body bytes.Buffer
	if err := jsonform.Write(&body, forms[:1]); err != nil {
		return err
	}
	r, _ := http.NewRequest("POST", base+"/api/v1/forms/import", &body)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+admin)
	resp, err := client.Do(r)
	if err != nil {
		return err
	}
	var imported struct{ IDs []int64 }
	err = json.NewDecoder(resp.Body).Decode(&imported)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 201 || len(imported.IDs) != 1 {
		return fmt.Errorf("import for the GET phase: %d %v", resp.StatusCode, err)
	}
	get := func() (*http.Request, error) {
		r, err := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/forms/%d.pdf", base, imported.IDs[0]), nil)
		if err == nil {
			r.Header.Set("Authorization", "Bearer "+admin)
		}
		return r, err
	}
	res, err := hammer(ctx, client, *conns, *dur, get)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "GET /api/v1/forms/{id}.pdf (cached)       %s\n", res)
	return nil
}

const seedDefault = "testdata/seed/2020-performance-targets.txt"

// startInProcess runs `reportd serve` on a free loopback port.
func startInProcess(ctx context.Context, e *env, dir string) (stop func(), addr string, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr = ln.Addr().String()
	ln.Close()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan int, 1)
	go func() {
		err := runServe(sctx, &env{stdout: io.Discard, stderr: io.Discard, getenv: e.getenv},
			[]string{"-addr", addr, "-data", dir, "-db", ""})
		code := 0
		if err != nil {
			fmt.Fprintf(e.stderr, "reportd loadgen: server: %v\n", err)
			code = 1
		}
		done <- code
	}()
	stop = func() { cancel(); <-done }
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return stop, addr, nil
			}
		}
		select {
		case code := <-done:
			cancel()
			return nil, "", fmt.Errorf("in-process server exited %d", code)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return nil, "", errors.New("in-process server did not become ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// loopbackOnly refuses to load anything but this machine.
func loopbackOnly(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("loadgen only targets loopback, not %q", host)
}

type loadResult struct {
	n, failed int
	elapsed   time.Duration
	lat       []time.Duration
	statuses  map[int]int
}

func (r loadResult) String() string {
	if r.n == 0 {
		return "no requests completed"
	}
	q := func(p float64) time.Duration { return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))] }
	return fmt.Sprintf("%6d req in %.1fs = %7.1f/s  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  failed %d %v",
		r.n, r.elapsed.Seconds(), float64(r.n)/r.elapsed.Seconds(),
		ms(q(0.50)), ms(q(0.99)), ms(r.lat[len(r.lat)-1]), r.failed, r.statuses)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// hammer sends requests from conns goroutines for d.
func hammer(ctx context.Context, client *http.Client, conns int, d time.Duration, next func() (*http.Request, error)) (loadResult, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	res := loadResult{statuses: map[int]int{}}
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			statuses := map[int]int{}
			failed := 0
			for ctx.Err() == nil {
				r, err := next()
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				t0 := time.Now()
				resp, err := client.Do(r)
				if err != nil {
					failed++
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				statuses[resp.StatusCode]++
				if err != nil || resp.StatusCode != 200 {
					failed++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.failed += failed
			for k, v := range statuses {
				res.statuses[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.n = len(res.lat)
	slices.Sort(res.lat)
	return res, firstErr
}
