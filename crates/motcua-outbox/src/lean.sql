-- Less work per event (issue 14). The index of pending deliveries by `seq` alone served the
-- relay's claim before `outbox_delivery_due`; nothing reads it now, and every delivery paid for
-- it twice (recorded, then marked). A payload is read by its event's id and never searched, so
-- autovacuum's ANALYZE need not sort every sampled payload for statistics nothing uses.
DROP INDEX IF EXISTS outbox_delivery_pending;
ALTER TABLE outbox_event ALTER COLUMN payload SET STATISTICS 0;
