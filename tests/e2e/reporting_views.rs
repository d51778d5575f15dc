//! Reporting's other views, fed by the real system: an inter-agency group counted once with its
//! steps attributed, the applicant's rating, feedback answered on time, the compliance and
//! overdue reports, the service index, the report's other formats, who may read what, and the
//! event lag of a relay that stopped.

use crate::reporting::inspector;
use crate::workflow_support::{
    INSURANCE, JUSTICE, OS, POLICE, at, birth_at_counter, finish, officer, submit, task_of,
    wait_status,
};
use motcua_config::ServiceName::{Intake, Reporting};
use motcua_e2e::{TestSystem, eventually, get, post};
use serde_json::{Value, json};
use std::time::Duration;
use time::macros::datetime;

/// Waits until reporting's facts of `code` satisfy `ok`, and returns them.
async fn facts_when(sys: &TestSystem, code: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let path = format!("/api/v1/reports/dossiers/{code}");
    let token = inspector(sys);
    eventually(Duration::from_secs(30), || {
        let (path, token) = (path.clone(), token.clone());
        let ok = &ok;
        async move {
            let (status, v) = get(sys, Reporting, &path, &token).await;
            (status == 200 && ok(&v)).then_some(v)
        }
    })
    .await
    .unwrap_or_else(|| panic!("reporting's facts of {code} never matched"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inter_agency_group_counts_once_is_rated_by_its_applicant_and_feeds_the_index() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let d = submit(&sys, "g1", "DEMO.LT.63-1", &["TK01", "GCSDT"], true).await;
    let code = d["code"].as_str().unwrap().to_string();
    wait_status(&sys, &code, 4).await;
    at(&sys, datetime!(2026-11-30 08:30 +07:00));
    finish(&sys, &code, JUSTICE).await;
    at(&sys, datetime!(2026-12-01 08:00 +07:00));
    finish(&sys, &code, POLICE).await;
    finish(&sys, &code, INSURANCE).await;
    wait_status(&sys, &code, 9).await;
    let path = format!("/api/v1/dossiers/{code}/result-return");
    let (status, _) = post(
        &sys,
        Intake,
        &path,
        &officer(&sys),
        "r1",
        json!({"channel": "counter"}),
    )
    .await;
    assert_eq!(status, 200);
    let facts = facts_when(&sys, &code, |v| {
        v["status"] == "result_returned" && v["steps"].as_array().is_some_and(|s| s.len() == 3)
    })
    .await;
    let mut agencies: Vec<&str> = facts["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["agency"].as_str().unwrap())
        .collect();
    agencies.sort();
    assert_eq!(agencies, [JUSTICE, POLICE, INSURANCE]);
    assert_eq!(
        (facts["ending"].as_str(), facts["timeliness"].as_str()),
        (Some("resolved"), Some("early"))
    );

    // Counted once, at the receiving one-stop, though three agencies worked on it.
    let (_, r) = get(
        &sys,
        Reporting,
        "/api/v1/reports/handling?from=2026-11-01&to=2026-12-31&group_by=agency",
        &inspector(&sys),
    )
    .await;
    assert_eq!(r["items"].as_array().map(Vec::len), Some(1), "{r}");
    assert_eq!(
        (
            r["items"][0]["key"].as_str(),
            r["total"]["received"]["total"].as_i64()
        ),
        (Some(OS), Some(1))
    );
    assert_eq!(r["total"]["resolved"]["early"], 1);

    // The rating: the portal for the applicant, once; a retry answers the same.
    let rating =
        json!({"access": 5, "procedure": 4, "officials": 5, "result": 5, "feedback_handling": 4});
    let rate = format!("/api/v1/dossiers/{code}/rating");
    // Someone else's dossier answers as an unknown one (no oracle on dossier codes).
    let stranger = sys.token(&["citizen"], None, "someone-else");
    let (status, p) = post(&sys, Reporting, &rate, &stranger, "k", rating.clone()).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (404, Some("dossier_not_found"))
    );
    let portal = sys.token(&["portal"], None, "portal");
    let (status, first) = post(&sys, Reporting, &rate, &portal, "k", rating.clone()).await;
    assert_eq!(
        (status, first["unsatisfied"].as_bool()),
        (201, Some(false)),
        "{first}"
    );
    let (status, again) = post(&sys, Reporting, &rate, &portal, "k", rating.clone()).await;
    assert_eq!((status, &again), (201, &first));
    let (status, p) = post(&sys, Reporting, &rate, &portal, "k2", rating).await;
    assert_eq!((status, p["code"].as_str()), (409, Some("already_rated")));

    // Feedback about the one-stop, answered within ten working days, judged by its filer.
    let citizen = sys.token(&["citizen"], None, "citizen-9");
    let (status, f) = post(
        &sys,
        Reporting,
        "/api/v1/feedback",
        &citizen,
        "f1",
        json!({"agency": OS, "content": "Cán bộ hướng dẫn rất tận tình"}),
    )
    .await;
    assert_eq!(
        (status, f["answer_due"].as_str()),
        (201, Some("2026-12-15T08:00:00+07:00")),
        "{f}"
    );
    let id = f["id"].as_str().unwrap();
    let (status, p) = post(
        &sys,
        Reporting,
        &format!("/api/v1/feedback/{id}/answer"),
        &officer(&sys),
        "a0",
        json!({"answer": ""}),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("feedback_invalid"))
    );
    let justice = sys.token(&["agency_head"], Some(JUSTICE), "head@justice");
    let (status, _) = post(
        &sys,
        Reporting,
        &format!("/api/v1/feedback/{id}/answer"),
        &justice,
        "a1",
        json!({"answer": "Cảm ơn"}),
    )
    .await;
    assert_eq!(status, 403, "another agency does not answer");
    let (status, a) = post(
        &sys,
        Reporting,
        &format!("/api/v1/feedback/{id}/answer"),
        &officer(&sys),
        "a2",
        json!({"answer": "Cảm ơn ông/bà"}),
    )
    .await;
    assert_eq!(
        (status, a["answered_by"].as_str()),
        (200, Some("officer-1"))
    );
    let (status, j) = post(
        &sys,
        Reporting,
        &format!("/api/v1/feedback/{id}/rating"),
        &citizen,
        "j1",
        json!({"satisfied": true}),
    )
    .await;
    assert_eq!((status, j["satisfied"].as_bool()), (200, Some(true)));

    // The index: all in time, none online, none digitised at receipt (paper), all satisfied.
    let (_, x) = get(
        &sys,
        Reporting,
        "/api/v1/reports/service-index?from=2026-11-01&to=2026-12-31",
        &inspector(&sys),
    )
    .await;
    let points = |g: &str| {
        x["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["group"] == g)
            .unwrap()["points"]
            .clone()
    };
    assert_eq!(
        (
            points("progress"),
            points("online"),
            points("digitisation"),
            points("satisfaction")
        ),
        (json!(20.0), json!(0.0), json!(0.0), json!(18.0)),
        "{x}"
    );
    assert_eq!(points("publicity"), Value::Null);

    // The compliance report lists the paper components not digitised at receipt.
    let (_, c) = get(
        &sys,
        Reporting,
        "/api/v1/reports/compliance?from=2026-11-01&to=2026-12-31",
        &inspector(&sys),
    )
    .await;
    let paper = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "paper_not_digitised")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            paper["agency"].as_str(),
            paper["count"].as_i64(),
            paper["cases"][0]["dossier_code"].as_str()
        ),
        (Some(OS), Some(1), Some(code.as_str()))
    );

    // The other formats.
    let url = sys.url(
        Reporting,
        "/api/v1/reports/handling?from=2026-11-01&to=2026-12-31",
    );
    for (accept, starts) in [
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &b"PK"[..],
        ),
        ("text/html", &b"<!doctype html>"[..]),
    ] {
        let r = sys
            .http
            .get(&url)
            .bearer_auth(inspector(&sys))
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(accept)
        );
        let body = r.bytes().await.unwrap();
        assert!(body.starts_with(starts), "{accept}");
        if accept == "text/html" {
            assert!(String::from_utf8_lossy(&body).contains("<svg"));
        }
    }
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdue_and_compliance_reports_name_the_agency_responsible_and_readers_see_their_own() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let code = birth_at_counter(&sys, "late-1").await;
    task_of(&sys, &code, JUSTICE).await;
    // A second supplement request is refused and recorded.
    let path = format!("/api/v1/dossiers/{code}/supplement-requests");
    let items = json!({"items": [{"component_code": "GCS", "reason": "Giấy chứng sinh bị mờ"}]});
    let (status, _) = post(&sys, Intake, &path, &officer(&sys), "s1", items.clone()).await;
    assert_eq!(status, 200);
    let (status, p) = post(&sys, Intake, &path, &officer(&sys), "s2", items).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("supplement_already_requested"))
    );
    let supplement = json!({"components": [{"code": "GCS", "form": "scanned"}]});
    let (status, _) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/supplements"),
        &officer(&sys),
        "s3",
        supplement,
    )
    .await;
    assert_eq!(status, 200);
    // Monday 10:00: the step at justice and the dossier are overdue.
    at(&sys, datetime!(2026-11-30 10:00 +07:00));
    let head = sys.token(&["agency_head"], Some(JUSTICE), "head@justice");
    let report = eventually(Duration::from_secs(30), || {
        let head = head.clone();
        let sys = &sys;
        async move {
            let (_, o) = get(sys, Reporting, "/api/v1/reports/overdue", &head).await;
            (o["steps"].as_array()?.len() == 1).then_some(o)
        }
    })
    .await
    .expect("the overdue step reaches reporting");
    let step = &report["steps"][0];
    assert_eq!(
        (step["agency"].as_str(), step["urgency"].as_str()),
        (Some(JUSTICE), Some("overdue")),
        "{report}"
    );
    assert!(step["working_minutes"].as_i64() > Some(0));
    // The dossier too, once intake's `supplemented` reached reporting (it is not overdue while
    // reporting still sees it waiting for the applicant) and workflow's dossier alert named
    // who holds it (the two come from different services, in either order).
    let dossier = eventually(Duration::from_secs(30), || {
        let sys = &sys;
        let code = code.clone();
        async move {
            let (_, all) = get(sys, Reporting, "/api/v1/reports/overdue", &inspector(sys)).await;
            all["dossiers"]
                .as_array()?
                .iter()
                .find(|d| {
                    d["dossier_code"] == code.as_str()
                        && d["responsible_agency"] != d["receiving_agency"]
                })
                .cloned()
        }
    })
    .await
    .expect("the dossier is overdue, held by an agency on its path");
    assert_eq!(
        (
            dossier["urgency"].as_str(),
            dossier["responsible_agency"].as_str()
        ),
        (Some("overdue"), Some(JUSTICE))
    );

    let compliance = eventually(Duration::from_secs(30), || {
        let sys = &sys;
        async move {
            let (_, c) = get(
                sys,
                Reporting,
                "/api/v1/reports/compliance?from=2026-11-01&to=2026-11-30",
                &inspector(sys),
            )
            .await;
            (c["totals"]["second_supplement_request"] == 1).then_some(c)
        }
    })
    .await
    .expect("the refused second request reaches the compliance report");
    let row = compliance["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "second_supplement_request")
        .unwrap();
    assert_eq!(
        (
            row["agency"].as_str(),
            row["cases"][0]["dossier_code"].as_str()
        ),
        (Some(OS), Some(code.as_str()))
    );

    // Readers: an agency head reads its own agency only; a specialist reads no report.
    let (status, p) = get(
        &sys,
        Reporting,
        &format!("/api/v1/reports/handling?from=2026-11-01&to=2026-11-30&agency={OS}"),
        &head,
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (403, Some("agency_not_allowed"))
    );
    let specialist = sys.token(&["specialist"], Some(JUSTICE), "s@justice");
    let (status, _) = get(&sys, Reporting, "/api/v1/reports/overdue", &specialist).await;
    assert_eq!(status, 403);
    let (status, p) = get(
        &sys,
        Reporting,
        "/api/v1/reports/handling?from=2026-11-01&to=2026-11-30&group_by=ward",
        &inspector(&sys),
    )
    .await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("group_by"))
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_lag_shows_a_relay_that_stopped() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    // An event intake recorded an hour ago whose delivery to reporting never happened (the
    // relay is stopped: its next attempt is a day away).
    let conn = motcua_db::connect(&sys.db.url, "intake", 1).await.unwrap();
    let id = sqlx::types::Uuid::now_v7();
    sqlx::query("INSERT INTO intake.outbox_event (id, event_type, subject, payload, occurred_at, created_at)
                 VALUES ($1, 'dossier.forwarded', 'X', '{}', now(), now() - interval '1 hour')")
        .bind(id).execute(&conn).await.unwrap();
    sqlx::query(
        "INSERT INTO intake.outbox_delivery (event_id, destination, subject, next_attempt_at)
                 VALUES ($1, 'reporting', 'X', now() + interval '1 day')",
    )
    .bind(id)
    .execute(&conn)
    .await
    .unwrap();
    conn.close().await;
    let lag = eventually(Duration::from_secs(15), || {
        let sys = &sys;
        async move {
            let r = sys
                .http
                .get(sys.url(Reporting, "/readyz"))
                .send()
                .await
                .ok()?;
            let v: Value = r.json().await.ok()?;
            let lag = v["detail"]["event_lag_seconds"]["intake"].as_f64()?;
            (lag >= 3600.0).then_some(v)
        }
    })
    .await
    .expect("readyz shows intake's lag");
    assert_eq!(
        lag["detail"]["event_lag_seconds"]["workflow"].as_f64(),
        Some(0.0)
    );
    // The gauge is exported. Its value is process-wide in this test binary (one metrics
    // recorder for every system the concurrent tests start), so the per-system number is
    // the /readyz one above.
    let metrics = sys.text(Reporting, "/metrics").await;
    assert!(
        metrics.lines().any(|l| {
            l.starts_with("motcua_reporting_event_lag_seconds") && l.contains("source=\"intake\"")
        }),
        "the gauge"
    );
    sys.stop().await.unwrap();
}
