//! Catalogue endpoints: the working-day calendar (deadline, yearly data, audited changes) and
//! the version of a procedure in force on a date.

use crate::skeleton::sqlx_conn;
use motcua_config::ServiceName;
use motcua_e2e::TestSystem;
use motcua_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use motcua_proto::catalogue::v1::{ComputeDeadlineRequest, TimeLimit};
use motcua_proto::timestamp;
use time::macros::datetime;

async fn deadline(sys: &TestSystem, query: &str) -> (u16, serde_json::Value) {
    let res = sys
        .http
        .get(sys.url(
            ServiceName::Catalogue,
            &format!("/api/v1/calendar/deadline?{query}"),
        ))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_follow_the_loaded_calendar_and_changes_are_audited() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();

    // Fri 24/04/2026 16:00 + 8 working hours: Mon 27/04 is the compensatory day off.
    let (status, d) = deadline(&sys, "start=2026-04-24T16:00:00%2B07:00&working_hours=8").await;
    assert_eq!(status, 200);
    assert_eq!(d["deadline"], "2026-04-28T16:00:00+07:00");
    assert_eq!(d["provisional"], false);

    // 2027 is not loaded: weekends and 1/1 only, and the answer says so.
    let q2027 = "start=2026-12-30T10:00:00%2B07:00&working_days=5";
    let (_, d) = deadline(&sys, q2027).await;
    assert_eq!(d["deadline"], "2027-01-07T10:00:00+07:00");
    assert_eq!(d["provisional"], true);

    let year_2027 = serde_json::json!({
        "days_off": [{"date": "2027-01-01", "name": "Tết Dương lịch"}, {"date": "2027-01-04", "name": "ngày nghỉ thử"}],
        "working_days": []
    });
    let put = |token: String, body: serde_json::Value| {
        sys.http
            .put(sys.url(ServiceName::Catalogue, "/api/v1/calendar/2027"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "o");
    assert_eq!(put(officer, year_2027.clone()).await.unwrap().status(), 403);
    let admin = sys.token(&["catalogue_admin"], None, "cat-admin-1");
    let bad = put(
        admin.clone(),
        serde_json::json!({"days_off": [{"date": "2026-01-05", "name": "x"}]}),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 422, "a date outside the year is refused");
    assert_eq!(put(admin.clone(), year_2027).await.unwrap().status(), 200);

    let (_, d) = deadline(&sys, q2027).await;
    assert_eq!(
        d["deadline"], "2027-01-08T10:00:00+07:00",
        "04/01/2027 is now a day off"
    );
    assert_eq!(d["provisional"], false);
    let stored: serde_json::Value = sys
        .http
        .get(sys.url(ServiceName::Catalogue, "/api/v1/calendar/2027"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["days_off"].as_array().unwrap().len(), 2);
    let (actor, action, roles): (String, String, Vec<String>) = sqlx::query_as(
        "SELECT actor, action, actor_roles FROM catalogue.audit_record WHERE target = '2027'",
    )
    .fetch_one(&mut sqlx_conn(&sys).await)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), action.as_str()),
        ("cat-admin-1", "calendar.put")
    );
    assert_eq!(
        roles,
        ["catalogue_admin"],
        "the caller's roles are on the record"
    );

    // Bad parameters are field-level 422s.
    let (status, p) = deadline(&sys, "start=2026-04-24T16:00:00%2B07:00&working_days=0.3").await;
    assert_eq!(status, 422);
    assert_eq!(p["errors"][0]["field"], "working_days");
    let (status, _) = deadline(&sys, "start=yesterday&working_days=1").await;
    assert_eq!(status, 422);

    // gRPC: a same-day procedure received after its 15:00 cut-off on a Friday is due Monday 17:00.
    let mut c = CatalogueServiceClient::connect(sys.grpc(ServiceName::Catalogue))
        .await
        .unwrap();
    let r = c
        .compute_deadline(ComputeDeadlineRequest {
            start: Some(timestamp::to_proto(datetime!(2026-11-27 16:00 +07:00))),
            limit: Some(TimeLimit {
                working_minutes: 0,
                same_day: true,
                cutoff: "15:00".into(),
            }),
            agency: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    let at = r.deadline.as_ref().and_then(timestamp::from_proto).unwrap();
    assert_eq!(at, datetime!(2026-11-30 17:00 +07:00));
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_procedure_is_served_in_the_version_in_force_on_the_date() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let get = |path: String| sys.http.get(sys.url(ServiceName::Catalogue, &path)).send();
    let cur: serde_json::Value = get("/api/v1/procedures/1.001193".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cur["version"], 1);
    assert_eq!(cur["components"].as_array().unwrap().len(), 3);
    // The demo versions take effect on 01/07/2025: before that, nothing is in force.
    let before = get("/api/v1/procedures/1.001193?at=2025-06-30".into())
        .await
        .unwrap();
    assert_eq!(before.status(), 404);
    let on = get("/api/v1/procedures/1.001193?at=2025-07-01".into())
        .await
        .unwrap();
    assert_eq!(on.status(), 200);
    let bad = get("/api/v1/procedures/1.001193?at=30-06-2025".into())
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    // Diacritic- and case-insensitive search.
    for q in [
        "dang%20ky%20khai%20sinh",
        "%C4%90%C4%83ng%20k%C3%BD%20khai%20sinh",
        "DANG%20KY%20KHAI%20SINH",
    ] {
        let hits: serde_json::Value = get(format!("/api/v1/procedures?q={q}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(hits["items"][0]["code"], "1.001193", "query {q}");
    }
    // Published versions are immutable in the database itself.
    let err =
        sqlx::query("UPDATE catalogue.procedure_version SET name = 'x' WHERE code = '1.001193'")
            .execute(&mut sqlx_conn(&sys).await)
            .await
            .unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_with_its_own_sessions_gets_its_own_deadlines() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let admin = sys.token(&["catalogue_admin"], None, "cat-admin-1");
    let url = sys.url(
        ServiceName::Catalogue,
        "/api/v1/agencies/000.25.80.H80/working-sessions",
    );
    // Tue 01/12/2026 10:00 + 4 working hours, province sessions: 1.5 h before 11:30, then 2.5 h
    // from 13:30 → 16:00.
    let q = "start=2026-12-01T10:00:00%2B07:00&working_hours=4&agency=000.25.80.H80";
    assert_eq!(
        deadline(&sys, q).await.1["deadline"],
        "2026-12-01T16:00:00+07:00"
    );
    let bad = sys
        .http
        .put(&url)
        .bearer_auth(&admin)
        .json(&serde_json::json!({"sessions": [["13:00", "12:00"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let ok = sys
        .http
        .put(&url)
        .bearer_auth(&admin)
        .json(&serde_json::json!({"sessions": [["08:00", "10:30"], ["14:00", "17:00"]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    // Agency sessions: 0.5 h to 10:30, 3 h from 14:00 to 17:00, then 0.5 h from 08:00 next day.
    assert_eq!(
        deadline(&sys, q).await.1["deadline"],
        "2026-12-02T08:30:00+07:00"
    );
    // Without agency=, the province's sessions still apply.
    let (_, d) = deadline(&sys, "start=2026-12-01T10:00:00%2B07:00&working_hours=4").await;
    assert_eq!(d["deadline"], "2026-12-01T16:00:00+07:00");
    let unknown = sys
        .http
        .put(sys.url(
            ServiceName::Catalogue,
            "/api/v1/agencies/nope/working-sessions",
        ))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"sessions": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    sys.stop().await.unwrap();
}

const DEMO: &str = include_str!("../../data/catalogue-demo.json");

async fn audit_rows(sys: &TestSystem) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM catalogue.audit_record")
        .fetch_one(&mut sqlx_conn(sys).await)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_file_is_validated_whole_imported_once_and_resolves_successors_and_stale_listings()
 {
    use motcua_catalogue::import::{ImportError, import};
    use motcua_catalogue_model::CatalogueFile;
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let pool = motcua_db::connect(&sys.db.url, "catalogue", 2)
        .await
        .unwrap();

    // The demo set plus the 2025 reorganisation and a ward listing.
    let mut file: serde_json::Value = serde_json::from_str(DEMO).unwrap();
    file["agencies"].as_array_mut().unwrap().push(serde_json::json!({
        "code": "000.25.72.H72", "name": "Bộ phận Một cửa huyện cũ (Tây Ninh cũ)", "kind": "one_stop", "level": "commune",
        "valid_until": "2025-06-30", "successor_code": "000.25.80.H80"
    }));
    file["listings"] = serde_json::json!([{"one_stop": "000.25.80.H80", "procedures": [{"code": "1.001193", "version": 1}]}]);

    // One bad entry: nothing is written, and the error names the entry and the field.
    let mut broken = file.clone();
    broken["procedures"][1]["components"][1]["code"] = "TK01".into();
    let before = audit_rows(&sys).await;
    let parsed = CatalogueFile::parse(&broken.to_string()).unwrap();
    let Err(ImportError::Invalid(errors)) = import(&pool, &parsed, "test").await else {
        panic!("accepted a broken file")
    };
    // The duplicate, and (since the demo version is already published) the change to it.
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[1].code, "published_version_immutable");
    assert_eq!(errors[0].entry, "procedures[1] (DEMO.LT.63-1)");
    assert_eq!(errors[0].field, "procedures[1].components[1].code");
    assert_eq!(errors[0].code, "duplicate_component");
    assert_eq!(
        audit_rows(&sys).await,
        before,
        "a refused import writes nothing"
    );

    // The good file: new agency and listing; the demo versions are already there.
    let good = CatalogueFile::parse(&file.to_string()).unwrap();
    let first = import(&pool, &good, "test").await.unwrap();
    assert_eq!(
        (
            first.agencies_added,
            first.versions_added,
            first.versions_unchanged,
            first.listings_changed
        ),
        (1, 0, 4, 1)
    );
    let after_first = audit_rows(&sys).await;
    let again = import(&pool, &good, "test").await.unwrap();
    assert_eq!(
        (
            again.agencies_added,
            again.agencies_changed,
            again.versions_added,
            again.listings_changed
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(
        audit_rows(&sys).await,
        after_first,
        "re-importing the same file changes nothing"
    );

    // Succession: the retired unit resolves to its successor from 01/07/2025.
    let get = |path: String| sys.http.get(sys.url(ServiceName::Catalogue, &path)).send();
    let a: serde_json::Value = get("/api/v1/agencies/000.25.72.H72?at=2025-07-01".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (a["code"].as_str(), a["resolved_from"].as_str()),
        (Some("000.25.80.H80"), Some("000.25.72.H72"))
    );
    let a: serde_json::Value = get("/api/v1/agencies/000.25.72.H72?at=2025-06-30".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["code"], "000.25.72.H72");

    // Stale listing: the ward shows only birth registration; three commune procedures are missing.
    let l: serde_json::Value = get("/api/v1/listings/000.25.80.H80".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let missing: Vec<&str> = l["stale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["procedure_code"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["1.011537", "DEMO.DD.001", "DEMO.LT.63-1"]);
    assert!(
        l["stale"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["reason"]["kind"] == "missing")
    );

    // A new version of birth registration from 01/12/2026, published over REST.
    let admin = sys.token(&["catalogue_admin"], None, "cat-admin-1");
    let publish = |body: serde_json::Value| {
        sys.http
            .post(sys.url(ServiceName::Catalogue, "/api/v1/procedures"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let mut v2 = file["procedures"][0].clone();
    v2["decision"] = serde_json::json!({"number": "99/QĐ-UBND", "date": "2026-11-20", "effective_from": "2026-12-01"});
    let mut over_budget = v2.clone();
    over_budget["steps"][1]["working_hours"] = 12.into();
    let res = publish(over_budget).await.unwrap();
    assert_eq!(res.status(), 422);
    let p: serde_json::Value = res.json().await.unwrap();
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "template_over_budget"),
        "{p}"
    );
    let res = publish(v2.clone()).await.unwrap();
    assert_eq!(res.status(), 201);
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(created["version"], 2);
    let mut same = v2.clone();
    same["version"] = 2.into();
    assert_eq!(
        publish(same).await.unwrap().status(),
        409,
        "a published version is never rewritten"
    );
    let at = |d: &str| get(format!("/api/v1/procedures/1.001193?at={d}"));
    let v: serde_json::Value = at("2026-11-30").await.unwrap().json().await.unwrap();
    assert_eq!(v["version"], 1);
    let v: serde_json::Value = at("2026-12-01").await.unwrap().json().await.unwrap();
    assert_eq!(v["version"], 2);

    // From 02/12 the ward's listing shows a superseded version.
    sys.platform
        .clock
        .as_test_clock()
        .unwrap()
        .set(datetime!(2026-12-02 09:00 +07:00));
    let l: serde_json::Value = get("/api/v1/listings/000.25.80.H80".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let birth = l["stale"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["procedure_code"] == "1.001193")
        .unwrap()
        .clone();
    assert_eq!(
        birth["reason"],
        serde_json::json!({"kind": "superseded", "listed_version": 1, "current_version": 2})
    );
    let inspector = sys.token(&["inspector"], None, "insp-1");
    let all: serde_json::Value = sys
        .http
        .get(sys.url(ServiceName::Catalogue, "/api/v1/listings/stale"))
        .bearer_auth(&inspector)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["one_stop"] == "000.25.80.H80")
    );

    // Export gives back a file that imports as a no-op.
    let exported = motcua_catalogue::import::load(&pool).await.unwrap();
    assert!(
        exported
            .procedures
            .iter()
            .any(|p| p.code == "1.001193" && p.version == 2)
    );
    let reimport = import(
        &pool,
        &CatalogueFile::parse(&exported.to_json_pretty().unwrap()).unwrap(),
        "test",
    )
    .await
    .unwrap();
    assert_eq!(
        (
            reimport.versions_added,
            reimport.agencies_changed,
            reimport.listings_changed
        ),
        (0, 0, 0)
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_components_reports_each_component_problem() {
    use motcua_proto::catalogue::v1::{SubmittedComponent, ValidateComponentsRequest};
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let mut c = CatalogueServiceClient::connect(sys.grpc(ServiceName::Catalogue))
        .await
        .unwrap();
    let sc = |code: &str, originals: Option<u32>| SubmittedComponent {
        code: code.into(),
        originals,
        copies: None,
    };
    let r = c
        .validate_components(ValidateComponentsRequest {
            code: "1.001193".into(),
            at: "2026-11-27".into(),
            components: vec![sc("TK", Some(0)), sc("CMND", None), sc("TK", None)],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.version, 1);
    let got: Vec<(&str, &str, &str)> = r
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str(), e.component_code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("components[1].code", "component_unexpected", "CMND"),
            ("components[2].code", "component_duplicate", "TK"),
            ("components", "component_missing", "GCS"),
            ("components[0].originals", "component_count", "TK"),
        ]
    );
    let ok = c
        .validate_components(ValidateComponentsRequest {
            code: "1.001193".into(),
            at: String::new(),
            components: vec![sc("TK", Some(1)), sc("GCS", None)],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(ok.errors.is_empty());
    let missing = c
        .validate_components(ValidateComponentsRequest {
            code: "9.999999".into(),
            at: String::new(),
            components: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), tonic::Code::NotFound);
    // The trailer is a google.rpc.Status, as grpc-go and grpcurl read it (docs/errors.md).
    use tonic_types::StatusExt;
    let info = missing.get_details_error_info().expect("an ErrorInfo");
    assert_eq!(
        (info.domain.as_str(), info.reason.as_str()),
        ("motcua", "procedure_not_found")
    );
    let bad_date = c
        .validate_components(ValidateComponentsRequest {
            code: "1.001193".into(),
            at: "27/11/2026".into(),
            components: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!(bad_date.code(), tonic::Code::InvalidArgument);
    let violations = bad_date
        .get_details_bad_request()
        .expect("a BadRequest")
        .field_violations;
    assert_eq!(
        violations
            .iter()
            .map(|v| (v.field.as_str(), v.reason.as_str()))
            .collect::<Vec<_>>(),
        [("at", "invalid_date")]
    );
    sys.stop().await.unwrap();
}
