package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/store"
)

var _ batch.Store = (*DB)(nil)

const batchColumns = `b.id, coalesce(b.key, ''), b.schedule, b.year, b.unit, b.formats, b.state, b.archive, b.archive_size,
	b.archive_sha256, b.error, b.created_at, b.finished_at, b.archive_pruned_at,
	(SELECT count(*) FROM batch_items i WHERE i.batch_id = b.id),
	(SELECT count(*) FROM batch_items i WHERE i.batch_id = b.id AND i.state = 'done'),
	(SELECT count(*) FROM batch_items i WHERE i.batch_id = b.id AND i.state = 'failed')`

func scanBatch(row pgx.Row) (batch.Batch, error) {
	var b batch.Batch
	var formats, state string
	var finished, pruned *time.Time
	err := row.Scan(&b.ID, &b.Key, &b.Schedule, &b.Spec.Year, &b.Spec.Unit, &formats, &state, &b.Archive, &b.ArchiveSize,
		&b.ArchiveSHA256, &b.Error, &b.Created, &finished, &pruned, &b.Total, &b.Done, &b.Failed)
	if err != nil {
		return b, err
	}
	b.Spec.Formats = batch.ParseFormats(formats)
	b.State = batch.State(state)
	b.Created = b.Created.UTC()
	if finished != nil {
		b.Finished = finished.UTC()
	}
	if pruned != nil {
		b.ArchivePruned = pruned.UTC()
	}
	return b, nil
}

// CreateBatch records a batch and snapshots the matching forms as its items.
// Two processes creating the same key at once get the same batch.
func (s *DB) CreateBatch(ctx context.Context, b batch.Batch) (batch.Batch, bool, error) {
	var id int64
	created := false
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var key any
		if b.Key != "" {
			key = b.Key
		}
		err := tx.QueryRow(ctx, `INSERT INTO batches (key, schedule, year, unit, formats, state, archive, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING RETURNING id`,
			key, b.Schedule, b.Spec.Year, b.Spec.Unit, strings.Join(b.Spec.Formats, ","), string(b.State), b.Archive,
			store.Timestamp(b.Created)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			// The key exists (ON CONFLICT waited for the other
			// transaction to commit, so the row is visible now).
			return tx.QueryRow(ctx, "SELECT id FROM batches WHERE key = $1", b.Key).Scan(&id)
		}
		if err != nil {
			return err
		}
		created = true
		_, err = tx.Exec(ctx, `INSERT INTO batch_items (batch_id, seq, form_id, version, unit, project, state)
			SELECT $1, row_number() OVER (ORDER BY unit COLLATE "C", project COLLATE "C", id), id, version, unit, project, 'pending'
			FROM forms WHERE year = $2 AND ($3 = '' OR unit = $3) AND deleted_at IS NULL`,
			id, b.Spec.Year, b.Spec.Unit)
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
	b, err := scanBatch(s.pool.QueryRow(ctx, "SELECT "+batchColumns+" FROM batches b WHERE b.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return b, reports.Errorf(reports.ENOTFOUND, "batch %d not found", id)
	}
	if err != nil {
		return b, fmt.Errorf("batch %d: %w", id, err)
	}
	return b, nil
}

// Batches lists batches in a state ("" for all), newest first.
func (s *DB) Batches(ctx context.Context, state batch.State, limit int) ([]batch.Batch, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, "SELECT "+batchColumns+" FROM batches b WHERE ($1 = '' OR b.state = $1) ORDER BY b.id DESC LIMIT $2",
		string(state), lim)
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
	rows, err := s.pool.Query(ctx, `SELECT seq, form_id, version, unit, project, state, reason, outputs, summary
		FROM batch_items WHERE batch_id = $1 ORDER BY seq`, id)
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

// SaveBatchItems records item results in one transaction (one round trip).
func (s *DB) SaveBatchItems(ctx context.Context, id int64, items []batch.Item) error {
	err := s.tx(ctx, func(tx pgx.Tx) error {
		var q pgx.Batch
		for _, it := range items {
			if it.Outputs == nil {
				it.Outputs = []batch.Output{}
			}
			outputs, err := json.Marshal(it.Outputs)
			if err != nil {
				return err
			}
			summary, err := json.Marshal(it.Summary)
			if err != nil {
				return err
			}
			q.Queue(`UPDATE batch_items SET state = $1, reason = $2, outputs = $3, summary = $4 WHERE batch_id = $5 AND seq = $6`,
				string(it.State), it.Reason, string(outputs), string(summary), id, it.Seq)
		}
		res := tx.SendBatch(ctx, &q)
		for _, it := range items {
			tag, err := res.Exec()
			if err != nil {
				res.Close()
				return err
			}
			if tag.RowsAffected() == 0 {
				res.Close()
				return reports.Errorf(reports.ENOTFOUND, "batch %d has no item %d", id, it.Seq)
			}
		}
		return res.Close()
	})
	if err != nil {
		return fmt.Errorf("save batch %d items: %w", id, err)
	}
	return nil
}

// UpdateBatch records a batch's state, error and archive.
func (s *DB) UpdateBatch(ctx context.Context, b batch.Batch) error {
	var finished any
	if !b.Finished.IsZero() {
		finished = store.Timestamp(b.Finished)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE batches SET state = $1, error = $2, archive = $3, archive_size = $4, archive_sha256 = $5, finished_at = $6
		WHERE id = $7`, string(b.State), b.Error, b.Archive, b.ArchiveSize, b.ArchiveSHA256, finished, b.ID)
	if err != nil {
		return fmt.Errorf("update batch %d: %w", b.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return reports.Errorf(reports.ENOTFOUND, "batch %d not found", b.ID)
	}
	return nil
}

// MarkArchivePruned records when a done batch's archive was deleted.
func (s *DB) MarkArchivePruned(ctx context.Context, id int64, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE batches SET archive_pruned_at = coalesce(archive_pruned_at, $1)
		WHERE id = $2 AND state = 'done'`, store.Timestamp(at), id)
	if err != nil {
		return fmt.Errorf("mark batch %d pruned: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		b, err := s.Batch(ctx, id)
		if err != nil {
			return err
		}
		return reports.Errorf(reports.ECONFLICT, "batch %d is %s: only a done batch's archive can be pruned", id, b.State)
	}
	return nil
}

// FormVersion returns a form as it was at a version, deleted or not: a
// batch renders the snapshot it was created with.
func (s *DB) FormVersion(ctx context.Context, id int64, version int) (reports.Form, error) {
	var data string
	err := s.pool.QueryRow(ctx, "SELECT data FROM form_versions WHERE form_id = $1 AND version = $2", id, version).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return reports.Form{}, reports.Errorf(reports.ENOTFOUND, "form %d version %d not found", id, version)
	}
	if err != nil {
		return reports.Form{}, fmt.Errorf("form %d version %d: %w", id, version, err)
	}
	return store.DecodeForm(data)
}

// ScheduleTick returns the last recorded tick of a schedule.
func (s *DB) ScheduleTick(ctx context.Context, name string) (time.Time, bool, error) {
	var t time.Time
	err := s.pool.QueryRow(ctx, "SELECT last_tick FROM batch_schedules WHERE name = $1", name).Scan(&t)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("schedule %s: %w", name, err)
	}
	return t.UTC(), true, nil
}

