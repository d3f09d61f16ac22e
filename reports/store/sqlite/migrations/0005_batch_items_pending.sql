-- Whether a batch has pending items, without reading all of them. Same as
-- postgres/migrations/0005_batch_items_pending.sql.
CREATE INDEX batch_items_pending ON batch_items (batch_id, seq) WHERE state = 'pending';
