//! The handling report over REST (báo cáo tình hình giải quyết TTHC, form II.06a): read from
//! the daily and monthly flows, as JSON, CSV, XLSX or a printable page.

use crate::domain::handling::{
    GroupBy, HandlingReport, HandlingRow, InProgress, Plan, Received, Resolved,
};
use crate::domain::{period, scope};
use crate::export::{self, Format};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_problem::{ApiQuery, ApiResult, Problem};
use serde::Deserialize;
use sqlx::PgPool;
use time::Date;
use utoipa::{IntoParams, OpenApi};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(handling),
    components(schemas(HandlingReport, HandlingRow, Received, Resolved, InProgress, GroupBy))
)]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/handling", get(handling))
}

/// The period (`from` not after `to`), scope and grouping.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HandlingQuery {
    /// First day (YYYY-MM-DD, local), inclusive.
    #[param(format = Date, example = "2026-11-01")]
    from: String,
    /// Last day (YYYY-MM-DD, local), inclusive.
    #[param(format = Date, example = "2026-11-30")]
    to: String,
    /// Receiving agency (inspectors and admins: any or all; others: their own).
    agency: Option<String>,
    /// `field` (default), `procedure`, `agency` or `level`.
    #[param(value_type = Option<GroupBy>)]
    group_by: Option<String>,
}

/// The report of `[from, to]` grouped by `group_by`, at `agency` or every agency.
pub(crate) async fn report(
    pool: &PgPool,
    (from, to): (Date, Date),
    group_by: GroupBy,
    agency: Option<&str>,
) -> Result<HandlingReport, Problem> {
    let sums = store::flows::handling(pool, &Plan::of(from, to), group_by, agency).await?;
    let rows = sums
        .into_iter()
        .map(|s| HandlingRow::of(Some(s.key), &s.before, &s.period, &s.end))
        .collect();
    Ok(HandlingReport::of(from, to, group_by, rows))
}

/// The handling report (form II.06a): per group, received (carried over, online,
/// direct/postal), resolved in the period (early, on time, late), in progress at its end
/// (within time, overdue) and the raw counters, with a totals row; `Accept: text/csv`, the
/// spreadsheet type or `text/html` for the other formats. Inspectors and admins report on any
/// agency or all; agency heads and one-stop officers on their own.
#[utoipa::path(get, path = "/api/v1/reports/handling", tag = "reports", params(HandlingQuery),
    responses(
        (status = 200, description = "the report: JSON by default; CSV with the form's Vietnamese headings, \
            the spreadsheet, or a printable page with the on-time chart, as `Accept` asks",
            content((HandlingReport = "application/json"), (String = "text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "text/html"))),
        (status = 401, description = "no or invalid token"),
        (status = 403, description = "role_not_allowed, agency_not_allowed: role or agency not allowed"),
        (status = 422, description = "invalid_query: bad date, from after to, unknown group_by")),
    security(("bearer" = [])))]
async fn handling(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<HandlingQuery>,
) -> ApiResult<Response> {
    let agency = scope::agency(&caller, q.agency)?;
    let span = period::period(&q.from, &q.to)?;
    let group_by = GroupBy::parse(q.group_by.as_deref())?;
    let r = report(&s.pool, span, group_by, agency.as_deref()).await?;
    Ok(match Format::of(&headers) {
        Format::Json => Json(r).into_response(),
        Format::Csv => export::answer("text/csv; charset=utf-8", export::csv(&r)?),
        Format::Xlsx => export::answer(export::XLSX, export::xlsx(&r)?),
        Format::Html => {
            let by_agency = match group_by {
                GroupBy::Agency => r.clone(),
                _ => report(&s.pool, span, GroupBy::Agency, agency.as_deref()).await?,
            };
            let page = export::html(&r, &by_agency).into_bytes();
            export::answer("text/html; charset=utf-8", page)
        }
    })
}
