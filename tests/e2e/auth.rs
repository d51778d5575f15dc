//! Authentication and authorisation at the edges: REST and gRPC.

use base64::Engine;
use motcua_auth::TokenIssuer;
use motcua_config::ServiceName;
use motcua_e2e::{TestSystem, authed, birth_registration};
use motcua_proto::common::v1::DeliverEventRequest;
use motcua_proto::common::v1::event_receiver_client::EventReceiverClient;
use time::macros::datetime;

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_or_missing_tokens_are_401_and_wrong_roles_403() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let submit = sys.url(ServiceName::Intake, "/api/v1/dossiers");
    let expired = sys
        .platform
        .issuer
        .issue(
            "u",
            &["one_stop_officer"],
            Some("000.25.80.H80"),
            None,
            -3600,
        )
        .unwrap();
    let other_key = TokenIssuer::hs256(b"some-other-secret-some-other-secret", "motcua")
        .issue(
            "u",
            &["one_stop_officer"],
            Some("000.25.80.H80"),
            None,
            3600,
        )
        .unwrap();
    let alg_none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(
            r#"{"sub":"x","roles":["admin","one_stop_officer"],"agency":"000.25.80.H80","aud":"motcua","exp":4102444800}"#
        )
    );
    let cases: [(&str, Option<String>); 5] = [
        ("no token", None),
        ("garbage", Some("not-a-jwt".into())),
        ("expired", Some(expired)),
        ("wrong signature", Some(other_key)),
        ("alg none", Some(alg_none)),
    ];
    for (what, token) in cases {
        let mut req = sys
            .http
            .post(&submit)
            .header("Idempotency-Key", what)
            .json(&birth_registration("counter"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{what}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{what}"
        );
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{what}");
    }

    // Right token, wrong role: a specialist may not read another agency's case, and the
    // reporting endpoint refuses a citizen.
    let citizen = sys.token(&["citizen"], None, "citizen-1");
    let res = sys
        .http
        .get(sys.url(
            ServiceName::Reporting,
            "/api/v1/reports/received-daily?from=2026-11-01&to=2026-11-30",
        ))
        .bearer_auth(&citizen)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "role_not_allowed");

    // The test-clock endpoint is admin-only.
    let res = sys
        .http
        .put(sys.url(ServiceName::Intake, "/api/v1/admin/test-clock"))
        .bearer_auth(&citizen)
        .json(&serde_json::json!({"advance_seconds": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // A known route tried with a method it does not have is 405 with the methods it has.
    let res = sys
        .http
        .request(reqwest::Method::TRACE, submit.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let allow = res.headers()["allow"].to_str().unwrap().to_string();
    assert!(allow.contains("POST") && allow.contains("GET"), "{allow}");

    // gRPC: the event receiver needs a service token.
    let mut c = EventReceiverClient::connect(sys.grpc(ServiceName::Workflow))
        .await
        .unwrap();
    let err = c
        .deliver_event(DeliverEventRequest { event: None })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    let err = c
        .deliver_event(authed(DeliverEventRequest { event: None }, "garbage"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unauthenticated);
    let err = c
        .deliver_event(authed(DeliverEventRequest { event: None }, &citizen))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    sys.stop().await.unwrap();
}

/// An event a service may not send: `dossier.received` is intake's alone.
fn forged_receipt() -> motcua_proto::common::v1::Event {
    motcua_proto::common::v1::Event {
        id: "0193f7a4-0000-7000-8000-00000000f0f0".into(),
        r#type: "dossier.received".into(),
        source: "intake".into(),
        subject: "000.25.80.H80-261127-9999".into(),
        occurred_at: None,
        payload_json: "{}".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_accepted_only_from_the_service_that_owns_their_type() {
    use motcua_proto::common::v1::DeliverEventsRequest;
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let mut workflow = EventReceiverClient::connect(sys.grpc(ServiceName::Workflow))
        .await
        .unwrap();
    let batch = || DeliverEventsRequest {
        events: vec![forged_receipt()],
    };
    // Reporting's own, valid service token cannot inject intake's event type.
    let reporting = sys.service_token(ServiceName::Reporting);
    let err = workflow
        .deliver_events(authed(batch(), &reporting))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    assert!(err.message().contains("dossier.received"), "{err:?}");
    let problem = motcua_problem::Problem::from_status(&err);
    assert_eq!(problem.code, "event_not_allowed");
    // Nor can a user token that lists the `service` role (users never get it).
    let user = sys.token(&["service", "admin"], None, "svc:intake");
    let err = workflow
        .deliver_events(authed(batch(), &user))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    // Intake's token sending workflow's type to intake is refused too.
    let mut intake = EventReceiverClient::connect(sys.grpc(ServiceName::Intake))
        .await
        .unwrap();
    let mut completed = forged_receipt();
    completed.r#type = "case.completed".into();
    let err = intake
        .deliver_event(authed(
            DeliverEventRequest {
                event: Some(completed),
            },
            &sys.service_token(ServiceName::Intake),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::PermissionDenied);
    // The owner's token is accepted (the dossier is unknown to workflow: nothing to open).
    let ok = workflow
        .deliver_events(authed(batch(), &sys.service_token(ServiceName::Intake)))
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    sys.stop().await.unwrap();
}
