//! Server protection on the running system: random methods and paths leave `/metrics` flat
//! and its labels within the known routes and methods; a large body is refused with `413`
//! everywhere but where files are uploaded; the public lookup counts each client apart — a
//! stranger's wrong guesses never lock the applicant out, and a refusal says when to come back.
//! (Timeouts, the concurrency limit and `/readyz`'s words: `crates/motcua-server/tests`.)

use base64::Engine;
use motcua_config::ServiceName::{self, Catalogue, Intake};
use motcua_e2e::{TestSystem, birth_registration, post};
use serde_json::Value;
use sha2::Digest;
use std::collections::BTreeSet;
use time::macros::datetime;

const OS: &str = "000.25.80.H80";

/// The value of `label` in a Prometheus series line.
fn label<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let needle = format!("{label}=\"");
    let start = line.find(&needle)? + needle.len();
    Some(&line[start..start + line[start..].find('"')?])
}

/// Catalogue's series that random traffic produces (an unknown route or method).
fn random_traffic_series(metrics: &str) -> Vec<&str> {
    metrics
        .lines()
        .filter(|l| l.contains("service=\"catalogue\""))
        .filter(|l| l.contains("method=\"other\"") || l.contains("route=\"unmatched\""))
        .collect()
}

/// Sends `n` rounds of requests with random method names to a random path, a random path
/// under `/api/v1/` and a real route.
async fn random_traffic(sys: &TestSystem, n: usize) {
    for _ in 0..n {
        let r = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        let method = reqwest::Method::from_bytes(&r.as_bytes()[..12]).unwrap();
        for path in [
            format!("/{r}/{r}"),
            format!("/api/v1/{r}"),
            "/api/v1/procedures".to_string(),
        ] {
            let _ = sys
                .http
                .request(method.clone(), sys.url(Catalogue, &path))
                .send()
                .await;
        }
    }
}

/// Every route template the services answer: their documents' paths and the test clock.
async fn known_routes(sys: &TestSystem) -> BTreeSet<String> {
    let mut routes: BTreeSet<String> = ["unmatched", "/api/v1/admin/test-clock"]
        .map(String::from)
        .into();
    for name in ServiceName::ALL {
        let doc: Value = sys.openapi(name).await;
        routes.extend(doc["paths"].as_object().unwrap().keys().cloned());
    }
    routes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_methods_and_paths_leave_metrics_flat_and_labelled_from_the_known_set() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    random_traffic(&sys, 100).await;
    let first = sys.text(Catalogue, "/metrics").await;
    random_traffic(&sys, 200).await;
    let more = sys.text(Catalogue, "/metrics").await;
    let (a, b) = (random_traffic_series(&first), random_traffic_series(&more));
    let size = |s: &[&str]| s.iter().map(|l| l.len() + 1).sum::<usize>();
    // 600 more requests change counts and sums; they add no series (other tests running in
    // this process may add one or two known combinations, hence the slack).
    assert!(!a.is_empty(), "random traffic is counted");
    assert!(
        b.len() <= a.len() + 32,
        "{} series, then {}",
        a.len(),
        b.len()
    );
    assert!(
        size(&b) < size(&a) + 16 * 1024,
        "random-traffic series grew from {} to {} bytes",
        size(&a),
        size(&b)
    );
    let routes = known_routes(&sys).await;
    let methods = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other",
    ];
    for line in more.lines().filter(|l| l.starts_with("http_request")) {
        let (Some(route), Some(method)) = (label(line, "route"), label(line, "method")) else {
            continue;
        };
        assert!(routes.contains(route), "route label {route}: {line}");
        assert!(methods.contains(&method), "method label {method}: {line}");
    }
    for line in more.lines().filter(|l| l.starts_with("grpc_request")) {
        let path = label(line, "path").unwrap_or_default();
        assert!(
            path == "unmatched" || path.starts_with("/motcua.") || path.starts_with("/grpc."),
            "gRPC path label {path}"
        );
    }
    sys.stop().await.unwrap();
}

