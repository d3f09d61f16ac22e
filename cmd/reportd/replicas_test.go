package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/formgen"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/store/storetest"
)

// replica is one `reportd serve` process of TestReplicas.
type replica struct {
	name string
	data string // -data directory
	cmd  *exec.Cmd
	base string
	log  *syncBuffer
	done chan struct{}
}

// buildReportd builds the binary once for tests that run it as processes.
func buildReportd(t testing.TB) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "reportd")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listening = regexp.MustCompile(`msg="reportd listening" addr=(http://127\.0\.0\.1:\d+)`)

func startReplica(t testing.TB, bin, name string, env []string, args ...string) *replica {
	t.Helper()
	r := &replica{name: name, data: filepath.Join(t.TempDir(), name), log: &syncBuffer{}, done: make(chan struct{})}
	r.cmd = exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0", "-replica", name, "-data", r.data}, args...)...)
	r.cmd.Env = append(append(os.Environ(), "REPORTD_SCHEDULES=", "REPORTD_DB=", "REPORTD_DB_SCHEMA="), env...)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	dieWithTest(r.cmd)
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		r.stop(t)
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, tail(r.log.String(), 3000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(r.log.String()); m != nil {
			r.base = m[1]
			return r
		}
		select {
		case <-r.done:
			t.Fatalf("%s exited: %s", name, r.log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s did not start: %s", name, r.log.String())
	return nil
}

// stop ends the process with SIGINT (SIGKILL after 30 s) and waits.
func (r *replica) stop(t testing.TB) {
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		t.Logf("%s did not stop in 30 s: killed", r.name)
		r.cmd.Process.Kill()
		<-r.done
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func getenvDefault(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// call sends a request with the admin token and returns status and body.
func call(t testing.TB, method, url, token string, body []byte, hdr ...string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp.StatusCode, data, resp.Header
}

// TestReplicas runs three `reportd serve` processes against one database,
// imports 2,000 forms, starts a batch, kills one replica with SIGKILL
// while it renders, and checks that the batch finishes with every form
// once, that the archive verifies and downloads byte-identically (Range
// included) from each surviving replica, that every replica rendered and
// that no job is left behind.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: starts three server processes (about a minute)")
	}
	url, schema := storetest.PostgresURL(t)
	bin := buildReportd(t)
	const forms = 2000
	common := []string{"-db", url, "-db-schema", schema, "-batch-workers", "2",
		// Short so that the dead replica's jobs come back within the test:
		// River's rescuer looks every 30 s for jobs older than this.
		"-batch-job-timeout", "4s", "-batch-rescue-after", "5s"}
	// The first replica creates the schema and the admin token; the others
	// find them.
	// Replicas behind one address share the key that signs cookies; the
	// sessions themselves are in the database.
	key := make([]byte, 32)
	rand.Read(key)
	env := []string{"REPORTD_SESSION_KEY=" + base64.RawURLEncoding.EncodeToString(key)}
	reps := []*replica{startReplica(t, bin, "r1", env, common...)}
	tokenData, err := os.ReadFile(filepath.Join(reps[0].data, adminTokenFile))
	if err != nil {
		t.Fatalf("admin token: %v", err)
	}
	token := strings.TrimSpace(string(tokenData))
	var wg sync.WaitGroup
	more := make([]*replica, 2)
	for i := range more {
		wg.Go(func() { more[i] = startReplica(t, bin, fmt.Sprintf("r%d", i+2), env, common...) })
	}
	wg.Wait()
	reps = append(reps, more...)
	checkSessionsShared(t, reps, token)

	// 2,000 forms, 500 a request, through different replicas.
	sample, err := formgen.ReadSample(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	var all []reports.Form
	for _, f := range formgen.Generate(sample, formgen.Options{N: forms, Year: 2020, Units: 40, Seed: 11}) {
		all = append(all, f)
	}
	for i := 0; i < forms; i += 500 {
		var body bytes.Buffer
		if err := jsonform.Write(&body, all[i:i+500]); err != nil {
			t.Fatal(err)
		}
		if code, out, _ := call(t, "POST", reps[(i/500)%3].base+"/api/v1/forms/import", token, body.Bytes()); code != 201 {
			t.Fatalf("import: %d %s", code, out)
		}
	}

	start := time.Now()
	code, out, _ := call(t, "POST", reps[0].base+"/api/v1/batches", token, []byte(`{"year":2020,"formats":["pdf"]}`))
	if code != 202 {
		t.Fatalf("start batch: %d %s", code, out)
	}
	var b struct {
		ID      int64 `json:"id"`
		State   string
		Total   int
		Done    int
		Failed  int
		Archive *struct {
			URL    string
			Size   int64
			SHA256 string
		}
	}
	get := func(r *replica) {
		t.Helper()
		code, out, _ := call(t, "GET", fmt.Sprintf("%s/api/v1/batches/%d", r.base, b.ID), token, nil)
		if code != 200 {
			t.Fatalf("batch: %d %s", code, out)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatal(err)
		}
	}
	json.Unmarshal(out, &b)
	if b.Total != forms {
		t.Fatalf("batch of %d forms, want %d", b.Total, forms)
	}

	db, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	ident := pgx.Identifier{schema}.Sanitize()

	// Kill River's leader (the replica that rescues stuck jobs: the worst
	// one to lose) once a fifth of the forms are done; it is rendering
	// then (two workers, jobs fetched ahead).
	var leader string
	if err := db.QueryRow(context.Background(), "SELECT leader_id FROM "+ident+".river_leader").Scan(&leader); err != nil {
		t.Fatalf("river leader: %v", err)
	}
	var victim *replica
	var survivors []*replica
	for _, r := range reps {
		if r.name == leader {
			victim = r
		} else {
			survivors = append(survivors, r)
		}
	}
	if victim == nil {
		t.Fatalf("leader %q is none of the replicas", leader)
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		get(reps[0])
		if b.Done+b.Failed >= forms/5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch stalled at %d/%d", b.Done+b.Failed, forms)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := victim.cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown
		t.Fatal(err)
	}
	<-victim.done
	killedAt, killTime := b.Done+b.Failed, time.Since(start)
	var orphaned int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM `+ident+`.river_job
		WHERE state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $1`, victim.name).Scan(&orphaned); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Minute); b.State != "done"; { // generous: a shared machine is slow
		if time.Now().After(deadline) {
			t.Fatalf("batch not done after the kill: %d/%d", b.Done+b.Failed, forms)
		}
		time.Sleep(250 * time.Millisecond)
		get(survivors[1])
	}
	elapsed := time.Since(start)
	if b.Done != forms || b.Failed != 0 || b.Archive == nil {
		t.Fatalf("batch done with %d done, %d failed, archive %v", b.Done, b.Failed, b.Archive)
	}

	// Each survivor serves the same bytes, and Range works on each.
	var first []byte
	for _, r := range survivors {
		code, data, hdr := call(t, "GET", r.base+b.Archive.URL, token, nil)
		if code != 200 {
			t.Fatalf("%s archive: %d %s", r.name, code, tail(string(data), 300))
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != b.Archive.SHA256 || int64(len(data)) != b.Archive.Size {
			t.Fatalf("%s archive: %d bytes sha256 %x, batch says %d %s", r.name, len(data), sum, b.Archive.Size, b.Archive.SHA256)
		}
		if hdr.Get("ETag") != `"`+b.Archive.SHA256+`"` {
			t.Errorf("%s ETag %q", r.name, hdr.Get("ETag"))
		}
		if first == nil {
			first = data
		} else if !bytes.Equal(first, data) {
			t.Fatalf("%s serves other bytes", r.name)
		}
		lo, hi := int64(len(data))/2-100, int64(len(data))/2+(1<<20)+100 // across a chunk boundary
		code, part, _ := call(t, "GET", r.base+b.Archive.URL, token, nil, "Range", fmt.Sprintf("bytes=%d-%d", lo, hi))
		if code != http.StatusPartialContent || !bytes.Equal(part, data[lo:hi+1]) {
			t.Errorf("%s Range: %d, %d bytes", r.name, code, len(part))
		}
	}
	m, err := batch.VerifyArchive(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	perForm := map[int64]int{}
	for _, f := range m.Files {
		if f.Kind == batch.KindForm {
			perForm[f.FormID]++
		}
	}
	if len(perForm) != forms || len(m.Failed) != 0 {
		t.Errorf("archive holds %d forms and %d failures, want %d and none", len(perForm), len(m.Failed), forms)
	}
	for id, n := range perForm {
		if n != 1 {
			t.Errorf("form %d is %d times in the archive", id, n)
		}
	}

	// Who rendered what, and nothing stuck.
	rows, err := db.Query(context.Background(), `SELECT kind, state, attempted_by[array_length(attempted_by, 1)], count(*)
		FROM `+ident+`.river_job GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	split := map[string]int{}
	var report []string
	for rows.Next() {
		var kind, state, by string
		var n int
		if err := rows.Scan(&kind, &state, &by, &n); err != nil {
			t.Fatal(err)
		}
		report = append(report, fmt.Sprintf("%s %s by %s: %d", kind, state, by, n))
		if state != "completed" {
			t.Errorf("%d %s jobs are %s (last attempted by %s)", n, kind, state, by)
		}
		if kind == "reportd_batch_render" {
			split[by] += n
		}
	}
	rows.Close()
	var pending int
	db.QueryRow(context.Background(), `SELECT count(*) FROM `+ident+`.batch_items WHERE state = 'pending'`).Scan(&pending)
	if pending != 0 {
		t.Errorf("%d items pending", pending)
	}
	var rescued int
	db.QueryRow(context.Background(), `SELECT count(*) FROM `+ident+`.river_job WHERE $1 = ANY(attempted_by) AND attempted_by[array_length(attempted_by, 1)] <> $1`, victim.name).Scan(&rescued)
	for _, name := range []string{"r1", "r2", "r3"} {
		if split[name] == 0 {
			t.Errorf("%s rendered nothing (split %v)", name, split)
		}
	}
	if orphaned > 0 && rescued < orphaned {
		t.Errorf("%d jobs of the killed replica were rescued, %d were running", rescued, orphaned)
	}
	var renderSpan, assembleSpan, lastRescue time.Duration
	db.QueryRow(context.Background(), `SELECT
		(SELECT max(finalized_at) - min(created_at) FROM `+ident+`.river_job WHERE kind = 'reportd_batch_render'),
		(SELECT max(finalized_at - attempted_at) FROM `+ident+`.river_job WHERE kind = 'reportd_batch_assemble'),
		coalesce((SELECT max(finalized_at) - min(created_at) FROM `+ident+`.river_job WHERE array_length(attempted_by, 1) > 1), '0')`).Scan(&renderSpan, &assembleSpan, &lastRescue)
	t.Logf("render jobs from first queued to last done %s (last rescued job done at %s); archive written in %s", renderSpan, lastRescue, assembleSpan)
	// Written for the report (go test -v -run TestReplicas ./cmd/reportd).
	t.Logf("batch of %d forms in %s; killed %s (River's leader) at %s with %d done and %d jobs running; %d rescued; render jobs per replica %v\n%s",
		forms, elapsed.Round(time.Millisecond), victim.name, killTime.Round(time.Millisecond), killedAt, orphaned, rescued, split, strings.Join(report, "\n"))
	for _, r := range survivors {
		if code, out, _ := call(t, "GET", r.base+"/readyz", token, nil); code != 200 {
			t.Errorf("%s readyz: %d %s", r.name, code, out)
		}
	}

	// A replica that loses the database reports not ready and takes no
	// batch work; it is ready again once the database is back.
	proxy := newTCPProxy(t, mustHostPort(t, url))
	cutURL := strings.Replace(url, mustHostPort(t, url), proxy.addr, 1)
	r4 := startReplica(t, bin, "r4", env, append([]string{"-db", cutURL}, common[2:]...)...)
	proxy.setDown(true)
	waitStatus(t, r4.base+"/readyz", 503)
	if code, _, _ := call(t, "GET", r4.base+"/healthz", token, nil); code != 200 {
		t.Errorf("r4 healthz without the database: %d", code)
	}
	code, out, _ = call(t, "POST", survivors[0].base+"/api/v1/batches", token, []byte(`{"year":2020,"unit":"`+all[0].Unit+`","formats":["pdf"]}`))
	if code != 202 {
		t.Fatalf("second batch: %d %s", code, out)
	}
	json.Unmarshal(out, &b)
	for deadline := time.Now().Add(60 * time.Second); b.State != "done"; {
		if time.Now().After(deadline) {
			t.Fatalf("second batch not done: %d/%d", b.Done+b.Failed, b.Total)
		}
		time.Sleep(200 * time.Millisecond)
		get(survivors[0])
	}
	var byR4 int
	db.QueryRow(context.Background(), `SELECT count(*) FROM `+ident+`.river_job WHERE 'r4' = ANY(attempted_by)`).Scan(&byR4)
	if byR4 != 0 {
		t.Errorf("r4 took %d jobs without the database", byR4)
	}
	proxy.setDown(false)
	waitStatus(t, r4.base+"/readyz", 200)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// checkSessionsShared signs in to the pages on one replica, uses the
// cookie on another, signs out on that one and finds the cookie refused by
// the first: sessions are the database's, not a replica's.
func checkSessionsShared(t *testing.T, reps []*replica, token string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, url string, cookies []*http.Cookie, form neturl.Values) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, url, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp, string(data)
	}
	a, b := reps[1], reps[2]
	resp, page := do("GET", a.base+"/login", nil, nil)
	m := csrfInput.FindStringSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	resp, _ = do("POST", a.base+"/login", resp.Cookies(), neturl.Values{"token": {token}, "csrf": {html.UnescapeString(m[1])}, "next": {"/forms"}})
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 {
		t.Fatalf("sign in on %s: %d", a.name, resp.StatusCode)
	}
	var session []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.MaxAge >= 0 && c.Value != "" {
			session = append(session, c)
		}
	}
	resp, page = do("GET", b.base+"/forms", session, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("the cookie of %s on %s: %d (want the forms page)", a.name, b.name, resp.StatusCode)
	}
	if m = csrfInput.FindStringSubmatch(page); m == nil {
		t.Fatal("no csrf field on the forms page")
	}
	resp, _ = do("POST", b.base+"/logout", session, neturl.Values{"csrf": {html.UnescapeString(m[1])}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out on %s: %d", b.name, resp.StatusCode)
	}
	if resp, _ = do("GET", a.base+"/forms", session, nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the signed-out cookie on %s: %d %s (want a redirect to /login)", a.name, resp.StatusCode, resp.Header.Get("Location"))
	}
}

func mustHostPort(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}

func waitStatus(t *testing.T, url string, want int) {
	t.Helper()
	var got int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got = resp.StatusCode; got == want {
			return
		}
	}
	t.Fatalf("%s: %d, want %d", url, got, want)
}

// tcpProxy forwards connections to the database; setDown(true) cuts every
// connection and refuses new ones, as a lost network would.
type tcpProxy struct {
	addr  string
	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &tcpProxy{addr: ln.Addr().String(), conns: map[net.Conn]bool{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = true, true
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *tcpProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}
