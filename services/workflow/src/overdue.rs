//! Overdue and near-due over REST (hồ sơ quá hạn, sắp đến hạn): the caller's agency's steps and
//! dossiers past or near their deadlines, with the agency responsible (province-wide for
//! inspectors), and a scan an administrator can run at once.

use crate::domain::clock::time_left;
use crate::state::AppState;
use crate::store;
use crate::workers;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_calendar::local_rfc3339 as rfc3339;
use motcua_problem::{ApiQuery, ApiResult, Problem, codes};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, OpenApi};

#[derive(OpenApi)]
#[openapi(paths(list, scan))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/overdue", get(list))
        .route("/api/v1/overdue/scan", post(scan))
}

/// Filter of the overdue list.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct OverdueQuery {
    /// An agency (inspectors and admins; staff see their own agency only).
    agency: Option<String>,
}

/// The agency listed for `caller`: their own (staff), any or all (inspectors, admins).
fn scope(caller: &Caller, asked: Option<String>) -> Result<Option<String>, Problem> {
    caller.require_any(&[
        Role::Inspector,
        Role::Admin,
        Role::AgencyHead,
        Role::Specialist,
        Role::OneStopOfficer,
        Role::SectorSystem,
    ])?;
    if caller.has_any(&[Role::Inspector, Role::Admin]) {
        return Ok(asked);
    }
    let own = caller
        .agency
        .clone()
        .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_ALLOWED, "the caller acts for no agency"))?;
    if asked.as_deref().is_some_and(|a| a != own) {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            "only the caller's own agency",
        ));
    }
    Ok(Some(own))
}

/// Steps and dossiers overdue or due within the near-due margin (default 8 working hours),
/// each with the agency responsible; a clock that waits (the applicant holds the dossier) is
/// never listed.
#[utoipa::path(get, path = "/api/v1/overdue", tag = "cases", params(OverdueQuery),
    responses((status = 200, content_type = "application/json", example = json!({"items": [
        {"kind": "task", "state": "overdue", "dossier_code": "000.25.80.H80-261127-0001", "task_id": "01a21a72-2ab1-75e9-872f-c30b217116a5",
         "step": "Thẩm định, ghi sổ hộ tịch, trình ký", "agency": "000.30.80.H80", "deadline": "2026-11-27T15:00:00+07:00", "working_minutes_left": -30},
        {"kind": "dossier", "state": "near_due", "dossier_code": "000.25.80.H80-261127-0002", "task_id": null, "step": null,
         "agency": "000.30.80.H80", "deadline": "2026-11-30T17:00:00+07:00", "working_minutes_left": 240, "apology_on_file": false}], "next_cursor": null})),
        (status = 403, description = "another agency")),
    security(("bearer" = [])))]
async fn list(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let agency = scope(&caller, q.agency)?;
    let now = s.now();
    let horizon = now + time::Duration::days(21);
    let mut conn = s.pool.acquire().await?;
    let tasks =
        store::alerts::task_candidates(&mut conn, horizon, agency.as_deref(), false, 500).await?;
    let cals = s
        .calendars(
            &tasks
                .iter()
                .map(|(t, _)| t.agency.as_str())
                .collect::<Vec<_>>(),
        )
        .await?;
    let margin = s.rules.near_due.as_minutes();
    let state = |left: i64| {
        if left < 0 {
            Some("overdue")
        } else if left <= margin {
            Some("near_due")
        } else {
            None
        }
    };
    let mut items = Vec::new();
    for (t, _) in &tasks {
        let left = time_left(cals.of(&t.agency), t, now)
            .map(|d| d.as_minutes())
            .unwrap_or(0);
        if let (Some(st), Some(due)) = (state(left), t.due_at) {
            items.push(json!({"kind": "task", "state": st, "dossier_code": t.dossier_code, "task_id": t.id, "step": t.name,
                "agency": t.agency, "deadline": rfc3339(due), "working_minutes_left": left}));
        }
    }
    for case in store::alerts::cases_due(&mut conn, horizon, agency.as_deref(), 500).await? {
        let case_tasks = store::tasks::of_case(&mut conn, case.id).await?;
        let cal = s.catalogue.calendar(&case.receiving_agency).await?;
        let left = crate::domain::clock::signed_elapsed(&cal, now, case.due_at).as_minutes();
        if let Some(st) = state(left) {
            let apologised = store::extensions::exists(&mut conn, &case.dossier_code).await?;
            items.push(json!({"kind": "dossier", "state": st, "dossier_code": case.dossier_code, "task_id": null, "step": null,
                "agency": workers::responsible(&case, &case_tasks), "deadline": rfc3339(case.due_at), "working_minutes_left": left,
                "apology_on_file": apologised}));
        }
    }
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

/// Runs one near-due and overdue scan now (admin); marks are made once whoever runs them.
#[utoipa::path(post, path = "/api/v1/overdue/scan", tag = "cases",
    responses((status = 200, content_type = "application/json", example = json!({"marked": 2})), (status = 403, description = "not an admin")),
    security(("bearer" = [])))]
async fn scan(caller: Caller, State(s): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(&[Role::Admin])?;
    let marked = workers::deadline_scan(&s).await?;
    Ok(Json(json!({ "marked": marked })))
}
