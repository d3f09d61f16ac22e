package api

import (
	"archive/zip"
	"bytes"
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

// pool bounds renders: workers run at once, up to queue more wait, the
// rest are refused (503) so that memory stays bounded under any load.
type pool struct {
	slots   chan struct{}
	mu      sync.Mutex
	waiting int
	queue   int
}

func newPool(workers, queue int) *pool {
	return &pool{slots: make(chan struct{}, workers), queue: queue}
}

func (p *pool) load() (running, waiting int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.slots), p.waiting
}

var errBusy = reports.Errorf(reports.EUNAVAILABLE, "too many renders in progress; retry shortly")

// do runs fn on a worker slot.
func (p *pool) do(ctx context.Context, fn func() error) error {
	select {
	case p.slots <- struct{}{}:
	default:
		p.mu.Lock()
		if p.waiting >= p.queue {
			p.mu.Unlock()
			return errBusy
		}
		p.waiting++
		p.mu.Unlock()
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
		}
		p.mu.Lock()
		p.waiting--
		p.mu.Unlock()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	defer func() { <-p.slots }()
	return fn()
}

// cache keeps rendered documents by content hash and format, least
// recently used out first, and renders each key once when several
// requests ask at the same time.
type cache struct {
	max      int64
	mu       sync.Mutex
	bytes    int64
	order    *list.List // of *entry, most recent first
	entries  map[string]*list.Element
	inflight map[string]*call
}

type entry struct {
	key  string
	data []byte
}

type call struct {
	done chan struct{}
	data []byte
	err  error
}

func newCache(max int64) *cache {
	return &cache{max: max, order: list.New(), entries: map[string]*list.Element{}, inflight: map[string]*call{}}
}

func (c *cache) size() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.bytes
}

// get returns the document for key, calling render when it is not cached.
// cached says whether render was skipped.
func (c *cache) get(ctx context.Context, key string, render func() ([]byte, error)) (data []byte, cached bool, err error) {
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*entry).data, true, nil
	}
	if cl, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-cl.done:
			if isContextErr(cl.err) && ctx.Err() == nil {
				// The request that was rendering went away; this one
				// still wants the document.
				return c.get(ctx, key, render)
			}
			return cl.data, cl.err == nil, cl.err
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
	cl := &call{done: make(chan struct{})}
	c.inflight[key] = cl
	c.mu.Unlock()

	cl.data, cl.err = render()

	c.mu.Lock()
	delete(c.inflight, key)
	if cl.err == nil && c.max > 0 && int64(len(cl.data)) <= c.max/4 {
		c.entries[key] = c.order.PushFront(&entry{key: key, data: cl.data})
		c.bytes += int64(len(cl.data))
		for c.bytes > c.max {
			el := c.order.Back()
			e := el.Value.(*entry)
			c.order.Remove(el)
			delete(c.entries, e.key)
			c.bytes -= int64(len(e.data))
		}
	}
	c.mu.Unlock()
	close(cl.done)
	return cl.data, false, cl.err
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// renderer returns the renderer of the ?format= (pdf when absent).
func (s *Server) renderer(format string) (reports.Renderer, error) {
	if format == "" {
		format = "pdf"
	}
	r, ok := s.cfg.Renderers[strings.ToLower(format)]
	if !ok {
		return nil, reports.Errorf(reports.EINVALID, "unknown format %q (this server renders %s)", format, strings.Join(slices.Sorted(maps.Keys(s.cfg.Renderers)), ", "))
	}
	return r, nil
}

// acceptedRenderer returns the renderer of the document type an Accept
// header prefers ("application/ofd", "application/pdf", …), or nil when it
// names none, or JSON at least as strongly: wildcards and JSON keep each
// route's default. An explicit ?format= or .ofd suffix wins over Accept.
func (s *Server) acceptedRenderer(accept string) reports.Renderer {
	var best reports.Renderer
	bestQ, jsonQ := 0.0, 0.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(part, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "q") {
				if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
		if mt == "application/json" {
			jsonQ = max(jsonQ, q)
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(s.cfg.Renderers)) {
			if r := s.cfg.Renderers[name]; strings.EqualFold(r.ContentType(), mt) && q > bestQ {
				best, bestQ = r, q
			}
		}
	}
	if best == nil || jsonQ >= bestQ {
		return nil
	}
	return best
}

