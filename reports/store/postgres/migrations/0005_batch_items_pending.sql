-- Job workers ask after every form whether any of its batch is still
-- pending (reports/batch/riverbatch); this index answers that without
-- reading the batch's items. Same as sqlite/migrations/0005_batch_items_pending.sql.
CREATE INDEX batch_items_pending ON batch_items (batch_id, seq) WHERE state = 'pending';
