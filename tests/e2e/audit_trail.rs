//! Intake's audit trail in the running system (issue 13): a received dossier, the applicant's
//! withdrawal and workflow's forwarding each leave a record naming the actor with roles and
//! agency, the request and the client's address, with summaries free of the applicant's ID
//! number and phone; the application's role cannot rewrite a record, and `motcua audit verify`'s
//! check finds every service's chain sound.

use crate::skeleton::sqlx_conn;
use motcua_config::ServiceName::Intake;
use motcua_e2e::{TestSystem, birth_registration, eventually, post};
use std::time::Duration;
use time::macros::datetime;

const OS: &str = "000.25.80.H80";

/// A record of intake's chain: actor, roles, agency, action, request id, source, before, after.
type Row = (
    String,
    Vec<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

async fn records(sys: &TestSystem, code: &str) -> Vec<Row> {
    sqlx::query_as(
        "SELECT actor, actor_roles, actor_agency, action, request_id, source, before, after
           FROM intake.audit_record WHERE target = $1 ORDER BY at, chain, seq",
    )
    .bind(code)
    .fetch_all(&mut sqlx_conn(sys).await)
    .await
    .unwrap()
}

async fn submit(sys: &TestSystem, token: &str, key: &str, channel: &str) -> String {
    let (status, d) = post(
        sys,
        Intake,
        "/api/v1/dossiers",
        token,
        key,
        birth_registration(channel),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    d["code"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_changes_are_audited_with_their_actor_request_and_source_and_every_chain_verifies() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let citizen = sys.citizen_token("citizen-080203001234", "080203001234");
    let counter = submit(&sys, &officer, "a1", "counter").await;
    let online = submit(&sys, &citizen, "a2", "online").await;
    let (status, _) = post(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{online}/withdrawal"),
        &citizen,
        "a3",
        serde_json::json!({"reason": "Không còn nhu cầu"}),
    )
    .await;
    assert_eq!(status, 200);

    // Received by the officer, then forwarded by workflow (an event applied by the service).
    let seen = eventually(Duration::from_secs(30), || async {
        let rows = records(&sys, &counter).await;
        (rows.len() >= 2).then_some(rows)
    })
    .await
    .expect("workflow's forwarding was never audited");
    let (actor, roles, agency, action, request_id, source, before, after) = &seen[0];
    assert_eq!(
        (
            actor.as_str(),
            roles.as_slice(),
            agency.as_deref(),
            action.as_str()
        ),
        (
            "officer-1",
            &["one_stop_officer".to_string()][..],
            Some(OS),
            "dossier.received"
        )
    );
    assert!(request_id.is_some(), "the request id is recorded");
    assert_eq!(source.as_deref(), Some("127.0.0.1"));
    assert_eq!(before, &None);
    let after: serde_json::Value = serde_json::from_str(after.as_deref().unwrap()).unwrap();
    assert_eq!(
        (after["procedure"].as_str(), after["channel"].as_str()),
        (Some("1.001193"), Some("counter"))
    );
    let (actor, roles, _, action, ..) = &seen[1];
    assert_eq!(
        (actor.as_str(), roles.as_slice(), action.as_str()),
        ("svc:workflow", &["service".to_string()][..], "forward")
    );

    let withdrawn = records(&sys, &online).await;
    let actions: Vec<(&str, &[String], Option<&str>)> = withdrawn
        .iter()
        .map(|r| (r.3.as_str(), r.1.as_slice(), r.2.as_deref()))
        .collect();
    assert_eq!(
        actions[..2],
        [
            ("dossier.received", &["citizen".to_string()][..], None),
            ("withdraw", &["citizen".to_string()][..], None)
        ]
    );
    assert!(
        withdrawn[1].6.as_deref().unwrap().contains("received"),
        "{:?}",
        withdrawn[1]
    );

    // No summary holds the applicant's ID number or phone.
    for r in seen.iter().chain(&withdrawn) {
        let text = format!("{:?} {:?}", r.6, r.7);
        for secret in ["080203001234", "0912345678"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    // The application's own role cannot rewrite its trail.
    let err = sqlx::query("UPDATE intake.audit_record SET actor = 'someone' WHERE target = $1")
        .bind(&counter)
        .execute(&mut sqlx_conn(&sys).await)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("audit records are append-only"),
        "{err}"
    );

    for (schema, check) in motcua::audit::verify_all(&sys.db.url).await.unwrap() {
        assert!(check.is_ok(), "{}", motcua::audit::line(schema, &check));
    }
    sys.stop().await.unwrap();
}
