//! The one inner shape every motcua service shares (cf. a service template): a REST server
//! (axum) and a gRPC server (tonic) on their own ports, the standard endpoints (`/healthz`,
//! `/readyz`, `/metrics`, `/openapi.json`, gRPC health and reflection), `x-request-id` and
//! `traceparent` on every hop, background workers, and graceful shutdown.
//!
//! A service crate builds a [`ServiceParts`] from a [`Platform`] and hands it to [`start`];
//! the same code runs one service per process (docker-compose) or all four in one process
//! (`motcua up`, tests).

mod audit_trail;
mod client_addr;
mod contract;
mod gate;
mod grpc;
mod http_layer;
pub mod listen;
pub mod metrics_export;
pub mod peer;
mod platform_routes;
pub mod printed;
mod protect;
mod retention;
mod shared;
pub mod shutdown;

pub use audit_trail::{TrailSnapshot, audit_snapshot};
pub use client_addr::{ClientAddr, client_address};
pub use gate::{GrpcGate, GrpcGateLayer};
pub use grpc::GrpcContextLayer;
pub use listen::bind;
pub use peer::{PeerChannel, connect_peer};
pub use protect::Uploads;
pub use shared::Shared;

use anyhow::Context;
use axum::Router;
use motcua_auth::{JwtVerifier, ServiceKeys, TokenIssuer};
use motcua_clock::SharedClock;
use motcua_config::{ServiceName, Settings, StartupError};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// What every service is given by the process that runs it.
#[derive(Clone, Debug)]
pub struct Platform {
    /// Process-wide settings.
    pub settings: Settings,
    /// The clock (system, or a test clock under `MOTCUA_TEST_CLOCK=1`).
    pub clock: SharedClock,
    /// Verifies callers' tokens.
    pub verifier: JwtVerifier,
    /// Signs users' tokens (`motcua token`, tests).
    pub issuer: TokenIssuer,
    /// The services' own keys: each signs its calls to the others with its own.
    pub service_keys: ServiceKeys,
    /// Cancelled when the process should stop.
    pub shutdown: CancellationToken,
}

/// A background worker: a future that must return soon after the shutdown token is cancelled.
pub type Worker = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A service, ready to be served.
pub struct ServiceParts {
    /// Which service.
    pub name: ServiceName,
    /// The service's own REST routes (state already applied).
    pub api: Router,
    /// Its OpenAPI document (the platform endpoints are merged in by [`start`]).
    pub openapi: utoipa::openapi::OpenApi,
    /// Its gRPC services.
    pub grpc: tonic::service::Routes,
    /// Fully-qualified names of its gRPC services, reported SERVING by gRPC health.
    pub grpc_names: Vec<&'static str>,
    /// Its database pool (for readiness).
    pub pool: PgPool,
    /// Its migrations (readiness checks they are applied).
    pub migrator: &'static Migrator,
    /// Background workers (outbox relay, deadline watchers…).
    pub workers: Vec<(&'static str, Worker)>,
    /// What `/readyz` shows beside its status (kept up to date by a worker).
    pub detail: ReadinessDetail,
}

/// A detail the service adds to `/readyz` (reporting's event lag per source), written by a
/// worker and read by each readiness probe.
#[derive(Clone, Default)]
pub struct ReadinessDetail(Arc<std::sync::RwLock<Option<serde_json::Value>>>);

impl ReadinessDetail {
    /// Replaces the detail.
    pub fn set(&self, value: serde_json::Value) {
        if let Ok(mut d) = self.0.write() {
            *d = Some(value);
        }
    }

    /// Replaces one member of the detail, keeping the others: each worker of a service that
    /// reports (the outbox, the webhooks) owns its member.
    pub fn set_part(&self, key: &str, value: serde_json::Value) {
        if let Ok(mut d) = self.0.write() {
            let mut m = match d.take() {
                Some(serde_json::Value::Object(m)) => m,
                _ => serde_json::Map::new(),
            };
            m.insert(key.to_string(), value);
            *d = Some(serde_json::Value::Object(m));
        }
    }