// document renders one form through the cache and the worker pool, within
// the per-render time limit.
func (s *Server) document(ctx context.Context, r reports.Renderer, f *reports.Form, hash string) ([]byte, error) {
	format := r.Format()
	data, cached, err := s.cache.get(ctx, hash+"."+format, func() ([]byte, error) {
		var buf bytes.Buffer
		buf.Grow(128 << 10) // a form's PDF is 80–110 KB: one allocation, not ten
		start := time.Now()
		err := s.pool.do(ctx, func() error {
			rctx, cancel := context.WithTimeout(ctx, s.cfg.RenderTimeout)
			defer cancel()
			err := r.Render(rctx, &buf, f)
			if err == nil {
				err = rctx.Err() // a renderer that ignored the deadline
			}
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				return &reports.Error{Code: reports.EUNAVAILABLE, Message: fmt.Sprintf("rendering took longer than %s", s.cfg.RenderTimeout), Err: err}
			}
			return err
		})
		switch {
		case err == errBusy:
			s.metrics.render(format, "rejected", 0)
		case err != nil:
			s.metrics.render(format, "error", 0)
		default:
			s.metrics.render(format, "ok", time.Since(start))
		}
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", format, err)
		}
		return buf.Bytes(), nil
	})
	if cached && err == nil {
		s.metrics.render(format, "cached", 0)
	}
	return data, err
}

// docETag is the entity tag of a document: content hash, process epoch
// and format.
func docETag(hash, format string) string {
	return `"` + hash[:32] + "." + documentEpoch + "." + format + `"`
}

// documentEpoch changes every time the process starts, so that a browser
// holding a document rendered by an older build (or other fonts or
// families) never gets 304 for it. It is set once and never changed.
var documentEpoch = func() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

// contentDisposition names a download so that Chinese names survive every
// browser: the RFC 5987 UTF-8 filename* and, for clients without it (curl
// -OJ), an ASCII filename. A name that is plain ASCII is both; otherwise
// the fallback, a short readable name ("2020-form-1.pdf"), stands in for
// it rather than a row of underscores.
func contentDisposition(disposition, name, fallback string) string {
	plain := make([]rune, 0, len(name))
	ascii := true
	for _, r := range name {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' || r == ';' {
			r, ascii = '_', false
		}
		plain = append(plain, r)
	}
	if !ascii && fallback != "" {
		plain = []rune(contentDisposition("", fallback, "")[len(`; filename="`):])
		plain = plain[:strings.IndexRune(string(plain), '"')]
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disposition, string(plain), rfc5987(name))
}

// docFallback is the ASCII name of a form's document: "2020-form-12.pdf"
// for a stored form, "2020-form.pdf" for one rendered without storing.
func docFallback(f *reports.Form, id int64, ext string) string {
	year := "form"
	if f.Year != 0 {
		year = fmt.Sprintf("%d-form", f.Year)
	}
	if id > 0 {
		return fmt.Sprintf("%s-%d.%s", year, id, ext)
	}
	return year + "." + ext
}

