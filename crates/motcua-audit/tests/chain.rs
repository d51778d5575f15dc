//! The audit chains against a real database: appends verify; an edited, a deleted, a reordered
//! record, a truncated tail and a record moved from one chain to another are each named by
//! `verify` with their chain (not chain 0: the records under test go to the chain of `D1`); the
//! application's own connections cannot update, delete or truncate records, nor move a head
//! back or across; concurrent appends stay gap-free and a rolled-back change leaves no record; a
//! transaction writes to one chain; a target's records are read across chains in time order.

mod support;

use motcua_audit::{BadRecord, CHAINS, Origin, append, append_from, chain_of, of_target, verify};
use serde_json::json;
use support::{entry, fresh, tamper};

/// Five records in the chain of `D1` (returned): three in one transaction, two in another.
async fn five(pool: &sqlx::PgPool) -> i16 {
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
    let chain = chain_of("D1");
    assert_ne!(
        chain, 0,
        "the records under test are in a chain other than 0"
    );
    chain
}

/// The first bad record of each broken chain, in chain order.
async fn broken(pool: &sqlx::PgPool) -> Vec<BadRecord> {
    let mut conn = pool.acquire().await.unwrap();
    let report = verify(&mut conn).await.unwrap();
    report.broken().cloned().collect()
}

/// The only broken chain's first bad record.
async fn first_bad(pool: &sqlx::PgPool) -> BadRecord {
    let bad = broken(pool).await;
    assert_eq!(bad.len(), 1, "one chain should be broken: {bad:?}");
    bad.into_iter().next().unwrap()
}

