//! Cases (hồ sơ đang giải quyết): opened from `dossier.received` with one task per template
//! step, read by staff, and their processing control slip (handovers).

use crate::plan::{self, PlannedTask, TaskKind};
use crate::{AppState, tasks};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_calendar::PROVINCE_OFFSET;
use motcua_events::DossierReceived;
use motcua_problem::{ApiPath, ApiResult, Problem, codes};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(paths(get_case, handovers), components(schemas(Case, Handover)))]
pub(crate) struct Doc;

/// A case as stored.
#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub(crate) struct Case {
    pub id: Uuid,
    pub dossier_code: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub receiving_agency: String,
    /// open | paused | completed | closed
    pub state: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub due_at: OffsetDateTime,
    pub due_provisional: bool,
    /// Trace id of the request that created the dossier.
    pub trace_id: Option<String>,
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dossiers/{code}/case", get(get_case))
        .route("/api/v1/dossiers/{code}/handovers", get(handovers))
}

/// A task ready to insert: its plan and, for tasks opened now, their deadline.
pub(crate) struct NewTask {
    pub planned: PlannedTask,
    pub due_at: Option<OffsetDateTime>,
}

/// Opens the case and its tasks; `false` if the dossier already has a case.
pub(crate) async fn open(
    tx: &mut PgConnection,
    event_id: Uuid,
    ev: &DossierReceived,
    opened_at: OffsetDateTime,
    trace_id: Option<String>,
    new_tasks: &[NewTask],
) -> Result<Option<Uuid>, sqlx::Error> {
    let id = Uuid::now_v7();
    let done = sqlx::query(
        "INSERT INTO dossier_case (id, dossier_code, procedure_code, procedure_version, receiving_agency, state,
                                   opened_at, received_at, due_at, due_provisional, opened_by_event, trace_id)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11)
         ON CONFLICT (dossier_code) DO NOTHING",
    )
    .bind(id)
    .bind(&ev.dossier_code)
    .bind(&ev.procedure_code)
    .bind(ev.procedure_version)
    .bind(&ev.receiving_agency)
    .bind(opened_at)
    .bind(ev.received_at)
    .bind(ev.due_at)
    .bind(ev.due_provisional)
    .bind(event_id)
    .bind(trace_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(None);
    }
    for t in new_tasks {
        let p = &t.planned;
        let state = match (p.kind, t.due_at) {
            (TaskKind::Receive, _) => "done",
            (_, Some(_)) => "open",
            _ => "pending",
        };
        let received = (p.kind == TaskKind::Receive).then_some(ev.received_at);
        sqlx::query(
            "INSERT INTO task (id, case_id, dossier_code, position, block, name, agency, sector, kind, budget_minutes,
                               state, opened_at, due_at, completed_at, completed_by, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .bind(&ev.dossier_code)
        .bind(p.position)
        .bind(p.block)
        .bind(&p.step.name)
        .bind(&p.step.agency)
        .bind(&p.step.sector)
        .bind(p.kind.as_str())
        .bind(p.step.budget_minutes)
        .bind(state)
        .bind(t.due_at.map(|_| opened_at).or(received))
        .bind(t.due_at)
        .bind(received)
        .bind(received.map(|_| "intake"))
        .bind(received.map(|_| "done"))
        .execute(&mut *tx)
        .await?;
    }
    // The first handover: the one-stop forwards the dossier to the first processing agencies.
    for t in new_tasks.iter().filter(|t| t.due_at.is_some()) {
        tasks::add_handover(
            tx,
            &ev.dossier_code,
            None,
            opened_at,
            (&ev.receiving_agency, None),
            (&t.planned.step.agency, None),
            &t.planned.step.name,
            t.due_at,
            None,
        )
        .await?;
    }
    Ok(Some(id))
}

/// Plans the tasks for a template with the processing block's deadlines.
pub(crate) fn planned_with_deadlines(
    planned: Vec<PlannedTask>,
    first_block_dues: &[(i32, OffsetDateTime)],
) -> Vec<NewTask> {
    planned
        .into_iter()
        .map(|p| {
            let due = first_block_dues
                .iter()
                .find(|(pos, _)| *pos == p.position)
                .map(|(_, d)| *d);
            NewTask {
                planned: p,
                due_at: due,
            }
        })
        .collect()
}

/// The first processing block of a plan.
pub(crate) fn first_block(planned: &[PlannedTask]) -> Vec<&PlannedTask> {
    match plan::first_process_block(planned) {
        Some(b) => planned.iter().filter(|t| t.block == b).collect(),
        None => Vec::new(),
    }
}

