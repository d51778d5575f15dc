//! The workflow service (giải quyết hồ sơ): the case behind each accepted dossier. A received
//! dossier opens a case with one task per step of the procedure's process template; agencies
//! claim and complete their tasks; each handover is recorded with its early / on time / late
//! result; when processing is done intake is told the result is ready.

mod advance;
mod cases;
mod events;
mod grpc;
pub mod plan;
mod tasks;

use axum::Router;
use motcua_catalogue_client::Catalogue;
use motcua_config::ServiceName;
use motcua_outbox::Relay;
use motcua_server::{Platform, ServiceDef, ServiceParts, connect_peer};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::sync::Arc;
use tokio::sync::Notify;
use utoipa::OpenApi;

/// Workflow's migrations (schema `workflow`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How `motcua` runs this service.
pub const DEFINITION: ServiceDef = ServiceDef {
    name: ServiceName::Workflow,
    migrator: &MIGRATOR,
    build: |platform, pool| Box::pin(build(platform, pool)),
};

/// Shared state of workflow's handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) pool: PgPool,
    pub(crate) platform: Platform,
    pub(crate) catalogue: Catalogue,
    pub(crate) relay_wake: Arc<Notify>,
}

#[derive(OpenApi)]
#[openapi(info(
    title = "motcua workflow",
    description = "Cases behind accepted dossiers: tasks at agencies, handovers."
))]
struct ApiDoc;

/// The service's OpenAPI document: the resource modules' paths merged at the root.
fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(cases::Doc::openapi());
    doc.merge(tasks::Doc::openapi());
    doc
}

/// Builds the service.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    let settings = &platform.settings;
    let peer = |name: ServiceName| {
        connect_peer(
            settings.peers.of(name),
            ServiceName::Workflow,
            platform.issuer.clone(),
            settings.grpc_timeout,
        )
    };
    let relay = Relay::to_services(
        pool.clone(),
        ServiceName::Workflow,
        &[ServiceName::Intake, ServiceName::Reporting],
        &platform,
    )?;
    let state = AppState {
        pool: pool.clone(),
        platform: platform.clone(),
        catalogue: Catalogue::new(peer(ServiceName::Catalogue)?),
        relay_wake: relay.waker(),
    };
    let shutdown = platform.shutdown.clone();
    Ok(ServiceParts {
        name: ServiceName::Workflow,
        api: Router::new()
            .merge(cases::routes())
            .merge(tasks::routes())
            .with_state(state.clone()),
        openapi: openapi(),
        grpc: grpc::routes(state),
        grpc_names: vec![
            "motcua.workflow.v1.WorkflowService",
            "motcua.common.v1.EventReceiver",
        ],
        pool,
        migrator: &MIGRATOR,
        workers: vec![("outbox-relay", Box::pin(relay.run(shutdown)))],
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_migration_carries_the_outbox_tables_verbatim() {
        let migration = include_str!("../migrations/0001_workflow.sql");
        assert!(
            migration.contains(motcua_outbox::PRODUCER_DDL),
            "copy crates/motcua-outbox/src/producer.sql"
        );
        assert!(
            migration.contains(motcua_outbox::RECEIVER_DDL.trim_start_matches(|c| c != 'C')),
            "inbox table"
        );
    }
}
