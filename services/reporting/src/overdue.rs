//! The overdue report over REST (báo cáo hồ sơ quá hạn, sắp đến hạn): dossiers and steps past
//! their deadline or within the near-due margin, with the agency responsible and how late, in
//! working time.

use crate::domain::overdue::{Urgency, judge};
use crate::domain::scope;
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_calendar::WorkingDuration;
use motcua_problem::{ApiQuery, ApiResult};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(overdue),
    components(schemas(OverdueReport, LateDossier, LateStep, Urgency))
)]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/overdue", get(overdue))
}

/// Scope.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OverdueQuery {
    /// Agency (inspectors and admins: any or all; others: their own).
    agency: Option<String>,
}

/// A dossier past or near its appointment.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LateDossier {
    dossier_code: String,
    procedure_code: String,
    receiving_agency: String,
    /// The agency holding it (the responsible one), as of workflow's last alert.
    responsible_agency: String,
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    due_at: OffsetDateTime,
    urgency: Urgency,
    /// Working minutes past the appointment (overdue) or left (near-due).
    working_minutes: i64,
}

/// A step past or near its deadline.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LateStep {
    dossier_code: String,
    step: String,
    /// The agency whose step it is.
    agency: String,
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    deadline: OffsetDateTime,
    urgency: Urgency,
    /// Working minutes past the deadline (overdue) or left (near-due).
    working_minutes: i64,
}

/// The report, as of `at`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OverdueReport {
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    /// Dossiers, most overdue first.
    dossiers: Vec<LateDossier>,
    /// Steps, most overdue first.
    steps: Vec<LateStep>,
}

/// Overdue and near-due dossiers and steps, with the agency responsible and how late in working
/// time (a dossier waiting for the applicant is neither). Inspectors and admins see the
/// province (or `agency`); agency heads and one-stop officers their own agency.
#[utoipa::path(get, path = "/api/v1/reports/overdue", tag = "reports", params(OverdueQuery),
    responses((status = 200, description = "the overdue and near-due dossiers and steps", body = OverdueReport),
        (status = 401, description = "no or invalid token"),
        (status = 403, description = "role_not_allowed, agency_not_allowed: role or agency not allowed"),
        (status = 503, description = "catalogue_unavailable: an agency's calendar could not be read")),
    security(("bearer" = [])))]
async fn overdue(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> ApiResult<Json<OverdueReport>> {
    let agency = scope::agency(&caller, q.agency)?;
    let now = s.platform.clock.now();
    let margin = WorkingDuration::hours(i64::from(s.platform.settings.near_due_hours));
    // Past the horizon nothing can be within the margin (a week covers any holiday run).
    let horizon = now + time::Duration::days(21);
    let mut dossiers = Vec::new();
    for d in store::overdue::dossiers(&s.pool, horizon, agency.as_deref()).await? {
        let cal = s.catalogue.calendar(&d.receiving_agency).await?;
        if let Some((urgency, working_minutes)) = judge(&cal, now, d.due_at, margin) {
            dossiers.push(LateDossier {
                responsible_agency: d
                    .holding_agency
                    .unwrap_or_else(|| d.receiving_agency.clone()),
                dossier_code: d.dossier_code,
                procedure_code: d.procedure_code,
                receiving_agency: d.receiving_agency,
                due_at: d.due_at,
                urgency,
                working_minutes,
            });
        }
    }
    let mut steps = Vec::new();
    for t in store::overdue::steps(&s.pool, horizon, agency.as_deref()).await? {
        let cal = s.catalogue.calendar(&t.agency).await?;
        if let Some((urgency, working_minutes)) = judge(&cal, now, t.deadline, margin) {
            steps.push(LateStep {
                dossier_code: t.dossier_code,
                step: t.step,
                agency: t.agency,
                deadline: t.deadline,
                urgency,
                working_minutes,
            });
        }
    }
    Ok(Json(OverdueReport {
        at: now,
        dossiers,
        steps,
    }))
}