// rfc5987 percent-encodes everything but RFC 5987 attr-chars.
func rfc5987(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attr, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// matchesETag reports whether an If-None-Match header names etag.
func matchesETag(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// sendDocument answers one rendered document.
func (s *Server) sendDocument(c *echo.Context, r reports.Renderer, f *reports.Form, id int64, hash string) error {
	etag := docETag(hash, r.Format())
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	if matchesETag(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	data, err := s.document(c.Request().Context(), r, f, hash)
	if err != nil {
		return err
	}
	disposition := "inline" // shown by the browser (PDF preview); ?download=1 saves it
	if d := c.QueryParam("download"); d == "1" || d == "true" {
		disposition = "attachment"
	}
	h.Set("Content-Disposition", contentDisposition(disposition, f.FileName()+"."+r.Format(), docFallback(f, id, r.Format())))
	return c.Blob(http.StatusOK, r.ContentType(), data)
}

// rowsPerForm is what a form's fixed part (title, fields, budget, goals)
// weighs against MaxRenderRows, next to its indicator rows.
const rowsPerForm = 25

// renderRows is the size of a render request in table rows.
func renderRows(forms []reports.Form) int {
	n := 0
	for i := range forms {
		n += rowsPerForm + len(forms[i].Indicators)
	}
	return n
}

// familyOf is the name of the family a form is laid out with.
func (s *Server) familyOf(f *reports.Form) string {
	if f.Family != "" {
		return f.Family
	}
	if s.cfg.Families != nil {
		return s.cfg.Families.Default().Name
	}
	return ""
}

// zipTime is the modification time of archive entries: fixed, so the
// same forms give the same archive, and the earliest an MS-DOS date holds.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// render is POST /api/v1/render: stateless, nothing stored. The format is
// ?format=, else the document type Accept asks for, else PDF.
func (s *Server) render(c *echo.Context) error {
	format := c.QueryParam("format")
	if format == "" {
		if r := s.acceptedRenderer(c.Request().Header.Get("Accept")); r != nil {
			format = r.Format()
		}
	}
	r, err := s.renderer(format)
	if err != nil {
		return err
	}
	forms, _, err := s.readForms(c)
	if err != nil {
		return err
	}
	// Refused up front, from what the body holds, rather than rendered
	// for minutes and cut off by the write timeout.
	if rows := renderRows(forms); rows > s.cfg.MaxRenderRows {
		return reports.Errorf(reports.ETOOLARGE, "the body's %d forms make %d table rows (%d per form plus its indicators); at most %d are rendered in one request: split it, or store the forms and start a batch",
			len(forms), rows, rowsPerForm, s.cfg.MaxRenderRows)
	}
	var fams []string
	for i := range forms {
		if name := s.familyOf(&forms[i]); name != "" && !slices.Contains(fams, name) {
			fams = append(fams, name)
		}
	}
	if len(fams) > 0 {
		c.Response().Header().Set("X-Reportd-Family", strings.Join(fams, ","))
	}
	if len(forms) == 1 {
		return s.sendDocument(c, r, &forms[0], 0, store.FormHash(&forms[0]))
	}
	// Several forms: a zip of one document each, named like the CLI names
	// files, rendered one after another so one request holds one worker.
	// The whole request has the render time limit, so that it is answered
	// (with 503 if need be) before the server's write timeout cuts it.
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RenderTimeout)
	defer cancel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	used := map[string]bool{}
	for i := range forms {
		data, err := s.document(ctx, r, &forms[i], store.FormHash(&forms[i]))
		if err != nil && ctx.Err() != nil && c.Request().Context().Err() == nil {
			return &reports.Error{Code: reports.EUNAVAILABLE, Err: err, Message: fmt.Sprintf(
				"rendering %d forms took longer than %s (%d done): split the request, or store the forms and start a batch", len(forms), s.cfg.RenderTimeout, i)}
		}
		if err != nil {
			return fmt.Errorf("form %d: %w", i+1, err)
		}
		// "X (2)" may itself be a project's name: count until free.
		name := forms[i].FileName()
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s (%d)", forms[i].FileName(), n)
		}
		used[name] = true
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name + "." + r.Format(), Method: zip.Store, Modified: zipTime, Flags: 0x800})
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", contentDisposition("attachment", fmt.Sprintf("reportd-%d-%s.zip", len(forms), r.Format()), ""))
	return c.Blob(http.StatusOK, "application/zip", buf.Bytes())
}
