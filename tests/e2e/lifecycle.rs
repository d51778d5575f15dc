//! The dossier's life over REST, as a one-stop officer, an agency and an applicant see it,
//! with the national status code the public lookup shows at each stage.

use crate::skeleton::sqlx_conn;
use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::{TestSystem, birth_registration, eventually, get, post};
use std::time::Duration;
use time::macros::datetime;

const OS: &str = "000.25.80.H80";
const JUSTICE: &str = "000.30.80.H80";

/// The status code the public sees (code + last four ID digits, no token).
async fn public_code(sys: &TestSystem, code: &str) -> i64 {
    let res = sys
        .http
        .get(sys.url(
            Intake,
            &format!("/api/v1/public/dossiers/{code}?id_last4=1234"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    body["status_code"].as_i64().unwrap()
}

async fn wait_for_code(sys: &TestSystem, code: &str, want: i64) {
    let seen = eventually(Duration::from_secs(30), || async move {
        (public_code(sys, code).await == want).then_some(())
    })
    .await;
    assert!(
        seen.is_some(),
        "status code {want} never reached; now {}",
        public_code(sys, code).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_supplement_workflow_and_result_return() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let (status, d) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &officer,
        "k-submit",
        birth_registration("counter"),
    )
    .await;
    assert_eq!(status, 201);
    let code = d["code"].as_str().unwrap().to_string();
    let path = |p: &str| format!("/api/v1/dossiers/{code}/{p}");

    // Forwarded to workflow: the case opened, intake shows 4 (processing).
    wait_for_code(&sys, &code, 4).await;

    // A second lookup with wrong digits is the same 404 as an unknown code.
    for url in [
        format!("/api/v1/public/dossiers/{code}?id_last4=9999"),
        "/api/v1/public/dossiers/nope?id_last4=1234".to_string(),
    ] {
        let res = sys.http.get(sys.url(Intake, &url)).send().await.unwrap();
        assert_eq!(res.status(), 404);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "dossier_not_found");
    }

    // The justice specialist holds the dossier now: the path's agency may read it; another may not.
    let specialist = sys.token(&["specialist"], Some(JUSTICE), "justice-1");
    assert_eq!(
        get(
            &sys,
            Intake,
            &format!("/api/v1/dossiers/{code}"),
            &specialist
        )
        .await
        .0,
        200
    );
    // An agency off the dossier's path is told what a stranger to a code is told: not found,
    // with the same body as for a code that does not exist (no oracle on dossier codes).
    let police = sys.token(&["specialist"], Some("000.31.80.H80"), "police-1");
    let (status, hidden) = get(&sys, Intake, &format!("/api/v1/dossiers/{code}"), &police).await;
    assert_eq!(status, 404);
    let unknown = format!("{}-9999", code.rsplit_once('-').unwrap().0);
    let (status, missing) = get(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{unknown}"),
        &police,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(hidden["code"], missing["code"]);
    assert_eq!(
        hidden["detail"].as_str().map(|d| d.replace(&code, "")),
        missing["detail"].as_str().map(|d| d.replace(&unknown, ""))
    );
    let (status, _) = get(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/receipt"),
        &police,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = post(
        &sys,
        Intake,
        &path("supplement-requests"),
        &police,
        "k-srp",
        serde_json::json!({"items": [{"component_code": "HTSS", "reason": "x"}]}),
    )
    .await;
    // Off the dossier's path, the action is refused as on an unknown code (no oracle).
    assert_eq!(
        status, 404,
        "only the one-stop or the agency holding the dossier"
    );

    // Supplement request: once, every item at once, only components of the procedure.
    let (status, p) = post(
        &sys,
        Intake,
        &path("supplement-requests"),
        &officer,
        "k-sr0",
        serde_json::json!({"items": [{"component_code": "SOHOKHAU", "reason": "x"}]}),
    )
    .await;
    assert_eq!(
        (status, p["errors"][0]["code"].as_str()),
        (422, Some("supplement_item_not_in_procedure"))
    );
    let items = serde_json::json!({"items": [
        {"component_code": "GCS", "reason": "Giấy chứng sinh bị mờ", "defect": "không đọc được số"},
        {"component_code": "HTSS", "reason": "Cần văn bản của cơ sở y tế"}
    ]});
    let (status, r) = post(
        &sys,
        Intake,
        &path("supplement-requests"),
        &officer,
        "k-sr1",
        items.clone(),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status_code"], 5);
    assert_eq!(
        r["detail"]["supplement_deadline"], "2026-12-18T09:00:00+07:00",
        "15 working days"
    );
    assert_eq!(public_code(&sys, &code).await, 5);
    // The same request retried with its key replays; a second request is refused.
    let (status, again) = post(
        &sys,
        Intake,
        &path("supplement-requests"),
        &officer,
        "k-sr1",
        items.clone(),
    )
    .await;
    assert_eq!((status, &again), (200, &r));
    let (status, p) = post(
        &sys,
        Intake,
        &path("supplement-requests"),
        &officer,
        "k-sr2",
        items,
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("supplement_already_requested"))
    );

    // The agency cannot finish while the dossier waits for the applicant.
    let (_, inbox) = get(&sys, Workflow, "/api/v1/tasks", &specialist).await;
    let task = inbox["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        inbox["items"][0]["name"],
        "Thẩm định, ghi sổ hộ tịch, trình ký"
    );
    // Once workflow has the request, the case waits and the step cannot be finished.
    let paused = eventually(Duration::from_secs(30), || {
        let (sys, specialist, code) = (&sys, &specialist, &code);
        async move {
            let (_, c) = get(
                sys,
                Workflow,
                &format!("/api/v1/dossiers/{code}/case"),
                specialist,
            )
            .await;
            (c["state"] == "paused").then_some(())
        }
    })
    .await;
    assert!(
        paused.is_some(),
        "the case must pause while the applicant supplements"
    );
    let claim = format!("/api/v1/tasks/{task}/claim");
    let (st, _) = post(
        &sys,
        Workflow,
        &claim,
        &specialist,
        "c",
        serde_json::json!({}),
    )
    .await;
    let complete = format!("/api/v1/tasks/{task}/complete");
    let (st2, p) = post(
        &sys,
        Workflow,
        &complete,
        &specialist,
        "c",
        serde_json::json!({"outcome": "done"}),
    )
    .await;
    assert_eq!(
        (st, st2, p["code"].as_str()),
        (200, 409, Some("case_not_open")),
        "{p}"
    );

    // Monday 30/11 10:00: the applicant supplements at the counter; the clock restarts.
    sys.platform
        .clock
        .as_test_clock()
        .unwrap()
        .set(datetime!(2026-11-30 10:00 +07:00));
    let supplement = serde_json::json!({"components": [{"code": "GCS", "form": "paper"}, {"code": "HTSS", "form": "paper"}]});
    let (status, p) = post(
        &sys,
        Intake,
        &path("supplements"),
        &officer,
        "k-sup0",
        serde_json::json!({"components": [{"code": "GCS", "form": "paper"}]}),
    )
    .await;
    assert_eq!(
        (status, p["errors"][0]["code"].as_str()),
        (422, Some("supplement_incomplete"))
    );
    let (status, s) = post(
        &sys,
        Intake,
        &path("supplements"),
        &officer,
        "k-sup1",
        supplement,
    )
    .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        s["status_code"], 4,
        "back to processing: it had been forwarded"
    );
    assert_eq!(
        s["due_at"], "2026-11-30T17:00:00+07:00",
        "restart: same day from the supplement"
    );
    assert_eq!(public_code(&sys, &code).await, 4);
    let (_, full) = get(&sys, Intake, &format!("/api/v1/dossiers/{code}"), &officer).await;
    assert_eq!(full["code"], code, "the supplement keeps the dossier code");
    assert_eq!(
        full["components"].as_array().unwrap().len(),
        4,
        "original components and the supplement are kept"
    );

    // The agency finishes its step: the result is at the one-stop (9).
    let done = eventually(Duration::from_secs(30), || {
        let (sys, specialist, task) = (&sys, &specialist, &task);
        async move {
            let (st, _) = post(
                sys,
                Workflow,
                &format!("/api/v1/tasks/{task}/complete"),
                specialist,
                "d",
                serde_json::json!({"outcome": "done", "note": "Đã ghi sổ"}),
            )
            .await;
            (st == 200).then_some(())
        }
    })
    .await;
    assert!(
        done.is_some(),
        "the task could not be completed once the case resumed"
    );
    wait_for_code(&sys, &code, 9).await;

    // The processing control slip: forward to justice, then back to the one-stop, with results.
    let (_, slip) = get(
        &sys,
        Workflow,
        &format!("/api/v1/dossiers/{code}/handovers"),
        &officer,
    )
    .await;
    let rows = slip["items"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0]["from_agency"].as_str(),
            rows[0]["to_agency"].as_str()
        ),
        (Some(OS), Some(JUSTICE))
    );
    assert_eq!(
        (
            rows[1]["from_agency"].as_str(),
            rows[1]["to_agency"].as_str()
        ),
        (Some(JUSTICE), Some(OS))
    );
    assert_eq!(rows[1]["from_person"], "justice-1");
    assert!(["early", "on_time", "late"].contains(&rows[1]["result"].as_str().unwrap()));

    // Withdrawal is no longer possible; the result goes back at the counter (10).
    let (status, p) = post(
        &sys,
        Intake,
        &path("withdrawal"),
        &officer,
        "k-w",
        serde_json::json!({"reason": "x"}),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str(), p["current_state"].as_str()),
        (409, Some("illegal_transition"), Some("processed"))
    );
    let (status, r) = post(
        &sys,
        Intake,
        &path("result-return"),
        &officer,
        "k-r",
        serde_json::json!({"channel": "counter"}),
    )
    .await;
    assert_eq!((status, r["status_code"].as_i64()), (200, Some(10)));
    assert_eq!(public_code(&sys, &code).await, 10);

    let (_, full) = get(&sys, Intake, &format!("/api/v1/dossiers/{code}"), &officer).await;
    let actions: Vec<&str> = full["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "receive",
            "forward",
            "request_supplement",
            "supplement",
            "complete",
            "return_result"
        ]
    );
    let (second_requests, extra): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE kind = 'second_supplement_request'),
                count(*) FILTER (WHERE kind = 'extra_component_requested') FROM intake.compliance_event",
    )
    .fetch_one(&mut sqlx_conn(&sys).await)
    .await
    .unwrap();
    assert_eq!(
        (second_requests, extra),
        (1, 1),
        "both violations attempted are recorded"
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_supplement_stops_the_dossier_when_its_deadline_passes() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let (_, d) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &officer,
        "k1",
        birth_registration("counter"),
    )
    .await;
    let code = d["code"].as_str().unwrap().to_string();
    let (status, r) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/supplement-requests"),
        &officer,
        "k2",
        serde_json::json!({"items": [{"component_code": "HTSS", "reason": "Cần văn bản"}]}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    // One minute before the deadline nothing happens …
    let clock = sys.platform.clock.as_test_clock().unwrap();
    clock.set(datetime!(2026-12-18 08:59 +07:00));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(public_code(&sys, &code).await, 5);
    // … one minute after it, the worker stops the dossier and issues the stop notice.
    clock.set(datetime!(2026-12-18 09:01 +07:00));
    wait_for_code(&sys, &code, 8).await;
    let (status, p) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/supplements"),
        &officer,
        "k3",
        serde_json::json!({"components": [{"code": "HTSS", "form": "paper"}]}),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (409, Some("illegal_transition"))
    );
    let notices: i64 = sqlx::query_scalar("SELECT count(*) FROM intake.dossier_document WHERE dossier_code = $1 AND kind = 'stop_notice'")
        .bind(&code)
        .fetch_one(&mut sqlx_conn(&sys).await)
        .await
        .unwrap();
    assert_eq!(notices, 1);
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusal_and_withdrawal_need_their_reasons_and_end_the_dossier() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let citizen = sys.citizen_token("citizen-080203001234", "080203001234");
    // Online by a citizen, withdrawn by the same citizen.
    let (status, d) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &citizen,
        "o1",
        birth_registration("online"),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    let online = d["code"].as_str().unwrap().to_string();
    let other = sys.token(&["citizen"], None, "someone-else");
    let (status, _) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{online}/withdrawal"),
        &other,
        "w0",
        serde_json::json!({"reason": "x"}),
    )
    .await;
    // Someone else's dossier answers as an unknown one (no oracle on dossier codes).
    assert_eq!(
        status, 404,
        "only the applicant (or the one-stop) withdraws"
    );
    let (status, w) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{online}/withdrawal"),
        &citizen,
        "w1",
        serde_json::json!({"reason": "Không còn nhu cầu"}),
    )
    .await;
    assert_eq!((status, w["status_code"].as_i64()), (200, Some(7)));
    // At the counter, refused with reasons.
    let (_, d) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &officer,
        "c1",
        birth_registration("counter"),
    )
    .await;
    let counter = d["code"].as_str().unwrap().to_string();
    let (status, p) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{counter}/refusal"),
        &officer,
        "r0",
        serde_json::json!({"reasons": [" "]}),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("reasons_required"))
    );
    let (status, r) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{counter}/refusal"),
        &officer,
        "r1",
        serde_json::json!({"reasons": ["Không thuộc thẩm quyền"]}),
    )
    .await;
    assert_eq!((status, r["status_code"].as_i64()), (200, Some(3)));
    assert_eq!(public_code(&sys, &counter).await, 3);
    // A final dossier accepts nothing more; the 409 names the state and the action.
    let (status, p) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{counter}/result-return"),
        &officer,
        "rr",
        serde_json::json!({"channel": "counter"}),
    )
    .await;
    assert_eq!(
        (status, p["current_state"].as_str(), p["action"].as_str()),
        (409, Some("refused"), Some("return_result"))
    );
    // The printable receipt of form 01.
    let html = sys
        .http
        .get(sys.url(Intake, &format!("/api/v1/dossiers/{counter}/receipt")))
        .bearer_auth(&officer)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") && html.contains(&counter));
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_ready_while_waiting_for_payment_is_not_lost() {
    use motcua_proto::common::v1::event_receiver_client::EventReceiverClient;
    use motcua_proto::common::v1::{DeliverEventRequest, Event};
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let (_, d) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &officer,
        "f1",
        birth_registration("counter"),
    )
    .await;
    let code = d["code"].as_str().unwrap().to_string();
    wait_for_code(&sys, &code, 4).await;
    let (status, _) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/financial-obligation"),
        &officer,
        "f2",
        serde_json::json!({"items": [{"name": "Lệ phí", "amount_vnd": 50000}]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(public_code(&sys, &code).await, 6);
    // Workflow finished before it heard of the payment wait (events cross): intake keeps it.
    let service = sys.service_token(motcua_config::ServiceName::Workflow);
    let payload = serde_json::json!({"dossier_code": code, "case_id": "c", "at": "2026-11-27T10:00:00+07:00", "current_steps": []});
    let event = Event {
        id: "0193f7a4-0000-7000-8000-000000000001".into(),
        r#type: "case.completed".into(),
        source: "workflow".into(),
        subject: code.clone(),
        occurred_at: None,
        payload_json: payload.to_string(),
        ..Default::default()
    };
    let mut intake = EventReceiverClient::connect(sys.grpc(Intake))
        .await
        .unwrap();
    let r = intake
        .deliver_event(motcua_e2e::authed(
            DeliverEventRequest { event: Some(event) },
            &service,
        ))
        .await
        .unwrap();
    assert!(r.into_inner().applied);
    assert_eq!(
        public_code(&sys, &code).await,
        6,
        "still waiting for payment"
    );
    let (status, r) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/financial-obligation/payment"),
        &officer,
        "f3",
        serde_json::json!({"reference": "BL-1"}),
    )
    .await;
    assert_eq!(
        (status, r["status_code"].as_i64()),
        (200, Some(9)),
        "paid, and the result is ready: 9"
    );
    let (status, _) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/result-return"),
        &officer,
        "f4",
        serde_json::json!({"channel": "counter", "returned_at": "2026-11-20T09:00:00+07:00"}),
    )
    .await;
    assert_eq!(status, 422, "not before the receipt");
    let (status, _) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/result-return"),
        &officer,
        "f5",
        serde_json::json!({"channel": "counter"}),
    )
    .await;
    assert_eq!(status, 200);
    // Reporting follows intake's statuses in order.
    let done = eventually(Duration::from_secs(30), || async {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM reporting.dossier_fact WHERE dossier_code = $1")
                .bind(&code)
                .fetch_optional(&mut sqlx_conn(&sys).await)
                .await
                .unwrap();
        (status.as_deref() == Some("result_returned")).then_some(())
    })
    .await;
    assert!(done.is_some(), "reporting did not reach result_returned");
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplement_requested_after_a_working_day_is_flagged() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let items = serde_json::json!({"items": [{"component_code": "HTSS", "reason": "Cần văn bản"}]});
    let (_, on_time) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &officer,
        "a1",
        birth_registration("counter"),
    )
    .await;
    let (_, late) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &officer,
        "a2",
        birth_registration("counter"),
    )
    .await;
    // Same day: within 8 working hours.
    let path = |d: &serde_json::Value| {
        format!(
            "/api/v1/dossiers/{}/supplement-requests",
            d["code"].as_str().unwrap()
        )
    };
    let (status, r) = post(&sys, Intake, &path(&on_time), &officer, "a3", items.clone()).await;
    assert_eq!((status, r["detail"]["late"].as_bool()), (200, Some(false)));
    // Tuesday 01/12 10:00: two working days after receipt — allowed, and recorded.
    sys.platform
        .clock
        .as_test_clock()
        .unwrap()
        .set(datetime!(2026-12-01 10:00 +07:00));
    let (status, r) = post(&sys, Intake, &path(&late), &officer, "a4", items).await;
    assert_eq!((status, r["detail"]["late"].as_bool()), (200, Some(true)));
    let flagged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM intake.compliance_event WHERE kind = 'late_supplement_request'",
    )
    .fetch_one(&mut sqlx_conn(&sys).await)
    .await
    .unwrap();
    assert_eq!(flagged, 1);
    sys.stop().await.unwrap();
}
