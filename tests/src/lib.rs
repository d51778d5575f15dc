//! End-to-end test support: the four services in one process on random ports against a fresh
//! database, with a controllable clock, and helpers to call them over REST and gRPC; and the
//! systems outside motcua it talks to, as local stand-ins ([`outside`]).

pub mod log_capture;
pub mod outside;

use motcua_config::{Env, ServiceName, Settings};
use motcua_server::RunningService;
use motcua_testkit::TestDb;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

/// The HS256 secret the test system signs and verifies with.
pub const TEST_SECRET: &str = "e2e-test-secret-e2e-test-secret-e2e";

/// A running system for one test.
pub struct TestSystem {
    /// Each service's bound REST and gRPC addresses.
    pub addrs: Vec<(ServiceName, SocketAddr, SocketAddr)>,
    services: Vec<RunningService>,
    /// The system's platform (clock, issuer…).
    pub platform: motcua_server::Platform,
    shutdown: CancellationToken,
    /// Its database.
    pub db: TestDb,
    /// An HTTP client.
    pub http: reqwest::Client,
}

impl TestSystem {
    /// Starts the four services with the test clock at `now`.
    pub async fn start(now: OffsetDateTime) -> anyhow::Result<Self> {
        Self::start_with(now, &[]).await
    }

    /// Starts the four services with the test clock at `now` and more settings (`extra`
    /// environment variables, e.g. where the national portal and the SMTP relay are).
    pub async fn start_with(now: OffsetDateTime, extra: &[(&str, String)]) -> anyhow::Result<Self> {
        // Every line goes through the scanner (log_capture): no personal number may appear.
        let filter = std::env::var("RUST_LOG").ok();
        let _ = motcua_telemetry::init_with_writer(
            &motcua_telemetry::TelemetryConfig {
                service_name: "motcua-e2e".into(),
                filter: filter.clone().unwrap_or_else(|| log_capture::FILTER.into()),
                json: true,
                otlp_endpoint: None,
            },
            log_capture::Scanner {
                echo: filter.is_some(),
            },
        );
        let db = TestDb::create().await?;
        let (system, shutdown) = boot(&db.url, now, extra).await?;
        Ok(Self {
            addrs: system.addrs,
            services: system.services,
            platform: system.platform,
            shutdown,
            db,
            http: reqwest::Client::new(),
        })
    }

    /// A second replica of all four services on the same database (their own ports, their own
    /// workers and relays, talking to each other), its clock at `now`.
    pub async fn replica(&self, now: OffsetDateTime) -> anyhow::Result<Replica> {
        let (system, shutdown) = boot(&self.db.url, now, &[]).await?;
        Ok(Replica { system, shutdown })
    }

    /// REST URL of `path` on a service.
    pub fn url(&self, name: ServiceName, path: &str) -> String {
        let rest = self
            .addrs
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|a| a.1.port())
            .unwrap_or(0);
        format!("http://127.0.0.1:{rest}{path}")
    }

    /// gRPC endpoint of a service.
    pub fn grpc(&self, name: ServiceName) -> String {
        let port = self
            .addrs
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|a| a.2.port())
            .unwrap_or(0);
        format!("http://127.0.0.1:{port}")
    }

    /// The text a service answers at `path` without a token (`/metrics`, `/readyz`).
    pub async fn text(&self, name: ServiceName, path: &str) -> String {
        let res = self.http.get(self.url(name, path)).send().await;
        match res {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(e) => panic!("GET {path} on {name}: {e}"),
        }
    }

    /// A service's OpenAPI document, as it serves it.
    pub async fn openapi(&self, name: ServiceName) -> serde_json::Value {
        let text = self.text(name, "/openapi.json").await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} /openapi.json: {e}"))
    }

    /// A token for the given roles and agency.
    pub fn token(&self, roles: &[&str], agency: Option<&str>, sub: &str) -> String {
        self.platform
            .issuer
            .issue(sub, roles, agency, None, 3600)
            .unwrap_or_default()
    }

    /// A sector system's service account token (role `sector_system`) for `agency` and, when
    /// given, `sector` (docs/connectors.md § Obtaining an account).
    pub fn sector_token(&self, sub: &str, agency: &str, sector: Option<&str>) -> String {
        self.platform
            .issuer
            .issue(sub, &["sector_system"], Some(agency), sector, 3600)
            .unwrap_or_default()
    }

    /// A citizen's token carrying their verified personal identification number.
    pub fn citizen_token(&self, sub: &str, id_number: &str) -> String {
        self.platform
            .issuer
            .issue_identified(sub, &["citizen"], None, None, Some(id_number), 3600)
            .unwrap_or_default()
    }

    /// A token of motcua service `name`, signed with its own key (what its relay sends).
    pub fn service_token(&self, name: ServiceName) -> String {
        self.platform
            .service_keys
            .signer(name.as_str())
            .and_then(|s| s.token().ok())
            .unwrap_or_default()
    }

    /// Stops the services (graceful) and drops the database.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        motcua_server::wait_all(self.services, &self.shutdown, Duration::from_secs(15)).await?;
        self.db.drop_database().await
    }
}

