package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

// savedBy scans a form row followed by the name of who saved it.
type savedBy struct {
	row  pgx.Row
	name *string
}

func (s savedBy) Scan(dest ...any) error { return s.row.Scan(append(dest, s.name)...) }

// audit adds an entry in tx, with the actor of ctx.
func (s *DB) audit(ctx context.Context, tx pgx.Tx, e store.AuditEntry) error {
	a := store.ActorFrom(ctx)
	_, err := tx.Exec(ctx, `INSERT INTO audit (at, actor_token, actor_name, remote, action, form_id, version, token_id, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, s.stamp(), a.TokenID, a.Name, a.Remote, e.Action, e.FormID, e.Version, e.TokenID, e.Detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Record adds an audit entry.
func (s *DB) Record(ctx context.Context, e store.AuditEntry) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return s.audit(ctx, tx, e) })
}

// Audit returns audit entries, newest first.
func (s *DB) Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	f = f.Normalize()
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor_token, actor_name, remote, action, form_id, version, token_id, detail FROM audit
		WHERE ($1 = 0 OR form_id = $1) AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, f.FormID, f.Before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	out := []store.AuditEntry{}
	for rows.Next() {
		var e store.AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor.TokenID, &e.Actor.Name, &e.Actor.Remote, &e.Action, &e.FormID, &e.Version, &e.TokenID, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// CreateSession stores a new session and drops expired ones.
func (s *DB) CreateSession(ctx context.Context, sess store.Session) (store.Session, error) {
	now := s.stamp()
	sess.Created, sess.LastSeen, sess.Expires = now, now, store.Timestamp(sess.Expires)
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM sessions WHERE expires_at <= $1", now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id, token_id, created_at, last_seen_at, expires_at, remote) VALUES ($1, $2, $3, $3, $4, $5)`,
			sess.ID, sess.TokenID, now, sess.Expires, sess.Remote)
		return err
	})
	if err != nil {
		return sess, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// UseSession returns a live session and its token, and records its use.
func (s *DB) UseSession(ctx context.Context, id string, idle time.Duration) (store.Session, store.Token, error) {
	now := s.stamp()
	var sess store.Session
	err := s.pool.QueryRow(ctx, `SELECT id, token_id, created_at, last_seen_at, expires_at, remote FROM sessions WHERE id = $1 AND expires_at > $2`,
		id, now).Scan(&sess.ID, &sess.TokenID, &sess.Created, &sess.LastSeen, &sess.Expires, &sess.Remote)
	if errors.Is(err, pgx.ErrNoRows) {
		return sess, store.Token{}, reports.Errorf(reports.ENOTFOUND, "no such session")
	}
	if err != nil {
		return sess, store.Token{}, fmt.Errorf("use session: %w", err)
	}
	sess.Created, sess.LastSeen, sess.Expires = sess.Created.UTC(), sess.LastSeen.UTC(), sess.Expires.UTC()
	if idle > 0 && now.Sub(sess.LastSeen) > idle {
		return sess, store.Token{}, reports.Errorf(reports.ENOTFOUND, "session idle too long")
	}
	tok, err := scanToken(s.pool.QueryRow(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = $1 AND (expires_at IS NULL OR expires_at > $2)", sess.TokenID, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return sess, tok, reports.Errorf(reports.ENOTFOUND, "the session's token is gone")
	}
	if err != nil {
		return sess, tok, fmt.Errorf("use session: %w", err)
	}
	touch := store.SessionTouchEvery
	if idle > 0 {
		touch = min(touch, idle/2)
	}
	if now.Sub(sess.LastSeen) >= touch {
		if _, err := s.pool.Exec(ctx, "UPDATE sessions SET last_seen_at = $1 WHERE id = $2", now, id); err != nil {
			return sess, tok, fmt.Errorf("use session: %w", err)
		}
		sess.LastSeen = now
	}
	return sess, tok, nil
}

// DeleteSession ends a session.
func (s *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessions ends the sessions of a token, or all when tokenID is 0.
func (s *DB) DeleteSessions(ctx context.Context, tokenID int64) (int, error) {
	tag, err := s.pool.Exec(ctx, "DELETE FROM sessions WHERE token_id = $1 OR $1 = 0", tokenID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
