package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/store/postgres"
	"github.com/reportd/reportd/reports/store/storetest"
	"github.com/reportd/reportd/reports/textcheck"
	"github.com/reportd/reportd/reports/textform"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is `reportd serve` running in-process.
type server struct {
	base   string
	stop   func() int
	stderr *syncBuffer
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startServe(t *testing.T, getenv func(string) string, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: io.Discard, stderr: stderr, getenv: getenv}, append([]string{"serve", "-addr", addr}, args...))
	}()
	s := &server{base: "http://" + addr, stderr: stderr}
	var once sync.Once
	code := 0
	s.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		select {
		case c := <-done:
			t.Fatalf("serve exited %d: %s", c, stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready: %v\n%s", err, stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) call(t *testing.T, method, path, token, contentType string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	r, err := http.NewRequest(method, s.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// TestServeEndToEnd is issue 6's "done when", on both stores: a fresh
// start prints an admin token; importing the sample gives 2 ids; each
// form's PDF carries every character of the form; a bad body is refused
// with problems and stores nothing; another unit's clerk gets 404; a
// restart keeps everything.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("renders real PDFs")
	}
	needPDFToText(t) // reads the served PDFs' text
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	forms, err := textform.Read(bytes.NewReader(seed), seedPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			args := []string{"-data", data}
			if kind == "postgres" {
				url, schema := storetest.PostgresURL(t)
				st, err := postgres.Open(context.Background(), url, postgres.Options{Schema: schema})
				if err != nil {
					t.Fatal(err)
				}
				st.Close()
				args = append(args, "-db", url+"?search_path="+schema)
			}
			getenv := func(string) string { return "" }
			s := startServe(t, getenv, args...)
			secret, err := os.ReadFile(filepath.Join(data, adminTokenFile))
			if err != nil {
				t.Fatal(err)
			}
			admin := strings.TrimSpace(string(secret))
			if st, _ := os.Stat(filepath.Join(data, adminTokenFile)); st.Mode().Perm() != 0o600 {
				t.Errorf("admin-token mode %v, want 0600", st.Mode().Perm())
			}
			if !strings.Contains(s.stderr.String(), admin) {
				t.Errorf("the first admin token was not printed to stderr")
			}

			code, _, body := s.call(t, "POST", "/api/v1/forms/import", admin, "text/plain; charset=utf-8", seed)
			var imported struct{ IDs []int64 }
			if err := json.Unmarshal(body, &imported); code != 201 || err != nil || len(imported.IDs) != 2 {
				t.Fatalf("import: %d %s", code, body)
			}
			for i, id := range imported.IDs {
				code, h, pdf := s.call(t, "GET", fmt.Sprintf("/api/v1/forms/%d.pdf", id), admin, "", nil)
				if code != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
					t.Fatalf("GET %d.pdf: %d %s", id, code, h)
				}
				text, err := textcheck.PDFText(context.Background(), pdf)
				if err != nil {
					t.Fatal(err)
				}
				if r := textcheck.Check(textcheck.FormCells(&forms[i], false), text); !r.OK() {
					t.Errorf("form %d PDF misses text: %s", id, r)
				}
			}
			code, h, book := s.call(t, "GET", fmt.Sprintf("/api/v1/forms/%d.xlsx", imported.IDs[0]), admin, "", nil)
			if code != 200 || !strings.Contains(h.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("GET .xlsx: %d %s", code, h.Get("Content-Type"))
			}
			// The workbook goes back in as a form, declared or sniffed; the
			// round trip keeps the form's content (same hash).
			var first struct{ Hash string }
			_, _, body = s.call(t, "GET", fmt.Sprintf("/api/v1/forms/%d", imported.IDs[0]), admin, "", nil)
			json.Unmarshal(body, &first)
			for _, ct := range []string{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"} {
				code, _, body := s.call(t, "POST", "/api/v1/render", admin, ct, book)
				if code != 200 {
					t.Errorf("render an XLSX body (%s): %d %s", ct, code, body)
				}
			}
			code, _, body = s.call(t, "POST", "/api/v1/forms/import", admin, "application/octet-stream", book)
			var back struct {
				IDs   []int64
				Forms []struct{ Hash, Status string }
			}
			// The workbook of a stored form is that form: importing it
			// again leaves it unchanged (same natural key and content).
			if err := json.Unmarshal(body, &back); code != 200 || err != nil || len(back.IDs) != 1 || back.Forms[0].Status != "unchanged" {
				t.Fatalf("import the XLSX: %d %s", code, body)
			}
			if back.Forms[0].Hash != first.Hash {
				t.Errorf("XLSX round trip changed the form: hash %s, was %s", back.Forms[0].Hash, first.Hash)
			}
			code, _, _ = s.call(t, "DELETE", fmt.Sprintf("/api/v1/forms/%d", back.IDs[0]), admin, "", nil)
			if code != 428 {
				t.Errorf("DELETE without If-Match: %d", code)
			}
			r, _ := http.NewRequest("DELETE", fmt.Sprintf("%s/api/v1/forms/%d", s.base, back.IDs[0]), nil)
			r.Header.Set("Authorization", "Bearer "+admin)
			r.Header.Set("If-Match", `"v1"`)
			if resp, err := http.DefaultClient.Do(r); err != nil || resp.StatusCode != 204 {
				t.Fatalf("DELETE: %v %v", resp, err)
			}

			// A bad body: 422 with problems, nothing stored.
			bad := bytes.Replace(seed, []byte("2020-01-01"), []byte("2020-02-30"), 1)
			code, _, body = s.call(t, "POST", "/api/v1/forms/import", admin, "text/plain; charset=utf-8", bad)
			var e struct {
				Problems []struct {
					Path    string
					Line    int
					Message string
				}
			}
			if err := json.Unmarshal(body, &e); code != 422 || err != nil || len(e.Problems) == 0 || e.Problems[0].Line == 0 {
				t.Errorf("bad import: %d %s", code, body)
			}
			var page struct{ Total int }
			_, _, body = s.call(t, "GET", "/api/v1/forms", admin, "", nil)
			if json.Unmarshal(body, &page); page.Total != 1 { // the second of the seed; the first was deleted
				t.Errorf("%d forms after a refused import, want 1", page.Total)
			}

			// Another unit's clerk: 404.
			var out bytes.Buffer
			tokenArgs := append([]string{"token", "create", "-role", "clerk", "-unit", "上海市经济和信息化委员会"}, args...)
			if code := run(context.Background(), &env{stdout: &out, stderr: io.Discard, getenv: getenv}, tokenArgs); code != 0 {
				t.Fatalf("token create: exit %d", code)
			}
			other := strings.TrimSpace(out.String())
			// The pages' header shows the token's name: Chinese, as the rest.
			var list bytes.Buffer
			if code := run(context.Background(), &env{stdout: &list, stderr: io.Discard, getenv: getenv}, append([]string{"token", "list"}, args...)); code != 0 || !strings.Contains(list.String(), "首个管理员（首次启动时创建）") {
				t.Errorf("token list: exit %d\n%s", code, list.String())
			}
			code, _, _ = s.call(t, "GET", fmt.Sprintf("/api/v1/forms/%d.pdf", imported.IDs[1]), other, "", nil)
			if code != 404 {
				t.Errorf("other unit's clerk: %d, want 404", code)
			}

			// Restart: same data, no new admin token.
			if c := s.stop(); c != 0 {
				t.Fatalf("serve exited %d after SIGTERM: %s", c, s.stderr)
			}
			s = startServe(t, getenv, args...)
			if strings.Contains(s.stderr.String(), "no admin token existed") {
				t.Error("a second admin token was made on restart")
			}
			code, _, body = s.call(t, "GET", "/api/v1/forms", admin, "", nil)
			if json.Unmarshal(body, &page); code != 200 || page.Total != 1 {
				t.Errorf("after restart: %d, %d forms", code, page.Total)
			}
		})
	}
}

