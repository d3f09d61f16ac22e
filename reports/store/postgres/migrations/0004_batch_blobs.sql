-- Batch documents and archives in the database (reports/store/postgres
-- blobs.go), so that every replica can assemble and serve any batch. Both
-- are bytea rows of at most 1 MiB (chunked rows measured faster than large
-- objects, and they go with their batch by ON DELETE CASCADE); EXTERNAL
-- storage skips TOAST compression, which PDFs and zips do not repay.
-- SQLite keeps both in the spool directory (its 0004 is empty).
CREATE TABLE batch_documents (
	batch_id BIGINT  NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
	name     TEXT    NOT NULL, -- "SEQ.FORMAT"
	chunk    INTEGER NOT NULL,
	data     BYTEA   NOT NULL,
	PRIMARY KEY (batch_id, name, chunk)
);
ALTER TABLE batch_documents ALTER COLUMN data SET STORAGE EXTERNAL;

-- An archive is chunks of chunk_size bytes (the last may be shorter):
-- the chunk holding byte N is N / chunk_size, so a Range request reads
-- only the chunks it needs.
CREATE TABLE batch_archives (
	batch_id   BIGINT  PRIMARY KEY REFERENCES batches (id) ON DELETE CASCADE,
	chunk_size INTEGER NOT NULL,
	size       BIGINT  NOT NULL,
	sha256     TEXT    NOT NULL
);
CREATE TABLE batch_archive_chunks (
	batch_id BIGINT  NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
	chunk    INTEGER NOT NULL,
	data     BYTEA   NOT NULL,
	PRIMARY KEY (batch_id, chunk)
);
ALTER TABLE batch_archive_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
