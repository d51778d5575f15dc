//! Listings (danh mục TTHC niêm yết) over REST: which procedure versions each one-stop unit
//! publishes, and which listings are stale — showing a superseded version, or missing a
//! procedure in force for the unit's level. The inspection found exactly these at communes.

use crate::domain::listing::{self, ListedVersion, ListingBody};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_catalogue_model::stale_listings;
use motcua_problem::{ApiJson, ApiPath, ApiResult};
use serde_json::json;
use utoipa::OpenApi;

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(get_listing, stale, put_listing),
    components(schemas(ListingBody, ListedVersion))
)]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/listings/stale", get(stale))
        .route(
            "/api/v1/listings/{one_stop}",
            get(get_listing).put(put_listing),
        )
}

/// The procedures a one-stop unit publishes, with what is stale today: for that unit's officers
/// and heads, catalogue admins, inspectors and admins.
#[utoipa::path(get, path = "/api/v1/listings/{one_stop}", tag = "listings", params(("one_stop" = String, Path, example = "000.25.80.H80")),
    responses((status = 200, content_type = "application/json",
        example = json!({"one_stop": "000.25.80.H80", "items": [{"code": "1.001193", "version": 1}],
                         "stale": [{"procedure_code": "1.011537", "reason": {"kind": "missing", "current_version": 1}}]})),
        (status = 403, description = "not allowed"), (status = 404, description = "unknown unit")),
    security(("bearer" = [])))]
async fn get_listing(
    State(s): State<AppState>,
    ApiPath(one_stop): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let agencies = store::agencies::all(&s.pool).await?;
    let unit = listing::unit(&agencies, &one_stop)?;
    let listed = store::listings::of_unit(&s.pool, &one_stop).await?;
    let versions = store::procedures::entries(&s.pool).await?;
    let stale = stale_listings(unit, &listed, &versions, s.today());
    let items: Vec<_> = listed
        .iter()
        .map(|(c, v)| json!({"code": c, "version": v}))
        .collect();
    Ok(Json(
        json!({ "one_stop": one_stop, "items": items, "stale": stale }),
    ))
}

/// Every one-stop unit whose listing is stale today, with what is wrong (inspectors, admins).
#[utoipa::path(get, path = "/api/v1/listings/stale", tag = "listings",
    responses((status = 200, content_type = "application/json",
        example = json!({"items": [{"one_stop": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An",
            "stale": [{"procedure_code": "1.001193", "reason": {"kind": "superseded", "listed_version": 1, "current_version": 2}}]}],
            "next_cursor": null}))),
    security(("bearer" = [])))]
async fn stale(caller: Caller, State(s): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(&[Role::Inspector, Role::Admin, Role::CatalogueAdmin])?;
    let versions = store::procedures::entries(&s.pool).await?;
    let at = s.today();
    let agencies = store::agencies::all(&s.pool).await?;
    let listings = store::listings::all(&s.pool).await?;
    let items = listing::stale_units(&agencies, &listings, &versions, at);
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

/// Replaces a one-stop unit's listing (catalogue_admin; audited).
#[utoipa::path(put, path = "/api/v1/listings/{one_stop}", tag = "listings", params(("one_stop" = String, Path)),
    request_body = ListingBody,
    responses((status = 200, content_type = "application/json"), (status = 404, description = "unknown unit"),
              (status = 422, description = "not a one-stop unit, or unknown versions")),
    security(("bearer" = [])))]
async fn put_listing(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(one_stop): ApiPath<String>,
    ApiJson(body): ApiJson<ListingBody>,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(&[Role::CatalogueAdmin])?;
    let agencies = store::agencies::all(&s.pool).await?;
    let unit = listing::one_stop(&agencies, &one_stop)?;
    let versions = store::procedures::entries(&s.pool).await?;
    let wanted = listing::check(&body, &versions)?;
    let mut tx = s.pool.begin().await?;
    let changed = store::listings::replace(&mut tx, &one_stop, &wanted, &caller.sub).await?;
    tx.commit().await?;
    let stale = stale_listings(unit, &wanted, &versions, s.today());
    Ok(Json(
        json!({ "one_stop": one_stop, "changed": changed, "stale": stale }),
    ))
}