/// A citizen's online birth registration whose form carries a PDF of `bytes` bytes.
fn online_with_file(bytes: usize) -> Value {
    let mut pdf = b"%PDF-1.7 to khai ".to_vec();
    pdf.resize(bytes, b' ');
    let mut body = birth_registration("online");
    body["components"][0]["form"] = "electronic".into();
    body["components"][0]["files"] = serde_json::json!([{
        "name": "to-khai.pdf", "media_type": "application/pdf", "size": pdf.len(),
        "sha256": sha2::Sha256::digest(&pdf).iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "content_base64": base64::engine::general_purpose::STANDARD.encode(&pdf)
    }]);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_one_mib_is_413_except_where_files_are_uploaded() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let citizen = sys.citizen_token("citizen-big", "080203001234");
    let big = online_with_file(1_600_000);
    assert!(big.to_string().len() > 2 * 1024 * 1024);
    let (status, d) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &citizen,
        "big-1",
        big.clone(),
    )
    .await;
    assert_eq!(status, 201, "a submission may carry files: {d}");
    let code = d["code"].as_str().unwrap();
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-big");
    let admin = sys.token(&["catalogue_admin"], None, "cat-admin-big");
    for (name, path, token) in [
        (
            Intake,
            format!("/api/v1/dossiers/{code}/supplement-requests"),
            &officer,
        ),
        (Catalogue, "/api/v1/procedures".to_string(), &admin),
    ] {
        let (status, p) = post(&sys, name, &path, token, "big-2", big.clone()).await;
        assert_eq!(
            (status, &p["code"]),
            (413, &Value::from("body_too_large")),
            "{path}"
        );
    }
    sys.stop().await.unwrap();
}

/// A public lookup from `client` (through the trusted proxy at 127.0.0.1).
async fn lookup(sys: &TestSystem, client: &str, code: &str, digits: &str) -> reqwest::Response {
    sys.http
        .get(sys.url(
            Intake,
            &format!("/api/v1/public/dossiers/{code}?id_last4={digits}"),
        ))
        .header("x-forwarded-for", client)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_wrong_guesses_never_lock_the_applicant_out_and_refusals_say_when_to_return() {
    let sys = TestSystem::start_with(
        datetime!(2026-11-27 09:00 +07:00),
        &[
            ("MOTCUA_TRUSTED_PROXIES", "127.0.0.1".to_string()),
            ("MOTCUA_PUBLIC_LOOKUP_PER_MINUTE", "12".to_string()),
        ],
    )
    .await
    .unwrap();
    let officer = sys.token(&["one_stop_officer"], Some(OS), "officer-1");
    let (status, d) = post(
        &sys,
        Intake,
        "/api/v1/dossiers",
        &officer,
        "lookup-1",
        birth_registration("counter"),
    )
    .await;
    assert_eq!(status, 201);
    let code = d["code"].as_str().unwrap();
    let (stranger, applicant) = ("203.0.113.7", "198.51.100.9");
    for _ in 0..5 {
        assert_eq!(lookup(&sys, stranger, code, "0000").await.status(), 404);
    }
    let locked = lookup(&sys, stranger, code, "1234").await;
    assert_eq!(
        locked.status(),
        429,
        "the stranger is locked out of this code"
    );
    let wait: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    let mine = lookup(&sys, applicant, code, "1234").await;
    assert_eq!(
        mine.status(),
        200,
        "the applicant, from another address, is not"
    );
    let mine: Value = mine.json().await.unwrap();
    assert_eq!(mine["code"], code);
    // The per-client quota remains: a client's 13th lookup in a minute waits for the minute's end.
    let busy = "192.0.2.44";
    for _ in 0..12 {
        assert_eq!(lookup(&sys, busy, code, "1234").await.status(), 200);
    }
    let refused = lookup(&sys, busy, code, "1234").await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(lookup(&sys, applicant, code, "1234").await.status(), 200);
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_text_over_200_characters_is_refused_naming_q_and_the_document_says_so() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let search = |q: String| {
        let encoded: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
        let url = sys.url(Catalogue, &format!("/api/v1/procedures?q={encoded}"));
        let http = sys.http.clone();
        async move {
            let res = http.get(url).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    // Characters, not bytes: 200 Vietnamese letters are 400 bytes of UTF-8.
    for q in ["a".repeat(200), "đ".repeat(200), "đăng ký khai sinh".into()] {
        assert_eq!(search(q).await.0, 200);
    }
    let (status, p) = search("đ".repeat(201)).await;
    assert_eq!((status, &p["code"]), (422, &Value::from("invalid_query")));
    assert_eq!(p["errors"][0]["field"], "q");
    assert_eq!(p["errors"][0]["code"], "too_long");
    motcua_e2e::assert_declared(status, &p);
    let doc: Value = sys
        .http
        .get(sys.url(Catalogue, "/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let q = doc["paths"]["/api/v1/procedures"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "q")
        .cloned()
        .unwrap();
    assert_eq!(q["schema"]["maxLength"], 200, "{q}");
    sys.stop().await.unwrap();
}
