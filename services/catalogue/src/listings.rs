//! Listings (danh mục TTHC niêm yết) over REST: which procedure versions each one-stop unit
//! publishes, and which listings are stale — showing a superseded version, or missing a
//! procedure in force for the unit's level. The inspection found exactly these at communes.

use crate::domain::listing::{
    self, ListedVersion, ListingBody, ListingReplaced, StaleListing, StaleReason, StaleUnit,
    UnitListing,
};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_audit::Actor;
use motcua_auth::Caller;
use motcua_problem::{ApiJson, ApiPath, ApiResult};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(get_listing, stale, put_listing),
    components(schemas(
        ListingBody,
        ListedVersion,
        UnitListing,
        ListingReplaced,
        StaleUnits,
        StaleUnit,
        StaleListing,
        StaleReason
    ))
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

/// The procedures a one-stop unit publishes (what its counter displays), with what is stale
/// today (public).
#[utoipa::path(get, path = "/api/v1/listings/{one_stop}", tag = "listings",
    params(("one_stop" = String, Path, description = "the one-stop unit's agency code", example = "000.25.80.H80")),
    responses((status = 200, description = "the unit's listing and what is stale in it", body = UnitListing),
        (status = 404, description = "agency_not_found: unknown unit")))]
async fn get_listing(
    State(s): State<AppState>,
    ApiPath(one_stop): ApiPath<String>,
) -> ApiResult<Json<UnitListing>> {
    let agencies = store::agencies::all(&s.pool).await?;
    let unit = listing::unit(&agencies, &one_stop)?;
    let listed = store::listings::of_unit(&s.pool, &one_stop).await?;
    let versions = store::procedures::entries(&s.pool).await?;
    let stale = listing::stale_of(unit, &listed, &versions, s.today());
    Ok(Json(UnitListing {
        one_stop,
        items: ListedVersion::all(&listed),
        stale,
    }))
}

/// The one-stop units whose listing is stale today, in one page.
#[derive(Serialize, ToSchema)]
pub(crate) struct StaleUnits {
    /// Each unit with what is wrong, by unit code.
    items: Vec<StaleUnit>,
    /// Always null: the list is one page.
    next_cursor: Option<String>,
}

/// Every one-stop unit whose listing is stale today, with what is wrong (inspectors, admins,
/// catalogue admins).
#[utoipa::path(get, path = "/api/v1/listings/stale", tag = "listings",
    responses((status = 200, description = "the units with a stale listing", body = StaleUnits,
        example = json!({"items": [{"one_stop": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An",
            "stale": [{"procedure_code": "1.001193", "reason": {"kind": "superseded", "listed_version": 1, "current_version": 2}}]}],
            "next_cursor": null}))),
    security(("bearer" = [])))]
async fn stale(State(s): State<AppState>) -> ApiResult<Json<StaleUnits>> {
    let versions = store::procedures::entries(&s.pool).await?;
    let at = s.today();
    let agencies = store::agencies::all(&s.pool).await?;
    let listings = store::listings::all(&s.pool).await?;
    Ok(Json(StaleUnits {
        items: listing::stale_units(&agencies, &listings, &versions, at),
        next_cursor: None,
    }))
}

/// Replaces a one-stop unit's listing (catalogue_admin; audited).
#[utoipa::path(put, path = "/api/v1/listings/{one_stop}", tag = "listings",
    params(("one_stop" = String, Path, description = "the one-stop unit's agency code", example = "000.25.80.H80")),
    request_body = ListingBody,
    responses((status = 200, description = "the listing as stored, with what is stale in it", body = ListingReplaced),
              (status = 404, description = "agency_not_found: unknown unit"),
              (status = 422, description = "not_a_one_stop: the agency is not a one-stop unit; \
                listing_invalid: unknown versions or a procedure listed twice, per item")),
    security(("bearer" = [])))]
async fn put_listing(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(one_stop): ApiPath<String>,
    ApiJson(body): ApiJson<ListingBody>,
) -> ApiResult<Json<ListingReplaced>> {
    let agencies = store::agencies::all(&s.pool).await?;
    let unit = listing::one_stop(&agencies, &one_stop)?;
    let versions = store::procedures::entries(&s.pool).await?;
    let wanted = listing::check(&body, &versions)?;
    let mut tx = s.pool.begin().await?;
    let changed =
        store::listings::replace(&mut tx, &one_stop, &wanted, &Actor::of(&caller)).await?;
    tx.commit().await?;
    let stale = listing::stale_of(unit, &wanted, &versions, s.today());
    Ok(Json(ListingReplaced {
        one_stop,
        changed,
        stale,
    }))
}
