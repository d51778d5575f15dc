//! The workflow service (giải quyết hồ sơ): the case behind each accepted dossier. In this
//! first shape it opens a case, idempotently, for every `dossier.received` event; steps at
//! agencies, handovers, clocks and extensions build on it.

mod cases;
mod grpc;

use axum::Router;
use motcua_config::ServiceName;
use motcua_server::{Platform, ServiceDef, ServiceParts};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
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
}

#[derive(OpenApi)]
#[openapi(
    info(title = "motcua workflow", description = "Cases behind accepted dossiers."),
    nest((path = "/", api = cases::Doc))
)]
struct ApiDoc;

/// Builds the service.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    let state = AppState {
        pool: pool.clone(),
        platform,
    };
    Ok(ServiceParts {
        name: ServiceName::Workflow,
        api: Router::new()
            .merge(cases::routes())
            .with_state(state.clone()),
        openapi: ApiDoc::openapi(),
        grpc: grpc::routes(state),
        grpc_names: vec![
            "motcua.workflow.v1.WorkflowService",
            "motcua.common.v1.EventReceiver",
        ],
        pool,
        migrator: &MIGRATOR,
        workers: Vec::new(),
    })
}
