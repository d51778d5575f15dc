//! Received dossiers per day (số hồ sơ tiếp nhận theo ngày) over REST.

use crate::domain::facts::DailyRow;
use crate::domain::{period, scope};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_problem::{ApiQuery, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(received_daily), components(schemas(DailyRow, DailyList)))]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/received-daily", get(received_daily))
}

/// Received dossiers per day and agency (số hồ sơ tiếp nhận theo ngày), in one page.
#[derive(Serialize, ToSchema)]
pub(crate) struct DailyList {
    /// One row per day and agency, oldest first.
    items: Vec<DailyRow>,
    /// Always null: the list is one page.
    next_cursor: Option<String>,
}

/// Filters: the period (`from` not after `to`) and the agency.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DailyQuery {
    /// First day (YYYY-MM-DD, local), inclusive.
    #[param(format = Date, example = "2026-11-01")]
    from: String,
    /// Last day (YYYY-MM-DD, local), inclusive.
    #[param(format = Date, example = "2026-11-30")]
    to: String,
    /// Receiving agency (inspectors and admins: any or all; others: their own).
    agency: Option<String>,
}

/// Received dossiers per day and agency. Inspectors and admins see every agency; agency
/// heads and one-stop officers see their own.
#[utoipa::path(get, path = "/api/v1/reports/received-daily", tag = "reports", params(DailyQuery),
    responses((status = 200, description = "the rows of the period", body = DailyList,
            example = json!({"items": [{"day": "2026-11-27", "agency": "000.25.80.H80",
            "received": 42, "online": 30, "direct_postal": 12}], "next_cursor": null})),
        (status = 403, description = "role_not_allowed, agency_not_allowed: another agency"),
        (status = 422, description = "invalid_query: a date not YYYY-MM-DD, or from after to")),
    security(("bearer" = [])))]
async fn received_daily(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DailyQuery>,
) -> ApiResult<Json<DailyList>> {
    let agency = scope::agency(&caller, q.agency)?;
    let (from, to) = period::period(&q.from, &q.to)?;
    let items = store::facts::daily(&s.pool, from, to, agency.as_deref()).await?;
    Ok(Json(DailyList {
        items,
        next_cursor: None,
    }))
}
