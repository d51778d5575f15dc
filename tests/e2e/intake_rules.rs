//! Intake rules exercised through the running system.

use crate::skeleton::sqlx_conn;
use motcua_config::ServiceName;
use motcua_e2e::{TestSystem, birth_registration};
use std::collections::BTreeSet;
use time::macros::datetime;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_post_creates_one_dossier_and_a_reused_key_is_refused() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let url = sys.url(ServiceName::Intake, "/api/v1/dossiers");
    let post = |key: &'static str, body: serde_json::Value| {
        sys.http
            .post(&url)
            .bearer_auth(&officer)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = post("retry-1", birth_registration("counter"))
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.unwrap();
    let again = post("retry-1", birth_registration("counter"))
        .await
        .unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again, first, "a retry answers the original response");
    let mut other = birth_registration("counter");
    other["applicant"]["full_name"] = "Trần Thị Bình".into();
    let reused = post("retry-1", other).await.unwrap();
    assert_eq!(reused.status(), 422);
    let reused: serde_json::Value = reused.json().await.unwrap();
    assert_eq!(reused["code"], "idempotency_key_reused");
    let missing = sys
        .http
        .post(&url)
        .bearer_auth(&officer)
        .json(&birth_registration("counter"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 422);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM intake.dossier")
        .fetch_one(&mut sqlx_conn(&sys).await)
        .await
        .unwrap();
    assert_eq!(n, 1);
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_at_one_agency_get_distinct_consecutive_codes() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let url = sys.url(ServiceName::Intake, "/api/v1/dossiers");
    const N: usize = 200;
    let mut tasks = tokio::task::JoinSet::new();
    // 200 keys, the first 50 sent twice at the same moment (a client retrying at once): the
    // retries land in the same batches as their first use or the next ones.
    for i in (0..N).chain(0..50) {
        let req = sys
            .http
            .post(&url)
            .bearer_auth(&officer)
            .header("Idempotency-Key", format!("burst-{i}"))
            .json(&birth_registration("counter"));
        tasks.spawn(async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 201);
            let body: serde_json::Value = res.json().await.unwrap();
            (i, body["code"].as_str().unwrap().to_string())
        });
    }
    let mut codes = BTreeSet::new();
    let mut by_key = std::collections::HashMap::new();
    while let Some(answer) = tasks.join_next().await {
        let (key, code) = answer.unwrap();
        if let Some(first) = by_key.insert(key, code.clone()) {
            assert_eq!(first, code, "key burst-{key} answered with two codes");
        }
        codes.insert(code);
    }
    let expected: BTreeSet<String> = (1..=N)
        .map(|i| format!("000.25.80.H80-261127-{i:04}"))
        .collect();
    assert_eq!(codes, expected, "200 distinct codes numbered 0001..0200");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM intake.dossier")
        .fetch_one(&mut crate::skeleton::sqlx_conn(&sys).await)
        .await
        .unwrap();
    assert_eq!(stored, N as i64, "one dossier per key");
    sys.stop().await.unwrap();
}

