//! The intake service (tiếp nhận hồ sơ): where dossiers enter the system, only through the
//! one-stop. It checks the applicant and the components against the published procedure,
//! issues the dossier code and receipt, follows the dossier through supplement, refusal,
//! withdrawal, payment and hand-back, and announces each change to workflow and reporting
//! through its transactional outbox — and, outside motcua, to the national public-service
//! portal (an HTTP destination of the same outbox) and to the applicant (notices).
//!
//! Inner layout (the same in every service, `docs/architecture.md`): `state.rs` shared state;
//! one module per REST resource (`dossiers`, `forms`, `supplements`, `actions`, `payments`,
//! `payment_callbacks`, `public`, `history`);
//! `receiving.rs` the agencies' dossier writers (group commit);
//! `grpc.rs`; `events.rs` what it consumes; `workers.rs` background loops; `store/` all SQL;
//! `domain/` the rules, pure.

mod actions;
pub mod domain;
mod dossiers;
mod events;
mod files;
mod forms;
mod grpc;
mod history;
mod limiter;
mod payment_callbacks;
mod payments;
mod public;
mod receiving;
mod state;
mod store;
mod supplements;
mod views;
mod workers;

use axum::Router;
use domain::dossier_code::CodeFormat;
use domain::supplement::SupplementRules;
use motcua_calendar::WorkingDuration;
use motcua_config::ServiceName;
use motcua_outbox::{HttpPush, Relay, RelayDestination};
use motcua_proto::audit::v1::audit_trail_client::AuditTrailClient;
use motcua_proto::workflow::v1::workflow_service_client::WorkflowServiceClient;
use motcua_server::{Platform, ReadinessDetail, ServiceDef, ServiceParts, connect_peer};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use state::AppState;
use utoipa::OpenApi;

pub use motcua_catalogue_client::Catalogue;

/// Intake's migrations (schema `intake`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How `motcua` runs this service.
pub const DEFINITION: ServiceDef = ServiceDef {
    name: ServiceName::Intake,
    migrator: &MIGRATOR,
    build: |platform, pool| Box::pin(build(platform, pool)),
};

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
    doc.merge(forms::Doc::openapi());
    doc.merge(files::Doc::openapi());
    doc.merge(supplements::Doc::openapi());
    doc.merge(actions::Doc::openapi());
    doc.merge(payments::Doc::openapi());
    doc.merge(payment_callbacks::Doc::openapi());
    doc.merge(public::Doc::openapi());
    doc.merge(history::Doc::openapi());
    doc
}

/// The national portal's relay (a relay of its own: a slow portal never delays workflow) when
/// the portal is configured, and what intake tells outside motcua.
fn outreach(
    pool: &PgPool,
    settings: &motcua_config::Settings,
) -> (Option<Relay>, store::outreach::Outreach) {
    let relay = settings.national_portal.as_ref().map(|portal| {
        let push = HttpPush::new(
            &portal.url,
            portal.token.clone(),
            portal.timeout,
            domain::national_portal::ROUTES.to_vec(),
        );
        let destination = RelayDestination::new(
            store::outreach::NATIONAL_PORTAL,
            push,
            Some(portal.max_attempts),
        );
        Relay::new(
            pool.clone(),
            "intake",
            vec![destination],
            settings.outbox_poll,
        )
    });
    let outreach = store::outreach::Outreach {
        portal_province: settings
            .national_portal
            .as_ref()
            .map(|p| p.province_code.clone()),
        lookup_url: settings.notices.lookup_url.clone(),
    };
    (relay, outreach)
}

/// The other services' audit trails (the history export reads them), each on its own channel.
fn audit_peers(
    peer: impl Fn(ServiceName) -> anyhow::Result<motcua_server::PeerChannel>,
) -> anyhow::Result<Vec<(&'static str, AuditTrailClient<motcua_server::PeerChannel>)>> {
    [
        ServiceName::Catalogue,
        ServiceName::Workflow,
        ServiceName::Reporting,
    ]
    .into_iter()
    .map(|n| Ok((n.as_str(), AuditTrailClient::new(peer(n)?))))
    .collect()
}

/// The REST routes of every resource module. Only the routes that take the applicant's files
/// accept large bodies and take long.
fn api(state: &AppState, protection: &motcua_config::Protection) -> Router {
    let uploads = motcua_server::Uploads::of(protection);
    Router::new()
        .merge(dossiers::routes(uploads))
        .merge(forms::routes())
        .merge(files::routes())
        .merge(supplements::routes(uploads))
        .merge(actions::routes())
        .merge(payments::routes())
        .merge(payment_callbacks::routes())
        .merge(public::routes())
        .merge(history::routes())
        .with_state(state.clone())
}

