//! The one inner shape every motcua service shares (cf. a service template): a REST server
//! (axum) and a gRPC server (tonic) on their own ports, the standard endpoints (`/healthz`,
//! `/readyz`, `/metrics`, `/openapi.json`, gRPC health and reflection), `x-request-id` and
//! `traceparent` on every hop, background workers, and graceful shutdown.
//!
//! A service crate builds a [`ServiceParts`] from a [`Platform`] and hands it to [`start`];
//! the same code runs one service per process (docker-compose) or all four in one process
//! (`motcua up`, tests).

mod grpc;
mod http_layer;
pub mod metrics_export;
pub mod peer;
mod platform_routes;
pub mod shutdown;

pub use grpc::GrpcContextLayer;
pub use peer::{PeerChannel, connect_peer};

use anyhow::Context;
use axum::Router;
use motcua_auth::{JwtVerifier, TokenIssuer};
use motcua_clock::SharedClock;
use motcua_config::{ServiceName, Settings};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
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
    /// Signs this process's service-to-service tokens.
    pub issuer: TokenIssuer,
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

/// Binds the configured addresses of a service.
pub async fn bind(rest: SocketAddr, grpc: SocketAddr) -> anyhow::Result<(TcpListener, TcpListener)> {
    let r = TcpListener::bind(rest).await.with_context(|| format!("binding REST on {rest}"))?;
    let g = TcpListener::bind(grpc).await.with_context(|| format!("binding gRPC on {grpc}"))?;
    Ok((r, g))
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

    let app = platform_routes::router(&parts, platform);
    let rest_shutdown = shutdown.clone();
    tasks.spawn(async move {
        axum::serve(rest, app)
            .with_graceful_shutdown(rest_shutdown.cancelled_owned())
            .await
            .context("REST server")
    });

    let grpc_server = grpc::server(name, parts.grpc, &parts.grpc_names, platform).await?;
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
    tracing::info!(service = %name, %rest_addr, %grpc_addr, "service started");
    Ok(RunningService {
        name,
        rest_addr,
        grpc_addr,
        tasks,
    })
}

/// Builds the [`Platform`] from settings: the clock, the verifier (HS256 secret, or a public
/// key file) and the issuer for service tokens.
pub fn platform(settings: Settings, shutdown: CancellationToken) -> anyhow::Result<Platform> {
    let a = &settings.auth;
    let (verifier, issuer) = match &a.public_key_file {
        Some(path) => {
            let pem = std::fs::read(path).with_context(|| format!("reading {path}"))?;
            let verifier = JwtVerifier::public_key(&pem, &a.public_key_algorithm, &a.audience)?;
            let key_path = std::env::var("MOTCUA_JWT_PRIVATE_KEY_FILE").context(
                "MOTCUA_JWT_PUBLIC_KEY_FILE is set: MOTCUA_JWT_PRIVATE_KEY_FILE must be set too, \
                 for service-to-service tokens",
            )?;
            let key = std::fs::read(&key_path).with_context(|| format!("reading {key_path}"))?;
            let issuer = TokenIssuer::private_key(&key, &a.public_key_algorithm, &a.audience)
                .map_err(anyhow::Error::msg)?;
            (verifier, issuer)
        }
        None => (
            JwtVerifier::hs256(a.hs256_secret.as_bytes(), &a.audience),
            TokenIssuer::hs256(a.hs256_secret.as_bytes(), &a.audience),
        ),
    };
    Ok(Platform {
        clock: motcua_clock::from_config(settings.test_clock),
        settings,
        verifier,
        issuer,
        shutdown,
    })
}
