//! Steps at agencies over REST (việc cần xử lý): each agency's inbox, claiming, and finishing a
//! step — done, returned for the applicant's supplement (the dossier's one supplement request,
//! issued through intake), or refused (the refusal, form 03, issued through intake).

use crate::domain::case::{Case, Task, TaskState};
use crate::domain::inbox::{self, InboxQuery, InboxState, TaskView};
use crate::domain::progress;
use crate::domain::update::CaseUpdate;
use crate::state::{AppState, task_not_found};
use crate::store;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_problem::{ApiJson, ApiPath, ApiQuery, ApiResult, FieldError, Problem, codes};
use motcua_proto::intake::v1 as intake;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    paths(inbox_page, claim, complete),
    components(schemas(TaskView, TaskPage, InboxState, CompleteBody, Outcome, ReturnItem))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tasks", get(inbox_page))
        .route("/api/v1/tasks/{id}/claim", post(claim))
        .route("/api/v1/tasks/{id}/complete", post(complete))
}

/// A page of the inbox (hộp việc).
#[derive(Serialize, ToSchema)]
pub(crate) struct TaskPage {
    /// Running steps, soonest deadline first (steps without one last).
    items: Vec<TaskView>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

/// The caller's agency inbox (and sector, for a sector system): running steps, soonest
/// deadline first, a page at a time, each with its deadline, working time left and whether
/// its clock waits.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(InboxQuery),
    responses((status = 200, description = "a page of the inbox", body = TaskPage,
        example = json!({"items": [{"id": "01a21a72-2ab1-75e9-872f-c30b217116a5", "case_id": "01a21a72-2ab1-75e9-872f-c30b21711600",
        "dossier_code": "000.25.80.H80-261127-0001", "name": "Thẩm định, ghi sổ hộ tịch, trình ký", "agency": "000.30.80.H80",
        "sector": null, "kind": "process", "block": 1, "state": "open", "claimed_by": null, "due_at": "2026-11-27T15:00:00+07:00",
        "budget_minutes": 360, "working_minutes_left": 240, "working_hours_left": 4.0, "clock_paused": false,
        "waiting_for_supplement": false, "paused_minutes": 0}], "next_cursor": null})),
        (status = 403, description = "role_not_allowed, agency_not_allowed: not staff of an agency"),
        (status = 422, description = "invalid_query: a bad filter or a cursor not from this API")),
    security(("bearer" = [])))]
async fn inbox_page(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<Json<TaskPage>> {
    let filter = inbox::filter(&caller, &q)?;
    let mut conn = s.pool.acquire().await?;
    let rows = store::tasks::inbox(&mut conn, &filter).await?;
    let page = &rows[..rows.len().min(usize::try_from(filter.limit).unwrap_or(0))];
    let next_cursor = (rows.len() > page.len())
        .then(|| page.last().map(inbox::cursor_after))
        .flatten();
    let cals = s
        .calendars(&page.iter().map(|t| t.agency.as_str()).collect::<Vec<_>>())
        .await?;
    let now = s.now();
    let items: Vec<TaskView> = page
        .iter()
        .map(|t| inbox::view(t, cals.of(&t.agency), now))
        .collect();
    Ok(Json(TaskPage { items, next_cursor }))
}

/// Claims a step for the caller (409 if another person holds it); claiming one's own claim
/// again answers the same.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/claim", tag = "tasks", params(("id" = Uuid, Path, description = "task id")),
    responses((status = 200, description = "the step, held by the caller", body = TaskView),
        (status = 403, description = "agency_not_allowed: another agency's step"), (status = 404, description = "task_not_found: no task"),
        (status = 409, description = "task_claimed, task_not_open")),
    security(("bearer" = [])))]
async fn claim(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TaskView>> {
    let (case, _) = s.load_by_task(id).await?;
    let (tx, case, tasks) = s.lock(case.id).await?;
    let t = tasks
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| task_not_found(id))?;
    if let Some(update) = progress::claim(t, &caller, s.now())? {
        let by = motcua_audit::Actor::of(&caller);
        let mut u = CaseUpdate::new(&case, &tasks, by, "task.claimed");
        u.tasks.push(update);
        s.write(tx, &u).await?;
    }
    view_of(&s, id).await
}