/// Builds the service: peers, the outbox relays, REST and gRPC, the expiry and notice workers.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    let settings = &platform.settings;
    let code_format =
        CodeFormat::parse(&settings.dossier_code_format).map_err(anyhow::Error::msg)?;
    let peer = |name: ServiceName| {
        connect_peer(
            settings.peers.of(name),
            ServiceName::Intake,
            platform.service_keys.clone(),
            settings.grpc_timeout,
        )
    };
    // The pipeline after a receipt waits while submissions queue up (bounded; see pacing).
    let burst = std::sync::Arc::new(motcua_outbox::pacing::Burst::default());
    let relay = Relay::to_services(
        pool.clone(),
        ServiceName::Intake,
        &[ServiceName::Workflow, ServiceName::Reporting],
        &platform,
    )?
    .yielding_to(burst.clone(), settings.outbox_burst_yield);
    let (portal_relay, outreach) = outreach(&pool, settings);
    let portal_relay =
        portal_relay.map(|r| r.yielding_to(burst.clone(), settings.outbox_burst_yield));
    let notices =
        motcua_notify::Sender::new(pool.clone(), &settings.notices, settings.worker_poll)?;
    let readiness = ReadinessDetail::default();
    let mut watched = vec![
        ServiceName::Workflow.as_str(),
        ServiceName::Reporting.as_str(),
    ];
    if settings.national_portal.is_some() {
        watched.push(store::outreach::NATIONAL_PORTAL);
    }
    let outbox_watch = motcua_outbox::watch(
        pool.clone(),
        "intake",
        watched,
        readiness.clone(),
        settings.worker_poll,
        platform.shutdown.clone(),
    );
    let state = AppState::new(state::Parts {
        pool: pool.clone(),
        platform: platform.clone(),
        catalogue: motcua_catalogue_client::Catalogue::new(peer(ServiceName::Catalogue)?),
        workflow: WorkflowServiceClient::new(peer(ServiceName::Workflow)?),
        audit_peers: audit_peers(peer)?,
        relay_wake: relay.waker(),
        code_format: code_format.clone(),
        lookup_limiter: limiter::RateLimiter::new(settings.public_lookup_per_minute),
        supplement_rules: SupplementRules {
            request_within: WorkingDuration::hours(i64::from(
                settings.supplement_request_within_hours,
            )),
            window: WorkingDuration::days(f64::from(settings.supplement_window_days))?,
        },
        receiving: receiving::Receiving::new(
            pool.clone(),
            outreach.clone(),
            code_format.clone(),
            relay.waker(),
            burst,
        ),
        outreach,
        printer: motcua_server::printed::Printer::from_settings(settings)?,
        payments: domain::payment::Payments::from_config(&settings.payments),
    });
    let api = api(&state, &settings.protection);
    let shutdown = platform.shutdown.clone();
    let expiry = workers::supplement_expiry(state.clone(), settings.worker_poll, shutdown.clone());
    let orders = workers::payment_expiry(state.clone(), settings.worker_poll, shutdown.clone());
    let mut workers: Vec<(&'static str, motcua_server::Worker)> = vec![
        ("outbox-relay", Box::pin(relay.run(shutdown.clone()))),
        ("supplement-expiry", Box::pin(expiry)),
        ("payment-expiry", Box::pin(orders)),
        ("notices", Box::pin(notices.run(shutdown.clone()))),
        ("outbox-watch", Box::pin(outbox_watch)),
    ];
    if let Some(portal_relay) = portal_relay {
        workers.push((
            "national-portal-relay",
            Box::pin(portal_relay.run(shutdown)),
        ));
    }
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
        workers,
        detail: readiness,
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
        assert!(
            migration.contains(motcua_idempotency::TABLE_DDL.trim_start_matches(|c| c != 'C')),
            "copy crates/motcua-idempotency/src/table.sql"
        );
    }

    #[test]
    fn the_outreach_migration_carries_the_notice_and_dead_letter_tables_verbatim() {
        let m = include_str!("../migrations/0003_outreach.sql");
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
        let m = include_str!("../migrations/0005_outbox_due.sql");
        assert!(
            m.contains(motcua_outbox::DUE_INDEX_DDL),
            "copy crates/motcua-outbox/src/due_index.sql"
        );
    }
}
