package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
)

// errorBody is every error answer.
type errorBody struct {
	Error     string    `json:"error"`
	Code      string    `json:"code"`
	Problems  []problem `json:"problems,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
}

// problem is a reports.Problem as sent: which form of the body (0-based),
// which field, which source line.
type problem struct {
	Form     int    `json:"form"`
	Severity string `json:"severity"`
	Path     string `json:"path"`
	Label    string `json:"label,omitempty"`
	Line     int    `json:"line,omitempty"`
	Cell     string `json:"cell,omitempty"` // "绩效目标表!G14" for a workbook
	Message  string `json:"message"`
}

func problemsOf(form int, ps reports.Problems) []problem {
	out := make([]problem, 0, len(ps))
	for _, p := range ps {
		label := ""
		if p.Path != "" {
			label = p.Label()
		}
		out = append(out, problem{Form: form, Severity: string(p.Severity), Path: p.Path, Label: label, Line: p.Line, Cell: p.Cell, Message: p.Message})
	}
	return out
}

// invalid is a 422 error carrying problems of several forms.
type invalid struct {
	msg      string
	problems []problem
}

func (e *invalid) Error() string { return e.msg }

// statusOf is THE mapping from reportd error codes to HTTP statuses.
func statusOf(code string, r *http.Request) int {
	switch code {
	case reports.EINVALID:
		return http.StatusUnprocessableEntity
	case reports.ENOTFOUND:
		return http.StatusNotFound
	case reports.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case reports.EFORBIDDEN:
		return http.StatusForbidden
	case reports.ECONFLICT:
		// A stale If-Match is a failed precondition (RFC 9110 §13.1.1).
		if r.Header.Get("If-Match") != "" {
			return http.StatusPreconditionFailed
		}
		return http.StatusConflict
	case reports.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case reports.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case reports.EPRECONDITION:
		return http.StatusPreconditionRequired
	case reports.EGONE:
		return http.StatusGone
	case reports.ETIMEOUT:
		return http.StatusRequestTimeout
	case reports.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// writeError answers err as JSON. Internal causes are logged with the
// request id and replaced by a generic message.
func (s *Server) writeError(c *echo.Context, err error) {
	if resp, _ := echo.UnwrapResponse(c.Response()); resp != nil && resp.Committed {
		s.log.Warn("error after response started", "err", err, "request_id", requestID(c))
		return
	}
	body := errorBody{RequestID: requestID(c)}
	var status int
	var inv *invalid
	var mbe *http.MaxBytesError
	var sc echo.HTTPStatusCoder
	switch {
	case errors.As(err, &inv):
		status, body.Code, body.Error, body.Problems = http.StatusUnprocessableEntity, reports.EINVALID, inv.msg, inv.problems
	case errors.As(err, &mbe):
		status, body.Code, body.Error = http.StatusRequestEntityTooLarge, reports.ETOOLARGE, "request body is larger than "+strconv.FormatInt(mbe.Limit, 10)+" bytes"
	case reports.ErrorCode(err) != reports.EINTERNAL:
		// A *reports.Error somewhere in the chain.
		code := reports.ErrorCode(err)
		status, body.Code, body.Error = statusOf(code, c.Request()), code, reports.ErrorMessage(err)
		var re *reports.Error
		if errors.As(err, &re) && len(re.Problems) > 0 {
			body.Problems = problemsOf(0, re.Problems)
		}
	case errors.As(err, &sc) && sc.StatusCode() != http.StatusInternalServerError:
		// Echo's own: unknown route (404), wrong method (405), …, and
		// ours (415) whose message says what to send instead.
		status, body.Code, body.Error = sc.StatusCode(), codeOfStatus(sc.StatusCode()), http.StatusText(sc.StatusCode())
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Message != "" && status < 500 {
			body.Error = he.Message
		}
	case errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil:
		// The client went away: nobody reads the answer.
		status, body.Code, body.Error = 499, reports.EUNAVAILABLE, "client closed request"
	default:
		status, body.Code, body.Error = http.StatusInternalServerError, reports.EINTERNAL, "internal error"
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		s.log.Error("request failed", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path, "request_id", body.RequestID)
	}
	h := c.Response().Header()
	switch status {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="reportd"`)
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		h.Set("Retry-After", "1")
	}
	// Error answers are never cached; a document's Content-Disposition must
	// not survive into a JSON error.
	h.Del("Content-Disposition")
	h.Del("ETag")
	h.Set("Cache-Control", "no-store")
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	if err := c.JSON(status, body); err != nil {
		s.log.Warn("write error answer", "err", err)
	}
}

func codeOfStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return reports.ENOTFOUND
	case http.StatusUnauthorized:
		return reports.EUNAUTHORIZED
	case http.StatusForbidden:
		return reports.EFORBIDDEN
	case http.StatusRequestEntityTooLarge:
		return reports.ETOOLARGE
	case http.StatusServiceUnavailable:
		return reports.EUNAVAILABLE
	case http.StatusRequestTimeout:
		return reports.ETIMEOUT
	case http.StatusTooManyRequests:
		return reports.ETOOMANY
	}
	if status < 500 {
		return reports.EINVALID
	}
	return reports.EINTERNAL
}

func requestID(c *echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
