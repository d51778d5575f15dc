//! Webhook deliveries to sector systems through the running system (issue 11): a receiver that
//! refuses for a while then accepts ends with every event delivered, processed once in effect
//! and in order per dossier; a delivery whose attempts are spent is a dead letter an operator
//! replays; and a forged or stale delivery is told apart from a genuine one by the guide's
//! snippets (`tests/sector/verify.rs` and `verify.py`, quoted by docs/connectors.md), across a
//! secret rotation.

use crate::connectors_support::*;
use crate::skeleton::sqlx_conn;
use crate::workflow_support::*;
use motcua_config::ServiceName::Workflow;
use motcua_e2e::{TestSystem, eventually, post};
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::datetime;

#[path = "../sector/verify.rs"]
mod verify;

/// Fast retries, so that a test's outage spans many attempts.
fn fast_retries(max_attempts: u32) -> Vec<(&'static str, String)> {
    vec![
        ("MOTCUA_WEBHOOK_RETRY_BASE_MS", "50".into()),
        ("MOTCUA_WEBHOOK_RETRY_MAX_SECS", "1".into()),
        ("MOTCUA_WEBHOOK_MAX_ATTEMPTS", max_attempts.to_string()),
    ]
}

const FRIDAY_9AM: OffsetDateTime = datetime!(2026-11-27 09:00 +07:00);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_that_refuses_for_a_while_gets_every_event_once_in_order_per_dossier() {
    let mut settings = fast_retries(1000);
    settings.push(("MOTCUA_WEBHOOK_TIMEOUT_SECS", "1".into()));
    let sys = TestSystem::start_with(FRIDAY_9AM, &settings).await.unwrap();
    // Down from the start until told `accept`; then the first two deliveries it takes are
    // answered after motcua's timeout, so motcua sends them again.
    let types = [
        "--event-types",
        "task.created,task.completed",
        "--refuse-for-secs",
        "3600",
        "--late-answers",
        "2",
        "--late-ms",
        "1500",
    ];
    let mut receiver = SectorProcess::start(&sys, "civil_status", "webhook", &types).await;
    let mut codes = Vec::new();
    for i in 0..4 {
        codes.push(submit_group(&sys, &format!("down-{i}")).await);
    }
    // While it is down, a person at the justice office finishes two of the steps: those
    // dossiers then have two events waiting, in order.
    for code in &codes[..2] {
        finish(&sys, code, JUSTICE).await;
    }
    receiver.wait_count("refused", 12).await;
    receiver.tell("accept").await;

    // Every event: a step created for each dossier, and finished (by the person, or by the
    // receiver once it took the creation).
    let processed = receiver.wait_count("processed", 2 * codes.len()).await;
    let mut conn = sqlx_conn(&sys).await;
    let produced: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id::text, dossier_code, event_type FROM workflow.webhook_delivery ORDER BY seq",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(produced.len(), 2 * codes.len(), "{produced:?}");
    let ids: HashSet<&str> = processed
        .iter()
        .map(|l| l["webhook_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        processed.len(),
        "an event processed twice: {processed:?}"
    );
    for code in &codes {
        let want: Vec<(&str, &str)> = produced
            .iter()
            .filter(|p| p.1 == *code)
            .map(|p| (p.0.as_str(), p.2.as_str()))
            .collect();
        let got: Vec<(&str, &str)> = processed
            .iter()
            .filter(|l| l["dossier_code"] == code.as_str())
            .map(|l| {
                (
                    l["webhook_id"].as_str().unwrap(),
                    l["type"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, want, "{code}: processed in the order produced");
        assert_eq!(
            want.iter().map(|w| w.1).collect::<Vec<_>>(),
            ["task.created", "task.completed"]
        );
    }
    // The steps the person had finished were skipped, the others done by the receiver once.
    for (i, code) in codes.iter().enumerate() {
        let expected = if i < 2 { 0 } else { 1 };
        assert_eq!(receiver.completed_of(code).len(), expected, "{code}");
        let steps = steps(&sys, code).await;
        let justice = steps.iter().find(|t| t["agency"] == JUSTICE).unwrap();
        assert_eq!(justice["state"], "done", "{code}");
    }
    let again = receiver.lines("duplicate");
    assert!(!again.is_empty(), "the deliveries answered late came again");
    assert!(
        again
            .iter()
            .all(|l| ids.contains(l["webhook_id"].as_str().unwrap()))
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_is_listed_and_replayed_once_the_receiver_is_back() {
    let sys = TestSystem::start_with(FRIDAY_9AM, &fast_retries(3))
        .await
        .unwrap();
    let mut receiver = SectorProcess::start(
        &sys,
        "civil_status",
        "webhook",
        &["--refuse-for-secs", "3600"],
    )
    .await;
    let code = submit_group(&sys, "dead-1").await;
    let dead = eventually(Duration::from_secs(30), || {
        let sys = &sys;
        let code = code.clone();
        async move {
            dead_letters(sys)
                .await
                .into_iter()
                .find(|d| d["dossier_code"] == code.as_str())
        }
    })
    .await
    .expect("the delivery became a dead letter");
    assert_eq!(
        (dead["event_type"].as_str(), dead["attempts"].as_i64()),
        (Some("task.created"), Some(3)),
        "{dead}"
    );
    assert_eq!(
        receiver.lines("refused").len(),
        3,
        "three attempts, then given up"
    );
    assert!(receiver.completed_of(&code).is_empty());

    receiver.tell("accept").await;
    let admin = sys.token(&["admin"], None, "admin-1");
    let path = format!(
        "/api/v1/dead-letters/{}/replay",
        dead["id"].as_str().unwrap()
    );
    let (status, body) = post(&sys, Workflow, &path, &admin, "replay-1", json!({})).await;
    assert_eq!(status, 202, "{body}");
    let done = receiver
        .wait_for("completed", |l| l["dossier_code"] == code.as_str())
        .await;
    assert_eq!(
        done["webhook_id"], dead["id"],
        "the replay is the same delivery"
    );
    assert!(
        dead_letters(&sys)
            .await
            .iter()
            .all(|d| d["id"] != dead["id"]),
        "no longer dead"
    );
    let steps = steps(&sys, &code).await;
    let justice = steps.iter().find(|t| t["agency"] == JUSTICE).unwrap();
    assert_eq!(justice["state"], "done");
    sys.stop().await.unwrap();
}

/// The exit code of the guide's Python snippet on `d` with `secret` at `now`; `None` (and a
/// printed reason) when there is no `python3`.
fn python_verify(secret: &str, d: &Captured, body: &[u8], now: i64) -> Option<i32> {
    let dir = std::env::temp_dir().join(format!("motcua-verify-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let body_file = dir.join("body");
    std::fs::write(&body_file, body).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/sector/verify.py");
    let out = std::process::Command::new("python3")
        .args([script, secret, &d.id, &d.timestamp])
        .arg(&body_file)
        .args([&d.signature, &now.to_string()])
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Ok(o) => Some(o.status.code().expect("exit code")),
        Err(e) => {
            eprintln!("skipping the Python snippet: python3 not runnable ({e})");
            None
        }
    }
}

/// The Rust and Python snippets agree on `d` (with `body`), and say `valid`.
fn both_say(secret: &str, d: &Captured, body: &[u8], now: i64, valid: bool, what: &str) {
    let rust = verify::verify(secret, &d.id, &d.timestamp, body, &d.signature, now);
    assert_eq!(rust, valid, "Rust snippet, {what}");
    if let Some(code) = python_verify(secret, d, body, now) {
        assert_eq!(code, if valid { 0 } else { 1 }, "Python snippet, {what}");
    }
}

/// Waits for the delivery of `task.created` about `code` at the capture receiver.
async fn delivery_of(
    got: &std::sync::Arc<std::sync::Mutex<Vec<Captured>>>,
    code: &str,
) -> Captured {
    let found = eventually(Duration::from_secs(30), || {
        let found = got
            .lock()
            .unwrap()
            .iter()
            .find(|d| d.json()["data"]["dossier_code"] == code)
            .cloned();
        async move { found }
    })
    .await;
    found.unwrap_or_else(|| panic!("no delivery about {code}"))
}

/// The reference receiver answers `d` — a delivery signed for another subscription — `401`,
/// says so, and does not take it.
async fn reference_receiver_refuses(sys: &TestSystem, d: &Captured) {
    let receiver = SectorProcess::start(sys, "civil_status", "webhook", &[]).await;
    let addr = receiver.lines("listening")[0]["addr"]
        .as_str()
        .unwrap()
        .to_string();
    let res = sys
        .http
        .post(format!("http://{addr}/hooks"))
        .header("webhook-id", &d.id)
        .header("webhook-timestamp", &d.timestamp)
        .header("webhook-signature", &d.signature)
        .body(d.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        401,
        "signed with another subscription's secret"
    );
    receiver
        .wait_for("signature_invalid", |l| l["webhook_id"] == d.id.as_str())
        .await;
    assert!(
        receiver
            .lines("received")
            .iter()
            .all(|l| l["webhook_id"] != d.id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_with_a_wrong_signature_is_detectable_by_the_guides_snippet() {
    const OVERLAP: Duration = Duration::from_secs(8);
    let overlap = [(
        "MOTCUA_WEBHOOK_SECRET_OVERLAP_SECS",
        OVERLAP.as_secs().to_string(),
    )];
    let sys = TestSystem::start_with(FRIDAY_9AM, &overlap).await.unwrap();
    let token = sys.sector_token("hotich-capture", JUSTICE, Some("justice"));
    let (url, got) = capture().await;
    let sub = subscribe(&sys, &token, &url, &["task.created"]).await;
    let first = sub["secret"].as_str().unwrap().to_string();
    assert!(first.starts_with("whsec_"), "{sub}");

    // A real delivery: genuine with its secret; not with one byte of the body changed, another
    // secret, or six minutes later.
    let d = delivery_of(&got, &submit_group(&sys, "sig-1").await).await;
    let now: i64 = d.timestamp.parse().unwrap();
    both_say(&first, &d, &d.body, now, true, "genuine");
    let mut altered = d.body.clone();
    let at = altered.len() / 2;
    altered[at] ^= 0x01;
    both_say(&first, &d, &altered, now, false, "body altered by one byte");
    let other = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    both_say(other, &d, &d.body, now, false, "another secret");
    both_say(
        &first,
        &d,
        &d.body,
        now + 6 * 60,
        false,
        "six minutes late (a replay)",
    );

    // Rotation: during the overlap a delivery verifies with both secrets.
    let path = format!(
        "/api/v1/subscriptions/{}/secret",
        sub["id"].as_str().unwrap()
    );
    let asked_at = std::time::Instant::now();
    let (status, rotated) = post(&sys, Workflow, &path, &token, "rotate-1", json!({})).await;
    assert_eq!(status, 200, "{rotated}");
    let rotated_at = std::time::Instant::now();
    let second = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    let d2 = delivery_of(&got, &submit_group(&sys, "sig-2").await).await;
    assert!(asked_at.elapsed() < OVERLAP, "delivered within the overlap");
    let now2: i64 = d2.timestamp.parse().unwrap();
    assert_eq!(d2.signature.split(' ').count(), 2, "{}", d2.signature);
    both_say(
        &first,
        &d2,
        &d2.body,
        now2,
        true,
        "the old secret during the overlap",
    );
    both_say(
        &second,
        &d2,
        &d2.body,
        now2,
        true,
        "the new secret during the overlap",
    );

    // After the overlap the old secret is rotated away.
    tokio::time::sleep(OVERLAP.saturating_sub(rotated_at.elapsed()) + Duration::from_secs(1)).await;
    let d3 = delivery_of(&got, &submit_group(&sys, "sig-3").await).await;
    let now3: i64 = d3.timestamp.parse().unwrap();
    both_say(&first, &d3, &d3.body, now3, false, "a rotated-away secret");
    both_say(
        &second,
        &d3,
        &d3.body,
        now3,
        true,
        "the new secret after the overlap",
    );

    reference_receiver_refuses(&sys, &d3).await;
    sys.stop().await.unwrap();
}

#[test]
fn the_guides_rust_snippet_accepts_the_standard_webhooks_test_vector() {
    // The vector published with the Standard Webhooks specification.
    let (secret, id, ts) = (
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265330",
    );
    let body = br#"{"test": 2432232314}"#;
    let sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    assert!(verify::verify(secret, id, ts, body, sig, 1614265330));
    assert!(verify::verify(
        secret,
        id,
        ts,
        body,
        &format!("v1,bm9wZQ== {sig}"),
        1614265330 + 299
    ));
    assert!(!verify::verify(secret, id, ts, body, sig, 1614265330 + 301));
    assert!(!verify::verify(
        secret,
        id,
        ts,
        br#"{"test": 2432232315}"#,
        sig,
        1614265330
    ));
    assert!(!verify::verify(
        secret,
        id,
        ts,
        body,
        "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        1614265330
    ));
    let d = Captured {
        id: id.into(),
        timestamp: ts.into(),
        signature: sig.into(),
        body: body.to_vec(),
    };
    if let Some(code) = python_verify(secret, &d, body, 1614265330) {
        assert_eq!(code, 0, "the Python snippet accepts the vector too");
    }
}

#[test]
fn the_guide_quotes_the_snippets_the_tests_run() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let guide = std::fs::read_to_string(format!("{root}/docs/connectors.md")).unwrap();
    for (lang, file) in [("python", "verify.py"), ("rust", "verify.rs")] {
        let (open, close) = (
            format!("<!-- snippet:{lang} -->\n```{lang}\n"),
            format!("```\n<!-- /snippet:{lang} -->"),
        );
        let start = guide
            .find(&open)
            .unwrap_or_else(|| panic!("{open} in the guide"))
            + open.len();
        let len = guide[start..].find(&close).expect("the snippet's end");
        let quoted = &guide[start..start + len];
        let source = std::fs::read_to_string(format!("{root}/tests/sector/{file}")).unwrap();
        assert!(
            quoted.contains("verify(") && source.contains(quoted),
            "docs/connectors.md quotes tests/sector/{file} verbatim; copy it again"
        );
    }
}
