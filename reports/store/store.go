package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/reportd/reportd/reports"
)

// StoredForm is a form as kept by a store: its identity, its optimistic
// concurrency version and the hash of its content.
type StoredForm struct {
	ID      int64
	Version int // 1 when created, +1 on every change
	Form    reports.Form
	// Hash is FormHash(&Form): equal forms have equal hashes, so rendered
	// documents can be cached by it.
	Hash    string
	Created time.Time
	Updated time.Time
	// SavedBy is who saved this version (the audit log's actor name), in
	// FormVersions; "" where the log has no entry (versions older than it).
	SavedBy string
}

// ListFilter selects forms. Zero fields select everything.
type ListFilter struct {
	Year  int
	Unit  string // exact 申报单位名称
	Query string // substring of 项目名称 (ASCII letters in any case); Unit filters units
	// Units, when not nil, restricts the result to these units (a clerk's
	// scope). An empty non-nil slice selects nothing.
	Units    []string
	Page     int // 1-based; 0 means 1
	PageSize int // 0 means DefaultPageSize; capped at MaxPageSize
}

const (
	DefaultPageSize = 50
	MaxPageSize     = 500
	// MaxPage keeps Offset far from overflowing: pages past it are as
	// empty as any page past the last form.
	MaxPage = 1_000_000_000
)

// Normalize returns f with Page and PageSize in range.
func (f ListFilter) Normalize() ListFilter {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.Page > MaxPage {
		f.Page = MaxPage
	}
	if f.PageSize <= 0 {
		f.PageSize = DefaultPageSize
	}
	if f.PageSize > MaxPageSize {
		f.PageSize = MaxPageSize
	}
	return f
}

// Offset is the number of rows before the page.
func (f ListFilter) Offset() int { return (f.Page - 1) * f.PageSize }

// FormPage is one page of a listing, newest change first.
type FormPage struct {
	Forms    []StoredForm
	Total    int // forms matching the filter, all pages
	Page     int
	PageSize int
}

// FormStore keeps forms with their history.
//
// Errors are *reports.Error: ENOTFOUND for an unknown or deleted id,
// ECONFLICT when the expected version is not the current one.
type FormStore interface {
	// CreateForms stores all forms in one transaction: all or none.
	CreateForms(ctx context.Context, forms []reports.Form) ([]StoredForm, error)
	// Form returns the current version of a form.
	Form(ctx context.Context, id int64) (StoredForm, error)
	// ListForms returns one page of the current versions of forms.
	ListForms(ctx context.Context, filter ListFilter) (FormPage, error)
	// UpdateForm replaces the form if its current version is version, and
	// keeps the previous one in the history.
	UpdateForm(ctx context.Context, id int64, version int, f reports.Form) (StoredForm, error)
	// DeleteForm removes the form if its current version is version. Its
	// history is kept but no longer served.
	DeleteForm(ctx context.Context, id int64, version int) error
	// FormVersions returns every version of a live form, oldest first.
	FormVersions(ctx context.Context, id int64) ([]StoredForm, error)
}

// Token is an API credential. Only the hash of the secret is stored.
type Token struct {
	ID      int64
	Name    string // free text: who or what holds it
	Role    Role
	Units   []string // the 申报单位 a clerk may see; empty for other roles
	Hash    string   // HashToken of the secret
	Created time.Time
	// Expires is when the token stops working; zero means never. An
	// expired token is as unknown as a revoked one.
	Expires time.Time
	// LastUsed is the last time the token authenticated a request, to
	// the minute (TokenUsed); zero if never.
	LastUsed time.Time
}

// TokenTouchEvery is how stale LastUsed may be before TokenUsed writes it.
const TokenTouchEvery = time.Minute

// Role is what a token may do.
type Role string

const (
	RoleAdmin   Role = "admin"   // everything, every unit
	RoleClerk   Role = "clerk"   // forms of its units only
	RoleService Role = "service" // stateless rendering only
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleClerk || r == RoleService }

// Sees reports whether the token may see forms of unit.
func (t Token) Sees(unit string) bool {
	switch t.Role {
	case RoleAdmin:
		return true
	case RoleClerk:
		return slices.Contains(t.Units, unit)
	}
	return false
}

// TokenStore keeps API tokens.
type TokenStore interface {
	// CreateToken stores t (its Hash set, ID and Created ignored).
	CreateToken(ctx context.Context, t Token) (Token, error)
	// TokenByHash finds a live token; ENOTFOUND otherwise.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// Tokens lists live tokens, oldest first.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken deletes a token; ENOTFOUND when there is none.
	RevokeToken(ctx context.Context, id int64) error
	// CountTokens counts live tokens of a role.
	CountTokens(ctx context.Context, role Role) (int, error)
	// TokenUsed records that a token authenticated a request now (at most
	// one write per TokenTouchEvery).
	TokenUsed(ctx context.Context, id int64) error
}

// Store is what the service needs from one database.
type Store interface {
	FormStore
	ActualsStore
	TokenStore
	SessionStore
	AuditStore
	// Ping reports whether the database answers (readiness).
	Ping(ctx context.Context) error
	Close() error
}

// FormHash is the hex SHA-256 of the form's canonical JSON (reportd/form/v1
// field order, map keys sorted). It ignores where the form was read from.
func FormHash(f *reports.Form) string {
	_, hash := EncodeForm(f)
	return hash
}

// EncodeForm returns the JSON a store keeps for a form, and its FormHash.
func EncodeForm(f *reports.Form) (data string, hash string) {
	b, err := json.Marshal(f)
	if err != nil {
		// A Form is plain data (strings, ints, Money as text): Marshal
		// cannot fail on it.
		panic("store: marshal form: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return string(b), hex.EncodeToString(sum[:])
}

// CheckStorable refuses what a database column cannot hold the same way in
// both stores: PostgreSQL text cannot contain NUL, SQLite's can.
func CheckStorable(i int, f *reports.Form) error {
	for _, v := range []struct{ path, s string }{{"unit", f.Unit}, {"project", f.Project}} {
		if strings.ContainsRune(v.s, 0) {
			return &reports.Error{Code: reports.EINVALID, Message: fmt.Sprintf("form %d: %s contains a NUL character", i+1, reports.LabelOf(v.path)),
				Problems: reports.Problems{{Severity: reports.SeverityError, Path: v.path, Message: "含有 NUL 字符"}}}
		}
	}
	return nil
}

// DecodeForm reads what EncodeForm wrote.
func DecodeForm(data string) (reports.Form, error) {
	var f reports.Form
	if err := json.Unmarshal([]byte(data), &f); err != nil {
		return f, fmt.Errorf("decode stored form: %w", err)
	}
	return f, nil
}

// Timestamp is how stores record a moment: UTC, to the microsecond (what
// PostgreSQL keeps), so both stores give back exactly what they were given.
func Timestamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// NotFound is the error for a form or token that does not exist.
func NotFound(what string, id int64) error {
	return reports.Errorf(reports.ENOTFOUND, "%s %d not found", what, id)
}

// Stale is the error for a change against an old version.
func Stale(id int64, expected, current int) error {
	return reports.Errorf(reports.ECONFLICT, "form %d is at version %d, not %d", id, current, expected)
}
