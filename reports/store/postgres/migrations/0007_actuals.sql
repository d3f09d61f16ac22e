-- What forms achieved (self-evaluations, monitoring reports): every version
-- of a form's actuals of a kind, the current one being the highest. Same
-- meaning as sqlite/migrations/0007_actuals.sql.
CREATE TABLE actuals (
	form_id      BIGINT      NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
	kind         TEXT        NOT NULL CHECK (kind IN ('self-evaluation', 'monitoring')),
	version      INTEGER     NOT NULL,
	form_version INTEGER     NOT NULL,
	data         TEXT        NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (form_id, kind, version)
);
