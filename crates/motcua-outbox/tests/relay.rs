//! The relay against a real database, with its destination down: failures back off, and a
//! failed event holds back later events of the same subject (never overtaken), while other
//! subjects go on.

use motcua_outbox::{NewEvent, Relay, RelayDestination, record};
use motcua_proto::common::v1::event_receiver_client::EventReceiverClient;
use std::time::Duration;

#[tokio::test]
async fn a_failed_delivery_holds_back_later_events_of_its_subject_only() {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = motcua_db::connect(&db.url, "producer", 2).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(motcua_outbox::PRODUCER_DDL))
        .execute(&pool)
        .await
        .unwrap();
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
        vec![RelayDestination {
            name: "down",
            client: EventReceiverClient::new(channel),
        }],
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
