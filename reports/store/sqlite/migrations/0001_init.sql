-- Forms, their history and API tokens. Times are UTC RFC 3339 text with
-- microseconds (fixed width, so text order is time order); the form itself is
-- its reportd/form/v1 JSON. Same meaning as postgres/migrations/0001_init.sql.
CREATE TABLE forms (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	version    INTEGER NOT NULL,
	year       INTEGER NOT NULL,
	unit       TEXT    NOT NULL,
	project    TEXT    NOT NULL,
	data       TEXT    NOT NULL,
	hash       TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	deleted_at TEXT
);
CREATE INDEX forms_year_unit ON forms (year, unit);
CREATE INDEX forms_updated ON forms (updated_at DESC, id DESC);

CREATE TABLE form_versions (
	form_id    INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	data       TEXT    NOT NULL,
	hash       TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	PRIMARY KEY (form_id, version)
);

CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL CHECK (role IN ('admin', 'clerk', 'service')),
	units      TEXT NOT NULL, -- JSON array of 申报单位名称
	hash       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);