    /// The current detail, if any.
    pub fn get(&self) -> Option<serde_json::Value> {
        self.0.read().ok().and_then(|d| d.clone())
    }
}

/// A service that is running; [`RunningService::wait`] returns after shutdown.
pub struct RunningService {
    /// Which service.
    pub name: ServiceName,
    /// Bound REST address (useful when started on port 0).
    pub rest_addr: SocketAddr,
    /// Bound gRPC address.
    pub grpc_addr: SocketAddr,
    tasks: JoinSet<anyhow::Result<()>>,
}

impl RunningService {
    /// Waits for the servers and workers to finish (after the shutdown token is cancelled).
    /// Returns the first error any of them reported.
    pub async fn wait(mut self) -> anyhow::Result<()> {
        let mut first_err = None;
        while let Some(res) = self.tasks.join_next().await {
            let res = res.map_err(anyhow::Error::from).and_then(|r| r);
            if let Err(e) = res {
                tracing::error!(service = %self.name, error = %e, "task failed");
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

/// Starts a service's REST and gRPC servers and its workers on the given listeners.
pub async fn start(
    parts: ServiceParts,
    platform: &Platform,
    rest: TcpListener,
    grpc: TcpListener,
) -> anyhow::Result<RunningService> {
    let rest_addr = rest.local_addr()?;
    let grpc_addr = grpc.local_addr()?;
    let name = parts.name;
    let shutdown = platform.shutdown.clone();
    let mut tasks = JoinSet::new();
    // Install the metrics recorder before the first request is counted.
    let _ = metrics_export::handle();

    let app = platform_routes::router(&parts, platform);
    let rest_shutdown = shutdown.clone();
    tasks.spawn(async move {
        axum::serve(
            rest,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(rest_shutdown.cancelled_owned())
        .await
        .context("REST server")
    });

    // The identity provider's keys, fetched before the first request is verified.
    if let Some(jwks) = platform.verifier.jwk_set() {
        let every = std::time::Duration::from_secs(platform.settings.auth.jwks_refresh_secs.max(5));
        jwks.start(every, shutdown.clone())
            .await
            .map_err(|e| StartupError::new(format!("MOTCUA_JWT_JWKS_URL: {e}")))?;
    }
    // Every service serves its audit trail beside its own gRPC services.
    let audit = audit_trail::service(parts.pool.clone(), &platform.verifier);
    let mut grpc_names = parts.grpc_names.clone();
    grpc_names.push(audit_trail::SERVICE_NAME);
    let routes = parts.grpc.add_service(audit);
    let grpc_server = grpc::server(name, routes, &grpc_names, platform).await?;
    let grpc_shutdown = shutdown.clone();
    tasks.spawn(async move {
        grpc_server
            .serve_with_incoming_shutdown(
                tokio_stream::wrappers::TcpListenerStream::new(grpc),
                grpc_shutdown.cancelled_owned(),
            )
            .await
            .context("gRPC server")
    });

    for (worker, fut) in parts.workers {
        tasks.spawn(async move {
            fut.await;
            tracing::debug!(service = %name, worker, "worker stopped");
            Ok(())
        });
    }
    let forget = retention::forget_old_answers(
        parts.pool.clone(),
        platform.clock.clone(),
        platform.settings.idempotency_retention_hours,
        shutdown.clone(),
    );
    tasks.spawn(async move {
        forget.await;
        Ok(())
    });
    tracing::info!(service = %name, %rest_addr, %grpc_addr, "service started");
    Ok(RunningService {
        name,
        rest_addr,
        grpc_addr,
        tasks,
    })
}

/// Builds a service from the platform and its database pool.
pub type BuildFn =
    fn(Platform, PgPool) -> Pin<Box<dyn Future<Output = anyhow::Result<ServiceParts>> + Send>>;

/// What `motcua` needs to run a service: its name, migrations and builder.
#[derive(Clone, Copy)]
pub struct ServiceDef {
    /// Which service.
    pub name: ServiceName,
    /// Its migrations, applied to its own schema.
    pub migrator: &'static Migrator,
    /// Builds it.
    pub build: BuildFn,
}

/// Connects to the service's schema, applies its migrations, builds and starts it.
pub async fn launch(
    def: &ServiceDef,
    platform: &Platform,
    database_url: &str,
    rest: TcpListener,
    grpc: TcpListener,
) -> anyhow::Result<RunningService> {
    let limits = motcua_db::PoolLimits {
        max_connections: platform.settings.db_max_connections,
        statement_timeout: platform.settings.db_statement_timeout,
    };
    let pool = connect_and_migrate_within(def, database_url, limits).await?;
    let parts = (def.build)(platform.clone(), pool).await?;
    start(parts, platform, rest, grpc).await
}

/// Connects to the service's schema and applies its migrations, with no statement timeout
/// (`motcua migrate` and the operator's other commands: a rebuild may run for minutes).
pub async fn connect_and_migrate(
    def: &ServiceDef,
    database_url: &str,
    max: u32,
) -> anyhow::Result<PgPool> {
    let limits = motcua_db::PoolLimits {
        max_connections: max,
        statement_timeout: None,
    };
    connect_and_migrate_within(def, database_url, limits).await
}

/// Connects to the service's schema within `limits` and applies its migrations (which run
/// without the statement timeout, see [`motcua_db::migrate`]).
async fn connect_and_migrate_within(
    def: &ServiceDef,
    database_url: &str,
    limits: motcua_db::PoolLimits,
) -> anyhow::Result<PgPool> {
    let pool = motcua_db::connect_with(database_url, def.name.as_str(), limits)
        .await
        .with_context(|| format!("connecting {} to the database", def.name))?;
    motcua_db::migrate(&pool, def.migrator)
        .await
        .with_context(|| format!("migrating schema {}", def.name))?;
    Ok(pool)
}

/// `main` of a single-service process: settings from the environment, telemetry, signals,
/// then [`launch`] on the configured ports until SIGTERM/SIGINT.
pub async fn run_standalone(def: ServiceDef) -> anyhow::Result<()> {
    let env = motcua_config::Env::process();
    let settings = Settings::from_env(&env)?;
    let telemetry = motcua_telemetry::init(&motcua_telemetry::TelemetryConfig {
        service_name: format!("motcua-{}", def.name),
        filter: settings.log_filter.clone(),
        json: settings.log_json,
        otlp_endpoint: settings.otlp_endpoint.clone(),
    })?;
    let url = settings.database_url.clone().context(
        "DATABASE_URL must be set to run a single service (motcua up starts its own database)",
    )?;
    let cfg = settings.service(&env, def.name)?;
    let shutdown = CancellationToken::new();
    shutdown::cancel_on_signal(shutdown.clone());
    let grace = settings.shutdown_grace;
    let platform = platform(settings, shutdown.clone())?;
    let (rest, grpc) = bind(def.name, cfg.rest_addr, cfg.grpc_addr).await?;
    if platform.settings.auth.service_keys_dir.is_none() {
        return Err(StartupError::new(
            "MOTCUA_SERVICE_KEYS_DIR must be set to run one service per process: each service \
             signs its calls to the others with its own key and verifies theirs with their \
             public keys (`motcua keys generate` writes them)",
        )
        .into());
    }
    let running = launch(&def, &platform, &url, rest, grpc).await?;
    let res = wait_all(vec![running], &shutdown, grace).await;
    telemetry.shutdown();
    res
}

/// Waits for services to stop after `shutdown` is cancelled, at most `grace` once it is.
pub async fn wait_all(
    services: Vec<RunningService>,
    shutdown: &CancellationToken,
    grace: std::time::Duration,
) -> anyhow::Result<()> {
    let all = futures_util::future::join_all(services.into_iter().map(RunningService::wait));
    tokio::pin!(all);
    let results = tokio::select! {
        r = &mut all => r,
        _ = async { shutdown.cancelled().await; tokio::time::sleep(grace).await } => {
            anyhow::bail!("services did not stop within {grace:?} of the shutdown signal");
        }
    };
    results
        .into_iter()
        .collect::<anyhow::Result<Vec<()>>>()
        .map(|_| ())
}

/// The services' keys from `dir`, or fresh ones in memory for a process running them all.
fn service_keys(dir: Option<&str>) -> anyhow::Result<ServiceKeys> {
    let names: Vec<&str> = ServiceName::ALL.iter().map(|n| n.as_str()).collect();
    match dir {
        Some(dir) => ServiceKeys::load_dir(std::path::Path::new(dir), &names).map_err(|e| {
            StartupError::new(format!(
                "MOTCUA_SERVICE_KEYS_DIR: {e} (`motcua keys generate` writes every service's pair)"
            ))
            .into()
        }),
        None => ServiceKeys::generate(&names).map_err(anyhow::Error::msg),
    }
}

/// Builds the [`Platform`] from settings: the clock, the verifier (a public key file, or an
/// HS256 secret when `MOTCUA_JWT_ALGORITHM=HS256` says so), the issuer of users' tokens (none
/// without a private key: a single sign-on signs them) and the services' own keys.
pub fn platform(settings: Settings, shutdown: CancellationToken) -> anyhow::Result<Platform> {
    let a = &settings.auth;
    let jwks = match &a.jwks_url {
        Some(url) => Some(std::sync::Arc::new(
            motcua_auth::Jwks::new(url)
                .map_err(|e| StartupError::new(format!("MOTCUA_JWT_JWKS_URL: {e}")))?,
        )),
        None => None,
    };
    let (verifier, issuer) = match (&a.public_key_file, jwks) {
        (None, Some(jwks)) => (
            JwtVerifier::jwks(jwks, &a.audience),
            TokenIssuer::without_key(&a.public_key_algorithm, &a.audience),
        ),
        (Some(public), jwks) => {
            let pem = read_key_file("MOTCUA_JWT_PUBLIC_KEY_FILE", public)?;
            let verifier = JwtVerifier::public_key(&pem, &a.public_key_algorithm, &a.audience)
                .map_err(|e| bad_key_file("MOTCUA_JWT_PUBLIC_KEY_FILE", public, a, e))?;
            let issuer = match &a.private_key_file {
                Some(private) => {
                    let key = read_key_file("MOTCUA_JWT_PRIVATE_KEY_FILE", private)?;
                    TokenIssuer::private_key(&key, &a.public_key_algorithm, &a.audience)
                        .map_err(|e| bad_key_file("MOTCUA_JWT_PRIVATE_KEY_FILE", private, a, e))?
                }
                None => TokenIssuer::without_key(&a.public_key_algorithm, &a.audience),
            };
            match jwks {
                Some(jwks) => (verifier.with_jwks(jwks), issuer),
                None => (verifier, issuer),
            }
        }
        (None, None) => {
            // A shared secret only when asked for by name: a deployment that forgot its key
            // file must not fall back to it.
            if a.public_key_algorithm != "HS256" {
                return Err(StartupError::new(
                    "no token key is configured: set MOTCUA_JWT_PUBLIC_KEY_FILE (RS256 or EdDSA; \
                     `motcua keys generate` writes a pair) or MOTCUA_JWT_JWKS_URL (a single \
                     sign-on's keys), or enable shared-secret tokens explicitly with \
                     MOTCUA_JWT_ALGORITHM=HS256 and MOTCUA_JWT_SECRET",
                )
                .into());
            }
            a.check_secret()?;
            (
                JwtVerifier::hs256(a.hs256_secret.as_bytes(), &a.audience),
                TokenIssuer::hs256(a.hs256_secret.as_bytes(), &a.audience),
            )
        }
    };
    let issuers: Vec<&str> = a.issuers.iter().map(String::as_str).collect();
    let service_keys = service_keys(a.service_keys_dir.as_deref())?;
    let verifier = verifier
        .with_issuers(&issuers)
        .with_max_lifetime(a.max_lifetime_secs)
        .with_service_keys(service_keys.clone());
    let issuer = issuer.with_issuer(
        issuers
            .first()
            .copied()
            .unwrap_or(motcua_auth::DEFAULT_ISSUER),
    );
    Ok(Platform {
        clock: motcua_clock::from_config(settings.test_clock),
        settings,
        verifier,
        issuer,
        service_keys,
        shutdown,
    })
}

/// Reads a key file; failing, says which variable named it and what to do.
fn read_key_file(var: &str, path: &str) -> Result<Vec<u8>, StartupError> {
    std::fs::read(path).map_err(|e| {
        StartupError::new(format!(
            "cannot read {var}={path}: {e}; the file must exist and be readable by the user \
             the service runs as (`motcua keys generate` writes a key pair and sets both \
             variables)"
        ))
    })
}

/// A key file that does not parse as a PEM key of the configured algorithm.
fn bad_key_file(
    var: &str,
    path: &str,
    a: &motcua_config::AuthConfig,
    e: impl std::fmt::Display,
) -> StartupError {
    StartupError::new(format!(
        "{var}={path} is not a PEM {} key ({e}); check MOTCUA_JWT_ALGORITHM (RS256 or EdDSA) or \
         write a fresh pair with `motcua keys generate`",
        a.public_key_algorithm
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(secret: Option<&str>) -> Settings {
        let env = motcua_config::Env::from_fn(move |k| match k {
            "MOTCUA_JWT_SECRET" => secret.map(str::to_string),
            "MOTCUA_JWT_ALGORITHM" => Some("HS256".into()),
            _ => None,
        });
        Settings::from_env(&env).unwrap()
    }

    #[test]
    fn a_shared_secret_is_used_only_when_enabled_by_name() {
        let mut s = settings(Some("a-real-secret-with-enough-random-bytes-0001"));
        s.auth.public_key_algorithm = "RS256".into();
        let err = platform(s, CancellationToken::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("MOTCUA_JWT_ALGORITHM=HS256"), "{err}");
    }

    #[test]
    fn a_single_sign_on_key_set_needs_no_secret_and_no_private_key() {
        let env = motcua_config::Env::from_fn(|k| {
            (k == "MOTCUA_JWT_JWKS_URL").then(|| "https://sso.example/jwks".to_string())
        });
        let p = platform(Settings::from_env(&env).unwrap(), CancellationToken::new()).unwrap();
        assert!(p.verifier.jwk_set().is_some());
        let refused = p
            .issuer
            .issue("u", &["citizen"], None, None, 60)
            .unwrap_err();
        assert!(refused.contains("no private key"), "{refused}");
    }

    #[test]
    fn published_or_short_secrets_are_refused_everywhere() {
        let token = CancellationToken::new;
        assert!(
            platform(settings(None), token()).is_err(),
            "the development default"
        );
        assert!(
            platform(settings(Some("change-me-to-a-long-random-secret")), token()).is_err(),
            "the example file's"
        );
        assert!(platform(settings(Some("short")), token()).is_err());
        assert!(
            platform(
                settings(Some("a-real-secret-with-enough-random-bytes-0001")),
                token()
            )
            .is_ok()
        );
    }

    #[test]
    fn the_configured_issuer_is_written_and_the_only_one_accepted() {
        let env = motcua_config::Env::from_fn(|k| match k {
            "MOTCUA_JWT_SECRET" => Some("a-real-secret-with-enough-random-bytes-0001".into()),
            "MOTCUA_JWT_ALGORITHM" => Some("HS256".into()),
            "MOTCUA_JWT_ISSUER" => Some("https://sso.tinh.gov.vn".into()),
            "MOTCUA_JWT_MAX_LIFETIME_SECS" => Some("600".into()),
            _ => None,
        });
        let p = platform(Settings::from_env(&env).unwrap(), CancellationToken::new()).unwrap();
        let ok = p.issuer.issue("u", &["citizen"], None, None, 300).unwrap();
        assert!(p.verifier.verify(&ok).is_ok());
        let too_long = p.issuer.issue("u", &["citizen"], None, None, 3600).unwrap();
        assert!(p.verifier.verify(&too_long).is_err(), "over 600 s");
        let secret = b"a-real-secret-with-enough-random-bytes-0001";
        let ours = motcua_auth::TokenIssuer::hs256(secret, "motcua")
            .issue("u", &["citizen"], None, None, 300)
            .unwrap();
        assert!(
            p.verifier.verify(&ours).is_err(),
            "iss motcua is not configured"
        );
    }
}
