package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/reportd/reportd/reports"
)

// Session is a signed-in web session, kept in the store so that it can be
// ended (sign-out, token revocation, "sign out everywhere") and is valid on
// every replica that shares the store. The cookie carries a random id;
// only its SessionHash is stored.
type Session struct {
	ID       string // SessionHash of the cookie's id
	TokenID  int64
	Created  time.Time
	LastSeen time.Time
	Expires  time.Time // absolute end, whatever the activity
	Remote   string    // address it was opened from
}

// SessionHash is the stored form of a session id.
func SessionHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// SessionTouchEvery is how stale LastSeen may be before UseSession
// writes it again: one write a minute per session, not one per request
// (more often when the idle limit is under two minutes, so that activity
// always keeps a session alive).
const SessionTouchEvery = time.Minute

// SessionStore keeps web sessions. Revoking a token ends its sessions.
type SessionStore interface {
	// CreateSession stores s (ID, TokenID and Expires set; Created and
	// LastSeen are now) and drops sessions that have expired.
	CreateSession(ctx context.Context, s Session) (Session, error)
	// UseSession returns the session with id and its live token if it has
	// not expired and was last used within idle (0: no idle limit), and
	// records the use. ENOTFOUND otherwise.
	UseSession(ctx context.Context, id string, idle time.Duration) (Session, Token, error)
	// DeleteSession ends one session; ending one that does not exist is
	// not an error (a second sign-out).
	DeleteSession(ctx context.Context, id string) error
	// DeleteSessions ends every session of a token, or of every token
	// when tokenID is 0, and says how many there were.
	DeleteSessions(ctx context.Context, tokenID int64) (int, error)
}

// Actor is who makes a change: the token (its id and name, never its
// secret) and the address the request came from. Stores record it in the
// audit log in the same transaction as the change.
type Actor struct {
	TokenID int64  // 0 for the command line
	Name    string // token name, or "command line (user@host)"
	Remote  string
}

type actorKey struct{}

// WithActor returns ctx carrying who makes the changes done with it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx; an unnamed actor when none was set.
func ActorFrom(ctx context.Context) Actor {
	a, ok := ctx.Value(actorKey{}).(Actor)
	if !ok || a.Name == "" {
		a.Name = "unknown"
	}
	return a
}

// Audit actions.
const (
	AuditFormCreate  = "form.create"
	AuditFormUpdate  = "form.update"
	AuditFormDelete  = "form.delete"
	AuditTokenCreate = "token.create"
	AuditTokenRevoke = "token.revoke"
	AuditSignIn      = "session.signin"
	AuditSignOut     = "session.signout"
	AuditSignOutAll  = "session.signout_all"
	AuditBatchStart  = "batch.start"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID      int64
	At      time.Time
	Actor   Actor
	Action  string
	FormID  int64  // the form changed, with the version it made (0 if none)
	Version int    //
	TokenID int64  // the token created or revoked, or whose sessions ended
	Detail  string // e.g. the form's 项目名称, a token's name and role
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	FormID int64 // 0: all
	Before int64 // entries with a smaller id (paging); 0: from the newest
	Limit  int   // 0 means 100; at most 1000
}

// Normalize returns f with Limit in range.
func (f AuditFilter) Normalize() AuditFilter {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 1000)
	return f
}

// AuditStore keeps the audit log. Form and token changes are recorded by
// the stores themselves, with the Actor of their context.
type AuditStore interface {
	// Record adds an entry (sign-ins and other events the store does not
	// see itself); At and Actor come from the store's clock and ctx.
	Record(ctx context.Context, e AuditEntry) error
	// Audit returns entries, newest first.
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// FormDetail is how the audit log names a form.
func FormDetail(f *reports.Form) string {
	return fmt.Sprintf("%d %s %s", f.Year, f.Unit, f.Project)
}

// TokenDetail is how the audit log names a token.
func TokenDetail(t Token) string {
	d := fmt.Sprintf("%s (%s", t.Name, t.Role)
	if len(t.Units) > 0 {
		d += ": " + strings.Join(t.Units, "、")
	}
	if !t.Expires.IsZero() {
		d += ", expires " + t.Expires.UTC().Format(time.RFC3339)
	}
	return d + ")"
}
