//! The service index over REST (Bộ chỉ số phục vụ người dân, doanh nghiệp — Decision
//! 766/QĐ-TTg): the groups motcua's data supports for a period and scope, with the rates
//! behind them.

use crate::domain::service_index::{self, IndexGroup, ServiceIndex};
use crate::domain::{period, scope};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_problem::{ApiQuery, ApiResult};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(index), components(schemas(ServiceIndex, IndexGroup)))]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/service-index", get(index))
}

/// Period (`from` not after `to`) and scope.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct IndexQuery {
    /// First day (YYYY-MM-DD, local), inclusive.
    #[param(format = Date, example = "2026-11-01")]
    from: String,
    /// Last day (YYYY-MM-DD, local), inclusive.
    #[param(format = Date, example = "2026-11-30")]
    to: String,
    /// Agency (inspectors and admins: any or all; others: their own).
    agency: Option<String>,
}

/// The 766 index groups motcua's data supports (progress, digitisation, online, satisfaction;
/// publicity is shown as not computed), each with its formula and rates.
#[utoipa::path(get, path = "/api/v1/reports/service-index", tag = "reports", params(IndexQuery),
    responses((status = 200, description = "the index groups and points", body = ServiceIndex),
        (status = 401, description = "no or invalid token"),
        (status = 403, description = "role_not_allowed, agency_not_allowed: role or agency not allowed"),
        (status = 422, description = "invalid_query: bad date, from after to")),
    security(("bearer" = [])))]
async fn index(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<IndexQuery>,
) -> ApiResult<Json<ServiceIndex>> {
    let agency = scope::agency(&caller, q.agency)?;
    let (from, to) = period::period(&q.from, &q.to)?;
    let inputs =
        store::satisfaction::index_inputs(&s.pool, period::instants(from, to), agency.as_deref())
            .await?;
    Ok(Json(service_index::compute(&inputs)))
}
