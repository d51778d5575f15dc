//! Tasks at agencies (việc cần xử lý): each agency's inbox, claiming, and completing. When the
//! last task of a block is done the next block opens (with its deadlines); when the last
//! processing block is done the case is completed and intake is told the result is ready.
//! Every completion writes a handover row with the step's early / on time / late result.

use crate::{AppState, plan};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_calendar::PROVINCE_OFFSET;
use motcua_problem::{ApiJson, ApiPath, ApiQuery, ApiResult, FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    paths(inbox, claim, complete),
    components(schemas(Task, CompleteBody, Outcome))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tasks", get(inbox))
        .route("/api/v1/tasks/{id}/claim", post(claim))
        .route("/api/v1/tasks/{id}/complete", post(complete))
}

/// A task as an agency sees it.
#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
#[schema(example = json!({"id": "01a21a72-2ab1-75e9-872f-c30b217116a5", "case_id": "01a21a72-2ab1-75e9-872f-c30b21711600",
    "dossier_code": "000.25.80.H80-261127-0001", "name": "Thẩm định, ghi sổ hộ tịch, trình ký", "agency": "000.30.80.H80",
    "kind": "process", "block": 1, "state": "open", "claimed_by": null, "due_at": "2026-11-27T15:00:00+07:00", "budget_minutes": 360}))]
pub(crate) struct Task {
    pub id: Uuid,
    pub case_id: Uuid,
    pub dossier_code: String,
    pub name: String,
    pub agency: String,
    pub kind: String,
    pub block: i32,
    /// pending | open | claimed | done | cancelled
    pub state: String,
    pub claimed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub due_at: Option<OffsetDateTime>,
    pub budget_minutes: i64,
}

const TASK_COLUMNS: &str = "id, case_id, dossier_code, name, agency, kind, block, state, claimed_by, due_at, budget_minutes";

fn local(mut t: Task) -> Task {
    t.due_at = t.due_at.map(|d| d.to_offset(PROVINCE_OFFSET));
    t
}

/// Inbox filter.
#[derive(Deserialize, IntoParams)]
pub(crate) struct InboxQuery {
    /// `open` or `claimed` (default: both).
    state: Option<String>,
}

const STAFF: [Role; 4] = [
    Role::Specialist,
    Role::AgencyHead,
    Role::SectorSystem,
    Role::OneStopOfficer,
];

fn caller_agency(c: &Caller) -> Result<&str, Problem> {
    c.require_any(&STAFF)?;
    c.agency
        .as_deref()
        .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_ALLOWED, "the caller acts for no agency"))
}

/// The caller's agency inbox, soonest deadline first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(InboxQuery),
    responses((status = 200, content_type = "application/json", example = json!({"items": [{"id": "01a21a72-2ab1-75e9-872f-c30b217116a5",
        "dossier_code": "000.25.80.H80-261127-0001", "name": "Thẩm định, ghi sổ hộ tịch, trình ký", "agency": "000.30.80.H80",
        "state": "open", "due_at": "2026-11-27T15:00:00+07:00"}], "next_cursor": null}))),
    security(("bearer" = [])))]
async fn inbox(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let agency = caller_agency(&caller)?;
    let states: Vec<&str> = match q.state.as_deref() {
        None => vec!["open", "claimed"],
        Some(st @ ("open" | "claimed")) => vec![st],
        Some(_) => {
            return Err(
                Problem::new(&codes::INVALID_QUERY, "state must be open or claimed").with_errors(
                    vec![FieldError::new(
                        "state",
                        &codes::INVALID_VALUE,
                        "open | claimed",
                    )],
                ),
            );
        }
    };
    let items: Vec<Task> = sqlx::query_as::<_, Task>(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLUMNS} FROM task WHERE agency = $1 AND state = ANY($2) ORDER BY due_at NULLS LAST, id LIMIT 500"
    )))
    .bind(agency)
    .bind(&states)
    .fetch_all(&s.pool)
    .await?
    .into_iter()
    .map(local)
    .collect();
    Ok(Json(json!({ "items": items, "next_cursor": null })))
}

async fn lock_task(tx: &mut PgConnection, id: Uuid) -> Result<Task, Problem> {
    sqlx::query_as::<_, Task>(sqlx::AssertSqlSafe(format!(
        "SELECT {TASK_COLUMNS} FROM task WHERE id = $1 FOR UPDATE"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| Problem::new(&codes::TASK_NOT_FOUND, format!("no task {id}")))
}

fn own_agency(caller: &Caller, t: &Task) -> Result<(), Problem> {
    let agency = caller_agency(caller)?;
    if agency != t.agency {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            "the task belongs to another agency",
        ));
    }
    Ok(())
}

/// Claims a task for the caller; `409 task_claimed` if someone else holds it.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/claim", tag = "tasks", params(("id" = Uuid, Path)),
    responses((status = 200, body = Task), (status = 409, description = "claimed by another person, or not open")),
    security(("bearer" = [])))]
