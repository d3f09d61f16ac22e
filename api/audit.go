package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

// auditJSON is an audit log entry as answered.
type auditJSON struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	TokenID int64     `json:"actor_token_id"` // 0: the command line
	Actor   string    `json:"actor"`
	Remote  string    `json:"remote"`
	Action  string    `json:"action"`
	FormID  int64     `json:"form_id,omitempty"`
	Version int       `json:"version,omitempty"`
	Subject int64     `json:"token_id,omitempty"`
	Detail  string    `json:"detail"`
}

// intParam reads an optional non-negative integer query parameter.
func intParam(c *echo.Context, name string) (int64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, &reports.Error{Code: reports.EINVALID, Message: "query parameter " + name + " must be a whole number",
			Problems: reports.Problems{{Severity: reports.SeverityError, Path: name, Message: "不是整数：" + v}}}
	}
	return n, nil
}

// audit is GET /api/v1/audit (admins): who changed which form or token,
// signed in or out, when and from where; newest first, ?form=ID,
// ?before=ID (the next page), ?limit=N (100, at most 1000).
func (s *Server) audit(c *echo.Context) error {
	var f store.AuditFilter
	var limit int64
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"form", &f.FormID}, {"before", &f.Before}, {"limit", &limit}} {
		n, err := intParam(c, p.name)
		if err != nil {
			return err
		}
		*p.dst = n
	}
	f.Limit = int(min(limit, 1000))
	es, err := s.cfg.Store.Audit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Entries []auditJSON `json:"entries"`
		Next    string      `json:"next,omitempty"`
	}{Entries: make([]auditJSON, 0, len(es))}
	for _, e := range es {
		out.Entries = append(out.Entries, auditJSON{ID: e.ID, At: e.At, TokenID: e.Actor.TokenID, Actor: e.Actor.Name, Remote: e.Actor.Remote,
			Action: e.Action, FormID: e.FormID, Version: e.Version, Subject: e.TokenID, Detail: e.Detail})
	}
	if n := len(es); n > 0 && n == f.Normalize().Limit {
		q := c.Request().URL.Query()
		q.Set("before", strconv.FormatInt(es[n-1].ID, 10))
		out.Next = "/api/v1/audit?" + q.Encode()
	}
	return c.JSON(http.StatusOK, out)
}

// endSessions is DELETE /api/v1/sessions (admins): signs every clerk out
// everywhere, or only the sessions of ?token=ID; says how many ended.
func (s *Server) endSessions(c *echo.Context) error {
	id, err := intParam(c, "token")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	n, err := s.cfg.Store.DeleteSessions(ctx, id)
	if err != nil {
		return err
	}
	detail := "every session"
	if id != 0 {
		detail = "the sessions of token " + strconv.FormatInt(id, 10)
	}
	if err := s.cfg.Store.Record(ctx, store.AuditEntry{Action: store.AuditSignOutAll, TokenID: id, Detail: detail + ": " + strconv.Itoa(n)}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"ended": n})
}