/// The four services started with the test settings on `db_url`, the clock at `now`.
async fn boot(
    db_url: &str,
    now: OffsetDateTime,
    extra: &[(&str, String)],
) -> anyhow::Result<(motcua::System, CancellationToken)> {
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("MOTCUA_TEST_CLOCK", "1".to_string()),
        ("MOTCUA_JWT_SECRET", TEST_SECRET.to_string()),
        ("MOTCUA_JWT_ALGORITHM", "HS256".to_string()),
        ("MOTCUA_OUTBOX_POLL_MS", "100".to_string()),
        ("MOTCUA_DB_MAX_CONNECTIONS", "5".to_string()),
        ("MOTCUA_WORKER_POLL_MS", "100".to_string()),
        ("MOTCUA_PUBLIC_LOOKUP_PER_MINUTE", "1000".to_string()),
    ]);
    vars.extend(extra.iter().cloned());
    let env = Env::from_fn(|k| vars.get(k).cloned());
    let settings = Settings::from_env(&env)?;
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let addrs: Vec<_> = ServiceName::ALL
        .iter()
        .map(|n| (*n, loopback, loopback))
        .collect();
    let listeners = motcua::bind_all(&addrs).await?;
    let shutdown = CancellationToken::new();
    let system = motcua::start_system(settings, listeners, db_url, shutdown.clone()).await?;
    if let Some(tc) = system.platform.clock.as_test_clock() {
        tc.set(now);
    }
    Ok((system, shutdown))
}

/// A second set of the four services on a [`TestSystem`]'s database.
pub struct Replica {
    /// The running services, their addresses and platform.
    pub system: motcua::System,
    shutdown: CancellationToken,
}

impl Replica {
    /// REST URL of `path` on one of the replica's services.
    pub fn url(&self, name: ServiceName, path: &str) -> String {
        format!("{}{path}", self.system.rest_url(name))
    }

    /// Sets the replica's test clock.
    pub fn set_clock(&self, t: OffsetDateTime) {
        if let Some(tc) = self.system.platform.clock.as_test_clock() {
            tc.set(t);
        }
    }

    /// Stops the replica (graceful); the database stays.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        motcua_server::wait_all(
            self.system.services,
            &self.shutdown,
            Duration::from_secs(15),
        )
        .await
    }
}

/// Polls `check` every 20 ms until it returns `Some`, for at most `limit`. The bound makes a
/// lost event a failure, not a hang; no fixed sleep stands in for a result.
pub async fn eventually<T, F, Fut>(limit: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A gRPC request with a bearer token.
pub fn authed<T>(msg: T, token: &str) -> tonic::Request<T> {
    let mut req = tonic::Request::new(msg);
    if let Ok(v) = format!("Bearer {token}").parse() {
        req.metadata_mut().insert("authorization", v);
    }
    req
}

/// Imports a catalogue file (the JSON of `data/catalogue-demo.json`'s format) into the test
/// system's catalogue, through the same import as `motcua catalogue import`.
pub async fn import_catalogue(
    sys: &TestSystem,
    file: serde_json::Value,
) -> motcua_catalogue::import::ImportSummary {
    let pool = motcua_db::connect(&sys.db.url, "catalogue", 2)
        .await
        .expect("catalogue pool");
    let parsed = motcua_catalogue_model::CatalogueFile::parse(&file.to_string())
        .expect("test catalogue parses");
    let summary = motcua_catalogue::import::import(&pool, &parsed, "test")
        .await
        .expect("test catalogue imports");
    pool.close().await;
    summary
}

/// POSTs JSON with a bearer token and an idempotency key; returns status and body.
pub async fn post(
    sys: &TestSystem,
    name: ServiceName,
    path: &str,
    token: &str,
    key: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let res = sys
        .http
        .post(sys.url(name, path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("request failed");
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(serde_json::Value::Null);
    assert_declared(status, &body);
    (status, body)
}

/// GETs JSON with a bearer token.
pub async fn get(
    sys: &TestSystem,
    name: ServiceName,
    path: &str,
    token: &str,
) -> (u16, serde_json::Value) {
    let res = sys
        .http
        .get(sys.url(name, path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request failed");
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(serde_json::Value::Null);
    assert_declared(status, &body);
    (status, body)
}

/// Fails the test when an error answer carries a `code` (or a field error `code`) that the
/// registry (`motcua_problem::codes`, `docs/errors.md`) does not declare: every error a client
/// can receive is declared once. Every request made through [`post`] and [`get`] is checked.
pub fn assert_declared(status: u16, body: &serde_json::Value) {
    if status < 400 {
        return;
    }
    let code = body["code"].as_str().unwrap_or_default();
    let declared = motcua_problem::codes::problem(code);
    assert!(
        declared.is_some_and(|p| p.status == status),
        "answer {status} with code {code:?} is not declared with that status in the registry: {body}"
    );
    for e in body["errors"].as_array().into_iter().flatten() {
        let field_code = e["code"].as_str().unwrap_or_default();
        assert!(
            motcua_problem::codes::field(field_code).is_some(),
            "field error code {field_code:?} is not declared in the registry: {body}"
        );
    }
}

/// A valid birth-registration dossier body (procedure 1.001193) at the demo ward one-stop.
pub fn birth_registration(channel: &str) -> serde_json::Value {
    serde_json::json!({
        "procedure_code": "1.001193",
        "receiving_agency": "000.25.80.H80",
        "channel": channel,
        "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234",
                      "phone": "0912345678", "email": null, "address": "phường Long An"},
        "components": [
            {"code": "TK", "form": "paper"},
            {"code": "GCS", "form": "paper"}
        ]
    })
}
