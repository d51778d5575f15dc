//! The catalogue service (danh mục thủ tục hành chính): procedures and their versions,
//! agencies with succession, and the working-day calendar. The single truth that intake
//! checks components against and workflow builds cases from.
//!
//! Inner layout (the same in every service, `docs/architecture.md`): `state.rs` shared state
//! (with the calendar in memory); one module per REST resource (`procedures`, `agencies`,
//! `calendar`, `listings`); `grpc.rs`; `events.rs` what it consumes (nothing); `workers.rs`
//! background loops; `store/` all SQL; `domain/` the service's own rules, pure (the
//! catalogue's rules proper are the crate `motcua-catalogue-model`). `import` and `seed` load
//! whole catalogue files, for the `motcua catalogue` commands and the demo data set.

mod agencies;
mod calendar;
pub mod domain;
mod events;
mod grpc;
pub mod import;
mod listings;
mod procedures;
pub mod seed;
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

pub use state::CalendarStore;

/// The catalogue's migrations (schema `catalogue`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How `motcua` runs this service.
pub const DEFINITION: ServiceDef = ServiceDef {
    name: ServiceName::Catalogue,
    migrator: &MIGRATOR,
    build: |platform, pool| Box::pin(build(platform, pool)),
};

#[derive(OpenApi)]
#[openapi(info(
    title = "motcua catalogue",
    description = "Procedures, agencies and the working-day calendar."
))]
struct ApiDoc;

/// The service's OpenAPI document: the resource modules' paths merged at the root.
fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(procedures::Doc::openapi());
    doc.merge(agencies::Doc::openapi());
    doc.merge(calendar::Doc::openapi());
    doc.merge(listings::Doc::openapi());
    doc
}

/// Builds the service: seeds the demo data set when configured, loads the calendar, then
/// REST, gRPC and the calendar refresh.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    if platform.settings.seed_demo {
        seed::load_demo(&pool).await?;
    }
    let province_sessions = match &platform.settings.working_sessions {
        Some(raw) => Some(domain::sessions::parse_sessions_setting(raw)?),
        None => None,
    };
    let calendar = CalendarStore::load(&pool, province_sessions).await?;
    let state = AppState::new(state::Parts {
        pool: pool.clone(),
        calendar,
        platform,
    });
    let api = Router::new()
        .merge(procedures::routes())
        .merge(agencies::routes())
        .merge(calendar::routes())
        .merge(listings::routes())
        .with_state(state.clone());
    let workers = workers::all(&state);
    Ok(ServiceParts {
        name: ServiceName::Catalogue,
        api,
        openapi: openapi(),
        grpc: grpc::routes(state),
        grpc_names: vec!["motcua.catalogue.v1.CatalogueService"],
        pool,
        migrator: &MIGRATOR,
        workers,
        detail: Default::default(),
    })
}
