//! Applicants are who they say (issue 13): a citizen's token carries their verified personal
//! ID number; online they submit as the applicant or as the applicant's declared
//! representative, never for a stranger; the applicant (and the representative), matched by
//! identity, reads the dossier whatever channel and account it came by; others get `404`.

use motcua_config::ServiceName::Intake;
use motcua_e2e::{TestSystem, birth_registration, get, post};
use time::macros::datetime;

const OS: &str = "000.25.80.H80";
/// The applicant of `birth_registration`.
const CHILD_PARENT: &str = "080203001234";
const REPRESENTATIVE: &str = "001099012345";
const COUNTER_APPLICANT: &str = "001099054321";

fn field_codes(body: &serde_json::Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("field"), s("code"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizens_submit_as_themselves_or_as_a_declared_representative_and_read_their_own() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let submit = |token: String, key: &'static str, body: serde_json::Value| {
        let sys = &sys;
        async move { post(sys, Intake, "/api/v1/dossiers", &token, key, body).await }
    };
    // A token without a verified identity cannot submit online.
    let anonymous = sys.token(&["citizen"], None, "no-identity");
    let (status, body) = submit(anonymous, "i0", birth_registration("online")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("citizen_identity_required"))
    );

    // Someone else's dossier: only as their declared representative.
    let rep = sys.citizen_token("vneid-rep", REPRESENTATIVE);
    let (status, body) = submit(rep.clone(), "i1", birth_registration("online")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        field_codes(&body),
        [(
            "applicant.representative".into(),
            "representative_required".into()
        )]
    );
    let mut declared = birth_registration("online");
    declared["applicant"]["representative"] = serde_json::json!({
        "full_name": "Trần Thị Bình", "id_number": "079303012340", "relation": "ủy quyền"});
    let (status, body) = submit(rep.clone(), "i2", declared.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        field_codes(&body),
        [(
            "applicant.representative.id_number".into(),
            "representative_not_caller".into()
        )]
    );
    declared["applicant"]["representative"]["id_number"] = REPRESENTATIVE.into();
    let (status, body) = submit(rep.clone(), "i3", declared).await;
    assert_eq!(status, 201, "{body}");
    let online = body["code"].as_str().unwrap().to_string();

    // The applicant, signed in with another account, reads it; so does the representative.
    let applicant = sys.citizen_token("vneid-parent", CHILD_PARENT);
    let stranger = sys.citizen_token("vneid-stranger", "001099099999");
    let path = format!("/api/v1/dossiers/{online}");
    let (status, d) = get(&sys, Intake, &path, &applicant).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        d["applicant"]["representative"]["id_number"],
        REPRESENTATIVE
    );
    assert_eq!(get(&sys, Intake, &path, &rep).await.0, 200);
    let (status, d) = get(&sys, Intake, &path, &stranger).await;
    assert_eq!(
        (status, d["code"].as_str()),
        (404, Some("dossier_not_found"))
    );

    // A counter dossier is its applicant's too, by identity.
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let mut counter = birth_registration("counter");
    counter["applicant"]["id_number"] = COUNTER_APPLICANT.into();
    let (status, body) = submit(officer, "i4", counter).await;
    assert_eq!(status, 201, "{body}");
    let at_counter = format!("/api/v1/dossiers/{}", body["code"].as_str().unwrap());
    let own = sys.citizen_token("vneid-counter", COUNTER_APPLICANT);
    assert_eq!(get(&sys, Intake, &at_counter, &own).await.0, 200);
    assert_eq!(get(&sys, Intake, &at_counter, &applicant).await.0, 404);
    sys.stop().await.unwrap();
}
