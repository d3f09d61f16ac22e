-- Security (#16): token expiry and last use, server-side web sessions,
-- the audit log. Same meaning as postgres/migrations/0006_security.sql.
ALTER TABLE tokens ADD COLUMN expires_at TEXT;   -- NULL: never
ALTER TABLE tokens ADD COLUMN last_used_at TEXT; -- NULL: never used

CREATE TABLE sessions (
	id           TEXT    PRIMARY KEY, -- SHA-256 of the cookie's random id
	token_id     INTEGER NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
	created_at   TEXT    NOT NULL,
	last_seen_at TEXT    NOT NULL,
	expires_at   TEXT    NOT NULL,
	remote       TEXT    NOT NULL
);
CREATE INDEX sessions_token ON sessions (token_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- No foreign keys: the log outlives the forms and tokens it names.
CREATE TABLE audit (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at          TEXT    NOT NULL,
	actor_token INTEGER NOT NULL, -- 0: the command line
	actor_name  TEXT    NOT NULL,
	remote      TEXT    NOT NULL,
	action      TEXT    NOT NULL,
	form_id     INTEGER NOT NULL, -- 0: none
	version     INTEGER NOT NULL,
	token_id    INTEGER NOT NULL, -- 0: none
	detail      TEXT    NOT NULL
);
CREATE INDEX audit_form ON audit (form_id, version);
