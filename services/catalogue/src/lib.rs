//! The catalogue service (danh mục thủ tục hành chính): procedures and their versions,
//! agencies with succession, and the working-day calendar. The single truth that intake
//! checks components against and workflow builds cases from.

mod agencies;
mod audit;
mod calendar;
mod grpc;
pub mod import;
mod listings;
mod procedures;
pub mod seed;

use axum::Router;
use motcua_config::ServiceName;
use motcua_server::{Platform, ServiceDef, ServiceParts};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use utoipa::OpenApi;

pub use calendar::CalendarStore;

/// The catalogue's migrations (schema `catalogue`).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How `motcua` runs this service.
pub const DEFINITION: ServiceDef = ServiceDef {
    name: ServiceName::Catalogue,
    migrator: &MIGRATOR,
    build: |platform, pool| Box::pin(build(platform, pool)),
};

/// Shared state of the catalogue's handlers.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) pool: PgPool,
    pub(crate) calendar: CalendarStore,
    pub(crate) platform: Platform,
}

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

/// Builds the service: seeds the demo data set when configured, loads the calendar.
pub async fn build(platform: Platform, pool: PgPool) -> anyhow::Result<ServiceParts> {
    if platform.settings.seed_demo {
        seed::load_demo(&pool).await?;
    }
    let province_sessions = match &platform.settings.working_sessions {
        Some(raw) => Some(calendar::parse_sessions_setting(raw)?),
        None => None,
    };
    let calendar = CalendarStore::load(&pool, province_sessions).await?;
    let state = AppState {
        pool: pool.clone(),
        calendar: calendar.clone(),
        platform: platform.clone(),
    };
    let api = Router::new()
        .merge(procedures::routes())
        .merge(agencies::routes())
        .merge(calendar::routes())
        .merge(listings::routes())
        .with_state(state.clone());
    let grpc = grpc::routes(state);
    let refresh = calendar
        .clone()
        .refresh_worker(pool.clone(), platform.shutdown.clone());
    Ok(ServiceParts {
        name: ServiceName::Catalogue,
        api,
        openapi: openapi(),
        grpc,
        grpc_names: vec!["motcua.catalogue.v1.CatalogueService"],
        pool,
        migrator: &MIGRATOR,
        workers: vec![("calendar-refresh", Box::pin(refresh))],
    })
}