#[tokio::test]
async fn appended_records_verify_and_carry_the_request_and_its_source() {
    let (db, pool) = fresh().await;
    let addr: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    let within = motcua_telemetry::client_addr::scope(addr, five(&pool));
    let c = motcua_telemetry::request_id::scope("req-1".into(), within).await;

    let mut conn = pool.acquire().await.unwrap();
    let report = verify(&mut conn).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.records(), 5);
    assert_eq!(report.chains.len(), CHAINS as usize, "every chain checked");
    let d1 = of_target(&mut conn, "D1").await.unwrap();
    assert_eq!(d1.len(), 2);
    assert_eq!((d1[0].chain, d1[0].seq, d1[1].seq), (c, 1, 4));
    let d2 = of_target(&mut conn, "D2").await.unwrap();
    let head = &report.chains[c as usize];
    assert_eq!((head.chain, head.head_seq), (c, 5));
    assert_eq!(d2[1].hash, head.head, "D2's second record is the last");
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
    let c = five(&pool).await;
    let sql = format!(
        r#"UPDATE audit_record SET after = '{{"status":9}}' WHERE chain = {c} AND seq = 2"#
    );
    tamper(&pool, &sql).await;
    let bad = first_bad(&pool).await;
    assert_eq!((bad.chain, bad.seq, bad.target.as_str()), (c, 2, "D2"));
    assert_eq!(
        bad.to_string(),
        format!(
            "chain {c} record 2 (dossier.received D2) was edited: its hash no longer matches its contents"
        )
    );
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_deleted_record_is_named_by_the_one_after_the_gap() {
    let (db, pool) = fresh().await;
    let c = five(&pool).await;
    tamper(
        &pool,
        &format!("DELETE FROM audit_record WHERE chain = {c} AND seq = 2"),
    )
    .await;
    let bad = first_bad(&pool).await;
    assert_eq!((bad.chain, bad.seq), (c, 3));
    assert!(bad.reason.contains("record 2 is missing"), "{bad}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn the_first_record_deleted_is_found() {
    let (db, pool) = fresh().await;
    let c = five(&pool).await;
    tamper(
        &pool,
        &format!("DELETE FROM audit_record WHERE chain = {c} AND seq = 1"),
    )
    .await;
    let bad = first_bad(&pool).await;
    assert_eq!((bad.chain, bad.seq), (c, 2));
    assert!(bad.reason.contains("record 1 is missing"), "{bad}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn reordered_records_are_named() {
    let (db, pool) = fresh().await;
    let c = five(&pool).await;
    // Records 2 and 4 swap places.
    let sql = format!(
        "UPDATE audit_record SET seq = 1000 WHERE chain = {c} AND seq = 2;
         UPDATE audit_record SET seq = 2 WHERE chain = {c} AND seq = 4;
         UPDATE audit_record SET seq = 4 WHERE chain = {c} AND seq = 1000;"
    );
    tamper(&pool, &sql).await;
    let bad = first_bad(&pool).await;
    assert_eq!(
        (bad.chain, bad.seq, bad.action.as_str()),
        (c, 2, "dossier.accepted")
    );
    assert!(bad.reason.contains("reordered"), "{bad}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn swapped_contents_are_named() {
    let (db, pool) = fresh().await;
    let c = five(&pool).await;
    // Records 2 and 3 keep their seq and hashes but exchange what they say.
    let sql = format!(
        "UPDATE audit_record a SET target = b.target
           FROM audit_record b
          WHERE a.chain = {c} AND b.chain = {c} AND (a.seq, b.seq) IN ((2, 3), (3, 2));"
    );
    tamper(&pool, &sql).await;
    let bad = first_bad(&pool).await;
    assert_eq!((bad.chain, bad.seq, bad.target.as_str()), (c, 2, "D3"));
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_truncated_tail_is_named() {
    let (db, pool) = fresh().await;
    let c = five(&pool).await;
    tamper(
        &pool,
        &format!("DELETE FROM audit_record WHERE chain = {c} AND seq >= 4"),
    )
    .await;
    let bad = first_bad(&pool).await;
    assert_eq!((bad.chain, bad.seq), (c, 4));
    assert!(bad.reason.contains("tail deleted"), "{bad}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_record_moved_to_another_chain_is_named_in_both() {
    let (db, pool) = fresh().await;
    let c = five(&pool).await;
    let other = support::target_in((c + 1) % CHAINS, "O");
    for _ in 0..2 {
        let mut tx = pool.begin().await.unwrap();
        append(&mut tx, &[entry("x", &other)]).await.unwrap();
        tx.commit().await.unwrap();
    }
    let o = chain_of(&other);
    // Record 2 of chain c becomes record 3 of chain o, as if appended there.
    let sql = format!(
        "UPDATE audit_record SET chain = {o}, seq = 3 WHERE chain = {c} AND seq = 2;
         UPDATE audit_head SET seq = 3 WHERE chain = {o};"
    );
    tamper(&pool, &sql).await;
    let bad = broken(&pool).await;
    let named: Vec<_> = bad.iter().map(|b| (b.chain, b.seq)).collect();
    let mut expected = vec![(c, 3), (o, 3)];
    expected.sort();
    assert_eq!(named, expected, "{bad:?}");
    let left = bad.iter().find(|b| b.chain == c).unwrap();
    assert!(left.reason.contains("record 2 is missing"), "{left}");
    let joined = bad.iter().find(|b| b.chain == o).unwrap();
    assert_eq!(joined.target, "D2");
    assert!(joined.reason.contains("does not follow"), "{joined}");
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn the_application_cannot_change_delete_or_truncate_records_nor_move_a_head_back() {
    let (db, pool) = fresh().await;
    let c = five(&pool).await;
    let empty = (c + 1) % CHAINS;
    for sql in [
        format!("UPDATE audit_record SET target = 'X' WHERE chain = {c} AND seq = 1"),
        format!("UPDATE audit_record SET chain = {empty} WHERE chain = {c} AND seq = 5"),
        format!("DELETE FROM audit_record WHERE chain = {c} AND seq = 5"),
        "TRUNCATE audit_record".to_string(),
        format!("UPDATE audit_head SET seq = 4 WHERE chain = {c}"),
        format!("UPDATE audit_head SET chain = 99, seq = 6 WHERE chain = {c}"),
        format!("DELETE FROM audit_head WHERE chain = {empty}"),
        "INSERT INTO audit_head (chain, seq, hash) VALUES (99, 7, '\\x01')".to_string(),
        "TRUNCATE audit_head".to_string(),
    ] {
        let err = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&pool)
            .await
            .unwrap_err();
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
    assert_eq!(report.records(), 16);
    let used = report.chains.iter().filter(|c| c.records > 0).count();
    assert!(used > 1, "the writers spread over chains: {report:?}");
    drop(conn);
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_batch_of_several_requests_keeps_each_ones_request_id_and_source_in_one_chain() {
    let (db, pool) = fresh().await;
    let origin = |i: u8| Origin {
        request_id: Some(format!("req-{i}")),
        source: Some(format!("192.0.2.{i}")),
    };
    assert_ne!(chain_of("A"), chain_of("B"));
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
    assert_eq!(
        (b[0].chain, b[0].seq),
        (chain_of("A"), 2),
        "the first entry's chain"
    );
    assert!(verify(&mut conn).await.unwrap().is_ok());
    drop(conn);
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_transaction_that_appends_twice_stays_in_its_first_chain() {
    let (db, pool) = fresh().await;
    let mut tx = pool.begin().await.unwrap();
    append(&mut tx, &[entry("compliance.x", "A")])
        .await
        .unwrap();
    append(&mut tx, &[entry("dossier.changed", "B")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // The pin ends with the transaction: the next one picks by its own target.
    let mut tx = pool.begin().await.unwrap();
    append(&mut tx, &[entry("dossier.changed", "B")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let b = of_target(&mut conn, "B").await.unwrap();
    let at: Vec<_> = b.iter().map(|r| (r.chain, r.seq)).collect();
    assert_eq!(at, [(chain_of("A"), 2), (chain_of("B"), 1)]);
    assert!(verify(&mut conn).await.unwrap().is_ok());
    drop(conn);
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_targets_records_are_read_across_chains_in_time_order() {
    let (db, pool) = fresh().await;
    let t0 = time::OffsetDateTime::now_utc();
    let at = |secs: i64, mut e: motcua_audit::AuditEntry| {
        e.at = t0 + time::Duration::seconds(secs);
        e
    };
    // D1's records in three chains (those of A, D1 and X), written out of time order.
    for batch in [
        vec![at(0, entry("x", "A")), at(0, entry("first", "D1"))],
        vec![at(20, entry("third", "D1"))],
        vec![at(10, entry("x", "X")), at(10, entry("second", "D1"))],
    ] {
        let mut tx = pool.begin().await.unwrap();
        append(&mut tx, &batch).await.unwrap();
        tx.commit().await.unwrap();
    }
    let mut conn = pool.acquire().await.unwrap();
    let d1 = of_target(&mut conn, "D1").await.unwrap();
    let read: Vec<_> = d1.iter().map(|r| (r.action.as_str(), r.chain)).collect();
    let expected = [
        ("first", chain_of("A")),
        ("second", chain_of("X")),
        ("third", chain_of("D1")),
    ];
    assert_eq!(read, expected);
    drop(conn);
    db.drop_database().await.unwrap();
}