// SetScheduleTick records a tick if it is later than the recorded one.
func (s *DB) SetScheduleTick(ctx context.Context, name string, tick time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO batch_schedules (name, last_tick) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET last_tick = excluded.last_tick WHERE excluded.last_tick > batch_schedules.last_tick`,
		name, store.Timestamp(tick))
	if err != nil {
		return fmt.Errorf("schedule %s: %w", name, err)
	}
	return nil
}

// BatchItem returns a batch (without item counts, which cost a pass over
// its items) and one of its items.
func (s *DB) BatchItem(ctx context.Context, id int64, seq int) (batch.Batch, batch.Item, error) {
	var b batch.Batch
	var it batch.Item
	var formats, bstate, istate, outputs, summary string
	err := s.pool.QueryRow(ctx, `SELECT b.id, b.year, b.unit, b.formats, b.state, b.archive, b.created_at,
			i.seq, i.form_id, i.version, i.unit, i.project, i.state, i.reason, i.outputs, i.summary
		FROM batches b JOIN batch_items i ON i.batch_id = b.id WHERE b.id = $1 AND i.seq = $2`, id, seq).Scan(
		&b.ID, &b.Spec.Year, &b.Spec.Unit, &formats, &bstate, &b.Archive, &b.Created,
		&it.Seq, &it.FormID, &it.Version, &it.Unit, &it.Project, &istate, &it.Reason, &outputs, &summary)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, it, reports.Errorf(reports.ENOTFOUND, "batch %d has no item %d", id, seq)
	}
	if err != nil {
		return b, it, fmt.Errorf("batch %d item %d: %w", id, seq, err)
	}
	b.Spec.Formats, b.State, b.Created = batch.ParseFormats(formats), batch.State(bstate), b.Created.UTC()
	it.State = batch.ItemState(istate)
	if err := json.Unmarshal([]byte(outputs), &it.Outputs); err != nil {
		return b, it, fmt.Errorf("batch %d item %d outputs: %w", id, seq, err)
	}
	if err := json.Unmarshal([]byte(summary), &it.Summary); err != nil {
		return b, it, fmt.Errorf("batch %d item %d summary: %w", id, seq, err)
	}
	return b, it, nil
}

// FinishBatchItem records a rendered item if it is still pending (a job
// run twice records once) and reports whether any item of the batch is
// left pending. Of two workers finishing the last items at once, at least
// one sees none left: each asks after its own commit.
func (s *DB) FinishBatchItem(ctx context.Context, id int64, it batch.Item) (recorded, left bool, err error) {
	if it.Outputs == nil {
		it.Outputs = []batch.Output{}
	}
	outputs, err := json.Marshal(it.Outputs)
	if err != nil {
		return false, false, err
	}
	summary, err := json.Marshal(it.Summary)
	if err != nil {
		return false, false, err
	}
	tag, err := s.pool.Exec(ctx, `UPDATE batch_items SET state = $1, reason = $2, outputs = $3, summary = $4
		WHERE batch_id = $5 AND seq = $6 AND state = 'pending'`, string(it.State), it.Reason, string(outputs), string(summary), id, it.Seq)
	if err != nil {
		return false, false, fmt.Errorf("finish batch %d item %d: %w", id, it.Seq, err)
	}
	left, err = s.PendingLeft(ctx, id)
	return tag.RowsAffected() == 1, left, err
}

// PendingLeft reports whether any item of the batch is pending.
func (s *DB) PendingLeft(ctx context.Context, id int64) (bool, error) {
	var left bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM batch_items WHERE batch_id = $1 AND state = 'pending')", id).Scan(&left)
	if err != nil {
		return false, fmt.Errorf("batch %d: %w", id, err)
	}
	return left, nil
}

// PendingItems returns the seqs of a batch's pending items, in order.
func (s *DB) PendingItems(ctx context.Context, id int64) ([]int, error) {
	rows, err := s.pool.Query(ctx, "SELECT seq FROM batch_items WHERE batch_id = $1 AND state = 'pending' ORDER BY seq", id)
	if err != nil {
		return nil, fmt.Errorf("batch %d: %w", id, err)
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("batch %d: %w", id, err)
	}
	return seqs, nil
}
