package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store"
)

var _ batch.Store = (*DB)(nil)

const batchColumns = `b.id, coalesce(b.key, ''), b.schedule, b.year, b.unit, b.formats, b.state, b.archive, b.archive_size,
	b.archive_sha256, b.error, b.created_at, coalesce(b.finished_at, ''), coalesce(b.archive_pruned_at, ''),
	(SELECT count(*) FROM batch_items i WHERE i.batch_id = b.id),
	(SELECT count(*) FROM batch_items i WHERE i.batch_id = b.id AND i.state = 'done'),
	(SELECT count(*) FROM batch_items i WHERE i.batch_id = b.id AND i.state = 'failed')`

func scanBatch(row scanner) (batch.Batch, error) {
	var b batch.Batch
	var formats, state, created, finished, pruned string
	err := row.Scan(&b.ID, &b.Key, &b.Schedule, &b.Spec.Year, &b.Spec.Unit, &formats, &state, &b.Archive, &b.ArchiveSize,
		&b.ArchiveSHA256, &b.Error, &created, &finished, &pruned, &b.Total, &b.Done, &b.Failed)
	if err != nil {
		return b, err
	}
	b.Spec.Formats = batch.ParseFormats(formats)
	b.State = batch.State(state)
	if b.Created, err = parseTime(created); err != nil {
		return b, err
	}
	if finished != "" {
		if b.Finished, err = parseTime(finished); err != nil {
			return b, err
		}
	}
	if pruned != "" {
		b.ArchivePruned, err = parseTime(pruned)
	}
	return b, err
}

func (s *DB) stampOf(t time.Time) string { return store.Timestamp(t).Format(timeFormat) }

// CreateBatch records a batch and snapshots the matching forms as its items.
func (s *DB) CreateBatch(ctx context.Context, b batch.Batch) (batch.Batch, bool, error) {
	var id int64
	created := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if b.Key != "" {
			err := tx.QueryRowContext(ctx, "SELECT id FROM batches WHERE key = ?", b.Key).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var key any
		if b.Key != "" {
			key = b.Key
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO batches (key, schedule, year, unit, formats, state, archive, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			key, b.Schedule, b.Spec.Year, b.Spec.Unit, strings.Join(b.Spec.Formats, ","), string(b.State), b.Archive, s.stampOf(b.Created)).Scan(&id)
		if err != nil {
			return err
		}
		created = true
		_, err = tx.ExecContext(ctx, `INSERT INTO batch_items (batch_id, seq, form_id, version, unit, project, state)
			SELECT ?, row_number() OVER (ORDER BY unit, project, id), id, version, unit, project, 'pending'
			FROM forms WHERE year = ? AND (? = '' OR unit = ?) AND deleted_at IS NULL`,
			id, b.Spec.Year, b.Spec.Unit, b.Spec.Unit)
		return err
	})
	if err != nil {
		return batch.Batch{}, false, fmt.Errorf("create batch: %w", err)
	}
	out, err := s.Batch(ctx, id)
	return out, created, err
}

