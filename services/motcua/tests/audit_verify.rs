//! `motcua audit verify`, the binary, against a migrated database: every schema's chains are
//! reported sound, and with `--heads` each chain's head; after a record of one of intake's
//! chains is edited, deleted or reordered (with the triggers off, as only a superuser could), it
//! exits non-zero naming that record with its chain.

use motcua_audit::{Actor, AuditEntry};
use std::process::{Command, Output};

fn verify(url: &str, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.args(["audit", "verify"])
        .args(extra)
        .env("DATABASE_URL", url);
    for var in [
        "MOTCUA_JWT_PUBLIC_KEY_FILE",
        "MOTCUA_JWT_PRIVATE_KEY_FILE",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ] {
        cmd.env_remove(var);
    }
    cmd.output().expect("running motcua")
}

/// A migrated database whose intake trail holds four records, in the chain of `D1` (the first
/// entry's target picks the chain of the whole append).
async fn migrated() -> (motcua_testkit::TestDb, sqlx::PgPool) {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    for def in &motcua::SERVICES {
        motcua_server::connect_and_migrate(def, &db.url, 1)
            .await
            .unwrap();
    }
    let pool = motcua_db::connect(&db.url, "intake", 2).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let entries: Vec<_> = (1..=4)
        .map(|i| AuditEntry {
            actor: Actor::service("test"),
            action: "dossier.received".into(),
            target: format!("D{i}"),
            at: time::OffsetDateTime::now_utc(),
            before: None,
            after: Some(serde_json::json!({ "status": 1 })),
        })
        .collect();
    motcua_audit::append(&mut tx, &entries).await.unwrap();
    tx.commit().await.unwrap();
    (db, pool)
}

async fn tamper(pool: &sqlx::PgPool, sql: &str) {
    let mut conn = pool.acquire().await.unwrap().detach();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SET session_replication_role = replica; {sql}"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn every_sound_chain_is_reported_and_each_kind_of_tampering_named() {
    let (db, pool) = migrated().await;
    let c = motcua_audit::chain_of("D1");
    let out = verify(&db.url, &[]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for schema in ["catalogue", "workflow", "reporting"] {
        assert!(text.contains(&format!("{schema}: ")), "{text}");
    }
    assert!(
        text.contains("intake: 4 records in 16 chains, ok"),
        "{text}"
    );
    let heads = stdout(&verify(&db.url, &["--heads"]));
    let head = format!("intake chain {c}: 4 records, head 4 ");
    assert!(heads.contains(&head), "{heads}");
    assert_eq!(heads.matches("intake chain ").count(), 16, "{heads}");

    let cases = [
        (
            format!("UPDATE audit_record SET target = 'D9' WHERE chain = {c} AND seq = 2"),
            format!("intake: chain {c} record 2 (dossier.received D9) was edited"),
        ),
        (
            format!(
                "UPDATE audit_record SET seq = 100 WHERE chain = {c} AND seq = 2;
                 UPDATE audit_record SET seq = 2 WHERE chain = {c} AND seq = 3;
                 UPDATE audit_record SET seq = 3 WHERE chain = {c} AND seq = 100;"
            ),
            format!(
                "intake: chain {c} record 2 (dossier.received D3) does not follow the record before it"
            ),
        ),
        (
            format!("DELETE FROM audit_record WHERE chain = {c} AND seq = 2"),
            format!(
                "intake: chain {c} record 3 (dossier.received D9) follows a gap: record 2 is missing"
            ),
        ),
    ];
    for (sql, named) in cases {
        tamper(&pool, &sql).await;
        let out = verify(&db.url, &[]);
        let text = stdout(&out);
        assert!(!out.status.success(), "{sql}: passed\n{text}");
        assert!(
            text.contains(&named),
            "{sql}: expected {named:?} in\n{text}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("audit chain broken in intake"), "{stderr}");
    }
    pool.close().await;
    db.drop_database().await.unwrap();
}
