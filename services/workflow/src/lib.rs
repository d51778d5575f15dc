//! The workflow service (giải quyết hồ sơ): the case behind each received dossier. Every step
//! has an owner agency, a budget and a deadline that is honest about the applicant's waits;
//! steps run in order and in parallel blocks; every handover is a row of the processing
//! control slip with its early / on time / late; overdue and near-due steps and dossiers are
//! marked once and announced; the one apology and re-appointment is enforced; retired agencies'
//! steps move to their successors.
//!
//! Inner layout (the same in every service, `docs/architecture.md`): `state.rs` shared state;
//! one module per REST resource (`cases`, `tasks`, `extensions`, `overdue`, `subscriptions`,
//! `dead_letters`); `dispatcher.rs` the sector systems' webhooks; `grpc.rs`, and
//! `connector.rs` the sector systems' gRPC face;
//! `events.rs` what it consumes; `workers.rs` background loops; `store/` all SQL; `domain/` the
//! rules, pure.

mod cases;
mod connector;
mod dead_letters;
mod dispatcher;
pub mod domain;
mod events;
mod extensions;
mod grpc;
mod overdue;
mod slip_form;
mod state;
mod store;
mod subscriptions;
mod tasks;
mod workers;

use axum::Router;
use motcua_calendar::{WorkingDuration, parse_time_of_day};
use motcua_catalogue_client::Catalogue;
use motcua_config::ServiceName;
use motcua_outbox::Relay;
use motcua_proto::intake::v1::intake_service_client::IntakeServiceClient;
use motcua_server::{Platform, ServiceDef, ServiceParts, connect_peer};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use state::{AppState, Rules};
use utoipa::OpenApi;

/// Workflow's migrations (schema `workflow`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How `motcua` runs this service.
pub const DEFINITION: ServiceDef = ServiceDef {
    name: ServiceName::Workflow,
    migrator: &MIGRATOR,
    build: |platform, pool| Box::pin(build(platform, pool)),
};

#[derive(OpenApi)]
#[openapi(info(
    title = "motcua workflow",
    description = "Cases behind received dossiers: steps at agencies, clocks, handovers, overdue, extensions."
))]
struct ApiDoc;

/// The service's OpenAPI document: the resource modules' paths merged at the root.
fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(cases::Doc::openapi());
    doc.merge(tasks::Doc::openapi());
    doc.merge(extensions::Doc::openapi());
    doc.merge(overdue::Doc::openapi());
    doc.merge(subscriptions::Doc::openapi());
    doc.merge(dead_letters::Doc::openapi());
    doc
}

/// Builds the service: peers, the outbox relay, REST and gRPC, the workers.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    let settings = &platform.settings;
    let peer = |name: ServiceName| {
        connect_peer(
            settings.peers.of(name),
            ServiceName::Workflow,
            platform.service_keys.clone(),
            settings.grpc_timeout,
        )
    };
    let relay = Relay::to_services(
        pool.clone(),
        ServiceName::Workflow,
        &[ServiceName::Intake, ServiceName::Reporting],
        &platform,
    )?;
    let rules = Rules {
        forward_cutoff: parse_time_of_day(&settings.forward_cutoff)
            .map_err(|e| anyhow::anyhow!("MOTCUA_FORWARD_CUTOFF: {e}"))?,
        near_due: WorkingDuration::hours(i64::from(settings.near_due_hours)),
    };
    let state = AppState::new(state::Parts {
        pool: pool.clone(),
        platform: platform.clone(),
        catalogue: Catalogue::new(peer(ServiceName::Catalogue)?),
        intake: IntakeServiceClient::new(peer(ServiceName::Intake)?),
        relay_wake: relay.waker(),
        webhook_wake: std::sync::Arc::new(tokio::sync::Notify::new()),
        tasks_wake: std::sync::Arc::new(tokio::sync::Notify::new()),
        rules,
        contacts: std::sync::Arc::new(motcua_notify::Contacts::load(
            settings.notices.agency_contacts_file.as_deref(),
        )?),
        printer: motcua_server::printed::Printer::from_settings(settings)?,
    });
    let notices =
        motcua_notify::Sender::new(pool.clone(), &settings.notices, settings.worker_poll)?;
    let readiness = motcua_server::ReadinessDetail::default();
    let outbox_watch = motcua_outbox::watch(
        pool.clone(),
        "workflow",
        vec![
            ServiceName::Intake.as_str(),
            ServiceName::Reporting.as_str(),
        ],
        readiness.clone(),
        settings.worker_poll,
        platform.shutdown.clone(),
    );
    let shutdown = platform.shutdown.clone();
    let api = Router::new()
        .merge(cases::routes())
        .merge(tasks::routes())
        .merge(extensions::routes())
        .merge(overdue::routes())
        .merge(subscriptions::routes())
        .merge(dead_letters::routes())
        .with_state(state.clone());
    let workers = workers::run(state.clone(), settings.worker_poll, shutdown.clone());
    let webhooks = dispatcher::Dispatcher::new(
        pool.clone(),
        &settings.webhooks,
        state.webhook_wake.clone(),
        settings.worker_poll,
    )?
    .run(shutdown.clone());
    let webhook_watch = dispatcher::watch(
        pool.clone(),
        readiness.clone(),
        settings.worker_poll,
        shutdown.clone(),
    );
    Ok(ServiceParts {
        name: ServiceName::Workflow,
        api,
        openapi: openapi(),
        grpc: grpc::routes(state),
        grpc_names: vec![
            "motcua.workflow.v1.WorkflowService",
            "motcua.common.v1.EventReceiver",
            "motcua.connector.v1.SectorConnector",
        ],
        pool,
        migrator: &MIGRATOR,
        workers: vec![
            ("outbox-relay", Box::pin(relay.run(shutdown.clone()))),
            ("case-clocks", Box::pin(workers)),
            ("notices", Box::pin(notices.run(shutdown))),
            ("outbox-watch", Box::pin(outbox_watch)),
            ("webhooks", Box::pin(webhooks)),
            ("webhook-watch", Box::pin(webhook_watch)),
        ],
        detail: readiness,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_migrations_carry_the_shared_tables_verbatim() {
        let first = include_str!("../migrations/0001_workflow.sql");
        assert!(
            first.contains(motcua_outbox::PRODUCER_DDL),
            "copy crates/motcua-outbox/src/producer.sql"
        );
        assert!(
            first.contains(motcua_outbox::RECEIVER_DDL.trim_start_matches(|c| c != 'C')),
            "inbox table"
        );
        let second = include_str!("../migrations/0002_clocks_alerts_extensions.sql");
        assert!(
            second.contains(motcua_idempotency::TABLE_DDL),
            "copy crates/motcua-idempotency/src/table.sql"
        );
    }

    #[test]
    fn the_outreach_migration_carries_the_notice_and_dead_letter_tables_verbatim() {
        let m = include_str!("../migrations/0003_notices.sql");
        assert!(
            m.contains(motcua_notify::TABLE_DDL),
            "copy crates/motcua-notify/src/notice.sql"
        );
        assert!(
            m.contains(motcua_outbox::DEAD_LETTER_DDL),
            "copy crates/motcua-outbox/src/dead_letters.sql"
        );
    }

    #[test]
    fn the_outbox_due_index_is_carried_verbatim() {
        let m = include_str!("../migrations/0006_outbox_due.sql");
        assert!(
            m.contains(motcua_outbox::DUE_INDEX_DDL),
            "copy crates/motcua-outbox/src/due_index.sql"
        );
    }
}
