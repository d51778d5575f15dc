//! The compliance report over REST (báo cáo vi phạm quy định): the inspection's findings as
//! counts per agency with the cases behind each count — attempts intake refused and recorded,
//! lateness without an apology, paper not digitised at receipt, dossiers returned unresolved,
//! and the one-stop listings that are stale today.

use crate::domain::compliance::{self, ComplianceCase, ComplianceRow};
use crate::domain::{period, scope};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_problem::{ApiQuery, ApiResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(report),
    components(schemas(ComplianceReport, ComplianceRow, ComplianceCase))
)]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/compliance", get(report))
}

/// Period (`from` not after `to`) and scope.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ComplianceQuery {
    /// First day (YYYY-MM-DD, local), inclusive.
    #[param(format = Date, example = "2026-11-01")]
    from: String,
    /// Last day (YYYY-MM-DD, local), inclusive.
    #[param(format = Date, example = "2026-11-30")]
    to: String,
    /// Agency (inspectors and admins: any or all; others: their own).
    agency: Option<String>,
}

/// The compliance report (báo cáo vi phạm quy định) of a period.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ComplianceReport {
    /// First day of the period (YYYY-MM-DD), inclusive.
    #[schema(value_type = String, format = Date)]
    from: Date,
    /// Last day of the period (YYYY-MM-DD), inclusive.
    #[schema(value_type = String, format = Date)]
    to: Date,
    /// One row per kind and agency, with its cases.
    items: Vec<ComplianceRow>,
    /// Count per kind.
    totals: BTreeMap<String, usize>,
}

/// Rule violations attempted or detected in the period, counted per agency with the list
/// behind each count; stale listings as the catalogue finds them today.
#[utoipa::path(get, path = "/api/v1/reports/compliance", tag = "reports", params(ComplianceQuery),
    responses((status = 200, description = "the report", body = ComplianceReport), (status = 401, description = "no or invalid token"),
        (status = 403, description = "role_not_allowed, agency_not_allowed: role or agency not allowed"),
        (status = 422, description = "invalid_query: bad date, from after to"),
        (status = 503, description = "catalogue_unavailable: the stale listings could not be read")),
    security(("bearer" = [])))]
async fn report(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ComplianceQuery>,
) -> ApiResult<Json<ComplianceReport>> {
    let agency = scope::agency(&caller, q.agency)?;
    let (from, to) = period::period(&q.from, &q.to)?;
    let span = period::instants(from, to);
    let mut cases: Vec<(String, String, ComplianceCase)> = Vec::new();
    for r in store::compliance::recorded(&s.pool, span, agency.as_deref()).await? {
        let case = ComplianceCase {
            at: Some(motcua_calendar::local_rfc3339(r.at)),
            dossier_code: r.dossier_code,
            procedure_code: None,
            actor: r.actor,
            detail: r.detail,
        };
        cases.push((r.kind, r.agency, case));
    }
    for l in s.catalogue.stale_listings().await? {
        if agency.as_deref().is_some_and(|a| a != l.one_stop) {
            continue;
        }
        let case = ComplianceCase {
            at: None,
            dossier_code: None,
            procedure_code: Some(l.procedure_code),
            actor: None,
            detail: serde_json::json!({ "reason": l.kind, "unit": l.name }),
        };
        cases.push(("stale_listing".into(), l.one_stop, case));
    }
    let items = compliance::rows(cases);
    let mut totals = BTreeMap::new();
    for r in &items {
        *totals.entry(r.kind.clone()).or_default() += r.count;
    }
    Ok(Json(ComplianceReport {
        from,
        to,
        items,
        totals,
    }))
}
