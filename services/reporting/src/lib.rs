//! The reporting service (báo cáo): facts fed by events from intake and workflow, and the
//! reports inspectors read off them — the handling report (II.06a) from daily and monthly
//! flows kept exact by the event path and rebuildable from the facts, the received counts.
//!
//! Inner layout (the same in every service, `docs/architecture.md`): `state.rs` shared state;
//! one module per REST resource (`handling`, `overdue`, `compliance`, `service_index`,
//! `ratings`, `feedback`, `dossiers`, `received`); `export.rs` the report formats;
//! `grpc.rs`; `events.rs` what it consumes; `workers.rs` background loops (the event lag);
//! `store/` all SQL; `domain/` the rules, pure.

mod compliance;
pub mod domain;
mod dossiers;
mod events;
mod export;
mod feedback;
mod grpc;
mod handling;
mod overdue;
mod ratings;
mod received;
mod service_index;
mod state;
mod store;
pub use store::flows::Rebuilt;
mod workers;

use axum::Router;
use motcua_catalogue_client::Catalogue;
use motcua_config::ServiceName;
use motcua_server::{Platform, ReadinessDetail, ServiceDef, ServiceParts, connect_peer};
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
    doc.merge(compliance::Doc::openapi());
    doc.merge(dossiers::Doc::openapi());
    doc.merge(feedback::Doc::openapi());
    doc.merge(handling::Doc::openapi());
    doc.merge(overdue::Doc::openapi());
    doc.merge(ratings::Doc::openapi());
    doc.merge(service_index::Doc::openapi());
    doc.merge(received::Doc::openapi());
    doc
}

/// Builds the service: REST, gRPC (with the event receiver) and its workers.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    let catalogue = connect_peer(
        platform.settings.peers.of(ServiceName::Catalogue),
        ServiceName::Reporting,
        platform.service_keys.clone(),
        platform.settings.grpc_timeout,
    )?;
    let readiness = ReadinessDetail::default();
    let state = AppState::new(state::Parts {
        pool: pool.clone(),
        catalogue: Catalogue::new(catalogue),
        readiness: readiness.clone(),
        platform,
    });
    Ok(ServiceParts {
        name: ServiceName::Reporting,
        api: Router::new()
            .merge(compliance::routes())
            .merge(dossiers::routes())
            .merge(feedback::routes())
            .merge(handling::routes())
            .merge(overdue::routes())
            .merge(ratings::routes())
            .merge(service_index::routes())
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
        detail: readiness,
    })
}

/// Recomputes the handling report's flows from the dossier facts (`motcua reporting
/// rebuild`): the checksums before and after say whether the event path had kept them exact.
pub async fn rebuild(pool: &PgPool) -> anyhow::Result<Rebuilt> {
    Ok(store::flows::rebuild(pool).await?)
}

/// The handling report's flow query for `[from, to]` under `EXPLAIN (ANALYZE, BUFFERS)`, over
/// every agency: where a report's time goes (`bench/`).
pub async fn explain_handling(
    pool: &PgPool,
    (from, to): (time::Date, time::Date),
    group_by: domain::handling::GroupBy,
) -> anyhow::Result<Vec<String>> {
    let plan = domain::handling::Plan::of(from, to);
    Ok(store::flows::explain(pool, &plan, group_by).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_migration_carries_the_inbox_table_verbatim() {
        let migration = include_str!("../migrations/0001_reporting.sql");
        assert!(migration.contains(motcua_outbox::RECEIVER_DDL));
        let third = include_str!("../migrations/0003_satisfaction.sql");
        assert!(third.contains(motcua_idempotency::TABLE_DDL));
    }
}
