//! Server protection, through a real REST server started by `motcua_server::start` with a few
//! test routes (no database: its pool points at a port where nothing listens): metric labels
//! stay within the known routes and methods whatever clients send; a request past its time
//! budget is `503 request_timeout`, and an upload route's larger budget holds; bodies over the
//! limit are `413 body_too_large` except on upload routes; past the concurrency limit a request
//! is `503 overloaded` with `Retry-After` while the probes still answer; `/readyz` says
//! `database_unreachable` and nothing more; the client address is believed from
//! `X-Forwarded-For` only through a trusted proxy.

use axum::Router;
use axum::body::Bytes;
use axum::routing::{get, post};
use motcua_config::{Env, ServiceName, Settings};
use motcua_problem::ApiJson;
use motcua_server::{ClientAddr, ServiceParts, Uploads};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

static NO_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate::Migrator::DEFAULT;

/// A running test service and what it needs to be stopped.
struct TestService {
    base: String,
    shutdown: CancellationToken,
    running: motcua_server::RunningService,
    /// A token holding every person's role: the gate lets it through every route in the table.
    token: String,
    /// Released by the test to let the held requests (the receipt route) finish.
    gate: Arc<Semaphore>,
}

impl TestService {
    async fn start(vars: &[(&str, &str)]) -> Self {
        Self::start_as(ServiceName::Intake, vars).await
    }

    /// A service under `name`: its metric series carry that name (the metrics test uses its
    /// own, as the recorder is shared by the whole test process).
    async fn start_as(name: ServiceName, vars: &[(&str, &str)]) -> Self {
        let mut map: HashMap<String, String> = HashMap::from([
            (
                "MOTCUA_JWT_SECRET".to_string(),
                "a-test-secret-that-is-long-enough-for-hs256".to_string(),
            ),
            ("MOTCUA_JWT_ALGORITHM".to_string(), "HS256".to_string()),
        ]);
        map.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let settings = Settings::from_env(&Env::from_fn(|k| map.get(k).cloned())).unwrap();
        let shutdown = CancellationToken::new();
        let platform = motcua_server::platform(settings, shutdown.clone()).unwrap();
        let gate = Arc::new(Semaphore::new(0));
        let uploads = Uploads::of(&platform.settings.protection);
        let held = gate.clone();
        let api = Router::new()
            .route(
                "/api/v1/dossiers/{code}",
                get(|| async {
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    "late"
                }),
            )
            .route(
                "/api/v1/dossiers",
                uploads.route(post(|| async {
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    "uploaded"
                })),
            )
            .route(
                "/api/v1/dossiers/{code}/refusal",
                post(|b: Bytes| async move { b.len().to_string() }),
            )
            .route(
                "/api/v1/dossiers/{code}/withdrawal",
                post(|ApiJson(v): ApiJson<serde_json::Value>| async move {
                    v.to_string().len().to_string()
                }),
            )
            .route(
                "/api/v1/dossiers/{code}/supplements",
                uploads.route(post(|b: Bytes| async move { b.len().to_string() })),
            )
            .route(
                "/api/v1/dossiers/{code}/receipt",
                get(move || async move {
                    let _permit = held.acquire().await;
                    "released"
                }),
            )
            .route(
                "/api/v1/public/dossiers/{code}",
                get(|ClientAddr(ip): ClientAddr| async move { ip.to_string() }),
            );
        let pool = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(Duration::from_millis(300))
            .connect_lazy("postgres://motcua:do-not-show-me@127.0.0.1:1/motcua")
            .unwrap();
        let parts = ServiceParts {
            name,
            api,
            openapi: utoipa::openapi::OpenApiBuilder::new().build(),
            grpc: tonic::service::Routes::default(),
            grpc_names: vec![],
            pool,
            migrator: &NO_MIGRATIONS,
            workers: vec![],
            detail: Default::default(),
        };
        let rest = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let grpc = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = motcua_server::start(parts, &platform, rest, grpc)
            .await
            .unwrap();
        let roles = [
            "citizen",
            "portal",
            "one_stop_officer",
            "specialist",
            "agency_head",
            "sector_system",
            "catalogue_admin",
            "inspector",
            "admin",
        ];
        let token = platform
            .issuer
            .issue("protection-test", &roles, Some("000.25.80.H80"), None, 600)
            .unwrap();
        Self {
            base: format!("http://{}", running.rest_addr),
            token,
            shutdown,
            running,
            gate,
        }
    }

