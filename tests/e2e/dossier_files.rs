//! A dossier's files are downloadable by who may read the dossier (issue 11, file access):
//! the receiving officer, the staff of an agency on its path once the case reaches it, the
//! applicant by identity, inspectors; with their type, length and SHA-256, and byte ranges.
//! Anyone else gets the answer of an unknown dossier.

use base64::Engine;
use motcua_config::ServiceName::Intake;
use motcua_e2e::{TestSystem, birth_registration, eventually, get, post};
use sha2::Digest;
use std::time::Duration;
use time::macros::datetime;

const OS: &str = "000.25.80.H80";
const JUSTICE: &str = "000.30.80.H80";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_downloaded_whole_or_by_range_by_who_may_read_the_dossier() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let content = b"%PDF-1.7 to khai dang ky khai sinh".to_vec();
    let sha = sha2::Sha256::digest(&content);
    let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
    let mut body = birth_registration("counter");
    body["components"][0]["form"] = "electronic".into();
    body["components"][0]["files"] = serde_json::json!([{
        "name": "tờ khai.pdf", "media_type": "application/pdf", "size": content.len(),
        "sha256": hex, "content_base64": base64::engine::general_purpose::STANDARD.encode(&content)
    }]);
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let (status, d) = post(&sys, Intake, "/api/v1/dossiers", &officer, "f1", body).await;
    assert_eq!(status, 201, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let (_, view) = get(&sys, Intake, &format!("/api/v1/dossiers/{code}"), &officer).await;
    let listed = &view["components"][0]["files"][0];
    assert_eq!(
        (listed["id"].as_str(), listed["size"].as_i64()),
        (Some("0-0"), Some(34))
    );
    let url = sys.url(Intake, &format!("/api/v1/dossiers/{code}/files/0-0"));
    let fetch = |token: String, range: Option<&'static str>| {
        let mut req = sys.http.get(&url).bearer_auth(token);
        if let Some(r) = range {
            req = req.header("range", r);
        }
        async move { req.send().await.unwrap() }
    };

    // Whole, with its type, length and digest.
    let res = fetch(officer.clone(), None).await;
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-length"], "34");
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["etag"], format!("\"{hex}\"").as_str());
    let b64 = base64::engine::general_purpose::STANDARD.encode(sha);
    assert_eq!(h["repr-digest"], format!("sha-256=:{b64}:").as_str());
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .contains("t%E1%BB%9D%20khai.pdf")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), &content[..]);

    // Ranges: a middle part, the tail, and one past the end.
    let res = fetch(officer.clone(), Some("bytes=9-16")).await;
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-range"], "bytes 9-16/34");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &content[9..=16]);
    let res = fetch(officer.clone(), Some("bytes=-5")).await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), &content[29..]);
    let res = fetch(officer.clone(), Some("bytes=34-")).await;
    assert_eq!(res.status(), 416);
    assert_eq!(res.headers()["content-range"], "bytes */34");

    // No such file; a stranger agency; the applicant by identity.
    let missing = sys.url(Intake, &format!("/api/v1/dossiers/{code}/files/0-9"));
    let res = sys
        .http
        .get(&missing)
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "file_not_found");
    let elsewhere = sys.token(&["specialist"], Some("000.99.80.H80"), "s-other");
    let res = fetch(elsewhere, None).await;
    assert_eq!(res.status(), 404);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "dossier_not_found");
    let applicant = sys.citizen_token("vneid-parent", "080203001234");
    assert_eq!(fetch(applicant, None).await.status(), 200);

    // The justice office, once the case reaches it.
    let justice = sys.token(&["specialist"], Some(JUSTICE), "s-justice");
    let reached = eventually(Duration::from_secs(30), || {
        let t = justice.clone();
        let fetch = &fetch;
        async move { (fetch(t, None).await.status() == 200).then_some(()) }
    })
    .await;
    assert!(
        reached.is_some(),
        "the agency on the path never got the file"
    );
    sys.stop().await.unwrap();
}
