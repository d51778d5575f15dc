//! The walking skeleton, hop by hop: dossier stored at intake → case opened in workflow (via
//! the outbox relay and gRPC) → counted in reporting, all in the caller's trace.

use motcua_config::ServiceName;
use motcua_e2e::{TestSystem, authed, birth_registration, eventually};
use motcua_proto::common::v1::event_receiver_client::EventReceiverClient;
use motcua_proto::common::v1::{DeliverEventRequest, Event};
use motcua_proto::reporting::v1::DailyReceivedRequest;
use motcua_proto::reporting::v1::reporting_service_client::ReportingServiceClient;
use motcua_proto::workflow::v1::GetCaseRequest;
use motcua_proto::workflow::v1::workflow_service_client::WorkflowServiceClient;
use std::time::Duration;
use time::macros::datetime;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_travels_intake_to_workflow_to_reporting_in_one_trace() {
    // Friday 27/11/2026 09:00 local: birth registration is a same-day procedure (cut-off 15:00).
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");

    // Hop 1: intake stores the dossier and answers with code, status and appointment.
    let res = sys
        .http
        .post(sys.url(ServiceName::Intake, "/api/v1/dossiers"))
        .bearer_auth(&officer)
        .header("Idempotency-Key", "skeleton-1")
        .header("traceparent", format!("00-{TRACE_ID}-00f067aa0ba902b7-01"))
        .json(&birth_registration("counter"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(res.headers().contains_key("x-request-id"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "000.25.80.H80-261127-0001");
    assert_eq!(body["status"], "received");
    assert_eq!(body["status_code"], 2);
    assert_eq!(body["due_at"], "2026-11-27T17:00:00+07:00");
    assert_eq!(
        body["receipt"]["procedure_name"],
        "Thủ tục đăng ký khai sinh"
    );
    let code = body["code"].as_str().unwrap().to_string();

    // Hop 2: workflow opened the case, and recorded the trace the request started.
    let admin = sys.token(&["admin"], None, "admin-1");
    let mut workflow = WorkflowServiceClient::connect(sys.grpc(ServiceName::Workflow))
        .await
        .unwrap();
    let case = eventually(Duration::from_secs(10), || {
        let mut w = workflow.clone();
        let req = authed(
            GetCaseRequest {
                dossier_code: code.clone(),
            },
            &admin,
        );
        async move { w.get_case(req).await.ok().map(|r| r.into_inner()) }
    })
    .await
    .expect("workflow opened no case within 10 s");
    assert_eq!(case.procedure_code, "1.001193");
    assert_eq!(case.state, "open");
    assert_eq!(
        case.trace_id, TRACE_ID,
        "the case must be in the submitting request's trace"
    );

    // Hop 3: reporting counted it once.
    let mut reporting = ReportingServiceClient::connect(sys.grpc(ServiceName::Reporting))
        .await
        .unwrap();
    let day = DailyReceivedRequest {
        from: "2026-11-27".into(),
        to: "2026-11-27".into(),
        agency: String::new(),
    };
    let rows = eventually(Duration::from_secs(10), || {
        let mut r = reporting.clone();
        let req = authed(day.clone(), &admin);
        async move {
            let rows = r.daily_received(req).await.ok()?.into_inner().rows;
            (!rows.is_empty()).then_some(rows)
        }
    })
    .await
    .expect("reporting counted nothing within 10 s");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].agency.as_str(), rows[0].received),
        ("000.25.80.H80", 1)
    );

    // At-least-once delivery: the same event delivered again changes nothing, in either receiver.
    let (event_id, payload): (sqlx::types::Uuid, serde_json::Value) =
        sqlx::query_as("SELECT id, payload FROM intake.outbox_event WHERE subject = $1")
            .bind(&code)
            .fetch_one(&mut sqlx_conn(&sys).await)
            .await
            .unwrap();
    let service = sys.service_token(ServiceName::Intake);
    let event = Event {
        id: event_id.to_string(),
        r#type: "dossier.received".into(),
        source: "intake".into(),
        subject: code.clone(),
        occurred_at: None,
        payload_json: payload.to_string(),
        ..Default::default()
    };
    for target in [ServiceName::Workflow, ServiceName::Reporting] {
        let mut c = EventReceiverClient::connect(sys.grpc(target))
            .await
            .unwrap();
        let again = c
            .deliver_event(authed(
                DeliverEventRequest {
                    event: Some(event.clone()),
                },
                &service,
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(!again.applied, "{target} applied a duplicate event");
    }
    let rows = reporting
        .daily_received(authed(day, &admin))
        .await
        .unwrap()
        .into_inner()
        .rows;
    assert_eq!(
        rows[0].received, 1,
        "a duplicate delivery must not count twice"
    );
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM workflow.dossier_case")
        .fetch_one(&mut sqlx_conn(&sys).await)
        .await
        .unwrap();
    assert_eq!(cases, 1);
    // Every delivery row is marked delivered (the later status events may still be in flight).
    let drained = eventually(Duration::from_secs(10), || {
        let sys = &sys;
        async move {
            let pending: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM intake.outbox_delivery WHERE delivered_at IS NULL",
            )
            .fetch_one(&mut sqlx_conn(sys).await)
            .await
            .ok()?;
            (pending == 0).then_some(())
        }
    })
    .await;
    assert!(drained.is_some(), "deliveries still pending after 10 s");

    // REST views agree.
    let case_rest: serde_json::Value = sys
        .http
        .get(sys.url(
            ServiceName::Workflow,
            &format!("/api/v1/dossiers/{code}/case"),
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(case_rest["due_at"], "2026-11-27T17:00:00+07:00");
    workflow
        .get_case(authed(GetCaseRequest { dossier_code: code }, &admin))
        .await
        .unwrap();
    sys.stop().await.unwrap();
}

/// A plain connection to the test database (for assertions on stored rows).
pub(crate) async fn sqlx_conn(sys: &TestSystem) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(&sys.db.url).await.unwrap()
}
