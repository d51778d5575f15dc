//! The endpoints every service answers, and the layers every REST request goes through.

use crate::client_addr::Proxies;
use crate::{Platform, ServiceParts, http_layer, metrics_export, protect};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use motcua_clock::SharedClock;
use motcua_problem::{ApiJson, Problem, codes};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::sync::Arc;
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

#[derive(Clone)]
struct Standard {
    pool: PgPool,
    migrator: &'static Migrator,
    openapi: Arc<serde_json::Value>,
    clock: SharedClock,
    detail: crate::ReadinessDetail,
}

/// The platform endpoints, documented in every service's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(healthz, readyz, metrics, openapi_json),
    components(schemas(Health, TestClockBody, TestClockState))
)]
struct PlatformDoc;

/// Liveness / readiness answer.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub(crate) struct Health {
    /// `ok`, or why the service is not ready: `database_unreachable` or `migrations_pending`
    /// (the cause is logged, never shown).
    status: String,
    /// What the service adds about its health (reporting: the event lag per source).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<serde_json::Value>,
}

/// Liveness: the process is up.
#[utoipa::path(get, path = "/healthz", tag = "platform", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        detail: None,
    })
}

/// Readiness: the database answers and migrations are applied.
#[utoipa::path(get, path = "/readyz", tag = "platform",
    responses((status = 200, body = Health), (status = 503, body = Health,
        description = "not ready: `database_unreachable` or `migrations_pending`")))]
async fn readyz(State(s): State<Standard>) -> Response {
    match motcua_db::ready(&s.pool, s.migrator).await {
        Ok(()) => Json(Health {
            status: "ok".into(),
            detail: s.detail.get(),
        })
        .into_response(),
        Err(not_ready) => {
            // The cause may name hosts, users or SQL: the log has it, the answer a fixed word.
            tracing::warn!(error = %not_ready, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: not_ready.reason().into(),
                    detail: s.detail.get(),
                }),
            )
                .into_response()
        }
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "platform", responses((status = 200, content_type = "text/plain",
    example = "http_requests_total{service=\"intake\",method=\"GET\",route=\"/healthz\",status=\"200\"} 1")))]
async fn metrics() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics_export::render(),
    )
        .into_response()
}

/// This service's OpenAPI document.
#[utoipa::path(get, path = "/openapi.json", tag = "platform", responses((status = 200, content_type = "application/json",
    example = json!({"openapi": "3.1.0", "info": {"title": "motcua intake"}, "paths": {}}))))]
async fn openapi_json(State(s): State<Standard>) -> Json<serde_json::Value> {
    Json((*s.openapi).clone())
}

/// Sets or moves the test clock (only with `MOTCUA_TEST_CLOCK=1`).
#[derive(Deserialize, ToSchema)]
pub(crate) struct TestClockBody {
    /// New instant (RFC 3339).
    #[serde(default, with = "time::serde::rfc3339::option")]
    now: Option<OffsetDateTime>,
    /// Seconds to move forward (may be negative).
    #[serde(default)]
    advance_seconds: Option<i64>,
}

/// The test clock's current instant.
#[derive(Serialize, ToSchema)]
pub(crate) struct TestClockState {
    #[serde(with = "time::serde::rfc3339")]
    now: OffsetDateTime,
}

/// The test clock's instant (admins: `motcua_auth::matrix`).
async fn get_test_clock(State(s): State<Standard>) -> Result<Json<TestClockState>, Problem> {
    Ok(Json(TestClockState { now: s.clock.now() }))
}

/// Sets or moves the test clock (admins: `motcua_auth::matrix`).
async fn set_test_clock(
    State(s): State<Standard>,
    ApiJson(body): ApiJson<TestClockBody>,
) -> Result<Json<TestClockState>, Problem> {
    let Some(tc) = s.clock.as_test_clock() else {
        return Err(Problem::new(
            &codes::NOT_FOUND,
            "the test clock is not enabled",
        ));
    };
    match (body.now, body.advance_seconds) {
        (Some(now), None) => tc.set(now),
        (None, Some(secs)) => tc.advance(time::Duration::seconds(secs)),
        _ => {
            return Err(Problem::new(
                &codes::INVALID_BODY,
                "give exactly one of `now` (RFC 3339) or `advance_seconds`",
            ));
        }
    }
    Ok(Json(TestClockState { now: s.clock.now() }))
}

async fn not_found() -> Problem {
    Problem::new(&codes::ROUTE_NOT_FOUND, "no such endpoint")
}

pub(crate) fn router(parts: &ServiceParts, platform: &Platform) -> Router {
    let mut doc = parts.openapi.clone();
    doc.merge(PlatformDoc::openapi());
    if let Some(components) = doc.components.as_mut() {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
    let mut openapi = serde_json::to_value(&doc).unwrap_or_default();
    crate::contract::complete(&mut openapi);
    let standard = Standard {
        pool: parts.pool.clone(),
        migrator: parts.migrator,
        openapi: Arc::new(openapi),
        clock: platform.clock.clone(),
        detail: parts.detail.clone(),
    };
    let mut std_routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi_json));
    if platform.settings.test_clock && platform.clock.as_test_clock().is_some() {
        std_routes = std_routes.route(
            "/api/v1/admin/test-clock",
            get(get_test_clock).put(set_test_clock),
        );
    }
    let protection = &platform.settings.protection;
    // The service's routes are guarded (concurrency, time); the platform's probes are not, so
    // that a busy service still answers its orchestrator.
    let api = parts
        .api
        .clone()
        .layer(axum::middleware::from_fn_with_state(
            protect::Guard::new(protection),
            protect::guard,
        ));
    // Who may call each route, from the one table (`motcua_auth::matrix`), before any handler.
    let gate = crate::gate::RestGate {
        service: crate::gate::service_of(parts.name),
        verifier: platform.verifier.clone(),
    };
    std_routes
        .with_state(standard)
        .merge(api)
        .route_layer(axum::middleware::from_fn_with_state(
            gate,
            crate::gate::rest,
        ))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            parts.name,
            http_layer::around,
        ))
        .layer(Extension(platform.verifier.clone()))
        .layer(Extension(Proxies(Arc::new(
            protection.trusted_proxies.clone(),
        ))))
        // Small by default; routes that take files raise it (`Uploads`).
        .layer(axum::extract::DefaultBodyLimit::max(protection.body_limit))
}