/// One key sent at the same moment with two different bodies, among 30 other submissions in
/// the same batches: exactly one of the two is written, the other is `422
/// idempotency_key_reused`, and no other submission of the batch is failed by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_reused_with_another_body_in_a_burst_fails_alone() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let url = sys.url(ServiceName::Intake, "/api/v1/dossiers");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..32 {
        let (key, mut body) = match i {
            0 | 1 => ("same-key".to_string(), birth_registration("counter")),
            _ => (format!("other-{i}"), birth_registration("counter")),
        };
        if i == 1 {
            body["applicant"]["full_name"] = "Trần Thị Bình".into();
        }
        let req = sys
            .http
            .post(&url)
            .bearer_auth(&officer)
            .header("Idempotency-Key", key)
            .json(&body);
        tasks.spawn(async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.unwrap();
            (i, status, body)
        });
    }
    let mut same = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        let (i, status, body) = answer.unwrap();
        match i {
            0 | 1 => same.push((status, body["code"].as_str().map(str::to_string))),
            _ => assert_eq!(status, 201, "submission {i} failed: {body}"),
        }
    }
    same.sort();
    assert_eq!(
        (same[0].0, same[1].0, same[1].1.as_deref()),
        (201, 422, Some("idempotency_key_reused")),
        "{same:?}"
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM intake.dossier")
        .fetch_one(&mut sqlx_conn(&sys).await)
        .await
        .unwrap();
    assert_eq!(stored, 31, "30 others and one of the two");
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_one_stop_receives_and_attempts_are_recorded() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let url = sys.url(ServiceName::Intake, "/api/v1/dossiers");
    // An officer of a specialist agency (not a one-stop unit) receiving at the counter.
    let outsider = sys.token(&["one_stop_officer"], Some("000.30.80.H80"), "justice-1");
    let mut body = birth_registration("counter");
    body["receiving_agency"] = "000.30.80.H80".into();
    let res = sys
        .http
        .post(&url)
        .bearer_auth(&outsider)
        .header("Idempotency-Key", "o1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["code"], "intake_outside_one_stop");
    // A specialist or a sector system may not receive at all.
    for roles in [["specialist"], ["sector_system"]] {
        let t = sys.token(&roles, Some("000.25.80.H80"), "x");
        let res = sys
            .http
            .post(&url)
            .bearer_auth(&t)
            .header("Idempotency-Key", "o2")
            .json(&birth_registration("counter"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{roles:?}");
    }
    // A one-stop officer of another one-stop unit may not receive for this one.
    let elsewhere = sys.token(&["one_stop_officer"], Some("000.00.01.H80"), "prov-1");
    let res = sys
        .http
        .post(&url)
        .bearer_auth(&elsewhere)
        .header("Idempotency-Key", "o3")
        .json(&birth_registration("counter"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["code"], "agency_not_allowed");
    let (dossiers, attempts): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM intake.dossier),
                (SELECT count(*) FROM intake.compliance_event WHERE kind = 'intake_outside_one_stop')",
    )
    .fetch_one(&mut sqlx_conn(&sys).await)
    .await
    .unwrap();
    assert_eq!((dossiers, attempts), (0, 3));
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_invalid_field_is_reported_at_once() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let mut body = birth_registration("counter");
    body["applicant"]["id_number"] = "003203001234".into();
    body["components"] =
        serde_json::json!([{"code": "TK", "form": "paper"}, {"code": "CMND", "form": "paper"}]);
    let res = sys
        .http
        .post(sys.url(ServiceName::Intake, "/api/v1/dossiers"))
        .bearer_auth(&officer)
        .header("Idempotency-Key", "bad-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert_eq!(p["code"], "validation_failed");
    let fields: Vec<(&str, &str)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("applicant.id_number", "invalid_personal_id"),
            ("components[1].code", "component_unexpected"),
            ("components", "component_missing"),
        ]
    );
    // Malformed JSON is a 422 problem too, never a 500.
    let res = sys
        .http
        .post(sys.url(ServiceName::Intake, "/api/v1/dossiers"))
        .bearer_auth(&officer)
        .header("Idempotency-Key", "bad-2")
        .header("content-type", "application/json")
        .body("{\"procedure_code\": 12")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_pages_through_a_units_dossiers_for_its_staff_only() {
    use motcua_e2e::get;
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let url = sys.url(ServiceName::Intake, "/api/v1/dossiers");
    for i in 0..5 {
        let res = sys
            .http
            .post(&url)
            .bearer_auth(&officer)
            .header("Idempotency-Key", format!("reg-{i}"))
            .json(&birth_registration("counter"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/dossiers?limit=2&from=2026-11-27&to=2026-11-27".to_string();
    loop {
        let (status, page) = get(&sys, ServiceName::Intake, &path, &officer).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["code"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => {
                path = format!("/api/v1/dossiers?limit=2&from=2026-11-27&to=2026-11-27&cursor={c}")
            }
            None => break,
        }
    }
    let expected: Vec<String> = (1..=5)
        .rev()
        .map(|i| format!("000.25.80.H80-261127-{i:04}"))
        .collect();
    assert_eq!(seen, expected, "newest first, each once");
    let (_, none) = get(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers?from=2026-11-28",
        &officer,
    )
    .await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    let other = sys.token(&["one_stop_officer"], Some("000.00.01.H80"), "prov-1");
    let (status, _) = get(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers?agency=000.25.80.H80",
        &other,
    )
    .await;
    assert_eq!(status, 403);
    let citizen = sys.token(&["citizen"], None, "c");
    assert_eq!(
        get(&sys, ServiceName::Intake, "/api/v1/dossiers", &citizen)
            .await
            .0,
        403
    );
    let (status, p) = get(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers?status=lost",
        &officer,
    )
    .await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("status"))
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_appointment_follows_the_submission_methods_own_time_limit() {
    use motcua_e2e::post;
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let file = serde_json::json!({"agencies": [], "procedures": [{
        "code": "DEMO.TEST.001", "name": "Thủ tục thử nghiệm theo hình thức nộp", "field": "Thử nghiệm", "level": "commune",
        "online_level": "full", "time_limit": {"working_days": 5},
        "methods": [{"method": "counter"}, {"method": "online", "time_limit": {"working_days": 3}}],
        "components": [{"code": "DON", "name": "Đơn đề nghị", "originals": 1, "copies": 0, "required": true}],
        "steps": [{"name": "Giải quyết", "agency": "000.30.80.H80", "working_days": 3}]
    }]});
    motcua_e2e::import_catalogue(&sys, file).await;
    let body = |channel: &str| {
        let mut b = birth_registration(channel);
        b["procedure_code"] = "DEMO.TEST.001".into();
        b["components"] = serde_json::json!([{"code": "DON", "form": "paper"}]);
        b
    };
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let citizen = sys.citizen_token("citizen-1", "080203001234");
    let (status, counter) = post(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers",
        &officer,
        "m1",
        body("counter"),
    )
    .await;
    assert_eq!(status, 201, "{counter}");
    assert_eq!(
        counter["due_at"], "2026-12-04T09:00:00+07:00",
        "counter: 5 working days"
    );
    let mut online = body("online");
    online["components"][0]["form"] = "electronic".into();
    let pdf = b"%PDF-1.7 don de nghi";
    use base64::Engine;
    use sha2::Digest;
    online["components"][0]["files"] = serde_json::json!([{
        "name": "don.pdf", "media_type": "application/pdf", "size": pdf.len(),
        "sha256": sha2::Sha256::digest(pdf).iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "content_base64": base64::engine::general_purpose::STANDARD.encode(pdf)
    }]);
    let (status, online) = post(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers",
        &citizen,
        "m2",
        online,
    )
    .await;
    assert_eq!(status, 201, "{online}");
    assert_eq!(
        online["due_at"], "2026-12-02T09:00:00+07:00",
        "online: 3 working days"
    );
    let (status, p) = post(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers",
        &officer,
        "m3",
        body("postal"),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "channel" && e["code"] == "method_not_offered"),
        "{p}"
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_under_a_case_is_checked_against_that_cases_components_and_limit() {
    use motcua_e2e::post;
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let file = serde_json::json!({"agencies": [], "procedures": [{
        "code": "DEMO.TEST.002", "name": "Thủ tục thử nghiệm có trường hợp", "field": "Thử nghiệm", "level": "commune",
        "online_level": "partial", "time_limit": {"working_days": 5},
        "components": [{"code": "DON", "name": "Đơn", "originals": 1, "copies": 0, "required": true}],
        "cases": [{"code": "TH2", "name": "Trường hợp có ủy quyền", "time_limit": {"working_days": 2},
                   "components": [{"code": "UQ", "name": "Giấy ủy quyền", "originals": 1, "copies": 0, "required": true}]},
                  {"code": "TH3", "name": "Trường hợp thông thường", "time_limit": {"working_days": 4}}],
        "steps": [{"name": "Giải quyết", "agency": "000.30.80.H80", "working_days": 2}]
    }]});
    motcua_e2e::import_catalogue(&sys, file).await;
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let body = |case: Option<&str>, code: &str| {
        let mut b = birth_registration("counter");
        b["procedure_code"] = "DEMO.TEST.002".into();
        b["case_code"] = case.into();
        b["components"] = serde_json::json!([{"code": code, "form": "paper"}]);
        b
    };
    let (status, d) = post(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers",
        &officer,
        "c1",
        body(Some("TH2"), "UQ"),
    )
    .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(
        d["due_at"], "2026-12-01T09:00:00+07:00",
        "the case's own 2 working days"
    );
    let (status, p) = post(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers",
        &officer,
        "c2",
        body(Some("TH2"), "DON"),
    )
    .await;
    assert_eq!(status, 422);
    let codes: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["component_unexpected", "component_missing"]);
    let (status, p) = post(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers",
        &officer,
        "c3",
        body(Some("TH9"), "UQ"),
    )
    .await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("case_code"))
    );
    let (status, d) = post(
        &sys,
        ServiceName::Intake,
        "/api/v1/dossiers",
        &officer,
        "c4",
        body(None, "DON"),
    )
    .await;
    assert_eq!(
        (status, d["due_at"].as_str()),
        (201, Some("2026-12-04T09:00:00+07:00")),
        "without a case: the procedure's"
    );
    sys.stop().await.unwrap();
}
