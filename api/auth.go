package api

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

type tokenKey struct{}

// WithToken returns ctx carrying the caller's token. Another
// authentication layer (cookie sessions of the web pages) sets it before
// the API's handlers run; they then skip the bearer header.
func WithToken(ctx context.Context, t store.Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, t)
}

// TokenFrom returns the caller's token, if authenticated.
func TokenFrom(ctx context.Context) (store.Token, bool) {
	t, ok := ctx.Value(tokenKey{}).(store.Token)
	return t, ok
}

// VerifyToken returns the live token whose secret is given, or an
// EUNAUTHORIZED error that does not say why (unknown, revoked, malformed).
func VerifyToken(ctx context.Context, tokens store.TokenStore, secret string) (store.Token, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return store.Token{}, reports.Errorf(reports.EUNAUTHORIZED, "missing bearer token")
	}
	t, err := tokens.TokenByHash(ctx, store.HashToken(secret))
	if reports.ErrorCode(err) == reports.ENOTFOUND {
		return store.Token{}, reports.Errorf(reports.EUNAUTHORIZED, "invalid token")
	}
	if err != nil {
		return store.Token{}, err
	}
	return t, nil
}

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(h string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// require authenticates the caller and admits the given roles.
func (s *Server) require(roles ...store.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			r := c.Request()
			t, ok := TokenFrom(r.Context())
			if !ok {
				var err error
				t, err = VerifyToken(r.Context(), s.cfg.Store, bearer(r.Header.Get("Authorization")))
				if err != nil {
					return err
				}
				c.SetRequest(r.WithContext(s.authenticated(c, t)))
			}
			if !slices.Contains(roles, t.Role) {
				return reports.Errorf(reports.EFORBIDDEN, "a %s token may not do this", t.Role)
			}
			return next(c)
		}
	}
}

// authenticated returns the request's context carrying its token and, for
// the audit log, who the actor is; it records the token's use (at most a
// write a minute).
func (s *Server) authenticated(c *echo.Context, t store.Token) context.Context {
	ctx := c.Request().Context()
	if time.Since(t.LastUsed) >= store.TokenTouchEvery {
		if err := s.cfg.Store.TokenUsed(ctx, t.ID); err != nil {
			s.log.Warn("record token use", "err", err, "token_id", t.ID)
		}
	}
	return store.WithActor(WithToken(ctx, t), actorOf(c, t))
}

// actorOf names a token for the audit log.
func actorOf(c *echo.Context, t store.Token) store.Actor {
	name := t.Name
	if name == "" {
		name = fmt.Sprintf("%s token #%d", t.Role, t.ID)
	}
	return store.Actor{TokenID: t.ID, Name: name, Remote: c.RealIP()}
}

// caller is the authenticated token of a request that passed require.
func caller(c *echo.Context) store.Token {
	t, _ := TokenFrom(c.Request().Context())
	return t
}
