//! A poison event (one its receiver refuses every time) through the running system: after the
//! configured attempts it is a dead letter with its error, shown in the producer's `/readyz`
//! and `/metrics`; it never held back other dossiers' events, and once dead it no longer holds
//! back later events of its own dossier; replayed, it is tried again.

use crate::skeleton::sqlx_conn;
use motcua_config::ServiceName::{Intake, Reporting};
use motcua_e2e::{TestSystem, eventually, post};
use serde_json::Value;
use std::time::Duration;
use time::macros::datetime;

/// Records an event for reporting straight into intake's outbox (as intake's code would).
async fn record(sys: &TestSystem, event_type: &str, payload: &str) -> uuid::Uuid {
    let id = uuid::Uuid::now_v7();
    let mut conn = sqlx_conn(sys).await;
    sqlx::query(
        "INSERT INTO intake.outbox_event (id, event_type, subject, payload, occurred_at)
         VALUES ($1, $2, 'POISON-1', $3::jsonb, now())",
    )
    .bind(id)
    .bind(event_type)
    .bind(payload)
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO intake.outbox_delivery (event_id, destination, subject) VALUES ($1, 'reporting', 'POISON-1')",
    )
    .bind(id)
    .execute(&mut conn)
    .await
    .unwrap();
    id
}

/// `(attempts, dead, delivered, last_error)` of an event's delivery to reporting.
async fn delivery(sys: &TestSystem, id: uuid::Uuid) -> (i32, bool, bool, Option<String>) {
    sqlx::query_as(
        "SELECT attempts, dead_at IS NOT NULL, delivered_at IS NOT NULL, last_error
           FROM intake.outbox_delivery WHERE event_id = $1 AND destination = 'reporting'",
    )
    .bind(id)
    .fetch_one(&mut sqlx_conn(sys).await)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_event_becomes_a_visible_replayable_dead_letter_and_holds_nothing_back() {
    let sys = TestSystem::start_with(
        datetime!(2026-11-27 09:00 +07:00),
        &[("MOTCUA_OUTBOX_MAX_ATTEMPTS", "2".into())],
    )
    .await
    .unwrap();
    let poison = record(&sys, "dossier.received", r#"{"not": "a receipt"}"#).await;
    let later = record(&sys, "test.after_the_poison", "{}").await;
    // Another dossier's events go through meanwhile.
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let (status, d) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &officer,
        "p-1",
        motcua_e2e::birth_registration("counter"),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    let inspector = sys.token(&["inspector"], None, "inspector-1");
    let code = d["code"].as_str().unwrap().to_string();
    let seen = eventually(Duration::from_secs(20), || {
        let (sys, inspector, code) = (&sys, &inspector, &code);
        async move {
            let path = format!("/api/v1/reports/dossiers/{code}");
            let (status, _) = motcua_e2e::get(sys, Reporting, &path, inspector).await;
            (status == 200).then_some(())
        }
    })
    .await;
    assert!(
        seen.is_some(),
        "another dossier is never held back by the poison"
    );

    let dead = eventually(Duration::from_secs(20), || async {
        let d = delivery(&sys, poison).await;
        d.1.then_some(d)
    })
    .await
    .expect("the poison becomes a dead letter after 2 attempts");
    assert_eq!(dead.0, 2);
    assert!(
        dead.3
            .as_deref()
            .unwrap_or_default()
            .contains("payload of dossier.received"),
        "the receiver's reason is kept: {dead:?}"
    );
    let after = eventually(Duration::from_secs(20), || async {
        let d = delivery(&sys, later).await;
        d.2.then_some(())
    })
    .await;
    assert!(
        after.is_some(),
        "once dead, it no longer holds back its own dossier"
    );

    let readyz = eventually(Duration::from_secs(20), || async {
        let r = sys.http.get(sys.url(Intake, "/readyz")).send().await.ok()?;
        let v: Value = r.json().await.ok()?;
        (v["detail"]["outbox"]["reporting"]["dead_letters"] == 1).then_some(v)
    })
    .await;
    assert!(readyz.is_some(), "intake's /readyz shows the dead letter");
    let metrics = sys.text(Intake, "/metrics").await;
    // The gauge is there (its value is process-wide in this test binary, shared by the tests
    // running at the same time; the per-system number is the /readyz one above).
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("motcua_outbox_dead_letters{")
                && l.contains("destination=\"reporting\"")),
        "{metrics}"
    );

    // Replayed: tried again with fresh attempts (and, still poison, dead again).
    let pool = motcua_db::connect(&sys.db.url, "intake", 2).await.unwrap();
    assert_eq!(
        motcua_outbox::replay_dead_letters(&pool, "reporting")
            .await
            .unwrap(),
        1
    );
    let again = eventually(Duration::from_secs(20), || async {
        let d = delivery(&sys, poison).await;
        (d.1 && d.0 == 2).then_some(())
    })
    .await;
    assert!(again.is_some(), "the replayed poison was tried twice more");
    pool.close().await;
    sys.stop().await.unwrap();
}
