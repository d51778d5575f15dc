//! Workflow's clocks through the running system (`shared/domain.md` §5–§6): inter-agency groups
//! within their limits, lateness attributed to the agency that overran, step deadlines that
//! move by exactly the applicant's wait, the tax step that stops the dossier's main clock, and
//! forwarding after the cut-off.

use crate::skeleton::sqlx_conn;
use crate::workflow_support::*;
use motcua_config::ServiceName::{Catalogue, Intake, Workflow};
use motcua_e2e::{TestSystem, eventually, get, post};
use std::time::Duration;
use time::macros::datetime;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_birth_group_completes_within_its_limit_and_every_row_of_the_slip_is_on_time() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let d = submit(&sys, "g1", "DEMO.LT.63-1", &["TK01", "GCSDT"], false).await;
    let code = d["code"].as_str().unwrap();
    assert_eq!(d["due_at"], "2026-12-02T09:00:00+07:00", "3 working days");
    wait_status(&sys, code, 4).await;
    at(&sys, datetime!(2026-11-30 08:30 +07:00));
    finish(&sys, code, JUSTICE).await;
    at(&sys, datetime!(2026-12-02 08:00 +07:00));
    finish(&sys, code, POLICE).await;
    at(&sys, datetime!(2026-12-02 08:15 +07:00));
    finish(&sys, code, INSURANCE).await;
    wait_status(&sys, code, 9).await;

    let slip = slip(&sys, code).await;
    let rows: Vec<(&str, &str, &str, &str)> = slip["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["from_agency"].as_str().unwrap(),
                r["to_agency"].as_str().unwrap(),
                r["reason"].as_str().unwrap(),
                r["result"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (OS, JUSTICE, "forward", "on_time"),
            (JUSTICE, POLICE, "handover", "on_time"),
            (JUSTICE, INSURANCE, "handover", "on_time"),
            (POLICE, OS, "handover", "on_time"),
            (INSURANCE, OS, "handover", "on_time"),
        ]
    );
    assert_eq!(
        (
            slip["late"].as_bool(),
            slip["late_steps"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0))
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_overruns_is_late_and_attributed_to_its_agency() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let code = birth_at_counter(&sys, "late-1").await;
    task_of(&sys, &code, JUSTICE).await;
    // Friday 09:00: step and dossier are due at 17:00, within 8 working hours: near-due.
    let marks = || async {
        let m: Vec<(String, String)> =
            sqlx::query_as("SELECT subject_kind, kind FROM workflow.deadline_alert ORDER BY 1, 2")
                .fetch_all(&mut sqlx_conn(&sys).await)
                .await
                .unwrap();
        m
    };
    let near = [
        ("case".to_string(), "near_due".to_string()),
        ("task".into(), "near_due".into()),
    ];
    let seen = eventually(Duration::from_secs(10), || async {
        (marks().await == near).then_some(())
    })
    .await;
    assert!(seen.is_some(), "near-due marks: {:?}", marks().await);
    // Monday 08:00: the step (due Friday 17:00) and the dossier are overdue at justice.
    at(&sys, datetime!(2026-11-30 08:00 +07:00));
    let head = sys.token(&["agency_head"], Some(JUSTICE), "head@justice");
    let listed = eventually(Duration::from_secs(10), || {
        let head = head.clone();
        let sys = &sys;
        async move {
            let (_, o) = get(sys, Workflow, "/api/v1/overdue", &head).await;
            let items = o["items"].as_array()?.clone();
            (items.len() == 2).then_some(items)
        }
    })
    .await
    .expect("the step and the dossier are listed as overdue");
    for item in &listed {
        assert_eq!(
            (item["state"].as_str(), item["agency"].as_str()),
            (Some("overdue"), Some(JUSTICE)),
            "{item}"
        );
    }
    at(&sys, datetime!(2026-11-30 09:00 +07:00));
    finish(&sys, &code, JUSTICE).await;
    wait_status(&sys, &code, 9).await;
    let slip = slip(&sys, &code).await;
    let last = slip["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["from_agency"].as_str(), last["result"].as_str()),
        (Some(JUSTICE), Some("late"))
    );
    assert_eq!(slip["late"], true);
    assert_eq!(slip["late_steps"][0]["agency"], JUSTICE);
    assert_eq!(
        slip["late_steps"][0]["lateness_minutes"], 120,
        "Friday 17:00 to Monday 09:00"
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplement_wait_of_three_working_days_moves_the_running_step_by_exactly_three_days() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let code = birth_at_counter(&sys, "s-1").await;
    let task = task_of(&sys, &code, JUSTICE).await;
    assert_eq!(task["due_at"], "2026-11-27T17:00:00+07:00");
    at(&sys, datetime!(2026-11-27 10:00 +07:00));
    let items = serde_json::json!({"items": [{"component_code": "HTSS", "reason": "Cần văn bản của cơ sở y tế"}]});
    let (status, _) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/supplement-requests"),
        &officer(&sys),
        "sr",
        items,
    )
    .await;
    assert_eq!(status, 200);
    let paused = eventually(Duration::from_secs(10), || {
        let code = code.clone();
        let sys = &sys;
        async move { (case(sys, &code).await["tasks"][1]["clock_paused"] == true).then_some(()) }
    })
    .await;
    assert!(
        paused.is_some(),
        "the step's clock stops while the applicant holds the dossier"
    );
    // Wednesday 10:00, three working days later: the applicant supplements.
    at(&sys, datetime!(2026-12-02 10:00 +07:00));
    let supplement = serde_json::json!({"components": [{"code": "HTSS", "form": "paper"}]});
    let (status, s) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/supplements"),
        &officer(&sys),
        "sup",
        supplement,
    )
    .await;
    assert_eq!(status, 200, "{s}");
    let moved = eventually(Duration::from_secs(10), || {
        let code = code.clone();
        let sys = &sys;
        async move {
            let t = case(sys, &code).await["tasks"][1].clone();
            (t["clock_paused"] == false).then_some(t)
        }
    })
    .await
    .unwrap();
    assert_eq!(
        moved["due_at"], "2026-12-02T17:00:00+07:00",
        "Friday 17:00 moved by 24 working hours"
    );
    assert_eq!(moved["paused_minutes"], 1440);
    let recorded: (i64, String) =
        sqlx::query_as("SELECT working_minutes, reason FROM workflow.step_pause")
            .fetch_one(&mut sqlx_conn(&sys).await)
            .await
            .unwrap();
    assert_eq!(recorded, (1440, "supplement".to_string()));
    at(&sys, datetime!(2026-12-02 14:00 +07:00));
    finish(&sys, &code, JUSTICE).await;
    let slip = slip(&sys, &code).await;
    let last = slip["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["result"], "on_time",
        "judged against the moved deadline"
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_land_flows_tax_step_stops_the_main_clock_but_not_its_own() {
    let sys = TestSystem::start(datetime!(2026-11-30 09:00 +07:00))
        .await
        .unwrap();
    let d = submit(&sys, "land-1", "DEMO.DD.001", &["DON15"], true).await;
    let code = d["code"].as_str().unwrap().to_string();
    let due_before = d["due_at"].as_str().unwrap().to_string();
    wait_status(&sys, &code, 4).await;
    at(&sys, datetime!(2026-11-30 10:00 +07:00));
    finish(&sys, &code, LAND).await;
    at(&sys, datetime!(2026-12-01 09:00 +07:00));
    finish(&sys, &code, LAND).await;
    let tax = task_of(&sys, &code, TAX).await;
    assert_eq!(
        tax["due_at"], "2026-12-04T09:00:00+07:00",
        "its own 3 working days run"
    );
    assert_eq!(
        case(&sys, &code).await["main_clock_paused_at"],
        "2026-12-01T09:00:00+07:00"
    );
    // Two working days later the tax authority answers: the appointment moves by exactly that.
    at(&sys, datetime!(2026-12-03 09:00 +07:00));
    finish(&sys, &code, TAX).await;
    let start = due_before.replace('+', "%2B");
    let (_, expected) = get(
        &sys,
        Catalogue,
        &format!("/api/v1/calendar/deadline?start={start}&working_hours=16"),
        "",
    )
    .await;
    let expected = expected["deadline"].as_str().unwrap().to_string();
    let moved = eventually(Duration::from_secs(10), || {
        let code = code.clone();
        let sys = &sys;
        let expected = expected.clone();
        async move { (dossier(sys, &code).await["due_at"] == expected.as_str()).then_some(()) }
    })
    .await;
    assert!(
        moved.is_some(),
        "appointment {due_before} should move to {expected}: {}",
        dossier(&sys, &code).await["due_at"]
    );
    let history = dossier(&sys, &code).await["history"].clone();
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["action"] == "resume_main_clock")
    );
    assert_eq!(
        case(&sys, &code).await["main_clock_paused_at"],
        serde_json::Value::Null
    );
    task_of(&sys, &code, LAND).await;
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_received_after_the_cut_off_is_forwarded_the_next_working_day() {
    let sys = TestSystem::start(datetime!(2026-11-27 15:30 +07:00))
        .await
        .unwrap();
    let code = birth_at_counter(&sys, "cut-1").await;
    assert_eq!(
        dossier(&sys, &code).await["due_at"],
        "2026-11-30T17:00:00+07:00"
    );
    let c = eventually(Duration::from_secs(10), || {
        let code = code.clone();
        let sys = &sys;
        async move { Some(case(sys, &code).await).filter(|c| c["forward_at"].is_string()) }
    })
    .await
    .unwrap();
    assert_eq!(c["forward_at"], "2026-11-30T07:00:00+07:00");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        dossier(&sys, &code).await["status_code"],
        2,
        "not forwarded before Monday"
    );
    at(&sys, datetime!(2026-11-30 07:00 +07:00));
    wait_status(&sys, &code, 4).await;
    let first = slip(&sys, &code).await["items"][0].clone();
    assert_eq!(
        (
            first["at"].as_str(),
            first["reason"].as_str(),
            first["result"].as_str()
        ),
        (
            Some("2026-11-30T07:00:00+07:00"),
            Some("forward"),
            Some("on_time")
        )
    );
    sys.stop().await.unwrap();
}