func TestTokenCommand(t *testing.T) {
	data := t.TempDir()
	cli := func(args ...string) (int, string, string) {
		// Flags go before the positional ID: token revoke -data DIR ID.
		all := append([]string{args[0], args[1], "-data", data}, args[2:]...)
		return runCLI(t, all...)
	}
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no role", []string{"token", "create"}, 1, "-role"},
		{"unknown role", []string{"token", "create", "-role", "root"}, 1, "-role"},
		{"clerk without unit", []string{"token", "create", "-role", "clerk"}, 1, "-unit"},
		{"unit on admin", []string{"token", "create", "-role", "admin", "-unit", "甲"}, 1, "clerk tokens only"},
		{"revoke unknown", []string{"token", "revoke", "99"}, 1, "not found"},
		{"revoke not a number", []string{"token", "revoke", "x"}, 1, "not a number"},
		{"bad expiry", []string{"token", "create", "-role", "service", "-expires", "soon"}, 1, "-expires"},
		{"negative expiry", []string{"token", "create", "-role", "service", "-expires", "-5d"}, 1, "-expires"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := cli(tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.err) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.err)
			}
		})
	}
	code, out, errOut := cli("token", "create", "-role", "clerk", "-unit", "上海市促进中小企业发展协调办公室", "-unit", "乙", "-name", "张三")
	secret := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(secret, "rpd_") || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "only time") {
		t.Fatalf("create: %d %q %q", code, out, errOut)
	}
	code, out, _ = cli("token", "list")
	if code != 0 || !strings.Contains(out, "clerk") || !strings.Contains(out, "上海市促进中小企业发展协调办公室、乙") || strings.Contains(out, secret) {
		t.Errorf("list: %d\n%s", code, out)
	}
	if !strings.Contains(out, "EXPIRES") || !strings.Contains(out, "never") {
		t.Errorf("list lacks expiry and last use:\n%s", out)
	}
	code, _, errOut = cli("token", "create", "-role", "service", "-expires", "90d")
	if code != 0 || !strings.Contains(errOut, "valid until") {
		t.Errorf("create -expires: %d %s", code, errOut)
	}
	if _, out, _ := cli("token", "list"); !strings.Contains(out, time.Now().Add(90*24*time.Hour).In(time.FixedZone("", 8*3600)).Format("2006-01-02")) {
		t.Errorf("list does not show the expiry:\n%s", out)
	}
	if code, _, errOut := cli("token", "signout"); code != 0 || !strings.Contains(errOut, "sessions ended") {
		t.Errorf("signout: %d %s", code, errOut)
	}
	if code, _, errOut := cli("token", "revoke", "1"); code != 0 {
		t.Errorf("revoke: %d %s", code, errOut)
	}
	if _, out, _ := cli("token", "list"); strings.Contains(out, "clerk") {
		t.Errorf("revoked token still listed:\n%s", out)
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"unknown db", []string{"serve", "-db", "mysql://x", "-data", t.TempDir()}, "postgres://"},
		{"bad addr", []string{"serve", "-addr", "256.1.1.1:99999", "-data", t.TempDir()}, "listen"},
		{"extra argument", []string{"serve", "x"}, "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.err) {
				t.Errorf("exit %d, stderr %q; want failure mentioning %q", code, errOut, tt.err)
			}
		})
	}
}
