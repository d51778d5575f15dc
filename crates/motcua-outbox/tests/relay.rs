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
    for ddl in [
        motcua_outbox::PRODUCER_DDL,
        motcua_outbox::DEAD_LETTER_DDL,
        motcua_outbox::DUE_INDEX_DDL,
    ] {
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
    let keys = motcua_auth::ServiceKeys::generate(&["intake"]).unwrap();
    let channel = motcua_server::connect_peer(
        "http://127.0.0.1:1",
        motcua_config::ServiceName::Intake,
        keys,
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

/// A receiver taking batches, as motcua's services do (`DeliverEvents` through
/// [`motcua_outbox::apply_in_order`]): it refuses the events named in `refuse` and keeps the
/// others in the order it applied them.
#[derive(Debug, Default, Clone)]
struct BatchReceiver {
    refuse: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    applied: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl motcua_outbox::Deliver for BatchReceiver {
    fn deliver(
        &self,
        _event: motcua_proto::common::v1::Event,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async { Err("this receiver takes batches only".to_string()) })
    }

    fn batches(&self) -> bool {
        true
    }

    fn deliver_all(
        &self,
        events: Vec<motcua_proto::common::v1::Event>,
    ) -> motcua_outbox::BatchAttempt<'_> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            Ok(motcua_outbox::apply_in_order(events, |e| async move {
                let name: serde_json::Value = serde_json::from_str(&e.payload_json).unwrap();
                let name = name["n"].as_str().unwrap().to_string();
                if self.refuse.lock().unwrap().contains(&name) {
                    return Err(format!("{name} refused"));
                }
                self.applied.lock().unwrap().push(name);
                Ok(true)
            })
            .await)
        })
    }
}

