//! Workflow's outcomes and duties through the running system: the one apology and
//! re-appointment, near-due and overdue marked once however many workers run, an agency's
//! return for supplement and refusal going through intake, succession, the paged inbox, and
//! the pause and continue supplement policies.

use crate::skeleton::sqlx_conn;
use crate::workflow_support::*;
use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::{TestSystem, eventually, get, import_catalogue, post};
use std::time::Duration;
use time::macros::datetime;

const DEMO: &str = include_str!("../../data/catalogue-demo.json");

/// The demo catalogue plus a procedure of `code` whose one step is at `agency` for 3 working
/// days, with a 2-day limit and the given supplement clock policy.
fn with_procedure(file: &mut serde_json::Value, code: &str, agency: &str, policy: &str) {
    file["procedures"].as_array_mut().unwrap().push(serde_json::json!({
        "code": code, "name": format!("Thủ tục thử {code}"), "field": "Thử nghiệm", "level": "commune", "online_level": "partial",
        "time_limit": {"working_days": 5}, "supplement_clock_policy": policy,
        "components": [{"code": "DON", "name": "Đơn", "originals": 1, "copies": 0, "required": true},
                       {"code": "PHU", "name": "Giấy tờ phụ", "originals": 1, "copies": 0, "required": false}],
        "steps": [{"name": "Thẩm định hồ sơ", "agency": agency, "working_days": 3}]
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_apology_per_dossier_filed_at_least_a_working_day_before_the_deadline() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let early = submit(&sys, "x1", "DEMO.LT.63-1", &["TK01", "GCSDT"], false).await;
    let late = submit(&sys, "x2", "DEMO.LT.63-1", &["TK01", "GCSDT"], false).await;
    let (early, late) = (
        early["code"].as_str().unwrap().to_string(),
        late["code"].as_str().unwrap().to_string(),
    );
    task_of(&sys, &early, JUSTICE).await;
    task_of(&sys, &late, JUSTICE).await;
    let head = sys.token(&["agency_head"], Some(JUSTICE), "head@justice");
    let body = serde_json::json!({"reason": "Cần xác minh thêm thông tin hộ tịch", "new_appointment": "2026-12-04T17:00:00+07:00"});
    let path = |code: &str| format!("/api/v1/dossiers/{code}/extensions");
    // Monday 09:00: two working days before Wednesday 09:00.
    at(&sys, datetime!(2026-11-30 09:00 +07:00));
    let (status, p) = post(
        &sys,
        Workflow,
        &path(&early),
        &specialist(&sys, JUSTICE),
        "e0",
        body.clone(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (403, Some("role_not_allowed")),
        "the agency's head signs form 04"
    );
    let police_head = sys.token(&["agency_head"], Some(POLICE), "head@police");
    let (status, p) = post(
        &sys,
        Workflow,
        &path(&early),
        &police_head,
        "e0",
        body.clone(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (403, Some("extension_not_allowed")),
        "no step of the police is running"
    );
    let (status, granted) = post(&sys, Workflow, &path(&early), &head, "e1", body.clone()).await;
    assert_eq!(status, 201, "{granted}");
    assert_eq!(
        (
            granted["due_before"].as_str(),
            granted["due_after"].as_str()
        ),
        (
            Some("2026-12-02T09:00:00+07:00"),
            Some("2026-12-04T17:00:00+07:00")
        )
    );
    let (status, again) = post(&sys, Workflow, &path(&early), &head, "e1", body.clone()).await;
    assert_eq!((status, &again), (201, &granted), "a retry replays");
    let (status, p) = post(&sys, Workflow, &path(&early), &head, "e2", body.clone()).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("extension_already_granted"))
    );
    // The new appointment is the dossier's, for the applicant too.
    let public = eventually(Duration::from_secs(10), || {
        let sys = &sys;
        let code = early.clone();
        async move {
            let res = sys
                .http
                .get(sys.url(
                    Intake,
                    &format!("/api/v1/public/dossiers/{code}?id_last4=1234"),
                ))
                .send()
                .await
                .ok()?;
            let b: serde_json::Value = res.json().await.ok()?;
            (b["appointment_at"] == "2026-12-04T17:00:00+07:00").then_some(())
        }
    })
    .await;
    assert!(
        public.is_some(),
        "the public lookup shows the new appointment"
    );
    let history = dossier(&sys, &early).await["history"].clone();
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["action"] == "extend")
    );
    // Tuesday 10:00: 7 working hours before the deadline: too late.
    at(&sys, datetime!(2026-12-01 10:00 +07:00));
    let (status, p) = post(&sys, Workflow, &path(&late), &head, "e3", body).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("extension_too_late"))
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_overdue_workers_at_once_never_mark_or_announce_twice() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let mut codes = Vec::new();
    for i in 0..3 {
        codes.push(birth_at_counter(&sys, &format!("o{i}")).await);
    }
    for code in &codes {
        task_of(&sys, code, JUSTICE).await;
    }
    at(&sys, datetime!(2026-11-30 08:00 +07:00));
    let admin = sys.token(&["admin"], None, "admin-1");
    let scans = (0..6).map(|_| {
        post(
            &sys,
            Workflow,
            "/api/v1/overdue/scan",
            &admin,
            "s",
            serde_json::json!({}),
        )
    });
    for (status, body) in futures_util::future::join_all(scans).await {
        assert_eq!(status, 200, "{body}");
    }
    // The background worker runs too; let it have a few rounds.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut conn = sqlx_conn(&sys).await;
    let per_kind: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT k.kind, (SELECT count(*) FROM workflow.deadline_alert a WHERE a.subject_kind || '.' || a.kind = k.kind),
                (SELECT count(*) FROM workflow.outbox_event e WHERE e.event_type = k.kind)
           FROM (VALUES ('task.overdue'), ('task.near_due'), ('case.overdue'), ('case.near_due'), ('case.late_without_apology')) k(kind)",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for (kind, marks, events) in &per_kind {
        assert_eq!(marks, events, "{kind}: one event per mark");
        assert!(*marks <= 3, "{kind}: at most once per step or dossier");
    }
    let overdue: Vec<i64> = per_kind
        .iter()
        .filter(|k| k.0.ends_with("overdue") || k.0.ends_with("apology"))
        .map(|k| k.1)
        .collect();
    assert_eq!(
        overdue,
        [3, 3, 3],
        "each step and dossier marked overdue once, and late without apology"
    );
    let dup: i64 = sqlx::query_scalar("SELECT count(*) FROM (SELECT subject_id, kind FROM workflow.deadline_alert GROUP BY 1, 2 HAVING count(*) > 1) d")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(dup, 0);
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agencys_return_for_supplement_is_the_dossiers_one_supplement_request() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let code = birth_at_counter(&sys, "r1").await;
    let task = task_of(&sys, &code, JUSTICE).await;
    let complete = format!("/api/v1/tasks/{}/complete", task["id"].as_str().unwrap());
    let justice = specialist(&sys, JUSTICE);
    let bad = serde_json::json!({"outcome": "return_for_supplement", "items": [{"component_code": "SOHOKHAU", "reason": "x"}]});
    let (status, p) = post(&sys, Workflow, &complete, &justice, "k", bad).await;
    assert_eq!(
        (status, p["errors"][0]["code"].as_str()),
        (422, Some("supplement_item_not_in_procedure")),
        "intake's rules apply"
    );
    let (status, p) = post(
        &sys,
        Workflow,
        &complete,
        &justice,
        "k",
        serde_json::json!({"outcome": "return_for_supplement"}),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("completion_invalid"))
    );
    let ret = serde_json::json!({"outcome": "return_for_supplement", "items": [{"component_code": "HTSS", "reason": "Cần văn bản của cơ sở y tế"}]});
    let (status, t) = post(&sys, Workflow, &complete, &justice, "k", ret.clone()).await;
    assert_eq!(
        (status, t["waiting_for_supplement"].as_bool()),
        (200, Some(true)),
        "{t}"
    );
    let (status, again) = post(&sys, Workflow, &complete, &justice, "k", ret).await;
    assert_eq!(
        (status, again["id"].as_str()),
        (200, t["id"].as_str()),
        "a retry answers the same"
    );
    let full = dossier(&sys, &code).await;
    assert_eq!(
        (
            full["status_code"].as_i64(),
            full["supplement_request"]["requested_by_agency"].as_str()
        ),
        (Some(5), Some(JUSTICE))
    );
    let (status, p) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/supplement-requests"),
        &officer(&sys),
        "o",
        serde_json::json!({"items": [{"component_code": "GCS", "reason": "x"}]}),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("supplement_already_requested")),
        "still only once per dossier"
    );
    // The applicant supplements on Monday: the dossier goes back to justice, which finishes.
    at(&sys, datetime!(2026-11-30 10:00 +07:00));
    let (status, _) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/supplements"),
        &officer(&sys),
        "sup",
        serde_json::json!({"components": [{"code": "HTSS", "form": "paper"}]}),
    )
    .await;
    assert_eq!(status, 200);
    let back = eventually(Duration::from_secs(10), || {
        let sys = &sys;
        let code = code.clone();
        async move {
            let rows = slip(sys, &code).await["items"].as_array()?.clone();
            rows.iter()
                .any(|r| r["reason"] == "supplemented")
                .then_some(rows)
        }
    })
    .await
    .expect("the supplement goes back to the agency on the slip");
    let reasons: Vec<&str> = back.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(
        reasons,
        ["forward", "return_for_supplement", "supplemented"]
    );
    finish(&sys, &code, JUSTICE).await;
    wait_status(&sys, &code, 9).await;
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_that_finds_the_dossier_must_be_refused_issues_the_refusal_through_intake() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let code = birth_at_counter(&sys, "f1").await;
    let task = task_of(&sys, &code, JUSTICE).await;
    let complete = format!("/api/v1/tasks/{}/complete", task["id"].as_str().unwrap());
    let police = specialist(&sys, POLICE);
    let body = serde_json::json!({"outcome": "refuse", "reasons": ["Người yêu cầu không có quyền đăng ký"]});
    let (status, _) = post(&sys, Workflow, &complete, &police, "k", body.clone()).await;
    assert_eq!(status, 403, "only the agency holding the step");
    let (status, t) = post(
        &sys,
        Workflow,
        &complete,
        &specialist(&sys, JUSTICE),
        "k",
        body,
    )
    .await;
    assert_eq!((status, t["state"].as_str()), (200, Some("done")), "{t}");
    wait_status(&sys, &code, 3).await;
    let closed = eventually(Duration::from_secs(10), || {
        let sys = &sys;
        let code = code.clone();
        async move { (case(sys, &code).await["state"] == "closed").then_some(()) }
    })
    .await;
    assert!(closed.is_some());
    let rows = slip(&sys, &code).await["items"].clone();
    assert_eq!(rows[1]["reason"], "refusal");
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_retired_mid_flow_hands_its_open_step_to_its_successor() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let mut file: serde_json::Value = serde_json::from_str(DEMO).unwrap();
    file["agencies"].as_array_mut().unwrap().push(serde_json::json!({
        "code": "000.36.80.H80", "name": "Phòng tư pháp cũ", "kind": "agency", "level": "commune",
        "valid_until": "2026-11-30", "successor_code": JUSTICE
    }));
    with_procedure(&mut file, "DEMO.SX.001", "000.36.80.H80", "restart");
    import_catalogue(&sys, file).await;
    let d = submit(&sys, "sx1", "DEMO.SX.001", &["DON"], false).await;
    let code = d["code"].as_str().unwrap().to_string();
    task_of(&sys, &code, "000.36.80.H80").await;
    // Tuesday: the old office is gone; its open step is now at justice, finished steps stay.
    at(&sys, datetime!(2026-12-01 09:00 +07:00));
    let moved = task_of(&sys, &code, JUSTICE).await;
    assert_eq!(moved["name"], "Thẩm định hồ sơ");
    let rows = slip(&sys, &code).await["items"].clone();
    let last = rows.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["from_agency"].as_str(),
            last["to_agency"].as_str(),
            last["reason"].as_str(),
            last["at"].as_str()
        ),
        (
            Some("000.36.80.H80"),
            Some(JUSTICE),
            Some("succession"),
            Some("2026-12-01T00:00:00+07:00")
        )
    );
    finish(&sys, &code, JUSTICE).await;
    wait_status(&sys, &code, 9).await;
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_pages_with_a_cursor_and_filters() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    for i in 0..3 {
        let code = birth_at_counter(&sys, &format!("p{i}")).await;
        task_of(&sys, &code, JUSTICE).await;
    }
    let justice = specialist(&sys, JUSTICE);
    let (_, first) = get(&sys, Workflow, "/api/v1/tasks?limit=2", &justice).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        first["items"][0]["working_hours_left"], 6.0,
        "09:00 to 17:00, less the lunch break"
    );
    let cursor = first["next_cursor"].as_str().unwrap().replace('+', "%2B");
    let (_, second) = get(
        &sys,
        Workflow,
        &format!("/api/v1/tasks?limit=2&cursor={cursor}"),
        &justice,
    )
    .await;
    assert_eq!(
        (
            second["items"].as_array().unwrap().len(),
            second["next_cursor"].is_null()
        ),
        (1, true)
    );
    let mut ids: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each step once");
    let (_, claimed) = get(&sys, Workflow, "/api/v1/tasks?state=claimed", &justice).await;
    assert_eq!(claimed["items"].as_array().unwrap().len(), 0);
    let (_, due) = get(
        &sys,
        Workflow,
        "/api/v1/tasks?due_before=2026-11-27T12:00:00%2B07:00",
        &justice,
    )
    .await;
    assert_eq!(due["items"].as_array().unwrap().len(), 0);
    let (status, p) = get(&sys, Workflow, "/api/v1/tasks?state=done", &justice).await;
    assert_eq!((status, p["code"].as_str()), (422, Some("invalid_query")));
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pause_and_continue_policies_move_or_keep_the_appointment() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let mut file: serde_json::Value = serde_json::from_str(DEMO).unwrap();
    with_procedure(&mut file, "DEMO.PA.001", JUSTICE, "pause");
    with_procedure(&mut file, "DEMO.CO.001", JUSTICE, "continue");
    import_catalogue(&sys, file).await;
    let mut dues = Vec::new();
    for (key, proc) in [("pa", "DEMO.PA.001"), ("co", "DEMO.CO.001")] {
        let d = submit(&sys, key, proc, &["DON"], false).await;
        assert_eq!(d["due_at"], "2026-12-04T09:00:00+07:00", "5 working days");
        let code = d["code"].as_str().unwrap().to_string();
        let items =
            serde_json::json!({"items": [{"component_code": "PHU", "reason": "Cần giấy tờ phụ"}]});
        at(&sys, datetime!(2026-11-27 10:00 +07:00));
        let (status, _) = post(
            &sys,
            Intake,
            &format!("/api/v1/dossiers/{code}/supplement-requests"),
            &officer(&sys),
            &format!("{key}-r"),
            items,
        )
        .await;
        assert_eq!(status, 200);
        at(&sys, datetime!(2026-12-01 10:00 +07:00));
        let (status, s) = post(
            &sys,
            Intake,
            &format!("/api/v1/dossiers/{code}/supplements"),
            &officer(&sys),
            &format!("{key}-s"),
            serde_json::json!({"components": [{"code": "PHU", "form": "paper"}]}),
        )
        .await;
        assert_eq!(status, 200, "{s}");
        dues.push(s["due_at"].as_str().unwrap().to_string());
        at(&sys, datetime!(2026-11-27 09:00 +07:00));
    }
    assert_eq!(
        dues[0], "2026-12-08T09:00:00+07:00",
        "pause: moved by the 16 working hours waited"
    );
    assert_eq!(dues[1], "2026-12-04T09:00:00+07:00", "continue: unchanged");
    sys.stop().await.unwrap();
}
