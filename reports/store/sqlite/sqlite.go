package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ store.Store = (*DB)(nil)

// timeFormat is fixed width so that text order is time order.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// Options tune Open. The zero value is the production setting.
type Options struct {
	Now         func() time.Time // clock; time.Now when nil
	BusyTimeout time.Duration    // how long a writer waits for the lock; 5 s when 0
}

// DB is a form and token store in one SQLite file.
type DB struct {
	db  *sql.DB
	now func() time.Time
}

// Open opens (creating if needed) the database file at path, creating its
// directory with 0700 permissions, and applies pending migrations.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	// The database holds every form and the token hashes: only the
	// service's user may read it. SQLite creates its -wal and -shm files
	// with the database file's permissions.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Write transactions take the lock at BEGIN: two writers then queue on
	// the busy timeout instead of failing when one upgrades a read lock.
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// Keep connections open: each new one re-runs the pragmas, and
	// database/sql's default of two idle connections means reconnecting
	// on nearly every request under concurrent load.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &DB{db: db, now: opts.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// Ping checks that the database answers a query.
func (s *DB) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

func (s *DB) migrate(ctx context.Context) error {
	ms, err := store.ParseMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, s.stamp())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

func (s *DB) stamp() string { return store.Timestamp(s.now()).Format(timeFormat) }

func parseTime(v string) (time.Time, error) {
	t, err := time.Parse(timeFormat, v)
	if err != nil {
		return t, fmt.Errorf("stored time %q: %w", v, err)
	}
	return t, nil
}