    /// A client sending the all-roles token: the test handlers stand in for routes of
    /// intake's table (the gate refuses routes it does not know, and callers without a role).
    fn http(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        let bearer = format!("Bearer {}", self.token).parse().unwrap();
        headers.insert(reqwest::header::AUTHORIZATION, bearer);
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn stop(self) {
        self.gate.add_permits(1000);
        self.shutdown.cancel();
        self.running.wait().await.unwrap();
    }
}

/// This process's resident memory (Linux `/proc/self/statm`, pages of 4 KiB).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

async fn problem_code(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let problem = res.headers()["content-type"] == "application/problem+json";
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    assert!(problem, "{status} {body} is not problem+json");
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_budget_is_503_request_timeout_but_an_upload_route_has_longer() {
    let s = TestService::start(&[
        ("MOTCUA_REQUEST_TIMEOUT_MS", "150"),
        ("MOTCUA_UPLOAD_TIMEOUT_MS", "5000"),
    ])
    .await;
    let http = s.http();
    let res = http
        .get(s.url("/api/v1/dossiers/slow"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem_code(res).await, (503, "request_timeout".into()));
    let res = http.post(s.url("/api/v1/dossiers")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "uploaded");
    s.stop().await;
}

/// POSTs `body` to `url`, whose server may answer before it has read it all and close the
/// connection: the client then sometimes fails writing the rest (a broken pipe) before it reads
/// the answer. Such an attempt is made again on a new connection; any answer is returned.
async fn refused_early(http: &reqwest::Client, url: &str, body: &str) -> reqwest::Response {
    let mut last = None;
    for _ in 0..5 {
        let sent = http
            .post(url)
            .header("content-type", "application/json")
            .header("connection", "close")
            .body(body.to_string())
            .send()
            .await;
        match sent {
            Ok(res) => return res,
            Err(e) if e.is_request() => last = Some(e),
            Err(e) => panic!("POST {url}: {e}"),
        }
    }
    panic!("POST {url}: no answer in 5 attempts: {last:?}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_except_on_upload_routes() {
    let s = TestService::start(&[]).await;
    let http = s.http();
    let two_mib = format!("\"{}\"", "x".repeat(2 * 1024 * 1024));
    for path in [
        "/api/v1/dossiers/x/refusal",
        "/api/v1/dossiers/x/withdrawal",
    ] {
        let res = refused_early(&http, &s.url(path), &two_mib).await;
        assert_eq!(
            problem_code(res).await,
            (413, "body_too_large".into()),
            "{path}"
        );
    }
    let res = http
        .post(s.url("/api/v1/dossiers/x/supplements"))
        .header("content-type", "application/json")
        .body(two_mib.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), two_mib.len().to_string());
    // Under the limit, the small routes take it.
    let res = http
        .post(s.url("/api/v1/dossiers/x/withdrawal"))
        .header("content-type", "application/json")
        .body("\"small\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_concurrency_limit_a_request_is_503_overloaded_and_the_probes_still_answer() {
    let s = TestService::start(&[("MOTCUA_MAX_CONCURRENT_REQUESTS", "2")]).await;
    let http = s.http();
    let held: Vec<_> = (0..2)
        .map(|_| tokio::spawn(http.get(s.url("/api/v1/dossiers/x/receipt")).send()))
        .collect();
    // Wait until both hold their permit: a third is refused at once.
    let mut refused = None;
    for _ in 0..100 {
        let res = http
            .get(s.url("/api/v1/public/dossiers/x"))
            .send()
            .await
            .unwrap();
        if res.status() == 503 {
            refused = Some(res);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let res = refused.expect("the third request was never refused");
    assert_eq!(res.headers()["retry-after"], "1");
    assert_eq!(problem_code(res).await, (503, "overloaded".into()));
    let health = http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "probes are not limited");
    s.gate.add_permits(2);
    for h in held {
        assert_eq!(h.await.unwrap().unwrap().status(), 200);
    }
    let res = http
        .get(s.url("/api/v1/public/dossiers/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "permits are given back");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_names_an_unreachable_database_with_a_fixed_word_only() {
    let s = TestService::start(&[]).await;
    let res = s.http().get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    let text = res.text().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["status"], "database_unreachable", "{text}");
    for secret in ["127.0.0.1", "do-not-show-me", "motcua", "refused", "error"] {
        assert!(!text.contains(secret), "{secret} shown: {text}");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_address_comes_from_x_forwarded_for_only_through_a_trusted_proxy() {
    // A public route: no token needed.
    let http = reqwest::Client::new();
    let whoami = |s: &TestService, forwarded: &str| {
        http.get(s.url("/api/v1/public/dossiers/x"))
            .header("x-forwarded-for", forwarded)
            .send()
    };
    let untrusted = TestService::start(&[]).await;
    let res = whoami(&untrusted, "203.0.113.5").await.unwrap();
    assert_eq!(res.text().await.unwrap(), "127.0.0.1");
    untrusted.stop().await;
    let trusted = TestService::start(&[("MOTCUA_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let res = whoami(&trusted, "198.51.100.1, 203.0.113.5").await.unwrap();
    assert_eq!(res.text().await.unwrap(), "203.0.113.5");
    trusted.stop().await;
}

/// This service's `http_requests_total` series, and the values of `label` in them.
fn label_values(metrics: &str, service: &str, label: &str) -> Vec<String> {
    let needle = format!("{label}=\"");
    series(metrics, service)
        .filter(|l| l.starts_with("http_requests_total{"))
        .filter_map(|l| {
            let start = l.find(&needle)? + needle.len();
            Some(l[start..start + l[start..].find('"')?].to_string())
        })
        .collect()
}

/// The lines of one service's series.
fn series<'a>(metrics: &'a str, service: &str) -> impl Iterator<Item = &'a str> {
    let tag = format!("service=\"{service}\"");
    metrics.lines().filter(move |l| l.contains(&tag))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_methods_and_paths_leave_the_metrics_and_memory_flat() {
    let s = TestService::start_as(ServiceName::Reporting, &[]).await;
    let http = s.http();
    let batch = |n: usize| {
        let http = http.clone();
        let base = s.base.clone();
        async move {
            for _ in 0..n {
                let r = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
                let method = reqwest::Method::from_bytes(&r.as_bytes()[..10]).unwrap();
                for path in [
                    format!("/{r}"),
                    format!("/api/v1/{r}"),
                    "/api/v1/public/dossiers/x".into(),
                ] {
                    let _ = http
                        .request(method.clone(), format!("{base}{path}"))
                        .send()
                        .await;
                }
            }
        }
    };
    let size = |text: &str| series(text, "reporting").map(str::len).sum::<usize>();
    // `/metrics` itself is counted once it has answered: asked once first, it adds no series later.
    s.http().get(s.url("/metrics")).send().await.unwrap();
    batch(100).await;
    let first = s
        .http()
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rss_before = resident_bytes();
    batch(1000).await;
    let rss_after = resident_bytes();
    let more = s
        .http()
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // 3,000 more requests (the issue's reproduction) leave the process's memory flat too.
    eprintln!("resident memory: {rss_before} → {rss_after} bytes");
    assert!(
        rss_after < rss_before + 6 * 1024 * 1024,
        "resident memory grew from {rss_before} to {rss_after} bytes"
    );
    // They change a few counts and sums; no series is added.
    assert!(
        size(&more) < size(&first) + 1_000,
        "metrics grew from {} to {} bytes",
        size(&first),
        size(&more)
    );
    assert_eq!(
        series(&first, "reporting").count(),
        series(&more, "reporting").count(),
        "no series added"
    );
    let methods = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other",
    ];
    let seen = label_values(&more, "reporting", "method");
    assert!(seen.iter().any(|m| m == "other"), "{seen:?}");
    for m in seen {
        assert!(methods.contains(&m.as_str()), "method label {m}");
    }
    let routes = [
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "unmatched",
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}/refusal",
        "/api/v1/dossiers/{code}/withdrawal",
        "/api/v1/dossiers/{code}/supplements",
        "/api/v1/dossiers/{code}/receipt",
        "/api/v1/public/dossiers/{code}",
    ];
    let seen = label_values(&more, "reporting", "route");
    assert!(seen.iter().any(|r| r == "unmatched"), "{seen:?}");
    assert!(
        seen.iter().any(|r| r == "/api/v1/public/dossiers/{code}"),
        "{seen:?}"
    );
    for r in seen {
        assert!(routes.contains(&r.as_str()), "route label {r}");
    }
    s.stop().await;
}