/// A step's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Outcome {
    /// The step is done.
    Done,
    /// The agency needs the applicant to supplement: becomes the dossier's one supplement request.
    ReturnForSupplement,
    /// The agency finds the dossier must be refused: becomes the refusal (form 03).
    Refuse,
}

/// One item to supplement (nội dung cần bổ sung).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub(crate) struct ReturnItem {
    /// The component of the procedure to supplement.
    pub(crate) component_code: String,
    /// Why, as stated to the applicant.
    pub(crate) reason: String,
    /// What is wrong with what was handed in, when it was.
    #[serde(default)]
    pub(crate) defect: Option<String>,
}

/// Finishing a step: `items` are required (at least one) with `return_for_supplement`, and
/// `reasons` (at least one not blank) with `refuse`. The sector connector's `CompleteTask`
/// builds the same value.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"outcome": "done", "note": "Đã ghi sổ hộ tịch", "documents": []}))]
pub(crate) struct CompleteBody {
    /// Done, returned for the applicant's supplement, or refused.
    pub(crate) outcome: Outcome,
    /// A note kept with the step (`done`).
    #[serde(default)]
    pub(crate) note: Option<String>,
    /// Result documents (references), kept with the step.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub(crate) documents: Vec<serde_json::Value>,
    /// For `return_for_supplement`: every item at once.
    #[serde(default)]
    pub(crate) items: Vec<ReturnItem>,
    /// For `refuse`: the specific reasons.
    #[serde(default)]
    pub(crate) reasons: Vec<String>,
}

/// Finishes a step held by the caller (or open at the caller's agency): `done` hands it on
/// (the next block opens, or the result goes to the one-stop); `return_for_supplement` issues
/// the dossier's one supplement request through intake and the step waits for it; `refuse`
/// issues the refusal through intake. A retry of the same finish answers the same.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", tag = "tasks", params(("id" = Uuid, Path, description = "task id")),
    request_body = CompleteBody,
    responses((status = 200, description = "the step as finished", body = TaskView),
        (status = 403, description = "agency_not_allowed, dossier_action_not_allowed: another agency's step"),
        (status = 404, description = "task_not_found: no task"),
        (status = 409, description = "task_claimed, task_not_open, case_not_open, supplement_already_requested, illegal_transition"),
        (status = 422, description = "completion_invalid: `return_for_supplement` without items or `refuse` without reasons; \
            supplement_items_invalid, reasons_required: intake refused the items or reasons")),
    security(("bearer" = [])))]
async fn complete(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CompleteBody>,
) -> ApiResult<Json<TaskView>> {
    let (_, t) = finish(&s, &caller, id, &body).await?;
    view(&s, t).await
}

/// Finishes step `id` for `caller` with `c` — the one decision behind REST `complete` and the
/// sector connector's `CompleteTask`: `done` hands it on; `return_for_supplement` and `refuse`
/// go through intake first (its answer is the caller's), then are recorded on the step once,
/// whoever raced. A retry of a finish the caller already made answers the same. Returns the
/// case and the step as they are after it.
pub(crate) async fn finish(
    s: &AppState,
    caller: &Caller,
    id: Uuid,
    c: &CompleteBody,
) -> Result<(Case, Task), Problem> {
    check_body(c)?;
    let (case, tasks) = s.load_by_task(id).await?;
    let t = tasks
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| task_not_found(id))?;
    if already_finished(t, caller, c.outcome) {
        return current(s, id).await;
    }
    let cals = s.calendars_of(&case, &tasks).await?;
    match c.outcome {
        Outcome::Done => {
            let (tx, case, tasks) = s.lock(case.id).await?;
            let note = json!({"note": c.note, "documents": c.documents});
            let u = progress::complete(&case, &tasks, id, caller, note, s.now(), &cals)?;
            s.write(tx, &u).await?;
        }
        Outcome::ReturnForSupplement | Outcome::Refuse => {
            progress::check_may_act(&case, t, caller)?;
            through_intake(s, caller, &case, t, c).await?;
            let (tx, case, tasks) = s.lock(case.id).await?;
            let t = tasks
                .iter()
                .find(|t| t.id == id)
                .ok_or_else(|| task_not_found(id))?;
            // Recorded once, whoever raced: intake answered a retry with its stored answer.
            if !already_finished(t, caller, c.outcome)
                && progress::awaits_outcome(t, c.outcome == Outcome::Refuse)
            {
                let now = s.now();
                let u = match c.outcome {
                    Outcome::Refuse => {
                        progress::refused(&case, &tasks, id, caller, &c.reasons, now, &cals)?
                    }
                    _ => progress::returned_for_supplement(&case, &tasks, id, caller, now)?,
                };
                s.write(tx, &u).await?;
            }
        }
    }
    current(s, id).await
}

