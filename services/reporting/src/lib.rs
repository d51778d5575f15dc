//! The reporting service (báo cáo): rollups fed by events from intake and workflow. In this
//! first shape it records each received dossier once and counts received dossiers per day and
//! agency; the periodic handling report, overdue lists and indices build on the same facts.
//!
//! Inner layout (the same in every service, `docs/architecture.md`): `state.rs` shared state;
//! one module per REST resource (`received`); `grpc.rs`; `events.rs` what it consumes;
//! `workers.rs` background loops (none yet); `store/` all SQL; `domain/` the rules, pure.

pub mod domain;
mod events;
mod grpc;
mod received;
mod state;
mod store;
mod workers;

use axum::Router;
use motcua_config::ServiceName;
use motcua_server::{Platform, ServiceDef, ServiceParts};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use state::AppState;
use utoipa::OpenApi;

/// Reporting's migrations (schema `reporting`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How `motcua` runs this service.
pub const DEFINITION: ServiceDef = ServiceDef {
    name: ServiceName::Reporting,
    migrator: &MIGRATOR,
    build: |platform, pool| Box::pin(build(platform, pool)),
};

#[derive(OpenApi)]
#[openapi(info(title = "motcua reporting", description = "Rollups and reports."))]
struct ApiDoc;

/// The service's OpenAPI document: the resource modules' paths merged at the root.
fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(received::Doc::openapi());
    doc
}

/// Builds the service: REST, gRPC (with the event receiver) and its workers.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    let state = AppState {
        pool: pool.clone(),
        platform,
    };
    Ok(ServiceParts {
        name: ServiceName::Reporting,
        api: Router::new()
            .merge(received::routes())
            .with_state(state.clone()),
        openapi: openapi(),
        workers: workers::all(&state),
        grpc: grpc::routes(state),
        grpc_names: vec![
            "motcua.reporting.v1.ReportingService",
            "motcua.common.v1.EventReceiver",
        ],
        pool,
        migrator: &MIGRATOR,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_migration_carries_the_inbox_table_verbatim() {
        let migration = include_str!("../migrations/0001_reporting.sql");
        assert!(migration.contains(motcua_outbox::RECEIVER_DDL));
    }
}
