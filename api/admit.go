package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
)

// Admission of requests that carry a body, in this order:
//
//  1. the caller is known (require / the pages' session check ran first):
//     requests without a token never reach the shared capacity;
//  2. the caller's own budget: at most PerCallerBodies requests of one
//     token hold a body at once (429 past it), so one token cannot take
//     the shared slots from the others;
//  3. the body is read in full under a deadline and a minimum rate
//     (408 when it stalls): a slow body only ever holds its caller's
//     own budget;
//  4. only then a shared slot (s.bodies, 503 when full) for parsing and
//     rendering, which are quick now that the body is in memory.

// callers counts the requests each token has in flight.
type callers struct {
	mu    sync.Mutex
	max   int
	count map[string]int
}

func newCallers(max int) *callers { return &callers{max: max, count: map[string]int{}} }

// take reserves one of id's slots; false when id already holds max.
func (c *callers) take(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.count[id] >= c.max {
		return false
	}
	c.count[id]++
	return true
}

func (c *callers) release(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.count[id]--; c.count[id] <= 0 {
		delete(c.count, id)
	}
}

var errSlowBody = reports.Errorf(reports.ETIMEOUT, "the request body arrived too slowly; send it at once")

// readWithin reads r's body, at most limit bytes, requiring it to arrive
// within grace plus one second per minRate bytes and never after
// deadline. The connection's read deadline enforces it, so a stalled
// client is cut off while blocked, not after its next byte; where the
// connection has no deadlines (a test recorder) elapsed time is checked
// between reads.
func readWithin(w http.ResponseWriter, r *http.Request, limit int64, grace time.Duration, minRate int64, total time.Duration) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	start := time.Now()
	end := start.Add(total)
	rc := http.NewResponseController(w)
	due := func(n int64) time.Time {
		d := start.Add(grace + time.Duration(float64(n+1)/float64(minRate)*float64(time.Second)))
		if d.After(end) {
			return end
		}
		return d
	}
	deadlines := rc.SetReadDeadline(due(0)) == nil
	if deadlines {
		// Whatever happens, the connection must not keep a deadline the
		// handler's later work (or net/http's own read that notices a
		// client leaving) would run into.
		defer rc.SetReadDeadline(time.Time{})
	}
	size := r.ContentLength
	if size < 0 || size > limit {
		size = 0
	}
	buf := bytes.NewBuffer(make([]byte, 0, min(size, 1<<20)+512))
	body := io.LimitReader(r.Body, limit+1)
	chunk := make([]byte, 32<<10)
	for {
		n, err := body.Read(chunk)
		buf.Write(chunk[:n])
		got := int64(buf.Len())
		if got > limit {
			return nil, &http.MaxBytesError{Limit: limit}
		}
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				return nil, err
			case errors.Is(err, os.ErrDeadlineExceeded):
				return nil, errSlowBody
			}
			return nil, &reports.Error{Code: reports.EINVALID, Message: "cannot read request body", Err: err}
		}
		now := time.Now()
		if now.After(due(got)) {
			return nil, errSlowBody
		}
		if deadlines {
			rc.SetReadDeadline(due(got))
		}
	}
}

// admitBody is the admission of a request with a body (see the top of
// this file). The caller must be authenticated already.
func (s *Server) admitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		tok, ok := TokenFrom(c.Request().Context())
		if !ok {
			// A route wired without authentication first: refuse rather
			// than let an anonymous body take shared capacity.
			return reports.Errorf(reports.EUNAUTHORIZED, "sign in first")
		}
		if !s.callers.take(tok.Hash) {
			s.metrics.reject()
			return reports.Errorf(reports.ETOOMANY, "this token already has %d requests with bodies in progress; wait for one to finish", s.cfg.PerCallerBodies)
		}
		defer s.callers.release(tok.Hash)
		r := c.Request()
		data, err := readWithin(c.Response(), r, s.cfg.BodyLimit+64<<10, s.cfg.BodyGrace, s.cfg.MinBodyRate, s.cfg.ReadTimeout)
		if err != nil {
			var mbe *http.MaxBytesError
			if reports.ErrorCode(err) == reports.ETIMEOUT || errors.As(err, &mbe) {
				// The rest of the body is not worth reading: close.
				c.Response().Header().Set("Connection", "close")
			}
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.ContentLength = int64(len(data))
		select {
		case s.bodies <- struct{}{}:
		default:
			s.metrics.reject()
			return reports.Errorf(reports.EUNAVAILABLE, "too many requests in progress; retry shortly")
		}
		defer func() { <-s.bodies }()
		return next(c)
	}
}
