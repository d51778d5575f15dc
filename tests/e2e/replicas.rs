//! Two replicas of every service on one database under load (issue 14): submissions through
//! both intakes at one agency at once, supplement requests through both, then both replicas'
//! workers racing over the same due work (supplement expiry, near-due and overdue marks) and
//! both relays over the same outboxes. Every code is issued once and in order, every dossier has
//! one case and one reporting fact, every status change reaches reporting once, every expiry
//! and every mark happens once, and every delivery ends done.
//!
//! Run alone: `cargo test -p motcua-e2e --test e2e replicas`.

use crate::skeleton::sqlx_conn;
use motcua_config::ServiceName::Intake;
use motcua_e2e::{TestSystem, birth_registration, eventually};
use std::collections::BTreeSet;
use std::time::Duration;
use time::macros::datetime;

const OS: &str = "000.25.80.H80";
const N: usize = 120;
const SUPPLEMENTED: usize = 30;

async fn scalar(sys: &TestSystem, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut sqlx_conn(sys).await)
        .await
        .unwrap()
}

/// Waits until both producers' outboxes are fully delivered.
async fn drained(sys: &TestSystem) {
    let done = eventually(Duration::from_secs(60), || async {
        let pending = scalar(
            sys,
            "SELECT (SELECT count(*) FROM intake.outbox_delivery WHERE delivered_at IS NULL)
                  + (SELECT count(*) FROM workflow.outbox_delivery WHERE delivered_at IS NULL)",
        )
        .await;
        (pending == 0).then_some(())
    })
    .await;
    assert!(done.is_some(), "the outboxes never drained");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_of_every_service_do_each_piece_of_work_once() {
    let t0 = datetime!(2026-11-27 09:00 +07:00);
    let a = TestSystem::start(t0).await.unwrap();
    let b = a.replica(t0).await.unwrap();
    let officer = a.token(&["one_stop_officer"], Some(OS), "officer-1");
    let bases = [a.url(Intake, ""), b.url(Intake, "")];

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..N {
        let req = a
            .http
            .post(format!("{}/api/v1/dossiers", bases[i % 2]))
            .bearer_auth(&officer)
            .header("Idempotency-Key", format!("rep-{i}"))
            .json(&birth_registration("counter"));
        tasks.spawn(async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 201);
            let body: serde_json::Value = res.json().await.unwrap();
            body["code"].as_str().unwrap().to_string()
        });
    }
    let mut codes = BTreeSet::new();
    while let Some(code) = tasks.join_next().await {
        codes.insert(code.unwrap());
    }
    let expected: BTreeSet<String> = (1..=N).map(|i| format!("{OS}-261127-{i:04}")).collect();
    assert_eq!(codes, expected, "two intakes, one gap-free sequence");

    for (i, code) in codes.iter().take(SUPPLEMENTED).enumerate() {
        let items =
            serde_json::json!({"items": [{"component_code": "GCS", "reason": "Bản chụp mờ"}]});
        let res = a
            .http
            .post(format!(
                "{}/api/v1/dossiers/{code}/supplement-requests",
                bases[i % 2]
            ))
            .bearer_auth(&officer)
            .header("Idempotency-Key", format!("sr-{i}"))
            .json(&items)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            200,
            "{}",
            res.text().await.unwrap_or_default()
        );
    }
    drained(&a).await;

    // January: the supplement windows have passed and every other step is long overdue; both
    // replicas' workers race over the same work.
    let later = datetime!(2027-01-05 09:00 +07:00);
    a.platform.clock.as_test_clock().unwrap().set(later);
    b.set_clock(later);
    let stopped = eventually(Duration::from_secs(60), || async {
        let n = scalar(
            &a,
            "SELECT count(*) FROM intake.dossier WHERE status = 'stopped'",
        )
        .await;
        (n == SUPPLEMENTED as i64).then_some(())
    })
    .await;
    assert!(
        stopped.is_some(),
        "every unanswered supplement window stops its dossier"
    );
    let marked = eventually(Duration::from_secs(60), || async {
        let n = scalar(&a, "SELECT count(*) FROM workflow.deadline_alert WHERE kind = 'overdue' AND subject_kind = 'task'").await;
        (n == (N - SUPPLEMENTED) as i64).then_some(())
    })
    .await;
    assert!(marked.is_some(), "every running step marked overdue");
    drained(&a).await;

    let once = [
        (
            "one case per dossier",
            "SELECT count(*) FROM workflow.dossier_case",
            N,
        ),
        (
            "one reporting fact per dossier",
            "SELECT count(*) FROM reporting.dossier_fact",
            N,
        ),
        (
            "each stop once",
            "SELECT count(*) FROM intake.dossier_history WHERE action = 'expire_supplement'",
            SUPPLEMENTED,
        ),
        (
            "each stop announced once",
            "SELECT count(*) FROM intake.outbox_event WHERE event_type = 'dossier.stopped'",
            SUPPLEMENTED,
        ),
        (
            "each step's overdue mark announced once",
            "SELECT count(*) FROM workflow.outbox_event WHERE event_type = 'task.overdue'",
            N - SUPPLEMENTED,
        ),
        (
            "no dead letter",
            "SELECT (SELECT count(*) FROM intake.outbox_delivery WHERE dead_at IS NOT NULL) + (SELECT count(*) FROM workflow.outbox_delivery WHERE dead_at IS NOT NULL)",
            0,
        ),
    ];
    for (what, sql, want) in once {
        assert_eq!(scalar(&a, sql).await, want as i64, "{what}");
    }
    // Every status change intake announced reached reporting exactly once.
    let announced = scalar(&a, "SELECT count(*) FROM intake.outbox_event WHERE event_type LIKE 'dossier.%' AND event_type <> 'dossier.received'").await;
    let followed = scalar(&a, "SELECT count(*) FROM reporting.dossier_status_fact").await;
    assert!(announced > 0);
    assert_eq!(
        followed, announced,
        "each change followed once by reporting"
    );
    b.stop().await.unwrap();
    a.stop().await.unwrap();
}
