-- Retention of batch archives (reports/batch prune.go): when the archive
-- of a finished batch was deleted by the retention policy. NULL while the
-- archive is kept. Same meaning as sqlite/migrations/0003_batch_archive_pruned.sql.
ALTER TABLE batches ADD COLUMN archive_pruned_at TIMESTAMPTZ;