async fn claim(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Task>> {
    let mut tx = s.pool.begin().await?;
    let t = lock_task(&mut tx, id).await?;
    own_agency(&caller, &t)?;
    match (t.state.as_str(), t.claimed_by.as_deref()) {
        ("claimed", Some(who)) if who == caller.sub => return Ok(Json(local(t))),
        ("claimed", Some(who)) => {
            return Err(
                Problem::new(&codes::TASK_CLAIMED, format!("the task is held by {who}"))
                    .with("claimed_by", who),
            );
        }
        ("open", _) => {}
        (state, _) => {
            return Err(
                Problem::new(&codes::TASK_NOT_OPEN, format!("the task is {state}"))
                    .with("state", state),
            );
        }
    }
    sqlx::query("UPDATE task SET state = 'claimed', claimed_by = $2 WHERE id = $1")
        .bind(id)
        .bind(&caller.sub)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(local(Task {
        state: "claimed".into(),
        claimed_by: Some(caller.sub.clone()),
        ..t
    })))
}

/// Outcome of a task.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// The step is done; the dossier moves on.
    Done,
    /// The agency needs a supplement: the one-stop issues the (single) request.
    ReturnForSupplement,
    /// The agency finds the dossier must be refused: the one-stop issues the refusal.
    Refuse,
}

/// Completion of a task.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"outcome": "done", "note": "Đã ghi sổ hộ tịch", "documents": []}))]
pub(crate) struct CompleteBody {
    outcome: Outcome,
    #[serde(default)]
    note: Option<String>,
    /// Result documents (references), kept with the task.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    documents: Vec<serde_json::Value>,
}

/// Completes a task (claimed by the caller, or open at the caller's agency). `done` opens the
/// next block or completes the case. The other outcomes are not accepted yet: the supplement
/// request and the refusal are issued at the one-stop (intake), which records them.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", tag = "tasks", params(("id" = Uuid, Path)),
    request_body = CompleteBody,
    responses((status = 200, body = Task), (status = 409, description = "not open, claimed by another, or case paused/closed"),
        (status = 422, description = "outcome not accepted")),
    security(("bearer" = [])))]
async fn complete(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CompleteBody>,
) -> ApiResult<Json<Task>> {
    if body.outcome != Outcome::Done {
        return Err(Problem::new(
            &codes::COMPLETION_INVALID,
            "return_for_supplement and refuse are issued by the one-stop through intake \
             (POST /api/v1/dossiers/{code}/supplement-requests or /refusal)",
        )
        .with_errors(vec![FieldError::new(
            "outcome",
            &codes::INVALID_VALUE,
            "use done",
        )]));
    }
    let now = s.platform.clock.now();
    let mut tx = s.pool.begin().await?;
    // Lock the case first: parallel tasks completing together must see each other.
    let t = {
        let peek = sqlx::query_scalar::<_, Uuid>("SELECT case_id FROM task WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| Problem::new(&codes::TASK_NOT_FOUND, format!("no task {id}")))?;
        let state: String =
            sqlx::query_scalar("SELECT state FROM dossier_case WHERE id = $1 FOR UPDATE")
                .bind(peek)
                .fetch_one(&mut *tx)
                .await?;
        if state != "open" {
            return Err(
                Problem::new(&codes::CASE_NOT_OPEN, format!("the case is {state}"))
                    .with("case_state", state),
            );
        }
        lock_task(&mut tx, id).await?
    };
    own_agency(&caller, &t)?;
    match (t.state.as_str(), t.claimed_by.as_deref()) {
        ("open", _) => {}
        ("claimed", Some(who)) if who == caller.sub => {}
        ("claimed", Some(who)) => {
            return Err(
                Problem::new(&codes::TASK_CLAIMED, format!("the task is held by {who}"))
                    .with("claimed_by", who),
            );
        }
        (state, _) => {
            return Err(
                Problem::new(&codes::TASK_NOT_OPEN, format!("the task is {state}"))
                    .with("state", state),
            );
        }
    }
    let result = t.due_at.map(|due| plan::timeliness(now, due));
    sqlx::query(
        "UPDATE task SET state = 'done', claimed_by = coalesce(claimed_by, $2), completed_at = $3, completed_by = $2,
                         outcome = 'done', note = $4, timeliness = $5
          WHERE id = $1",
    )
    .bind(id)
    .bind(&caller.sub)
    .bind(now)
    .bind(json!({"note": body.note, "documents": body.documents}).to_string())
    .bind(result)
    .execute(&mut *tx)
    .await?;
    crate::advance::after_completion(&s, &mut tx, &t, &caller.sub, now, result).await?;
    tx.commit().await?;
    s.relay_wake.notify_one();
    Ok(Json(local(Task {
        state: "done".into(),
        ..t
    })))
}

/// Records one handover (a row of the processing control slip).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn add_handover(
    tx: &mut PgConnection,
    dossier_code: &str,
    task_id: Option<Uuid>,
    at: OffsetDateTime,
    from: (&str, Option<&str>),
    to: (&str, Option<&str>),
    step_name: &str,
    step_deadline: Option<OffsetDateTime>,
    result: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO handover (dossier_code, task_id, at, from_agency, from_person, to_agency, to_person,
                               step_name, step_deadline, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(dossier_code)
    .bind(task_id)
    .bind(at)
    .bind(from.0)
    .bind(from.1)
    .bind(to.0)
    .bind(to.1)
    .bind(step_name)
    .bind(step_deadline)
    .bind(result)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
