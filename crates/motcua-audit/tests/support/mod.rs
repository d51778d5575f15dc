//! What the audit trail's integration tests share: a fresh database with the chains installed,
//! an entry, a target that lands in a given chain, and a superuser's tampering. Each test file
//! is its own crate and uses only some of them.

#![allow(dead_code)]

use motcua_audit::{Actor, AuditEntry, chain_of, install};
use serde_json::json;

/// A fresh database whose schema `svc` has its chains installed (twice: it is idempotent).
pub async fn fresh() -> (motcua_testkit::TestDb, sqlx::PgPool) {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = motcua_db::connect(&db.url, "svc", 4).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    install(&mut conn).await.unwrap();
    install(&mut conn).await.unwrap();
    (db, pool)
}

/// An officer's change of `target`, made now.
pub fn entry(action: &str, target: &str) -> AuditEntry {
    AuditEntry {
        actor: Actor {
            sub: "officer-1".into(),
            roles: vec!["one_stop_officer".into()],
            agency: Some("000.00.01.H00".into()),
        },
        action: action.into(),
        target: target.into(),
        at: time::OffsetDateTime::now_utc(),
        before: Some(json!({"status": 1})),
        after: Some(json!({"status": 2, "note": "Nhận hồ sơ"})),
    }
}

/// The first of `<prefix>0`, `<prefix>1`, … whose records go to `chain`.
pub fn target_in(chain: i16, prefix: &str) -> String {
    (0..)
        .map(|i| format!("{prefix}{i}"))
        .find(|t| chain_of(t) == chain)
        .unwrap()
}

/// Runs `sql` as the superuser would to hide a change: with triggers off.
pub async fn tamper(pool: &sqlx::PgPool, sql: &str) {
    let mut conn = pool.acquire().await.unwrap().detach();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
}
