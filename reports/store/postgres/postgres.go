package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ store.Store = (*DB)(nil)

// Options tune Open.
type Options struct {
	Now    func() time.Time // clock; time.Now when nil
	Schema string           // schema for all tables, created if missing; "" uses the server's search_path
}

// DB is a form and token store in a PostgreSQL database.
type DB struct {
	pool   *pgxpool.Pool
	now    func() time.Time
	schema string
}

// StoredForm is store.StoredForm, named here for brevity.
type StoredForm = store.StoredForm

// Open connects to the database at url (postgres://…) and applies pending
// migrations.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if opts.Schema != "" {
		if err := createSchema(ctx, cfg.ConnConfig, opts.Schema); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s := &DB{pool: pool, now: opts.Now, schema: opts.Schema}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

func createSchema(ctx context.Context, cc *pgx.ConnConfig, schema string) error {
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize())
	return err
}

// Pool is the connection pool, for a job queue sharing the database.
func (s *DB) Pool() *pgxpool.Pool { return s.pool }

// Schema is the schema of the tables ("" when the search_path decides).
func (s *DB) Schema() string { return s.schema }

// Close closes the pool.
func (s *DB) Close() error {
	s.pool.Close()
	return nil
}

// Ping checks that the database answers a query.
func (s *DB) Ping(ctx context.Context) error {
	var one int
	return s.pool.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// migrationLock serialises migrations of several processes starting at once.
const migrationLock = 7_465_170_423

func (s *DB) migrate(ctx context.Context) error {
	ms, err := store.ParseMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, m := range ms {
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM schema_migrations WHERE version = $1", m.Version).Scan(&n); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
			if n > 0 {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				m.Version, m.Name, s.stamp()); err != nil {
				return fmt.Errorf("migrate %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

func (s *DB) stamp() time.Time { return store.Timestamp(s.now()) }

func (s *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// CreateForms stores forms in one transaction.
func (s *DB) CreateForms(ctx context.Context, forms []reports.Form) ([]StoredForm, error) {
	out := make([]StoredForm, 0, len(forms))
	err := s.tx(ctx, func(tx pgx.Tx) error {
		now := s.stamp()
		for i := range forms {
			if err := store.CheckStorable(i, &forms[i]); err != nil {
				return err
			}
			data, hash := store.EncodeForm(&forms[i])
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO forms (version, year, unit, project, data, hash, created_at, updated_at)
				VALUES (1, $1, $2, $3, $4, $5, $6, $6) RETURNING id`,
				forms[i].Year, forms[i].Unit, forms[i].Project, data, hash, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("insert form %d: %w", i+1, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO form_versions (form_id, version, data, hash, created_at) VALUES ($1, 1, $2, $3, $4)`,
				id, data, hash, now); err != nil {
				return fmt.Errorf("insert form %d: %w", i+1, err)
			}
			if err := s.audit(ctx, tx, store.AuditEntry{Action: store.AuditFormCreate, FormID: id, Version: 1, Detail: store.FormDetail(&forms[i])}); err != nil {
				return err
			}
			f, err := store.DecodeForm(data)
			if err != nil {
				return err
			}
			out = append(out, StoredForm{ID: id, Version: 1, Form: f, Hash: hash, Created: now, Updated: now})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create forms: %w", err)
	}
	return out, nil
}

const formColumns = "id, version, data, hash, created_at, updated_at"

func scanForm(row pgx.Row) (StoredForm, error) {
	var sf StoredForm
	var data string
	if err := row.Scan(&sf.ID, &sf.Version, &data, &sf.Hash, &sf.Created, &sf.Updated); err != nil {
		return sf, err
	}
	sf.Created, sf.Updated = sf.Created.UTC(), sf.Updated.UTC()
	var err error
	sf.Form, err = store.DecodeForm(data)
	return sf, err
}

// Form returns the current version of a live form.
func (s *DB) Form(ctx context.Context, id int64) (StoredForm, error) {
	sf, err := scanForm(s.pool.QueryRow(ctx, "SELECT "+formColumns+" FROM forms WHERE id = $1 AND deleted_at IS NULL", id))
	if errors.Is(err, pgx.ErrNoRows) {
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
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if filter.Year != 0 {
		where = append(where, "year = "+arg(filter.Year))
	}
	if filter.Unit != "" {
		where = append(where, "unit = "+arg(filter.Unit))
	}
	if q := strings.TrimSpace(filter.Query); q != "" {
		where = append(where, "strpos(lower(project), lower("+arg(q)+")) > 0")
	}
	if filter.Units != nil {
		if len(filter.Units) == 0 {
			return page, nil
		}
		where = append(where, "unit = ANY("+arg(filter.Units)+")")
	}
	cond := strings.Join(where, " AND ")
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM forms WHERE "+cond, args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("list forms: %w", err)
	}
	limit, offset := arg(filter.PageSize), arg(filter.Offset())
	rows, err := s.pool.Query(ctx, "SELECT "+formColumns+" FROM forms WHERE "+cond+
		" ORDER BY updated_at DESC, id DESC LIMIT "+limit+" OFFSET "+offset, args...)
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

func checkVersion(ctx context.Context, tx pgx.Tx, id int64, version int) error {
	var current int
	err := tx.QueryRow(ctx, "SELECT version FROM forms WHERE id = $1 AND deleted_at IS NULL", id).Scan(&current)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := s.tx(ctx, func(tx pgx.Tx) error {
		now := s.stamp()
		// The row lock taken by UPDATE makes a concurrent writer re-check
		// "version = $8" after this commits, so only one of them wins.
		tag, err := tx.Exec(ctx, `UPDATE forms SET version = version + 1, year = $1, unit = $2, project = $3, data = $4, hash = $5, updated_at = $6
			WHERE id = $7 AND version = $8 AND deleted_at IS NULL`,
			f.Year, f.Unit, f.Project, data, hash, now, id, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return checkVersion(ctx, tx, id, version)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO form_versions (form_id, version, data, hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id, version+1, data, hash, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, store.AuditEntry{Action: store.AuditFormUpdate, FormID: id, Version: version + 1, Detail: store.FormDetail(&f)}); err != nil {
			return err
		}
		out, err = scanForm(tx.QueryRow(ctx, "SELECT "+formColumns+" FROM forms WHERE id = $1", id))
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
	err := s.tx(ctx, func(tx pgx.Tx) error {
		now := s.stamp()
		tag, err := tx.Exec(ctx, `UPDATE forms SET version = version + 1, updated_at = $1, deleted_at = $1
			WHERE id = $2 AND version = $3 AND deleted_at IS NULL`, now, id, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return checkVersion(ctx, tx, id, version)
		}
		var f reports.Form
		if err := tx.QueryRow(ctx, "SELECT year, unit, project FROM forms WHERE id = $1", id).Scan(&f.Year, &f.Unit, &f.Project); err != nil {
			return err
		}
		return s.audit(ctx, tx, store.AuditEntry{Action: store.AuditFormDelete, FormID: id, Version: version + 1, Detail: store.FormDetail(&f)})
	})
	if err != nil {
		return fmt.Errorf("delete form %d: %w", id, err)
	}
	return nil
}

// FormVersions returns every version of a live form, oldest first.
func (s *DB) FormVersions(ctx context.Context, id int64) ([]StoredForm, error) {
	var out []StoredForm
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var created time.Time
		err := tx.QueryRow(ctx, "SELECT created_at FROM forms WHERE id = $1 AND deleted_at IS NULL", id).Scan(&created)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.NotFound("form", id)
		}
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT v.form_id, v.version, v.data, v.hash, $1::timestamptz, v.created_at,
				coalesce((SELECT a.actor_name FROM audit a WHERE a.form_id = v.form_id AND a.version = v.version ORDER BY a.id LIMIT 1), '')
			FROM form_versions v WHERE v.form_id = $2 ORDER BY v.version`, created, id)
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
	t.Units = nonNil(t.Units)
	units, _ := json.Marshal(t.Units)
	t.Created = s.stamp()
	var expires *time.Time
	if !t.Expires.IsZero() {
		t.Expires = store.Timestamp(t.Expires)
		expires = &t.Expires
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO tokens (name, role, units, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			t.Name, string(t.Role), string(units), t.Hash, t.Created, expires).Scan(&t.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, store.AuditEntry{Action: store.AuditTokenCreate, TokenID: t.ID, Detail: store.TokenDetail(t)})
	})
	if err != nil {
		return t, fmt.Errorf("create token: %w", err)
	}
	return t, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const tokenColumns = "id, name, role, units, hash, created_at, expires_at, last_used_at"

func scanToken(row pgx.Row) (store.Token, error) {
	var t store.Token
	var role, units string
	var expires, used *time.Time
	if err := row.Scan(&t.ID, &t.Name, &role, &units, &t.Hash, &t.Created, &expires, &used); err != nil {
		return t, err
	}
	if expires != nil {
		t.Expires = expires.UTC()
	}
	if used != nil {
		t.LastUsed = used.UTC()
	}
	t.Role = store.Role(role)
	t.Created = t.Created.UTC()
	if err := json.Unmarshal([]byte(units), &t.Units); err != nil {
		return t, fmt.Errorf("token %d units: %w", t.ID, err)
	}
	return t, nil
}

// TokenByHash finds a token by the hash of its secret.
func (s *DB) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE hash = $1 AND (expires_at IS NULL OR expires_at > $2)", hash, s.stamp()))
	if errors.Is(err, pgx.ErrNoRows) {
		return t, reports.Errorf(reports.ENOTFOUND, "token not found")
	}
	if err != nil {
		return t, fmt.Errorf("find token: %w", err)
	}
	return t, nil
}

// Tokens lists tokens, oldest first.
func (s *DB) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+tokenColumns+" FROM tokens ORDER BY id")
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
	err := s.tx(ctx, func(tx pgx.Tx) error {
		t, err := scanToken(tx.QueryRow(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = $1", id))
		if errors.Is(err, pgx.ErrNoRows) {
			return store.NotFound("token", id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM tokens WHERE id = $1", id); err != nil {
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
	now := s.stamp()
	_, err := s.pool.Exec(ctx, "UPDATE tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
		now, id, now.Add(-store.TokenTouchEvery))
	if err != nil {
		return fmt.Errorf("token %d used: %w", id, err)
	}
	return nil
}

// CountTokens counts tokens of a role.
func (s *DB) CountTokens(ctx context.Context, role store.Role) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM tokens WHERE role = $1", string(role)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tokens: %w", err)
	}
	return n, nil
}
