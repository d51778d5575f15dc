//! The chains' tables and the triggers that keep them append-only (bảng nhật ký chỉ ghi thêm),
//! created in the connection's schema. Idempotent and safe when several replicas start at once:
//! the statements run under a transaction-scoped advisory lock on the schema's name.
//!
//! It also upgrades, in place, a schema written before chains were partitioned (one chain:
//! `audit_record` keyed by `seq`, a one-row `audit_head` keyed by `only_row`): its records become
//! chain 0 as they are, hashes untouched (the hash never covered the chain, see `canonical.rs`),
//! its head becomes chain 0's head, and the heads of chains 1.. start empty.

use crate::chain::CHAINS;
use sqlx::Connection;

/// The tables, created or upgraded, in order.
const TABLES: &[&str] = &[
    "SELECT pg_advisory_xact_lock(hashtext('motcua-audit:' || current_schema()))",
    "CREATE TABLE IF NOT EXISTS audit_record (
        chain        smallint NOT NULL CHECK (chain >= 0),
        seq          bigint NOT NULL CHECK (seq > 0),
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
        hash         bytea NOT NULL,
        PRIMARY KEY (chain, seq)
    )",
    // Upgrade: the single chain's records become chain 0 (a constant default: no table rewrite,
    // and no row trigger fires), the default dropped at once so that no later insert lands in
    // chain 0 by omission; the key (seq) becomes (chain, seq). Guarded by the column's absence,
    // so it runs once, all of it or nothing (the installation is one transaction).
    "DO $$
     DECLARE pk name;
     BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_attribute
                         WHERE attrelid = 'audit_record'::regclass AND attname = 'chain'
                           AND NOT attisdropped) THEN
             ALTER TABLE audit_record
                 ADD COLUMN IF NOT EXISTS chain smallint NOT NULL DEFAULT 0 CHECK (chain >= 0);
             ALTER TABLE audit_record ALTER COLUMN chain DROP DEFAULT;
             SELECT conname INTO pk FROM pg_constraint
              WHERE conrelid = 'audit_record'::regclass AND contype = 'p';
             EXECUTE format('ALTER TABLE audit_record DROP CONSTRAINT %I', pk);
             ALTER TABLE audit_record ADD PRIMARY KEY (chain, seq);
         END IF;
     END $$",
    "CREATE INDEX IF NOT EXISTS audit_record_target ON audit_record (target, seq)",
    "CREATE TABLE IF NOT EXISTS audit_head (
        chain smallint PRIMARY KEY CHECK (chain >= 0),
        seq   bigint NOT NULL CHECK (seq >= 0),
        hash  bytea NOT NULL
    )",
    // Upgrade: the one head row (key `only_row`) becomes chain 0's, keeping its seq and hash.
    "DO $$
     BEGIN
         IF EXISTS (SELECT 1 FROM pg_attribute
                     WHERE attrelid = 'audit_head'::regclass AND attname = 'only_row'
                       AND NOT attisdropped) THEN
             ALTER TABLE audit_head ADD COLUMN chain smallint NOT NULL DEFAULT 0 CHECK (chain >= 0);
             ALTER TABLE audit_head DROP COLUMN only_row;
             ALTER TABLE audit_head ADD PRIMARY KEY (chain);
             ALTER TABLE audit_head ALTER COLUMN chain DROP DEFAULT;
         END IF;
     END $$",
];

/// The heads missing of chains 0 to `$1` − 1, each empty (seq 0, the genesis hash).
const HEADS: &str = "INSERT INTO audit_head (chain, seq, hash)
     SELECT c, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea
       FROM generate_series(0, $1 - 1) AS c
     ON CONFLICT (chain) DO NOTHING";

/// The triggers that keep records append-only and heads moving forward, in order.
const TRIGGERS: &[&str] = &[
    "CREATE OR REPLACE FUNCTION audit_record_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
         RAISE EXCEPTION 'audit records are append-only: % on %.audit_record refused', TG_OP, TG_TABLE_SCHEMA
             USING ERRCODE = 'insufficient_privilege';
     END $$",
    // A head moves forward within its chain only; a new chain's head starts empty.
    "CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
         IF TG_OP = 'UPDATE' THEN
             IF NEW.chain = OLD.chain AND NEW.seq > OLD.seq THEN
                 RETURN NEW;
             END IF;
         ELSIF TG_OP = 'INSERT' THEN
             IF NEW.seq = 0 AND NEW.hash = '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea THEN
                 RETURN NEW;
             END IF;
         END IF;
         RAISE EXCEPTION 'audit records are append-only: the heads of %.audit_record only move forward (% refused)', TG_TABLE_SCHEMA, TG_OP
             USING ERRCODE = 'insufficient_privilege';
     END $$",
    "CREATE OR REPLACE TRIGGER audit_record_no_change BEFORE UPDATE OR DELETE ON audit_record
     FOR EACH ROW EXECUTE FUNCTION audit_record_refuse()",
    "CREATE OR REPLACE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
     FOR EACH STATEMENT EXECUTE FUNCTION audit_record_refuse()",
    "CREATE OR REPLACE TRIGGER audit_head_forward BEFORE INSERT OR UPDATE OR DELETE ON audit_head
     FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()",
    "CREATE OR REPLACE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
     FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only()",
];

/// Creates (idempotently) `audit_record`, `audit_head` with the heads of chains 0 to
/// [`CHAINS`] − 1, and the triggers that refuse UPDATE, DELETE and TRUNCATE, in the
/// connection's schema (its `search_path`); upgrades a single-chain schema to chain 0 of this
/// layout (module doc). Called by `motcua_db::migrate` after a service's migrations, so every
/// service schema has its chains.
pub async fn install(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    let mut tx = conn.begin().await?;
    for sql in TABLES {
        sqlx::query(*sql).execute(&mut *tx).await?;
    }
    sqlx::query(HEADS)
        .bind(i32::from(CHAINS))
        .execute(&mut *tx)
        .await?;
    for sql in TRIGGERS {
        sqlx::query(*sql).execute(&mut *tx).await?;
    }
    tx.commit().await
}
