//! The chain's tables and the triggers that keep them append-only (bảng nhật ký chỉ ghi thêm),
//! created in the connection's schema. Idempotent and safe when several replicas start at once:
//! the statements run under a transaction-scoped advisory lock on the schema's name.

use sqlx::Connection;

/// Each statement of the installation, in order.
const STATEMENTS: &[&str] = &[
    "SELECT pg_advisory_xact_lock(hashtext('motcua-audit:' || current_schema()))",
    "CREATE TABLE IF NOT EXISTS audit_record (
        seq          bigint PRIMARY KEY CHECK (seq > 0),
        at           timestamptz NOT NULL,
        actor        text NOT NULL,
        actor_roles  text[] NOT NULL,
        actor_agency text,
        action       text NOT NULL,
        target       text NOT NULL,
        request_id   text,
        source       text,
        before       text,
        after        text,
        prev_hash    bytea NOT NULL,
        hash         bytea NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS audit_record_target ON audit_record (target, seq)",
    "CREATE TABLE IF NOT EXISTS audit_head (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        seq      bigint NOT NULL CHECK (seq >= 0),
        hash     bytea NOT NULL
    )",
    "INSERT INTO audit_head (only_row, seq, hash) VALUES (true, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
     ON CONFLICT (only_row) DO NOTHING",
    "CREATE OR REPLACE FUNCTION audit_record_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
         RAISE EXCEPTION 'audit records are append-only: % on %.audit_record refused', TG_OP, TG_TABLE_SCHEMA
             USING ERRCODE = 'insufficient_privilege';
     END $$",
    "CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
         IF TG_OP = 'UPDATE' THEN
             IF NEW.seq > OLD.seq THEN
                 RETURN NEW;
             END IF;
         END IF;
         RAISE EXCEPTION 'audit records are append-only: the head of %.audit_record only moves forward (% refused)', TG_TABLE_SCHEMA, TG_OP
             USING ERRCODE = 'insufficient_privilege';
     END $$",
    "CREATE OR REPLACE TRIGGER audit_record_no_change BEFORE UPDATE OR DELETE ON audit_record
     FOR EACH ROW EXECUTE FUNCTION audit_record_refuse()",
    "CREATE OR REPLACE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
     FOR EACH STATEMENT EXECUTE FUNCTION audit_record_refuse()",
    "CREATE OR REPLACE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
     FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
    "CREATE OR REPLACE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
     FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only()",
];

/// Creates (idempotently) `audit_record`, `audit_head`, and the triggers that refuse UPDATE,
/// DELETE and TRUNCATE, in the connection's schema (its `search_path`). Called by
/// `motcua_db::migrate` after a service's migrations, so every service schema has a chain.
pub async fn install(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    let mut tx = conn.begin().await?;
    for sql in STATEMENTS {
        sqlx::query(*sql).execute(&mut *tx).await?;
    }
    tx.commit().await
}
