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
use motcua_problem::{ApiQuery, ApiResult, Problem, codes};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    paths(list, scan),
    components(schemas(DueList, DueItem, DueSubject, DueState, ScanOutcome))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/overdue", get(list))
        .route("/api/v1/overdue/scan", post(scan))
}

/// Filter of the overdue list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct OverdueQuery {
    /// An agency (inspectors and admins: one or, absent, the province; staff see their own
    /// agency only and may name only it).
    agency: Option<String>,
}

/// What is late: a step at an agency, or the whole dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DueSubject {
    /// A step (bước xử lý) past or near its own deadline.
    Task,
    /// A dossier (hồ sơ) past or near its appointment.
    Dossier,
}

/// How late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DueState {
    /// Past its deadline (quá hạn).
    Overdue,
    /// Within the near-due margin of its deadline (sắp đến hạn).
    NearDue,
}

impl DueState {
    /// The state of a deadline `left` working minutes away, given the near-due `margin`; none
    /// when it is further.
    fn of(left: i64, margin: i64) -> Option<Self> {
        if left < 0 {
            Some(Self::Overdue)
        } else if left <= margin {
            Some(Self::NearDue)
        } else {
            None
        }
    }
}

/// A step or dossier past or near its deadline, with the agency responsible.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DueItem {
    /// A step or the whole dossier.
    kind: DueSubject,
    /// Overdue or near due.
    state: DueState,
    /// Its dossier (mã hồ sơ).
    dossier_code: String,
    /// The step's task id; null for a dossier.
    task_id: Option<Uuid>,
    /// The step's name; null for a dossier.
    step: Option<String>,
    /// The agency responsible: the step's, or for a dossier the agency holding it.
    agency: String,
    /// The deadline (RFC 3339, +07:00).
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    deadline: OffsetDateTime,
    /// Working minutes left before the deadline; negative once overdue.
    working_minutes_left: i64,
    /// For a dossier: whether its apology and re-appointment (form 04) is on file. Absent for
    /// a step.
    #[serde(skip_serializing_if = "Option::is_none")]
    apology_on_file: Option<bool>,
}

/// The overdue and near-due list, steps first, in one page.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DueList {
    /// Steps, then dossiers.
    items: Vec<DueItem>,
    /// Always null: the list is one page (at most 500 of each).
    next_cursor: Option<String>,
}

/// What one scan marked.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ScanOutcome {
    /// Marks made by this scan (near-due, overdue, late without apology); marks made before
    /// are not made again.
    marked: usize,
}

/// The agency listed for `caller`: their own (staff), any or all (inspectors, admins).
fn scope(caller: &Caller, asked: Option<String>) -> Result<Option<String>, Problem> {
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
    responses((status = 200, description = "the overdue and near-due steps and dossiers", body = DueList,
        example = json!({"items": [
        {"kind": "task", "state": "overdue", "dossier_code": "000.25.80.H80-261127-0001", "task_id": "01a21a72-2ab1-75e9-872f-c30b217116a5",
         "step": "Thẩm định, ghi sổ hộ tịch, trình ký", "agency": "000.30.80.H80", "deadline": "2026-11-27T15:00:00+07:00", "working_minutes_left": -30},
        {"kind": "dossier", "state": "near_due", "dossier_code": "000.25.80.H80-261127-0002", "task_id": null, "step": null,
         "agency": "000.30.80.H80", "deadline": "2026-11-30T17:00:00+07:00", "working_minutes_left": 240, "apology_on_file": false}], "next_cursor": null})),
        (status = 403, description = "agency_not_allowed: another agency, or the caller acts for none")),
    security(("bearer" = [])))]
async fn list(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> ApiResult<Json<DueList>> {
    let agency = scope(&caller, q.agency)?;
    let now = s.now();
    let horizon = now + time::Duration::days(21);
    let margin = s.rules.near_due.as_minutes();
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
    let mut items = Vec::new();
    for (t, _) in tasks {
        let left = time_left(cals.of(&t.agency), &t, now)
            .map(|d| d.as_minutes())
            .unwrap_or(0);
        if let (Some(state), Some(deadline)) = (DueState::of(left, margin), t.due_at) {
            items.push(DueItem {
                kind: DueSubject::Task,
                state,
                dossier_code: t.dossier_code,
                task_id: Some(t.id),
                step: Some(t.name),
                agency: t.agency,
                deadline,
                working_minutes_left: left,
                apology_on_file: None,
            });
        }
    }
    for case in store::alerts::cases_due(&mut conn, horizon, agency.as_deref(), 500).await? {
        let case_tasks = store::tasks::of_case(&mut conn, case.id).await?;
        let cal = s.catalogue.calendar(&case.receiving_agency).await?;
        let left = crate::domain::clock::signed_elapsed(&cal, now, case.due_at).as_minutes();
        if let Some(state) = DueState::of(left, margin) {
            let apologised = store::extensions::exists(&mut conn, &case.dossier_code).await?;
            items.push(DueItem {
                kind: DueSubject::Dossier,
                state,
                agency: workers::responsible(&case, &case_tasks),
                dossier_code: case.dossier_code,
                task_id: None,
                step: None,
                deadline: case.due_at,
                working_minutes_left: left,
                apology_on_file: Some(apologised),
            });
        }
    }
    Ok(Json(DueList {
        items,
        next_cursor: None,
    }))
}

/// Runs one near-due and overdue scan now (admin); marks are made once whoever runs them.
#[utoipa::path(post, path = "/api/v1/overdue/scan", tag = "cases",
    responses((status = 200, description = "the scan ran", body = ScanOutcome, example = json!({"marked": 2})),
        (status = 403, description = "role_not_allowed: not an admin")),
    security(("bearer" = [])))]
async fn scan(State(s): State<AppState>) -> ApiResult<Json<ScanOutcome>> {
    let marked = workers::deadline_scan(&s).await?;
    Ok(Json(ScanOutcome { marked }))
}
