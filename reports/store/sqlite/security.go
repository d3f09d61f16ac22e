package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

// savedBy scans a form row followed by the name of who saved it.
type savedBy struct {
	row  scanner
	name *string
}

func (s savedBy) Scan(dest ...any) error { return s.row.Scan(append(dest, s.name)...) }

// audit adds an entry in tx, with the actor of ctx.
func (s *DB) audit(ctx context.Context, tx *sql.Tx, e store.AuditEntry) error {
	a := store.ActorFrom(ctx)
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor_token, actor_name, remote, action, form_id, version, token_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.stamp(), a.TokenID, a.Name, a.Remote, e.Action, e.FormID, e.Version, e.TokenID, e.Detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// Record adds an audit entry.
func (s *DB) Record(ctx context.Context, e store.AuditEntry) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.audit(ctx, tx, e) })
}

// Audit returns audit entries, newest first.
func (s *DB) Audit(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	f = f.Normalize()
	q := `SELECT id, at, actor_token, actor_name, remote, action, form_id, version, token_id, detail FROM audit WHERE 1 = 1`
	var args []any
	if f.FormID != 0 {
		q += " AND form_id = ?"
		args = append(args, f.FormID)
	}
	if f.Before != 0 {
		q += " AND id < ?"
		args = append(args, f.Before)
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	out := []store.AuditEntry{}
	for rows.Next() {
		var e store.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Actor.TokenID, &e.Actor.Name, &e.Actor.Remote, &e.Action, &e.FormID, &e.Version, &e.TokenID, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CreateSession stores a new session and drops expired ones.
func (s *DB) CreateSession(ctx context.Context, sess store.Session) (store.Session, error) {
	now := s.stamp()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, token_id, created_at, last_seen_at, expires_at, remote) VALUES (?, ?, ?, ?, ?, ?)`,
			sess.ID, sess.TokenID, now, now, store.Timestamp(sess.Expires).Format(timeFormat), sess.Remote)
		return err
	})
	if err != nil {
		return sess, fmt.Errorf("create session: %w", err)
	}
	sess.Created, _ = parseTime(now)
	sess.LastSeen, sess.Expires = sess.Created, store.Timestamp(sess.Expires)
	return sess, nil
}

// UseSession returns a live session and its token, and records its use.
func (s *DB) UseSession(ctx context.Context, id string, idle time.Duration) (store.Session, store.Token, error) {
	now := s.now()
	stamp := store.Timestamp(now).Format(timeFormat)
	var sess store.Session
	var created, seen, expires string
	err := s.db.QueryRowContext(ctx, `SELECT id, token_id, created_at, last_seen_at, expires_at, remote FROM sessions WHERE id = ? AND expires_at > ?`,
		id, stamp).Scan(&sess.ID, &sess.TokenID, &created, &seen, &expires, &sess.Remote)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, store.Token{}, reports.Errorf(reports.ENOTFOUND, "no such session")
	}
	if err != nil {
		return sess, store.Token{}, fmt.Errorf("use session: %w", err)
	}
	for _, v := range []struct {
		s   string
		dst *time.Time
	}{{created, &sess.Created}, {seen, &sess.LastSeen}, {expires, &sess.Expires}} {
		if *v.dst, err = parseTime(v.s); err != nil {
			return sess, store.Token{}, err
		}
	}
	if idle > 0 && now.Sub(sess.LastSeen) > idle {
		return sess, store.Token{}, reports.Errorf(reports.ENOTFOUND, "session idle too long")
	}
	tok, err := scanToken(s.db.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)", sess.TokenID, stamp))
	if errors.Is(err, sql.ErrNoRows) {
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
		if _, err := s.db.ExecContext(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", stamp, id); err != nil {
			return sess, tok, fmt.Errorf("use session: %w", err)
		}
		sess.LastSeen, _ = parseTime(stamp)
	}
	return sess, tok, nil
}

// DeleteSession ends a session.
func (s *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessions ends the sessions of a token, or all when tokenID is 0.
func (s *DB) DeleteSessions(ctx context.Context, tokenID int64) (int, error) {
	res, err := s.db.ExecContext(ctx, "DELETE FROM sessions WHERE token_id = ? OR ? = 0", tokenID, tokenID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