// Batch returns a batch with its item counts.
func (s *DB) Batch(ctx context.Context, id int64) (batch.Batch, error) {
	b, err := scanBatch(s.db.QueryRowContext(ctx, "SELECT "+batchColumns+" FROM batches b WHERE b.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, reports.Errorf(reports.ENOTFOUND, "batch %d not found", id)
	}
	if err != nil {
		return b, fmt.Errorf("batch %d: %w", id, err)
	}
	return b, nil
}

// Batches lists batches in a state ("" for all), newest first.
func (s *DB) Batches(ctx context.Context, state batch.State, limit int) ([]batch.Batch, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+batchColumns+" FROM batches b WHERE (? = '' OR b.state = ?) ORDER BY b.id DESC LIMIT ?",
		string(state), string(state), limit)
	if err != nil {
		return nil, fmt.Errorf("list batches: %w", err)
	}
	defer rows.Close()
	var out []batch.Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("list batches: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BatchItems returns a batch's items in order.
func (s *DB) BatchItems(ctx context.Context, id int64) ([]batch.Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, form_id, version, unit, project, state, reason, outputs, summary
		FROM batch_items WHERE batch_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("batch %d items: %w", id, err)
	}
	defer rows.Close()
	var out []batch.Item
	for rows.Next() {
		var it batch.Item
		var state, outputs, summary string
		if err := rows.Scan(&it.Seq, &it.FormID, &it.Version, &it.Unit, &it.Project, &state, &it.Reason, &outputs, &summary); err != nil {
			return nil, fmt.Errorf("batch %d items: %w", id, err)
		}
		it.State = batch.ItemState(state)
		if err := json.Unmarshal([]byte(outputs), &it.Outputs); err != nil {
			return nil, fmt.Errorf("batch %d item %d outputs: %w", id, it.Seq, err)
		}
		if err := json.Unmarshal([]byte(summary), &it.Summary); err != nil {
			return nil, fmt.Errorf("batch %d item %d summary: %w", id, it.Seq, err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// SaveBatchItems records item results in one transaction.
func (s *DB) SaveBatchItems(ctx context.Context, id int64, items []batch.Item) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE batch_items SET state = ?, reason = ?, outputs = ?, summary = ? WHERE batch_id = ? AND seq = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, it := range items {
			outputs, summary, err := encodeItem(it)
			if err != nil {
				return err
			}
			res, err := stmt.ExecContext(ctx, string(it.State), it.Reason, outputs, summary, id, it.Seq)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return reports.Errorf(reports.ENOTFOUND, "batch %d has no item %d", id, it.Seq)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save batch %d items: %w", id, err)
	}
	return nil
}

func encodeItem(it batch.Item) (outputs, summary string, err error) {
	if it.Outputs == nil {
		it.Outputs = []batch.Output{}
	}
	o, err := json.Marshal(it.Outputs)
	if err != nil {
		return "", "", err
	}
	sm, err := json.Marshal(it.Summary)
	return string(o), string(sm), err
}

// UpdateBatch records a batch's state, error and archive.
func (s *DB) UpdateBatch(ctx context.Context, b batch.Batch) error {
	var finished any
	if !b.Finished.IsZero() {
		finished = s.stampOf(b.Finished)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE batches SET state = ?, error = ?, archive = ?, archive_size = ?, archive_sha256 = ?, finished_at = ?
		WHERE id = ?`, string(b.State), b.Error, b.Archive, b.ArchiveSize, b.ArchiveSHA256, finished, b.ID)
	if err != nil {
		return fmt.Errorf("update batch %d: %w", b.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update batch %d: %w", b.ID, err)
	} else if n == 0 {
		return reports.Errorf(reports.ENOTFOUND, "batch %d not found", b.ID)
	}
	return nil
}

// MarkArchivePruned records when a done batch's archive was deleted.
func (s *DB) MarkArchivePruned(ctx context.Context, id int64, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE batches SET archive_pruned_at = coalesce(archive_pruned_at, ?)
		WHERE id = ? AND state = 'done'`, s.stampOf(at), id)
	if err != nil {
		return fmt.Errorf("mark batch %d pruned: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark batch %d pruned: %w", id, err)
	} else if n == 0 {
		return s.notDone(ctx, id)
	}
	return nil
}

// notDone explains why a batch cannot be marked pruned.
func (s *DB) notDone(ctx context.Context, id int64) error {
	b, err := s.Batch(ctx, id)
	if err != nil {
		return err
	}
	return reports.Errorf(reports.ECONFLICT, "batch %d is %s: only a done batch's archive can be pruned", id, b.State)
}

// FormVersion returns a form as it was at a version, deleted or not: a
// batch renders the snapshot it was created with.
func (s *DB) FormVersion(ctx context.Context, id int64, version int) (reports.Form, error) {
	var data string
	err := s.db.QueryRowContext(ctx, "SELECT data FROM form_versions WHERE form_id = ? AND version = ?", id, version).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return reports.Form{}, reports.Errorf(reports.ENOTFOUND, "form %d version %d not found", id, version)
	}
	if err != nil {
		return reports.Form{}, fmt.Errorf("form %d version %d: %w", id, version, err)
	}
	return store.DecodeForm(data)
}

// ScheduleTick returns the last recorded tick of a schedule.
func (s *DB) ScheduleTick(ctx context.Context, name string) (time.Time, bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT last_tick FROM batch_schedules WHERE name = ?", name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("schedule %s: %w", name, err)
	}
	t, err := parseTime(v)
	return t, err == nil, err
}

// SetScheduleTick records a tick if it is later than the recorded one.
func (s *DB) SetScheduleTick(ctx context.Context, name string, tick time.Time) error {
	// Fixed-width UTC text compares as time.
	_, err := s.db.ExecContext(ctx, `INSERT INTO batch_schedules (name, last_tick) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET last_tick = excluded.last_tick WHERE excluded.last_tick > batch_schedules.last_tick`,
		name, s.stampOf(tick))
	if err != nil {
		return fmt.Errorf("schedule %s: %w", name, err)
	}
	return nil
}
