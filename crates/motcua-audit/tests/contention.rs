//! What the chains are for (issue 14's regression): an append holds only its own chain's head
//! until its transaction ends, so a writer whose dossier hashes to another chain goes on while
//! it is open, and only a writer of the same chain waits — and then proceeds when it commits.

mod support;

use motcua_audit::{append, chain_of, verify};
use std::time::Duration;
use support::{entry, fresh, target_in};

/// Error code of a lock not obtained within `lock_timeout`.
const LOCK_NOT_AVAILABLE: &str = "55P03";

#[tokio::test]
async fn an_open_append_holds_only_its_own_chains_head() {
    let (db, pool) = fresh().await;
    let first = "000.25.80.H80-261127-0001";
    let c = chain_of(first);
    let elsewhere = target_in((c + 1) % motcua_audit::CHAINS, "000.25.80.H80-261127-");
    let same = target_in(c, "000.30.80.H80-261127-");

    // A transaction appends and stays open, as a writer does until its commit's fsync.
    let mut open = pool.begin().await.unwrap();
    append(&mut open, &[entry("dossier.received", first)])
        .await
        .unwrap();

    // Another chain: appends and commits while the first is open.
    let mut other = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL lock_timeout = '5s'")
        .execute(&mut *other)
        .await
        .unwrap();
    append(&mut other, &[entry("dossier.received", &elsewhere)])
        .await
        .expect("an append to another chain does not wait");
    other.commit().await.unwrap();

    // The same chain: waits for the open transaction (here: gives up after 200 ms) …
    let mut blocked = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL lock_timeout = '200ms'")
        .execute(&mut *blocked)
        .await
        .unwrap();
    let err = append(&mut blocked, &[entry("dossier.received", &same)])
        .await
        .unwrap_err();
    let code = err.as_database_error().and_then(|d| d.code());
    assert_eq!(code.as_deref(), Some(LOCK_NOT_AVAILABLE), "{err}");
    blocked.rollback().await.unwrap();

    // … and proceeds, after it, once it commits.
    let waiter = {
        let pool = pool.clone();
        let same = same.clone();
        tokio::spawn(async move {
            let mut tx = pool.begin().await.unwrap();
            append(&mut tx, &[entry("dossier.received", &same)])
                .await
                .unwrap();
            tx.commit().await.unwrap();
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "the same chain's writer waits");
    open.commit().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("the waiting writer proceeds after the commit")
        .unwrap();

    let mut conn = pool.acquire().await.unwrap();
    let report = verify(&mut conn).await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    let seqs = |chain: i16| report.chains[chain as usize].head_seq;
    assert_eq!((seqs(c), seqs(chain_of(&elsewhere))), (2, 1));
    drop(conn);
    db.drop_database().await.unwrap();
}