// tx runs fn in a transaction, committing when it returns nil.
func (s *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// CreateForms stores forms in one transaction.
func (s *DB) CreateForms(ctx context.Context, forms []reports.Form) ([]StoredForm, error) {
	out := make([]StoredForm, 0, len(forms))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.stamp()
		for i := range forms {
			if err := store.CheckStorable(i, &forms[i]); err != nil {
				return err
			}
			data, hash := store.EncodeForm(&forms[i])
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO forms (version, year, unit, project, data, hash, created_at, updated_at)
				VALUES (1, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				forms[i].Year, forms[i].Unit, forms[i].Project, data, hash, now, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("insert form %d: %w", i+1, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO form_versions (form_id, version, data, hash, created_at) VALUES (?, 1, ?, ?, ?)`,
				id, data, hash, now); err != nil {
				return fmt.Errorf("insert form %d: %w", i+1, err)
			}
			if err := s.audit(ctx, tx, store.AuditEntry{Action: store.AuditFormCreate, FormID: id, Version: 1, Detail: store.FormDetail(&forms[i])}); err != nil {
				return err
			}
			t, _ := parseTime(now)
			f, err := store.DecodeForm(data)
			if err != nil {
				return err
			}
			out = append(out, StoredForm{ID: id, Version: 1, Form: f, Hash: hash, Created: t, Updated: t})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create forms: %w", err)
	}
	return out, nil
}

// StoredForm is store.StoredForm, named here for brevity.
type StoredForm = store.StoredForm

const formColumns = "id, version, data, hash, created_at, updated_at"

type scanner interface{ Scan(dest ...any) error }

func scanForm(row scanner) (StoredForm, error) {
	var sf StoredForm
	var data, created, updated string
	if err := row.Scan(&sf.ID, &sf.Version, &data, &sf.Hash, &created, &updated); err != nil {
		return sf, err
	}
	var err error
	if sf.Form, err = store.DecodeForm(data); err != nil {
		return sf, err
	}
	if sf.Created, err = parseTime(created); err != nil {
		return sf, err
	}
	sf.Updated, err = parseTime(updated)
	return sf, err
}

// Form returns the current version of a live form.
func (s *DB) Form(ctx context.Context, id int64) (StoredForm, error) {
	sf, err := scanForm(s.db.QueryRowContext(ctx, "SELECT "+formColumns+" FROM forms WHERE id = ? AND deleted_at IS NULL", id))
	if errors.Is(err, sql.ErrNoRows) {
		return sf, store.NotFound("form", id)
	}
	if err != nil {
		return sf, fmt.Errorf("get form %d: %w", id, err)
	}
	return sf, nil
}

// ListForms returns one page of live forms, most recently changed first.
func (s *DB) ListForms(ctx context.Context, filter store.ListFilter) (store.FormPage, error) {
	filter = filter.Normalize()
	page := store.FormPage{Page: filter.Page, PageSize: filter.PageSize, Forms: []StoredForm{}}
	where := []string{"deleted_at IS NULL"}
	var args []any
	if filter.Year != 0 {
		where = append(where, "year = ?")
		args = append(args, filter.Year)
	}
	if filter.Unit != "" {
		where = append(where, "unit = ?")
		args = append(args, filter.Unit)
	}
	if q := strings.TrimSpace(filter.Query); q != "" {
		where = append(where, "instr(lower(project), lower(?)) > 0")
		args = append(args, q)
	}
	if filter.Units != nil {
		if len(filter.Units) == 0 {
			return page, nil
		}
		where = append(where, "unit IN (?"+strings.Repeat(", ?", len(filter.Units)-1)+")")
		for _, u := range filter.Units {
			args = append(args, u)
		}
	}
	cond := strings.Join(where, " AND ")
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM forms WHERE "+cond, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("list forms: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+formColumns+" FROM forms WHERE "+cond+
		" ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?", append(args, filter.PageSize, filter.Offset())...)
	if err != nil {
		return page, fmt.Errorf("list forms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		sf, err := scanForm(rows)
		if err != nil {
			return page, fmt.Errorf("list forms: %w", err)
		}
		page.Forms = append(page.Forms, sf)
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("list forms: %w", err)
	}
	return page, nil
}

// checkVersion explains why a conditional change touched no row.
func checkVersion(ctx context.Context, tx *sql.Tx, id int64, version int) error {
	var current int
	err := tx.QueryRowContext(ctx, "SELECT version FROM forms WHERE id = ? AND deleted_at IS NULL", id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return store.NotFound("form", id)
	}
	if err != nil {
		return err
	}
	return store.Stale(id, version, current)
}

// UpdateForm replaces a form at the expected version.
func (s *DB) UpdateForm(ctx context.Context, id int64, version int, f reports.Form) (StoredForm, error) {
	var out StoredForm
	if err := store.CheckStorable(0, &f); err != nil {
		return out, err
	}
	data, hash := store.EncodeForm(&f)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.stamp()
		res, err := tx.ExecContext(ctx, `UPDATE forms SET version = version + 1, year = ?, unit = ?, project = ?, data = ?, hash = ?, updated_at = ?
			WHERE id = ? AND version = ? AND deleted_at IS NULL`,
			f.Year, f.Unit, f.Project, data, hash, now, id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return checkVersion(ctx, tx, id, version)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO form_versions (form_id, version, data, hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			id, version+1, data, hash, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, store.AuditEntry{Action: store.AuditFormUpdate, FormID: id, Version: version + 1, Detail: store.FormDetail(&f)}); err != nil {
			return err
		}
		out, err = scanForm(tx.QueryRowContext(ctx, "SELECT "+formColumns+" FROM forms WHERE id = ?", id))
		return err
	})
	if err != nil {
		return out, fmt.Errorf("update form %d: %w", id, err)
	}
	return out, nil
}

// DeleteForm removes a form at the expected version; its history stays in
// the database.
func (s *DB) DeleteForm(ctx context.Context, id int64, version int) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.stamp()
		res, err := tx.ExecContext(ctx, `UPDATE forms SET version = version + 1, updated_at = ?, deleted_at = ?
			WHERE id = ? AND version = ? AND deleted_at IS NULL`, now, now, id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return checkVersion(ctx, tx, id, version)
		}
		var year int
		var unit, project string
		if err := tx.QueryRowContext(ctx, "SELECT year, unit, project FROM forms WHERE id = ?", id).Scan(&year, &unit, &project); err != nil {
			return err
		}
		return s.audit(ctx, tx, store.AuditEntry{Action: store.AuditFormDelete, FormID: id, Version: version + 1,
			Detail: store.FormDetail(&reports.Form{Year: year, Unit: unit, Project: project})})
	})
	if err != nil {
		return fmt.Errorf("delete form %d: %w", id, err)
	}
	return nil
}

// FormVersions returns every version of a live form, oldest first.
func (s *DB) FormVersions(ctx context.Context, id int64) ([]StoredForm, error) {
	var out []StoredForm
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var created string
		err := tx.QueryRowContext(ctx, "SELECT created_at FROM forms WHERE id = ? AND deleted_at IS NULL", id).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFound("form", id)
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT v.form_id, v.version, v.data, v.hash, ?, v.created_at,
				coalesce((SELECT a.actor_name FROM audit a WHERE a.form_id = v.form_id AND a.version = v.version ORDER BY a.id LIMIT 1), '')
			FROM form_versions v WHERE v.form_id = ? ORDER BY v.version`, created, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var saver string
			sf, err := scanForm(savedBy{rows, &saver})
			if err != nil {
				return err
			}
			sf.SavedBy = saver
			out = append(out, sf)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("form %d versions: %w", id, err)
	}
	return out, nil
}

// CreateToken stores a token; its Hash must be set.
func (s *DB) CreateToken(ctx context.Context, t store.Token) (store.Token, error) {
	if !t.Role.Valid() {
		return t, reports.Errorf(reports.EINVALID, "unknown role %q (use admin, clerk or service)", t.Role)
	}
	if t.Hash == "" {
		return t, reports.Errorf(reports.EINVALID, "token hash is empty")
	}
	units, _ := json.Marshal(nonNil(t.Units))
	now := s.stamp()
	var expires any
	if !t.Expires.IsZero() {
		t.Expires = store.Timestamp(t.Expires)
		expires = t.Expires.Format(timeFormat)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO tokens (name, role, units, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			t.Name, string(t.Role), string(units), t.Hash, now, expires).Scan(&t.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, store.AuditEntry{Action: store.AuditTokenCreate, TokenID: t.ID, Detail: store.TokenDetail(t)})
	})
	if err != nil {
		return t, fmt.Errorf("create token: %w", err)
	}
	t.Created, _ = parseTime(now)
	t.Units = nonNil(t.Units)
	return t, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const tokenColumns = "id, name, role, units, hash, created_at, expires_at, last_used_at"

func scanToken(row scanner) (store.Token, error) {
	var t store.Token
	var role, units, created string
	var expires, used sql.NullString
	if err := row.Scan(&t.ID, &t.Name, &role, &units, &t.Hash, &created, &expires, &used); err != nil {
		return t, err
	}
	for _, v := range []struct {
		s   sql.NullString
		dst *time.Time
	}{{expires, &t.Expires}, {used, &t.LastUsed}} {
		if v.s.Valid {
			var err error
			if *v.dst, err = parseTime(v.s.String); err != nil {
				return t, err
			}
		}
	}
	t.Role = store.Role(role)
	if err := json.Unmarshal([]byte(units), &t.Units); err != nil {
		return t, fmt.Errorf("token %d units: %w", t.ID, err)
	}
	var err error
	t.Created, err = parseTime(created)
	return t, err
}

// TokenByHash finds a token by the hash of its secret.
func (s *DB) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE hash = ? AND (expires_at IS NULL OR expires_at > ?)", hash, s.stamp()))
	if errors.Is(err, sql.ErrNoRows) {
		return t, reports.Errorf(reports.ENOTFOUND, "token not found")
	}
	if err != nil {
		return t, fmt.Errorf("find token: %w", err)
	}
	return t, nil
}

// Tokens lists tokens, oldest first.
func (s *DB) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+tokenColumns+" FROM tokens ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []store.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken deletes a token and, through the foreign key, its sessions.
func (s *DB) RevokeToken(ctx context.Context, id int64) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		t, err := scanToken(tx.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFound("token", id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE id = ?", id); err != nil {
			return err
		}
		return s.audit(ctx, tx, store.AuditEntry{Action: store.AuditTokenRevoke, TokenID: id, Detail: store.TokenDetail(t)})
	})
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	return nil
}

// TokenUsed records a token's use, at most once a TokenTouchEvery.
func (s *DB) TokenUsed(ctx context.Context, id int64) error {
	now := s.now()
	_, err := s.db.ExecContext(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
		store.Timestamp(now).Format(timeFormat), id, store.Timestamp(now.Add(-store.TokenTouchEvery)).Format(timeFormat))
	if err != nil {
		return fmt.Errorf("token %d used: %w", id, err)
	}
	return nil
}

// CountTokens counts tokens of a role.
func (s *DB) CountTokens(ctx context.Context, role store.Role) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM tokens WHERE role = ?", string(role)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tokens: %w", err)
	}
	return n, nil
}
