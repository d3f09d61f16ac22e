package api_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports/store/storetest"
)

// slowBody opens a connection that sends a request's headers announcing
// a large body, then one byte of it, then nothing.
func slowBody(t *testing.T, base, path, token string, length int) net.Conn {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var b strings.Builder
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", path, u.Host, length)
	if token != "" {
		fmt.Fprintf(&b, "Authorization: Bearer %s\r\nContent-Type: application/json\r\n", token)
	} else {
		b.WriteString("Content-Type: application/x-www-form-urlencoded\r\n")
	}
	b.WriteString("\r\nt")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	return conn
}

// An attack found that ~70 connections sending POST /login headers and
// one byte of body made everything answer 503 for everyone, and that a
// service token could do the same with slow bodies on /api/v1/render.
func TestSlowBodiesTakeNoSharedCapacity(t *testing.T) {
	site := newWebSite(t, func(c *api.Config) { c.RenderWorkers, c.RenderQueue = 1, 7 })
	service := site.token("service")
	for range 70 {
		slowBody(t, site.url, "/login", "", 100000)
	}
	for range 30 {
		slowBody(t, site.url, "/api/v1/render", service, 100000)
	}
	for range 30 {
		slowBody(t, site.url, "/upload", "", 100000) // no session: refused before its body
	}
	time.Sleep(300 * time.Millisecond) // let the server reach their bodies

	post := func(path, token, contentType string, body []byte) *http.Response {
		t.Helper()
		r, _ := http.NewRequest("POST", site.url+path, bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", contentType)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	form := formJSON(t, storetest.Form(2020, unitA, "攻击中的项目"))
	if resp := post("/api/v1/render?format=pdf", site.admin, "application/json", form); resp.StatusCode != http.StatusOK {
		t.Errorf("render during the attack: %d", resp.StatusCode)
	}
	if resp := post("/api/v1/forms/import", site.admin, "application/json", form); resp.StatusCode != http.StatusCreated {
		t.Errorf("import during the attack: %d", resp.StatusCode)
	}
	// The attacking service token itself is past its share.
	if resp := post("/api/v1/render?format=pdf", service, "application/json", form); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the attacking token's own render: %d, want 429", resp.StatusCode)
	}
	b := site.client()
	tok := b.login(site.clerkA) // sign-in still works
	if a := b.upload(tok, "seed.txt", seed(t)); a.status != http.StatusSeeOther {
		t.Errorf("page upload during the attack: %d\n%s", a.status, a.body)
	}
}

// A body that stalls is cut off with 408 after the grace period, on the
// API and on the sign-in page alike.
func TestSlowBodyIsCutOff(t *testing.T) {
	site := newWebSite(t, func(c *api.Config) { c.BodyGrace = 200 * time.Millisecond })
	for _, tt := range []struct {
		name, path, token string
		length            int
	}{
		{"render", "/api/v1/render", site.admin, 100000},
		{"sign-in", "/login", "", 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn := slowBody(t, site.url, tt.path, tt.token, tt.length)
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer to a stalled body: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("status %d, want 408", resp.StatusCode)
			}
		})
	}
}

// hostileWorkbook is a small .xlsx whose shared strings table holds n
// strings: tiny zipped, costly for a reader that loads it.
func hostileWorkbook(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("xl/workbook.xml")
	io.WriteString(w, `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="表" sheetId="1"/></sheets></workbook>`)
	w, _ = zw.Create("xl/sharedStrings.xml")
	io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	item := strings.Repeat("<si><t>a</t></si>", 1000)
	for range n / 1000 {
		io.WriteString(w, item)
	}
	io.WriteString(w, `</sst>`)
	zw.Close()
	return buf.Bytes()
}

// A workbook over the reader's bounds is refused with 413, on the API and
// the upload page, and many at once leave the server answering.
func TestHostileWorkbooksAreRefused(t *testing.T) {
	site := newWebSite(t, func(c *api.Config) { c.PerCallerBodies = 32 })
	data := hostileWorkbook(t, 2_500_000)
	post := func() int {
		r, _ := http.NewRequest("POST", site.url+"/api/v1/forms/import", bytes.NewReader(data))
		r.Header.Set("Authorization", "Bearer "+site.admin)
		r.Header.Set("Content-Type", api.XLSXType)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var wg sync.WaitGroup
	codes := make(chan int, 8)
	for range 8 {
		wg.Go(func() { codes <- post() })
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusRequestEntityTooLarge && code != http.StatusServiceUnavailable && code != http.StatusTooManyRequests {
			t.Errorf("a hostile workbook answered %d, want 413 (or 503/429 when busy)", code)
		}
	}
	b := site.client()
	tok := b.login(site.clerkA)
	if a := b.upload(tok, "bomb.xlsx", data); a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "shared strings") {
		t.Errorf("page upload: %d\n%s", a.status, a.body)
	}
}
