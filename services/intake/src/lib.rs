//! The intake service (tiếp nhận hồ sơ): where dossiers enter the system, only through the
//! one-stop. It checks the applicant and the components against the published procedure,
//! issues the dossier code and receipt, and announces each dossier to workflow and reporting
//! through its transactional outbox.

pub mod domain;
mod dossiers;
pub mod files;
mod grpc;
mod idempotency;
mod lifecycle;
mod public;
mod receipt;
mod register;
mod store;
mod worker;

use axum::Router;
use motcua_config::ServiceName;
use motcua_outbox::Relay;
use motcua_proto::workflow::v1::workflow_service_client::WorkflowServiceClient;
use motcua_server::{Platform, ServiceDef, ServiceParts, connect_peer};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::sync::Arc;
use tokio::sync::Notify;
use utoipa::OpenApi;

use domain::dossier_code::CodeFormat;
pub use motcua_catalogue_client::Catalogue;

/// Intake's migrations (schema `intake`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How `motcua` runs this service.
pub const DEFINITION: ServiceDef = ServiceDef {
    name: ServiceName::Intake,
    migrator: &MIGRATOR,
    build: |platform, pool| Box::pin(build(platform, pool)),
};

/// Shared state of intake's handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) pool: PgPool,
    pub(crate) platform: Platform,
    pub(crate) catalogue: Catalogue,
    pub(crate) relay_wake: Arc<Notify>,
    pub(crate) code_format: CodeFormat,
    pub(crate) workflow: WorkflowServiceClient<motcua_server::PeerChannel>,
    pub(crate) lookup_limiter: public::RateLimiter,
    /// The applicant's supplement window, in working minutes.
    pub(crate) supplement_window_minutes: i64,
    /// A supplement request later than this after receipt (working minutes) is flagged.
    pub(crate) supplement_request_within_minutes: i64,
}

#[derive(OpenApi)]
#[openapi(info(
    title = "motcua intake",
    description = "Dossiers received at the one-stop."
))]
struct ApiDoc;

/// The service's OpenAPI document: the resource modules' paths merged at the root.
fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(dossiers::Doc::openapi());
    doc.merge(lifecycle::Doc::openapi());
    doc.merge(public::Doc::openapi());
    doc.merge(register::Doc::openapi());
    doc
}

/// The components of a procedure version as intake's rules see them.
/// Components as intake's rules see them.
pub(crate) fn components_of(
    list: &[motcua_proto::catalogue::v1::Component],
) -> Vec<domain::components::PublishedComponent> {
    list.iter()
        .map(|c| domain::components::PublishedComponent {
            code: c.code.clone(),
            name: c.name.clone(),
            required: c.required,
            originals: c.originals,
            copies: c.copies,
        })
        .collect()
}

/// The components of a procedure version (without a case) as intake's rules see them.
pub(crate) fn published_components(
    p: &motcua_proto::catalogue::v1::Procedure,
) -> Vec<domain::components::PublishedComponent> {
    components_of(&p.components)
}

/// Builds the service: peers, the outbox relay, REST and gRPC.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    let settings = &platform.settings;
    let code_format = CodeFormat::parse(
        &std::env::var("MOTCUA_DOSSIER_CODE_FORMAT").unwrap_or_else(|_| "01-2018".into()),
    )
    .map_err(anyhow::Error::msg)?;
    let peer = |name: ServiceName| {
        connect_peer(
            settings.peers.of(name),
            ServiceName::Intake,
            platform.issuer.clone(),
            settings.grpc_timeout,
        )
    };
    let catalogue = Catalogue::new(peer(ServiceName::Catalogue)?);
    let relay = Relay::to_services(
        pool.clone(),
        ServiceName::Intake,
        &[ServiceName::Workflow, ServiceName::Reporting],
        &platform,
    )?;
    let state = AppState {
        pool: pool.clone(),
        platform: platform.clone(),
        catalogue,
        relay_wake: relay.waker(),
        code_format,
        workflow: WorkflowServiceClient::new(peer(ServiceName::Workflow)?),
        lookup_limiter: public::RateLimiter::new(settings.public_lookup_per_minute),
        supplement_window_minutes: i64::from(settings.supplement_window_days) * 480,
        supplement_request_within_minutes: i64::from(settings.supplement_request_within_hours) * 60,
    };
    let api = Router::new()
        .merge(dossiers::routes())
        .merge(lifecycle::routes())
        .merge(public::routes())
        .merge(register::routes())
        .with_state(state.clone());
    let shutdown = platform.shutdown.clone();
    let expiry = worker::supplement_expiry(state.clone(), settings.worker_poll, shutdown.clone());
    Ok(ServiceParts {
        name: ServiceName::Intake,
        api,
        openapi: openapi(),
        grpc: grpc::routes(state),
        grpc_names: vec![
            "motcua.intake.v1.IntakeService",
            "motcua.common.v1.EventReceiver",
        ],
        pool,
        migrator: &MIGRATOR,
        workers: vec![
            ("outbox-relay", Box::pin(relay.run(shutdown))),
            ("supplement-expiry", Box::pin(expiry)),
        ],
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_migration_carries_the_outbox_tables_verbatim() {
        let migration = include_str!("../migrations/0001_intake.sql");
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
