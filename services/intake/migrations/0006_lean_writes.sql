-- Less work per dossier received (issue 14): the outbox's part, shared by every producer
-- (crates/motcua-outbox/src/lean.sql, copied verbatim and checked by a test), then intake's own.
-- Documents stored whole and read back by their dossier's code or their key are never searched:
-- their statistics (ANALYZE sorting thousands of sampled documents after every burst) served no
-- plan.
DROP INDEX IF EXISTS outbox_delivery_pending;
ALTER TABLE outbox_event ALTER COLUMN payload SET STATISTICS 0;

ALTER TABLE dossier
    ALTER COLUMN applicant SET STATISTICS 0,
    ALTER COLUMN time_limit SET STATISTICS 0,
    ALTER COLUMN receipt SET STATISTICS 0;
ALTER TABLE dossier_history ALTER COLUMN detail SET STATISTICS 0;
ALTER TABLE idempotency_key
    ALTER COLUMN request_hash SET STATISTICS 0,
    ALTER COLUMN response SET STATISTICS 0;