#[tokio::test]
async fn a_batch_goes_in_a_call_per_lane_and_a_refused_event_holds_back_only_its_subject() {
    let (db, pool) = producer().await;
    let mut tx = pool.begin().await.unwrap();
    for (subject, n) in [
        ("A", "A1"),
        ("B", "B1"),
        ("A", "A2"),
        ("C", "C1"),
        ("B", "B2"),
    ] {
        let e = NewEvent {
            event_type: "test.event",
            subject,
            payload: &serde_json::json!({ "n": n }),
            occurred_at: time::OffsetDateTime::now_utc(),
        };
        record(&mut tx, e, &["batches"]).await.unwrap();
    }
    tx.commit().await.unwrap();
    let receiver = BatchReceiver::default();
    receiver.refuse.lock().unwrap().push("A1".into());
    let relay = Relay::new(
        pool.clone(),
        "test",
        vec![RelayDestination::new("batches", receiver.clone(), Some(5))],
        Duration::from_secs(1),
    );
    let state = || async {
        sqlx::query_as::<_, (String, i32, bool, Option<String>)>(
            "SELECT e.payload->>'n', d.attempts, d.delivered_at IS NOT NULL, d.last_error
               FROM outbox_delivery d JOIN outbox_event e ON e.id = d.event_id ORDER BY d.seq",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    // Only A1, B1 and C1 are due (A2 and B2 wait behind their subject's earlier event).
    assert_eq!(relay.deliver_batch().await.unwrap(), 3);
    let calls = receiver.calls.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=3).contains(&calls),
        "one call per lane of subjects, not one per event: {calls}"
    );
    // Different subjects may go in concurrent calls: their relative order is free.
    let mut first = receiver.applied.lock().unwrap().clone();
    first.sort();
    assert_eq!(first, ["B1", "C1"]);
    assert_eq!(
        state().await,
        [
            ("A1".into(), 1, false, Some("A1 refused".into())),
            ("B1".into(), 1, true, None),
            ("A2".into(), 0, false, None),
            ("C1".into(), 1, true, None),
            ("B2".into(), 0, false, None),
        ]
    );
    // B2 is due now; A1 backs off, so A2 still waits.
    assert_eq!(relay.deliver_batch().await.unwrap(), 1);
    assert_eq!(receiver.applied.lock().unwrap()[2], "B2");
    // The receiver takes A1 again: A1 then A2, in that order.
    receiver.refuse.lock().unwrap().clear();
    sqlx::query("UPDATE outbox_delivery SET next_attempt_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    while relay.deliver_batch().await.unwrap() > 0 {}
    assert_eq!(
        receiver.applied.lock().unwrap()[3..],
        ["A1", "A2"],
        "A's events in their order"
    );
    let pending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_delivery WHERE delivered_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(pending, 0);
    pool.close().await;
    db.drop_database().await.unwrap();
}

/// A destination that takes every event, one per call, and keeps their subjects.
#[derive(Debug, Default, Clone)]
struct Taking(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl motcua_outbox::Deliver for Taking {
    fn deliver(
        &self,
        event: motcua_proto::common::v1::Event,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move {
            self.0.lock().unwrap().push(event.subject);
            Ok(())
        })
    }
}

/// One event for "taking", then the relay running with `limit`, while a burst goes on until
/// the returned flag is set.
async fn yielding_relay(
    pool: &sqlx::PgPool,
    limit: Duration,
) -> (
    Taking,
    std::sync::Arc<motcua_outbox::pacing::Burst>,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    tokio_util::sync::CancellationToken,
) {
    let mut tx = pool.begin().await.unwrap();
    let e = NewEvent {
        event_type: "dossier.received",
        subject: "A",
        payload: &serde_json::json!({}),
        occurred_at: time::OffsetDateTime::now_utc(),
    };
    record(&mut tx, e, &["taking"]).await.unwrap();
    tx.commit().await.unwrap();
    let burst = std::sync::Arc::new(motcua_outbox::pacing::Burst::default());
    let over = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (b, o) = (burst.clone(), over.clone());
    // Requests queuing up: the writer takes three at a time, every 20 ms.
    burst.wrote(3);
    tokio::spawn(async move {
        while !o.load(std::sync::atomic::Ordering::SeqCst) {
            b.wrote(3);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let taking = Taking::default();
    let relay = Relay::new(
        pool.clone(),
        "test",
        vec![RelayDestination::new("taking", taking.clone(), None)],
        Duration::from_millis(50),
    )
    .yielding_to(burst.clone(), limit);
    let stop = tokio_util::sync::CancellationToken::new();
    tokio::spawn(relay.run(stop.clone()));
    (taking, burst, over, stop)
}

/// Waits up to 5 s for `taking` to have something.
async fn taken(taking: &Taking) -> Vec<String> {
    for _ in 0..100 {
        if !taking.0.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    taking.0.lock().unwrap().clone()
}

#[tokio::test]
async fn a_relay_holds_back_while_its_service_is_in_a_burst_and_delivers_when_it_ends() {
    let (db, pool) = producer().await;
    let (taking, burst, over, stop) = yielding_relay(&pool, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(burst.on());
    assert!(
        taking.0.lock().unwrap().is_empty(),
        "nothing is delivered during the burst"
    );
    over.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        taken(&taking).await,
        ["A"],
        "delivered once the burst is over"
    );
    stop.cancel();
    pool.close().await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_relay_holds_back_no_longer_than_its_limit_however_long_the_burst() {
    let (db, pool) = producer().await;
    let (taking, burst, over, stop) = yielding_relay(&pool, Duration::from_millis(800)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(taking.0.lock().unwrap().is_empty(), "held back at first");
    assert_eq!(taken(&taking).await, ["A"]);
    assert!(burst.on(), "delivered while the burst still goes on");
    over.store(true, std::sync::atomic::Ordering::SeqCst);
    stop.cancel();
    pool.close().await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn a_claim_reads_the_front_of_its_index_however_large_the_backlog() {
    let (db, pool) = producer().await;
    // Fifty thousand deliveries pending after a burst, the statistics not yet refreshed.
    sqlx::raw_sql(
        "INSERT INTO outbox_event (id, event_type, subject, payload, occurred_at)
         SELECT gen_random_uuid(), 'dossier.received', 'D' || i, '{}', now()
           FROM generate_series(1, 25000) AS i;
         INSERT INTO outbox_delivery (event_id, destination, subject)
         SELECT e.id, d, e.subject FROM outbox_event e, unnest(ARRAY['workflow', 'reporting']) AS d",
    )
    .execute(&pool)
    .await
    .unwrap();
    // The claim run for real (then rolled back), counting the pages it touched.
    let mut tx = pool.begin().await.unwrap();
    let plan: serde_json::Value = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {}",
        motcua_outbox::CLAIM_SQL
    )))
    .bind(200i64)
    .bind("workflow")
    .bind(30f64)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let top = &plan[0]["Plan"];
    assert_eq!(top["Actual Rows"], 200, "a full batch claimed");
    let text = plan.to_string();
    assert!(
        text.contains("\"Index Name\":\"outbox_delivery_due\""),
        "the claim reads outbox_delivery_due: {text}"
    );
    assert!(
        !text.contains("\"Node Type\":\"Sort\""),
        "no sort of the whole backlog: {text}"
    );
    // Reading every pending row per candidate (the anti-join) touches millions of pages.
    let pages =
        top["Shared Hit Blocks"].as_i64().unwrap() + top["Shared Read Blocks"].as_i64().unwrap();
    assert!(pages < 200_000, "{pages} pages for one claim: {text}");
    pool.close().await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn concurrent_calls_keep_each_subjects_events_in_their_order() {
    let (db, pool) = producer().await;
    let mut tx = pool.begin().await.unwrap();
    for k in 0..4 {
        for subject in 0..40 {
            let e = NewEvent {
                event_type: "test.event",
                subject: &format!("S{subject}"),
                payload: &serde_json::json!({ "n": format!("S{subject}-{k}") }),
                occurred_at: time::OffsetDateTime::now_utc(),
            };
            record(&mut tx, e, &["batches"]).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let receiver = BatchReceiver::default();
    let relay = Relay::new(
        pool.clone(),
        "test",
        vec![RelayDestination::new("batches", receiver.clone(), Some(5))],
        Duration::from_secs(1),
    );
    while relay.deliver_batch().await.unwrap() > 0 {}
    let applied = receiver.applied.lock().unwrap().clone();
    assert_eq!(applied.len(), 160, "every event once");
    for subject in 0..40 {
        let own: Vec<&String> = applied
            .iter()
            .filter(|n| n.starts_with(&format!("S{subject}-")))
            .collect();
        let expected: Vec<String> = (0..4).map(|k| format!("S{subject}-{k}")).collect();
        assert_eq!(own, expected.iter().collect::<Vec<_>>(), "S{subject}");
    }
    let calls = receiver.calls.load(std::sync::atomic::Ordering::SeqCst);
    assert!(calls >= 2, "the subjects went in concurrent calls: {calls}");
    pool.close().await;
    db.drop_database().await.unwrap();
}
