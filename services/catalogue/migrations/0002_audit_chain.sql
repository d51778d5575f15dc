-- The catalogue's audit trail moved to the hash-chained audit_record (motcua-audit), created
-- with every service schema's chain after the migrations; the old table held no production data.
DROP TABLE IF EXISTS audit_log;
