//! Helpers of the workflow tests: one actor per agency of the demo catalogue, submitting,
//! moving the test clock, finding and finishing steps, reading the control slip.

use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::{TestSystem, eventually, get, post};
use std::time::Duration;
use time::OffsetDateTime;

pub(crate) const OS: &str = "000.25.80.H80";
pub(crate) const JUSTICE: &str = "000.30.80.H80";
pub(crate) const POLICE: &str = "000.31.80.H80";
pub(crate) const INSURANCE: &str = "000.32.80.H80";
pub(crate) const LAND: &str = "000.33.80.H80";
pub(crate) const TAX: &str = "000.34.80.H80";

/// Sets the system's test clock.
pub(crate) fn at(sys: &TestSystem, t: OffsetDateTime) {
    sys.platform
        .clock
        .as_test_clock()
        .expect("test clock")
        .set(t);
}

/// A specialist of `agency`.
pub(crate) fn specialist(sys: &TestSystem, agency: &str) -> String {
    sys.token(
        &["specialist"],
        Some(agency),
        &format!("specialist@{agency}"),
    )
}

/// The one-stop officer.
pub(crate) fn officer(sys: &TestSystem) -> String {
    sys.token(&["one_stop_officer"], Some(OS), "officer-1")
}

/// Submits `procedure` at the counter with `components` (scanned unless `paper`); returns the answer.
pub(crate) async fn submit(
    sys: &TestSystem,
    key: &str,
    procedure: &str,
    components: &[&str],
    paper: bool,
) -> serde_json::Value {
    let form = if paper { "paper" } else { "scanned" };
    let body = serde_json::json!({
        "procedure_code": procedure, "receiving_agency": OS, "channel": "counter",
        "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234"},
        "components": components.iter().map(|c| serde_json::json!({"code": c, "form": form})).collect::<Vec<_>>(),
    });
    let (status, d) = post(sys, Intake, "/api/v1/dossiers", &officer(sys), key, body).await;
    assert_eq!(status, 201, "{d}");
    d
}

/// Submits a birth registration (1.001193) at the counter with `key`; returns its code.
pub(crate) async fn birth_at_counter(sys: &TestSystem, key: &str) -> String {
    let body = motcua_e2e::birth_registration("counter");
    let (status, d) = post(sys, Intake, "/api/v1/dossiers", &officer(sys), key, body).await;
    assert_eq!(status, 201, "{d}");
    d["code"].as_str().unwrap().to_string()
}

/// Waits until `agency` has a running step of `code`, and returns it.
pub(crate) async fn task_of(sys: &TestSystem, code: &str, agency: &str) -> serde_json::Value {
    let token = specialist(sys, agency);
    let found = eventually(Duration::from_secs(10), || {
        let token = token.clone();
        async move {
            let (_, inbox) = get(sys, Workflow, "/api/v1/tasks", &token).await;
            inbox["items"]
                .as_array()?
                .iter()
                .find(|t| t["dossier_code"] == code)
                .cloned()
        }
    })
    .await;
    found.unwrap_or_else(|| panic!("no step of {code} reached {agency}"))
}

/// Finishes the running step of `code` at `agency` as done.
pub(crate) async fn finish(sys: &TestSystem, code: &str, agency: &str) -> serde_json::Value {
    let task = task_of(sys, code, agency).await;
    let path = format!("/api/v1/tasks/{}/complete", task["id"].as_str().unwrap());
    let (status, t) = post(
        sys,
        Workflow,
        &path,
        &specialist(sys, agency),
        "c",
        serde_json::json!({"outcome": "done"}),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    t
}

/// The dossier's control slip (and lateness) as an officer of the receiving one-stop reads it.
pub(crate) async fn slip(sys: &TestSystem, code: &str) -> serde_json::Value {
    get(
        sys,
        Workflow,
        &format!("/api/v1/dossiers/{code}/handovers"),
        &officer(sys),
    )
    .await
    .1
}

/// The case view.
pub(crate) async fn case(sys: &TestSystem, code: &str) -> serde_json::Value {
    get(
        sys,
        Workflow,
        &format!("/api/v1/dossiers/{code}/case"),
        &officer(sys),
    )
    .await
    .1
}

/// The dossier as intake holds it.
pub(crate) async fn dossier(sys: &TestSystem, code: &str) -> serde_json::Value {
    get(
        sys,
        Intake,
        &format!("/api/v1/dossiers/{code}"),
        &officer(sys),
    )
    .await
    .1
}

/// Waits until the dossier's national status code is `want`.
pub(crate) async fn wait_status(sys: &TestSystem, code: &str, want: i64) {
    let seen = eventually(Duration::from_secs(10), || async move {
        (dossier(sys, code).await["status_code"] == want).then_some(())
    })
    .await;
    assert!(
        seen.is_some(),
        "status {want} never reached: {}",
        dossier(sys, code).await
    );
}