/// The body's fields for its outcome.
fn check_body(b: &CompleteBody) -> Result<(), Problem> {
    let missing = match b.outcome {
        Outcome::ReturnForSupplement if b.items.is_empty() => {
            Some(("items", "nêu đủ các nội dung cần bổ sung"))
        }
        Outcome::Refuse if b.reasons.iter().all(|r| r.trim().is_empty()) => {
            Some(("reasons", "nêu rõ lý do từ chối"))
        }
        _ => None,
    };
    match missing {
        Some((field, msg)) => Err(Problem::new(
            &codes::COMPLETION_INVALID,
            format!("outcome {:?} needs {field}", b.outcome),
        )
        .with_errors(vec![FieldError::new(
            field,
            &codes::OUTCOME_FIELDS_MISSING,
            msg,
        )])),
        None => Ok(()),
    }
}

/// A retry of a finish the caller already made (the same outcome): answered, not refused.
fn already_finished(t: &Task, caller: &Caller, outcome: Outcome) -> bool {
    let mine = t.claimed_by.as_deref() == Some(caller.sub.as_str());
    match outcome {
        Outcome::ReturnForSupplement => t.supplement_requested_at.is_some() && mine,
        _ => t.state == TaskState::Done && mine,
    }
}

/// Issues the supplement request or the refusal in intake, as the caller at their agency;
/// intake's answer (409, 422…) is the caller's answer.
async fn through_intake(
    s: &AppState,
    caller: &Caller,
    case: &Case,
    t: &Task,
    body: &CompleteBody,
) -> Result<(), Problem> {
    let actor = Some(intake::AgencyActor {
        sub: caller.sub.clone(),
        roles: caller.role_names(),
        agency: t.agency.clone(),
        idempotency_key: format!("task:{}:{:?}", t.id, body.outcome),
    });
    let mut client = s.intake.clone();
    let answered = match body.outcome {
        Outcome::Refuse => {
            client
                .refuse(intake::RefuseRequest {
                    dossier_code: case.dossier_code.clone(),
                    actor,
                    reasons: body.reasons.clone(),
                })
                .await
        }
        _ => {
            let items = body.items.iter().map(|i| intake::SupplementItem {
                component_code: i.component_code.clone(),
                reason: i.reason.clone(),
                defect: i.defect.clone().unwrap_or_default(),
            });
            client
                .request_supplement(intake::RequestSupplementRequest {
                    dossier_code: case.dossier_code.clone(),
                    actor,
                    items: items.collect(),
                })
                .await
        }
    };
    answered.map(drop).map_err(|e| Problem::from_status(&e))
}

/// The case of step `id` and the step, as they are now.
pub(crate) async fn current(s: &AppState, id: Uuid) -> Result<(Case, Task), Problem> {
    let (case, tasks) = s.load_by_task(id).await?;
    let t = tasks
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| task_not_found(id))?;
    Ok((case, t))
}

async fn view_of(s: &AppState, id: Uuid) -> ApiResult<Json<TaskView>> {
    let (_, t) = current(s, id).await?;
    view(s, t).await
}

/// The step as its agency sees it now (with its working time left).
async fn view(s: &AppState, t: Task) -> ApiResult<Json<TaskView>> {
    let cals = s.calendars(&[t.agency.as_str()]).await?;
    Ok(Json(inbox::view(&t, cals.of(&t.agency), s.now())))
}
