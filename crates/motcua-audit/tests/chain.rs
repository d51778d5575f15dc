//! The audit chain against a real database: appends verify; an edited, a deleted, a reordered
//! record and a truncated tail are each named by `verify`; the application's own connections
//! cannot update, delete or truncate records, nor move the head back; concurrent appends stay
//! gap-free and a rolled-back change leaves no record.

use motcua_audit::{Actor, AuditEntry, Origin, append, append_from, install, of_target, verify};
use serde_json::json;

/// A fresh database whose schema `svc` has its chain installed (twice: it is idempotent).
async fn fresh() -> (motcua_testkit::TestDb, sqlx::PgPool) {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = motcua_db::connect(&db.url, "svc", 4).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    install(&mut conn).await.unwrap();
    install(&mut conn).await.unwrap();
    (db, pool)
}

fn entry(action: &str, target: &str) -> AuditEntry {
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

/// Five records: three in one transaction, two in another.
async fn five(pool: &sqlx::PgPool) {
    let mut tx = pool.begin().await.unwrap();
    let batch: Vec<_> = (1..=3)
        .map(|i| entry("dossier.received", &format!("D{i}")))
        .collect();
    append(&mut tx, &batch).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    append(
        &mut tx,
        &[
            entry("dossier.accepted", "D1"),
            entry("dossier.accepted", "D2"),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Runs `sql` as the superuser would to hide a change: with triggers off.
async fn tamper(pool: &sqlx::PgPool, sql: &str) {
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

async fn first_bad(pool: &sqlx::PgPool) -> motcua_audit::BadRecord {
    let mut conn = pool.acquire().await.unwrap();
    let report = verify(&mut conn).await.unwrap();
    report.first_bad.expect("the chain should be broken")
}

#[tokio::test]
async fn appended_records_verify_and_carry_the_request_and_its_source() {
    let (db, pool) = fresh().await;
    let addr: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    let within = motcua_telemetry::client_addr::scope(addr, five(&pool));
    motcua_telemetry::request_id::scope("req-1".into(), within).await;

    let mut conn = pool.acquire().await.unwrap();
    let report = verify(&mut conn).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.records, 5);
    let d1 = of_target(&mut conn, "D1").await.unwrap();
    assert_eq!(d1.len(), 2);
    assert_eq!((d1[0].seq, d1[1].seq), (1, 4));
    let d2 = of_target(&mut conn, "D2").await.unwrap();
    assert_eq!(d2[1].hash, report.head, "D2's second record is the last");
    assert_eq!(d1[0].request_id.as_deref(), Some("req-1"));
    assert_eq!(d1[0].source.as_deref(), Some("203.0.113.7"));
    assert_eq!(d1[0].roles, ["one_stop_officer"]);
    assert_eq!(
        d1[0].after,
        Some(json!({"status": 2, "note": "Nhận hồ sơ"}))
    );
    drop(conn);
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn an_edited_record_is_named() {
    let (db, pool) = fresh().await;
    five(&pool).await;
    tamper(
        &pool,
        r#"UPDATE audit_record SET after = '{"status":9}' WHERE seq = 2"#,
    )
    .await;
    let bad = first_bad(&pool).await;
    assert_eq!((bad.seq, bad.target.as_str()), (2, "D2"));
    assert!(bad.reason.contains("edited"), "{bad}");
    assert_eq!(
        bad.to_string(),
        "record 2 (dossier.received D2) was edited: its hash no longer matches its contents"
    );
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_deleted_record_is_named_by_the_one_after_the_gap() {
    let (db, pool) = fresh().await;
    five(&pool).await;
    tamper(&pool, "DELETE FROM audit_record WHERE seq = 2").await;
    let bad = first_bad(&pool).await;
    assert_eq!(bad.seq, 3);
    assert!(bad.reason.contains("record 2 is missing"), "{bad}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn the_first_record_deleted_is_found() {
    let (db, pool) = fresh().await;
    five(&pool).await;
    tamper(&pool, "DELETE FROM audit_record WHERE seq = 1").await;
    let bad = first_bad(&pool).await;
    assert_eq!(bad.seq, 2);
    assert!(bad.reason.contains("record 1 is missing"), "{bad}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn reordered_records_are_named() {
    let (db, pool) = fresh().await;
    five(&pool).await;
    // Records 2 and 4 swap places.
    tamper(
        &pool,
        "UPDATE audit_record SET seq = 1000 WHERE seq = 2;
         UPDATE audit_record SET seq = 2 WHERE seq = 4;
         UPDATE audit_record SET seq = 4 WHERE seq = 1000;",
    )
    .await;
    let bad = first_bad(&pool).await;
    assert_eq!((bad.seq, bad.action.as_str()), (2, "dossier.accepted"));
    assert!(bad.reason.contains("reordered"), "{bad}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn swapped_contents_are_named() {
    let (db, pool) = fresh().await;
    five(&pool).await;
    // Records 2 and 3 keep their seq and hashes but exchange what they say.
    tamper(
        &pool,
        "UPDATE audit_record a SET target = b.target
           FROM audit_record b WHERE (a.seq, b.seq) IN ((2, 3), (3, 2));",
    )
    .await;
    let bad = first_bad(&pool).await;
    assert_eq!((bad.seq, bad.target.as_str()), (2, "D3"));
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_truncated_tail_is_named() {
    let (db, pool) = fresh().await;
    five(&pool).await;
    tamper(&pool, "DELETE FROM audit_record WHERE seq >= 4").await;
    let bad = first_bad(&pool).await;
    assert_eq!(bad.seq, 4);
    assert!(bad.reason.contains("tail deleted"), "{bad}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn the_application_cannot_change_delete_or_truncate_records_nor_move_the_head_back() {
    let (db, pool) = fresh().await;
    five(&pool).await;
    for sql in [
        "UPDATE audit_record SET target = 'X' WHERE seq = 1",
        "DELETE FROM audit_record WHERE seq = 5",
        "TRUNCATE audit_record",
        "UPDATE audit_head SET seq = 4",
        "DELETE FROM audit_head",
        "TRUNCATE audit_head",
    ] {
        let err = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(
            err.to_string().contains("audit records are append-only"),
            "{sql}: {err}"
        );
    }
    let mut conn = pool.acquire().await.unwrap();
    assert!(verify(&mut conn).await.unwrap().is_ok());
    drop(conn);
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn concurrent_appends_stay_gap_free_and_a_rollback_leaves_nothing() {
    let (db, pool) = fresh().await;
    let writers = (0..20).map(|i| {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut tx = pool.begin().await.unwrap();
            append(&mut tx, &[entry("x", &format!("T{i}"))])
                .await
                .unwrap();
            if i % 5 == 0 {
                tx.rollback().await.unwrap();
            } else {
                tx.commit().await.unwrap();
            }
        })
    });
    for w in writers.collect::<Vec<_>>() {
        w.await.unwrap();
    }
    let mut conn = pool.acquire().await.unwrap();
    let report = verify(&mut conn).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.records, 16);
    drop(conn);
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_batch_of_several_requests_keeps_each_ones_request_id_and_source() {
    let (db, pool) = fresh().await;
    let origin = |i: u8| Origin {
        request_id: Some(format!("req-{i}")),
        source: Some(format!("192.0.2.{i}")),
    };
    let mut tx = pool.begin().await.unwrap();
    let batch = [
        (entry("dossier.received", "A"), origin(1)),
        (entry("dossier.received", "B"), origin(2)),
    ];
    append_from(&mut tx, &batch).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let b = of_target(&mut conn, "B").await.unwrap();
    assert_eq!(b[0].request_id.as_deref(), Some("req-2"));
    assert_eq!(b[0].source.as_deref(), Some("192.0.2.2"));
    assert!(verify(&mut conn).await.unwrap().is_ok());
    drop(conn);
    db.drop_database().await.unwrap();
}
