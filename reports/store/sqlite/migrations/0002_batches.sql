-- Year-end batches (package reports/batch): one row per batch, one per form
-- of the batch with its progress, and the last tick of each schedule (for
-- catch-up after downtime). Same meaning as postgres/migrations/0002_batches.sql.
CREATE TABLE batches (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	key            TEXT UNIQUE, -- idempotency key; NULL for manual batches
	schedule       TEXT    NOT NULL DEFAULT '',
	year           INTEGER NOT NULL,
	unit           TEXT    NOT NULL DEFAULT '', -- '' means every unit
	formats        TEXT    NOT NULL,            -- "pdf,xlsx"
	state          TEXT    NOT NULL CHECK (state IN ('running', 'done')),
	archive        TEXT    NOT NULL DEFAULT '',
	archive_size   INTEGER NOT NULL DEFAULT 0,
	archive_sha256 TEXT    NOT NULL DEFAULT '',
	error          TEXT    NOT NULL DEFAULT '',
	created_at     TEXT    NOT NULL,
	finished_at    TEXT
);
CREATE INDEX batches_state ON batches (state, id);

CREATE TABLE batch_items (
	batch_id INTEGER NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
	seq      INTEGER NOT NULL,
	form_id  INTEGER NOT NULL,
	version  INTEGER NOT NULL,
	unit     TEXT    NOT NULL,
	project  TEXT    NOT NULL,
	state    TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
	reason   TEXT    NOT NULL DEFAULT '',
	outputs  TEXT    NOT NULL DEFAULT '[]', -- JSON [{format, size, sha256}]
	summary  TEXT    NOT NULL DEFAULT '{}', -- JSON: funds, indicator count, problems
	PRIMARY KEY (batch_id, seq)
);

CREATE TABLE batch_schedules (
	name      TEXT PRIMARY KEY,
	last_tick TEXT NOT NULL
);
