//! The relay against a real database, with its destination down: failures back off, and a
//! failed event holds back later events of the same subject (never overtaken), while other
//! subjects go on; a destination with bounded attempts turns a delivery that spends them into a
//! dead letter, which is listed and replayed.

use motcua_outbox::{NewEvent, Relay, RelayDestination, record};
use motcua_proto::common::v1::event_receiver_client::EventReceiverClient;
use std::time::Duration;

/// A fresh database with a producer's outbox tables (schema `producer`).
async fn producer() -> (motcua_testkit::TestDb, sqlx::PgPool) {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = motcua_db::connect(&db.url, "producer", 2).await.unwrap();
    for ddl in [motcua_outbox::PRODUCER_DDL, motcua_outbox::DEAD_LETTER_DDL] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(ddl))
            .execute(&pool)
            .await
            .unwrap();
    }
    (db, pool)
}

#[tokio::test]
async fn a_failed_delivery_holds_back_later_events_of_its_subject_only() {
    let (db, pool) = producer().await;
    let mut tx = pool.begin().await.unwrap();
    for subject in ["A", "A", "B"] {
        let e = NewEvent {
            event_type: "test.event",
            subject,
            payload: &serde_json::json!({}),
            occurred_at: time::OffsetDateTime::now_utc(),
        };
        record(&mut tx, e, &["down"]).await.unwrap();
    }
    tx.commit().await.unwrap();

    // Nothing listens on port 1: every call fails fast.
    let issuer = motcua_auth::TokenIssuer::hs256(b"secret-secret-secret-secret-secret", "motcua");
    let channel = motcua_server::connect_peer(
        "http://127.0.0.1:1",
        motcua_config::ServiceName::Intake,
        issuer,
        Duration::from_millis(500),
    )
    .unwrap();
    let relay = Relay::new(
        pool.clone(),
        "test",
        vec![RelayDestination::new(
            "down",
            EventReceiverClient::new(channel),
            None,
        )],
        Duration::from_secs(1),
    );
    let attempts = || async {
        sqlx::query_as::<_, (String, i32)>(
            "SELECT subject, attempts FROM outbox_delivery ORDER BY seq",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    assert_eq!(
        relay.deliver_batch().await.unwrap(),
        2,
        "A's first event and B's; A's second waits"
    );
    let after_first = attempts().await;
    assert_eq!(
        after_first,
        [("A".into(), 1), ("A".into(), 0), ("B".into(), 1)]
    );
    // The failed ones back off; A's second is still not attempted ahead of A's first.
    assert_eq!(relay.deliver_batch().await.unwrap(), 0);
    assert_eq!(attempts().await, after_first);
    let pending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_delivery WHERE delivered_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(pending, 3, "nothing is lost");
    pool.close().await;
    db.drop_database().await.unwrap();
}

/// A destination outside motcua that always fails: nothing listens on port 1.
#[derive(Debug)]
struct Refusing;

impl motcua_outbox::Deliver for Refusing {
    fn deliver(
        &self,
        _event: motcua_proto::common::v1::Event,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async { Err("refused".to_string()) })
    }
}

#[tokio::test]
async fn a_delivery_that_spends_its_attempts_is_a_dead_letter_and_stops_holding_its_subject() {
    let (db, pool) = producer().await;
    let mut tx = pool.begin().await.unwrap();
    for t in ["first", "second"] {
        let e = NewEvent {
            event_type: t,
            subject: "A",
            payload: &serde_json::json!({}),
            occurred_at: time::OffsetDateTime::now_utc(),
        };
        record(&mut tx, e, &["portal"]).await.unwrap();
    }
    tx.commit().await.unwrap();
    let relay = Relay::new(
        pool.clone(),
        "test",
        vec![RelayDestination::new("portal", Refusing, Some(2))],
        Duration::from_secs(1),
    );
    let rows = || async {
        sqlx::query_as::<_, (String, i32, bool)>(
            "SELECT e.event_type, d.attempts, d.dead_at IS NOT NULL
               FROM outbox_delivery d JOIN outbox_event e ON e.id = d.event_id ORDER BY d.seq",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let due_now = || async {
        sqlx::query("UPDATE outbox_delivery SET next_attempt_at = now()")
            .execute(&pool)
            .await
            .unwrap();
    };
    assert_eq!(relay.deliver_batch().await.unwrap(), 1);
    assert_eq!(rows().await[0], ("first".into(), 1, false));
    due_now().await;
    assert_eq!(relay.deliver_batch().await.unwrap(), 1);
    assert_eq!(
        rows().await,
        [("first".into(), 2, true), ("second".into(), 0, false)],
        "the second attempt was the last: a dead letter"
    );
    assert_eq!(
        motcua_outbox::dead_letters(&pool, "producer", "portal")
            .await
            .unwrap(),
        1
    );
    due_now().await;
    assert_eq!(
        relay.deliver_batch().await.unwrap(),
        1,
        "the dead letter no longer holds back its subject"
    );
    assert_eq!(rows().await[1], ("second".into(), 1, false));
    let dead = motcua_outbox::list_dead_letters(&pool, "portal")
        .await
        .unwrap();
    assert_eq!(
        (
            dead.len(),
            dead[0].event_type.as_str(),
            dead[0].last_error.as_deref()
        ),
        (1, "first", Some("refused"))
    );
    assert_eq!(
        motcua_outbox::replay_dead_letters(&pool, "portal")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        rows().await[0],
        ("first".into(), 0, false),
        "replayed: queued again with fresh attempts"
    );
    pool.close().await;
    db.drop_database().await.unwrap();
}
