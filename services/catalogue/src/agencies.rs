//! Agencies and one-stop units (cơ quan, bộ phận một cửa) over REST, with validity and
//! succession: a retired agency resolves to its successor (Long An + Tây Ninh → Tây Ninh,
//! 2025), so dossiers in flight continue at the successor.

use crate::domain::agency::ResolvedAgency;
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_problem::{ApiPath, ApiQuery, ApiResult};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list_agencies, get_agency), components(schemas(ResolvedAgency)))]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agencies", get(list_agencies))
        .route("/api/v1/agencies/{code}", get(get_agency))
}

/// Lists all agencies with their validity and successors (public).
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies",
    responses((status = 200, description = "{items, next_cursor}", content_type = "application/json",
        example = json!({"items": [{"code": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An",
            "kind": "one_stop", "level": "commune", "unit_code": "80"}], "next_cursor": null}))))]
async fn list_agencies(State(s): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let items = store::agencies::all(&s.pool).await?;
    Ok(Json(
        serde_json::json!({ "items": items, "next_cursor": null }),
    ))
}

/// Date selector.
#[derive(Deserialize, IntoParams)]
pub(crate) struct AtQuery {
    /// Date (YYYY-MM-DD); default today.
    at: Option<String>,
}

/// One agency (public); a retired agency resolves to its successor valid on the date.
#[utoipa::path(get, path = "/api/v1/agencies/{code}", tag = "agencies",
    params(("code" = String, Path, description = "agency code", example = "000.25.80.H80"), AtQuery),
    responses((status = 200, body = ResolvedAgency,
        example = json!({"code": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An", "kind": "one_stop",
            "level": "commune", "unit_code": "80", "resolved_from": "000.25.72.H72", "chain": ["000.25.72.H72", "000.25.80.H80"]})),
        (status = 404, description = "unknown agency"),
              (status = 409, description = "retired without successor, or not yet valid")))]
async fn get_agency(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<ResolvedAgency>> {
    let at = s.date_asked(q.at.as_deref())?;
    Ok(Json(s.agency_on(&code, at).await?))
}
