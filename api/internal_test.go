package api

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	c := newCache(400) // entries of up to 100 bytes are kept
	doc := func(b byte) func() ([]byte, error) {
		return func() ([]byte, error) { return []byte(strings.Repeat(string(b), 100)), nil }
	}
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d"} {
		if _, cached, err := c.get(ctx, k, doc(k[0])); cached || err != nil {
			t.Fatalf("first get %s: cached %v err %v", k, cached, err)
		}
	}
	c.get(ctx, "a", doc('a')) // a is now the most recent
	c.get(ctx, "e", doc('e')) // evicts b, the least recent
	for _, tt := range []struct {
		key    string
		cached bool
	}{{"a", true}, {"c", true}, {"e", true}, {"b", false}} {
		_, cached, _ := c.get(ctx, tt.key, doc(tt.key[0]))
		if cached != tt.cached {
			t.Errorf("%s cached = %v, want %v", tt.key, cached, tt.cached)
		}
	}
	if n, size := c.size(); size > 400 || n != 4 {
		t.Errorf("cache holds %d entries, %d bytes", n, size)
	}
	// Too large for the cache (over a quarter) and failures are not kept.
	c.get(ctx, "big", func() ([]byte, error) { return make([]byte, 150), nil })
	c.get(ctx, "err", func() ([]byte, error) { return nil, errors.New("boom") })
	for _, k := range []string{"big", "err"} {
		if _, cached, _ := c.get(ctx, k, func() ([]byte, error) { return nil, nil }); cached {
			t.Errorf("%s was cached", k)
		}
	}
}

func TestCacheRendersOnceForConcurrentRequests(t *testing.T) {
	c := newCache(1 << 20)
	var calls atomic.Int32
	release := make(chan struct{})
	render := func() ([]byte, error) {
		calls.Add(1)
		<-release
		return []byte("pdf"), nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			data, _, err := c.get(context.Background(), "k", render)
			if err != nil || string(data) != "pdf" {
				t.Errorf("get: %q %v", data, err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("rendered %d times, want 1", n)
	}
}

func TestPoolWaitsThenRefuses(t *testing.T) {
	p := newPool(1, 1)
	hold := make(chan struct{})
	started := make(chan struct{})
	go p.do(context.Background(), func() error { close(started); <-hold; return nil })
	<-started
	waited := make(chan error, 1)
	go func() { waited <- p.do(context.Background(), func() error { return nil }) }()
	for _, w := p.load(); w != 1; _, w = p.load() {
		time.Sleep(time.Millisecond)
	}
	if err := p.do(context.Background(), func() error { return nil }); err != errBusy {
		t.Errorf("third render: %v, want errBusy", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	close(hold)
	if err := <-waited; err != nil {
		t.Errorf("queued render: %v", err)
	}
	// A caller that gives up while waiting leaves the queue.
	p2 := newPool(1, 1)
	hold2 := make(chan struct{})
	go p2.do(context.Background(), func() error { <-hold2; return nil })
	for r, _ := p2.load(); r != 1; r, _ = p2.load() {
		time.Sleep(time.Millisecond)
	}
	if err := p2.do(ctx, func() error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait: %v", err)
	}
	if _, w := p2.load(); w != 0 {
		t.Errorf("%d still waiting after cancel", w)
	}
	close(hold2)
}

func TestBearer(t *testing.T) {
	tests := []struct{ header, want string }{
		{"Bearer rpd_abc", "rpd_abc"},
		{"bearer   rpd_abc ", "rpd_abc"},
		{"Basic rpd_abc", ""},
		{"rpd_abc", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := bearer(tt.header); got != tt.want {
			t.Errorf("bearer(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestMatchesETag(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{`"v1"`, true},
		{`W/"v1"`, true},
		{`"v0", "v1"`, true},
		{`*`, true},
		{`"v2"`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := matchesETag(tt.header, `"v1"`); got != tt.want {
			t.Errorf("matchesETag(%q) = %v", tt.header, got)
		}
	}
}

// FuzzContentDisposition: whatever the name, the header is one line of
// ASCII, and filename* decodes back to the name.
func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"2020-上海市促进中小企业发展协调办公室-企业培育.pdf", `a"b;c%d\e`, "𠮷.xlsx", "", "\r\nSet-Cookie: x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) {
			t.Skip()
		}
		h := contentDisposition("inline", name, "2020-form-1.pdf")
		for _, r := range h {
			if r < 0x20 || r > 0x7e {
				t.Fatalf("header has %U: %q", r, h)
			}
		}
		_, enc, ok := strings.Cut(h, "filename*=UTF-8''")
		if !ok {
			t.Fatalf("no filename*: %q", h)
		}
		got, err := url.PathUnescape(enc)
		if err != nil || got != name {
			t.Fatalf("filename* %q decodes to %q (%v), want %q", enc, got, err, name)
		}
		if strings.ContainsAny(enc, `"; `) {
			t.Fatalf("filename* value not a token: %q", enc)
		}
	})
}

func TestCacheWaiterRetriesWhenTheRendererGaveUp(t *testing.T) {
	c := newCache(1 << 20)
	started := make(chan struct{})
	ownerCtx, cancelOwner := context.WithCancel(context.Background())
	ownerDone := make(chan error, 1)
	go func() {
		_, _, err := c.get(ownerCtx, "k", func() ([]byte, error) {
			close(started)
			<-ownerCtx.Done()
			return nil, ownerCtx.Err()
		})
		ownerDone <- err
	}()
	<-started
	got := make(chan string, 1)
	go func() {
		data, _, err := c.get(context.Background(), "k", func() ([]byte, error) { return []byte("pdf"), nil })
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		got <- string(data)
	}()
	time.Sleep(10 * time.Millisecond) // let the second request wait on the first
	cancelOwner()
	if err := <-ownerDone; !errors.Is(err, context.Canceled) {
		t.Errorf("owner: %v", err)
	}
	if g := <-got; g != "pdf" {
		t.Errorf("waiter got %q, want the document rendered again", g)
	}
}
