//! Agencies and one-stop units (cơ quan, bộ phận một cửa) over REST, with validity and
//! succession: a retired agency resolves to its successor (Long An + Tây Ninh → Tây Ninh,
//! 2025), so dossiers in flight continue at the successor.

use crate::domain::agency::AgencyOnDate;
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_catalogue_model::{AgencyEntry, AgencyKind, Level};
use motcua_problem::{ApiPath, ApiQuery, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(list_agencies, get_agency),
    components(schemas(AgencyOnDate, AgencyList, AgencyEntry, AgencyKind, Level))
)]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agencies", get(list_agencies))
        .route("/api/v1/agencies/{code}", get(get_agency))
}

/// Every agency and one-stop unit (danh sách cơ quan), by code, in one page.
#[derive(Serialize, ToSchema)]
pub(crate) struct AgencyList {
    /// The agencies as published, with their validity and successors.
    items: Vec<AgencyEntry>,
    /// Always null: the list is one page.
    next_cursor: Option<String>,
}

/// Lists all agencies with their validity and successors (public).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    responses((status = 200, description = "every agency, retired ones included", body = AgencyList,
        example = json!({"items": [{"code": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An",
            "kind": "one_stop", "level": "commune", "unit_code": "80"}], "next_cursor": null}))))]
async fn list_agencies(State(s): State<AppState>) -> ApiResult<Json<AgencyList>> {
    let items = store::agencies::all(&s.pool).await?;
    Ok(Json(AgencyList {
        items,
        next_cursor: None,
    }))
}

/// Date selector.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AtQuery {
    /// The day (YYYY-MM-DD) the agency must be valid on; default today.
    #[param(format = Date, example = "2025-07-01")]
    at: Option<String>,
}

/// One agency (public); a retired agency resolves to its successor valid on the date.
#[utoipa::path(get, path = "/api/v1/agencies/{code}", tag = "agencies",
    params(("code" = String, Path, description = "agency code", example = "000.25.80.H80"), AtQuery),
    responses((status = 200, description = "the agency valid on the date", body = AgencyOnDate,
        example = json!({"code": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An", "kind": "one_stop",
            "level": "commune", "unit_code": "80", "resolved_from": "000.25.72.H72", "chain": ["000.25.72.H72", "000.25.80.H80"]})),
        (status = 404, description = "agency_not_found: unknown agency"),
        (status = 409, description = "agency_not_valid: retired without successor, or not yet valid")))]
async fn get_agency(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<AgencyOnDate>> {
    let at = s.date_asked(q.at.as_deref())?;
    Ok(Json(s.agency_on(&code, at).await?.into()))
}