/// The case of a dossier, if opened.
pub(crate) async fn find(pool: &PgPool, dossier_code: &str) -> Result<Option<Case>, sqlx::Error> {
    let c = sqlx::query_as::<_, Case>(
        "SELECT id, dossier_code, procedure_code, procedure_version, receiving_agency, state, opened_at, due_at,
                due_provisional, trace_id
           FROM dossier_case WHERE dossier_code = $1",
    )
    .bind(dossier_code)
    .fetch_optional(pool)
    .await?;
    Ok(c.map(|mut c| {
        c.opened_at = c.opened_at.to_offset(PROVINCE_OFFSET);
        c.due_at = c.due_at.to_offset(PROVINCE_OFFSET);
        c
    }))
}

/// May the caller see this case? Inspectors and admins; staff of the receiving agency or of
/// an agency with a task in it.
async fn may_see(pool: &PgPool, caller: &Caller, case: &Case) -> Result<bool, sqlx::Error> {
    if caller.has_any(&[Role::Inspector, Role::Admin]) {
        return Ok(true);
    }
    if !caller.has_any(&[
        Role::OneStopOfficer,
        Role::Specialist,
        Role::AgencyHead,
        Role::SectorSystem,
    ]) {
        return Ok(false);
    }
    let Some(agency) = caller.agency.as_deref() else {
        return Ok(false);
    };
    if agency == case.receiving_agency {
        return Ok(true);
    }
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM task WHERE case_id = $1 AND agency = $2)")
        .bind(case.id)
        .bind(agency)
        .fetch_one(pool)
        .await
}

async fn visible_case(s: &AppState, caller: &Caller, code: &str) -> Result<Case, Problem> {
    caller.require_any(&[
        Role::Inspector,
        Role::Admin,
        Role::OneStopOfficer,
        Role::Specialist,
        Role::AgencyHead,
        Role::SectorSystem,
    ])?;
    let case = find(&s.pool, code).await?.ok_or_else(|| {
        Problem::new(
            &codes::CASE_NOT_FOUND,
            format!("no case for dossier {code}"),
        )
    })?;
    if !may_see(&s.pool, caller, &case).await? {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            "the case is not at the caller's agency",
        ));
    }
    Ok(case)
}

/// The case behind a dossier.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/case", tag = "cases",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001")),
    responses((status = 200, body = Case, example = json!({"id": "01a21a72-2ab1-75e9-872f-c30b21711600", "dossier_code": "000.25.80.H80-261127-0001",
        "procedure_code": "1.001193", "procedure_version": 1, "receiving_agency": "000.25.80.H80", "state": "open",
        "opened_at": "2026-11-27T09:00:01+07:00", "due_at": "2026-11-27T17:00:00+07:00", "due_provisional": false,
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"})), (status = 403, description = "not allowed"), (status = 404, description = "no case")),
    security(("bearer" = [])))]
async fn get_case(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Case>> {
    Ok(Json(visible_case(&s, &caller, &code).await?))
}

/// One row of the processing control slip.
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub(crate) struct Handover {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub at: OffsetDateTime,
    pub from_agency: String,
    pub from_person: Option<String>,
    pub to_agency: String,
    pub to_person: Option<String>,
    pub step_name: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub step_deadline: Option<OffsetDateTime>,
    /// early | on_time | late (of the step handed over), when the step finished.
    pub result: Option<String>,
}

/// The processing control slip (phiếu kiểm soát quá trình giải quyết hồ sơ): one row per
/// handover with from/to agency and person, time, step deadline and early / on time / late.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/handovers", tag = "cases",
    params(("code" = String, Path)),
    responses((status = 200, content_type = "application/json", example = json!({"items": [
        {"at": "2026-11-27T09:00:01+07:00", "from_agency": "000.25.80.H80", "from_person": null, "to_agency": "000.30.80.H80",
         "to_person": null, "step_name": "Thẩm định, ghi sổ hộ tịch, trình ký", "step_deadline": "2026-11-27T15:00:01+07:00", "result": null},
        {"at": "2026-11-27T14:10:00+07:00", "from_agency": "000.30.80.H80", "from_person": "justice-1", "to_agency": "000.25.80.H80",
         "to_person": null, "step_name": "Thẩm định, ghi sổ hộ tịch, trình ký", "step_deadline": "2026-11-27T15:00:01+07:00", "result": "on_time"}],
        "next_cursor": null})),
        (status = 403, description = "not allowed"), (status = 404, description = "no case")),
    security(("bearer" = [])))]
async fn handovers(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    visible_case(&s, &caller, &code).await?;
    let rows = sqlx::query_as::<_, Handover>(
        "SELECT at, from_agency, from_person, to_agency, to_person, step_name, step_deadline, result
           FROM handover WHERE dossier_code = $1 ORDER BY id",
    )
    .bind(&code)
    .fetch_all(&s.pool)
    .await?;
    let items: Vec<Handover> = rows
        .into_iter()
        .map(|mut h| {
            h.at = h.at.to_offset(PROVINCE_OFFSET);
            h.step_deadline = h.step_deadline.map(|d| d.to_offset(PROVINCE_OFFSET));
            h
        })
        .collect();
    Ok(Json(
        serde_json::json!({ "items": items, "next_cursor": null }),
    ))
}
