package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

var _ store.ActualsStore = (*DB)(nil)

const actualsColumns = "form_id, kind, version, form_version, data, created_at"

func scanActuals(row pgx.Row) (store.StoredActuals, error) {
	var sa store.StoredActuals
	var data string
	var created time.Time
	if err := row.Scan(&sa.FormID, &sa.Kind, &sa.Version, &sa.FormVersion, &data, &created); err != nil {
		return sa, err
	}
	var err error
	if sa.Actuals, err = store.DecodeActuals(data); err != nil {
		return sa, err
	}
	sa.Created = created.UTC()
	return sa, nil
}

// PutActuals saves a new version of a live form's actuals at the expected
// version (0: none yet).
func (s *DB) PutActuals(ctx context.Context, formID int64, version int, a reports.Actuals) (store.StoredActuals, error) {
	var out store.StoredActuals
	if err := store.CheckActuals(&a); err != nil {
		return out, err
	}
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var year int
		err := tx.QueryRow(ctx, "SELECT year FROM forms WHERE id = $1 AND deleted_at IS NULL", formID).Scan(&year)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.NotFound("form", formID)
		}
		if err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM actuals WHERE form_id = $1 AND kind = $2", formID, a.Kind).Scan(&current); err != nil {
			return err
		}
		if current != version {
			return store.StaleActuals(formID, a.Kind, version, current)
		}
		a.Year = year
		// The primary key refuses a second writer of the same version.
		if _, err := tx.Exec(ctx, "INSERT INTO actuals ("+actualsColumns+") VALUES ($1, $2, $3, $4, $5, $6)",
			formID, a.Kind, version+1, a.FormVersion, store.EncodeActuals(&a), s.stamp()); err != nil {
			if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "23505" {
				return store.StaleActuals(formID, a.Kind, version, version+1) // a concurrent save won
			}
			return err
		}
		out, err = scanActuals(tx.QueryRow(ctx, "SELECT "+actualsColumns+" FROM actuals WHERE form_id = $1 AND kind = $2 AND version = $3", formID, a.Kind, version+1))
		return err
	})
	if err != nil {
		return out, fmt.Errorf("save %s actuals of form %d: %w", a.Kind, formID, err)
	}
	return out, nil
}

// Actuals returns the current version of a live form's actuals of a kind.
func (s *DB) Actuals(ctx context.Context, formID int64, kind string) (store.StoredActuals, error) {
	sa, err := scanActuals(s.pool.QueryRow(ctx, `SELECT a.form_id, a.kind, a.version, a.form_version, a.data, a.created_at
		FROM actuals a JOIN forms f ON f.id = a.form_id AND f.deleted_at IS NULL
		WHERE a.form_id = $1 AND a.kind = $2 ORDER BY a.version DESC LIMIT 1`, formID, kind))
	if errors.Is(err, pgx.ErrNoRows) {
		return sa, store.NoActuals(formID, kind)
	}
	if err != nil {
		return sa, fmt.Errorf("%s actuals of form %d: %w", kind, formID, err)
	}
	return sa, nil
}

// ActualsVersions returns every version, oldest first.
func (s *DB) ActualsVersions(ctx context.Context, formID int64, kind string) ([]store.StoredActuals, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.form_id, a.kind, a.version, a.form_version, a.data, a.created_at
		FROM actuals a JOIN forms f ON f.id = a.form_id AND f.deleted_at IS NULL
		WHERE a.form_id = $1 AND a.kind = $2 ORDER BY a.version`, formID, kind)
	if err != nil {
		return nil, fmt.Errorf("%s actuals of form %d: %w", kind, formID, err)
	}
	defer rows.Close()
	var out []store.StoredActuals
	for rows.Next() {
		sa, err := scanActuals(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sa)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, store.NoActuals(formID, kind)
	}
	return out, nil
}

// ActualsOfYear returns the current actuals of a kind of every live form
// of a year.
func (s *DB) ActualsOfYear(ctx context.Context, year int, kind string) (map[int64]store.StoredActuals, error) {
	rows, err := s.pool.Query(ctx, `SELECT a.form_id, a.kind, a.version, a.form_version, a.data, a.created_at
		FROM actuals a JOIN forms f ON f.id = a.form_id AND f.deleted_at IS NULL
		WHERE f.year = $1 AND a.kind = $2 AND a.version = (SELECT max(b.version) FROM actuals b WHERE b.form_id = a.form_id AND b.kind = a.kind)`, year, kind)
	if err != nil {
		return nil, fmt.Errorf("%s actuals of %d: %w", kind, year, err)
	}
	defer rows.Close()
	out := map[int64]store.StoredActuals{}
	for rows.Next() {
		sa, err := scanActuals(rows)
		if err != nil {
			return nil, err
		}
		out[sa.FormID] = sa
	}
	return out, rows.Err()
}
