-- Less work per event (issue 14): the outbox's part, shared by every producer
-- (crates/motcua-outbox/src/lean.sql, copied verbatim and checked by a test), then workflow's
-- own: a stored answer is read back by its key, never searched, so it needs no statistics.
DROP INDEX IF EXISTS outbox_delivery_pending;
ALTER TABLE outbox_event ALTER COLUMN payload SET STATISTICS 0;

ALTER TABLE idempotency_key
    ALTER COLUMN request_hash SET STATISTICS 0,
    ALTER COLUMN response SET STATISTICS 0;
