//! Upgrading in place: a schema written by the single-chain trail (records keyed by `seq`, one
//! head row keyed by `only_row`, its triggers) is turned by `install` into chain 0 of the
//! partitioned layout, its records and hashes untouched: it verifies, the triggers still hold
//! (now per chain), and new appends land in the chains their targets pick.

mod support;

use motcua_audit::{CHAINS, append, chain_of, install, of_target, verify};
use support::{entry, target_in};

/// The tables, head row and triggers the single-chain `install` made, as it made them.
const SINGLE_CHAIN: &str = r#"
CREATE TABLE audit_record (
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
);
CREATE INDEX audit_record_target ON audit_record (target, seq);
CREATE TABLE audit_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      bigint NOT NULL CHECK (seq >= 0),
    hash     bytea NOT NULL
);
INSERT INTO audit_head (only_row, seq, hash)
VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
CREATE FUNCTION audit_record_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on %.audit_record refused', TG_OP, TG_TABLE_SCHEMA
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.seq > OLD.seq THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: the head of %.audit_record only moves forward (% refused)', TG_TABLE_SCHEMA, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_record_no_change BEFORE UPDATE OR DELETE ON audit_record
FOR EACH ROW EXECUTE FUNCTION audit_record_refuse();
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
FOR EACH STATEMENT EXECUTE FUNCTION audit_record_refuse();
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();
"#;

/// Schema `svc` in the single-chain layout holding four records, and their hashes. The records
/// are made by today's `append` in chain 0 of a scratch schema and copied without the chain:
/// the hash never covered it, so they are byte for byte what the single-chain trail wrote
/// (`canonical.rs` pins the formula to an independently computed hash).
async fn single_chain(url: &str) -> (sqlx::PgPool, Vec<Vec<u8>>) {
    let scratch = motcua_db::connect(url, "scratch", 2).await.unwrap();
    install(&mut scratch.acquire().await.unwrap())
        .await
        .unwrap();
    let key = target_in(0, "000.25.80.H80-261127-");
    for batch in [vec![&key[..], "D1", "D2"], vec![&key[..]]] {
        let entries: Vec<_> = batch.iter().map(|t| entry("dossier.received", t)).collect();
        let mut tx = scratch.begin().await.unwrap();
        append(&mut tx, &entries).await.unwrap();
        tx.commit().await.unwrap();
    }
    let pool = motcua_db::connect(url, "svc", 4).await.unwrap();
    sqlx::raw_sql(SINGLE_CHAIN).execute(&pool).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO svc.audit_record
         SELECT seq, at, actor, actor_roles, actor_agency, action, target, request_id, source,
                before, after, prev_hash, hash
           FROM scratch.audit_record WHERE chain = 0 ORDER BY seq;
         UPDATE svc.audit_head SET (seq, hash) =
                (SELECT seq, hash FROM scratch.audit_head WHERE chain = 0);",
    )
    .execute(&pool)
    .await
    .unwrap();
    let hashes = sqlx::query_scalar("SELECT hash FROM svc.audit_record ORDER BY seq")
        .fetch_all(&pool)
        .await
        .unwrap();
    scratch.close().await;
    (pool, hashes)
}

#[tokio::test]
async fn a_single_chain_schema_becomes_chain_0_and_new_appends_land_in_their_chains() {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let (pool, before) = single_chain(&db.url).await;
    assert_eq!(before.len(), 4);

    let mut conn = pool.acquire().await.unwrap();
    install(&mut conn).await.unwrap();
    install(&mut conn).await.unwrap();

    let report = verify(&mut conn).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.chains.len(), CHAINS as usize);
    assert_eq!(
        (report.chains[0].records, report.chains[0].head_seq),
        (4, 4)
    );
    let after: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT hash FROM audit_record WHERE chain = 0 ORDER BY seq")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert_eq!(after, before, "records and hashes untouched");
    let default: Option<String> = sqlx::query_scalar(
        "SELECT column_default FROM information_schema.columns
          WHERE table_schema = 'svc' AND table_name = 'audit_record' AND column_name = 'chain'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert_eq!(
        default, None,
        "no later insert lands in chain 0 by omission"
    );

    // New appends: D1's own chain, and chain 0 continuing after the old records.
    let mut tx = pool.begin().await.unwrap();
    append(&mut tx, &[entry("dossier.accepted", "D1")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let key = target_in(0, "000.25.80.H80-261128-");
    append(&mut tx, &[entry("dossier.received", &key)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let d1 = of_target(&mut conn, "D1").await.unwrap();
    let at: Vec<_> = d1.iter().map(|r| (r.chain, r.seq)).collect();
    assert_eq!(at, [(0, 2), (chain_of("D1"), 1)]);
    let report = verify(&mut conn).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.chains[0].head_seq, 5);

    // The triggers hold, per chain.
    for sql in [
        "UPDATE audit_record SET target = 'X' WHERE chain = 0 AND seq = 1",
        "DELETE FROM audit_record WHERE chain = 0",
        "UPDATE audit_head SET seq = 4 WHERE chain = 0",
        "DELETE FROM audit_head WHERE chain = 0",
    ] {
        let err = sqlx::query(sql).execute(&mut *conn).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    drop(conn);
    pool.close().await;
    db.drop_database().await.unwrap();
}
