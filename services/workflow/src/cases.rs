//! Cases over REST (hồ sơ đang giải quyết): the case behind a dossier with its steps, and its
//! processing control slip (phiếu kiểm soát quá trình giải quyết) naming, for a dossier that
//! finished late, the steps that overran and their agencies.

use crate::domain::case::{Case, CaseState, Task};
use crate::domain::inbox::{self, TaskView};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_calendar::local_rfc3339 as rfc3339;
use motcua_problem::{ApiPath, ApiResult, Problem};
use motcua_server::printed::Rendition;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(get_case, handovers),
    components(schemas(CaseView, ControlSlip, HandoverView, LateStep))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dossiers/{code}/case", get(get_case))
        .route("/api/v1/dossiers/{code}/handovers", get(handovers))
}

/// A step that finished after its deadline (bước quá hạn), with its agency.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LateStep {
    /// The step's name.
    step: String,
    /// Its agency.
    agency: String,
    /// Its deadline (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    deadline: Option<String>,
    /// When it finished (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    finished_at: Option<String>,
    /// Working minutes past its deadline.
    lateness_minutes: Option<i64>,
}

/// A case as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CaseView {
    /// The case's id.
    id: uuid::Uuid,
    /// Its dossier (mã hồ sơ).
    dossier_code: String,
    /// The procedure (mã TTHC).
    procedure_code: String,
    /// The one-stop unit that received it.
    receiving_agency: String,
    /// open | paused | completed | closed
    state: String,
    /// Received (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    received_at: String,
    /// The dossier's appointment now (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    due_at: String,
    /// When it is (or was) to be forwarded to the first agency.
    #[schema(format = DateTime)]
    forward_at: Option<String>,
    /// When it was forwarded.
    #[schema(format = DateTime)]
    forwarded_at: Option<String>,
    /// Waiting for the applicant since.
    #[schema(format = DateTime)]
    paused_at: Option<String>,
    /// The main clock stopped since (a step that pauses it runs).
    #[schema(format = DateTime)]
    main_clock_paused_at: Option<String>,
    /// When the case finished.
    #[schema(format = DateTime)]
    completed_at: Option<String>,
    /// Finished (or is) later than its appointment.
    late: bool,
    /// Steps that overran, with their agencies.
    late_steps: Vec<LateStep>,
    tasks: Vec<TaskView>,
}

/// Steps finished late, and whether the dossier is (or finished) late.
fn lateness(case: &Case, tasks: &[Task], now: OffsetDateTime) -> (bool, Vec<LateStep>) {
    // Late: finished after its appointment, or still running past it (a dossier refused or
    // withdrawn is not judged).
    let late = match (case.completed_at, case.state) {
        (Some(done), _) => done > case.due_at,
        (None, CaseState::Open | CaseState::Paused) => now > case.due_at,
        (None, _) => false,
    };
    let steps = tasks
        .iter()
        .filter(|t| t.timeliness == Some(motcua_calendar::Timeliness::Late))
        .map(|t| LateStep {
            step: t.name.clone(),
            agency: t.agency.clone(),
            deadline: t.due_at.map(rfc3339),
            finished_at: t.completed_at.map(rfc3339),
            lateness_minutes: t.lateness_minutes,
        })
        .collect();
    (late, steps)
}

/// The case if the caller may see it, else the answer of a dossier without a case: what the
/// caller may not see answers as what does not exist (no oracle on dossier codes).
fn may_see(caller: &Caller, case: &Case, tasks: &[Task]) -> Result<(), Problem> {
    match crate::domain::case::visible_to(caller, case, tasks) {
        true => Ok(()),
        false => Err(crate::state::case_not_found(&case.dossier_code)),
    }
}

/// The case behind a dossier, with its steps and the steps that overran.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/case", tag = "cases",
    params(("code" = String, Path, description = "dossier code", example = "000.25.80.H80-261127-0001")),
    responses((status = 200, description = "the case with its steps", body = CaseView, example = json!({"id": "01a21a72-2ab1-75e9-872f-c30b21711600", "dossier_code": "000.25.80.H80-261127-0001",
        "procedure_code": "1.001193", "receiving_agency": "000.25.80.H80", "state": "open", "received_at": "2026-11-27T09:00:00+07:00",
        "due_at": "2026-11-27T17:00:00+07:00", "forward_at": "2026-11-27T09:00:00+07:00", "forwarded_at": "2026-11-27T09:00:00+07:00",
        "paused_at": null, "main_clock_paused_at": null, "completed_at": null, "late": false, "late_steps": [], "tasks": []})),
        (status = 404, description = "case_not_found: no case, or one the caller may not see (the same \
            answer, so that a code's existence is not revealed)")),
    security(("bearer" = [])))]
async fn get_case(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    let (case, tasks) = s.load(&code).await?;
    may_see(&caller, &case, &tasks)?;
    let cals = s.calendars_of(&case, &tasks).await?;
    let now = s.now();
    let (late, late_steps) = lateness(&case, &tasks, now);
    Ok(Json(CaseView {
        id: case.id,
        dossier_code: case.dossier_code.clone(),
        procedure_code: case.procedure_code.clone(),
        receiving_agency: case.receiving_agency.clone(),
        state: case.state.as_str().into(),
        received_at: rfc3339(case.received_at),
        due_at: rfc3339(case.due_at),
        forward_at: case.forward_at.map(rfc3339),
        forwarded_at: case.forwarded_at.map(rfc3339),
        paused_at: case.paused_at.map(rfc3339),
        main_clock_paused_at: case.main_clock_paused_at.map(rfc3339),
        completed_at: case.completed_at.map(rfc3339),
        late,
        late_steps,
        tasks: tasks
            .iter()
            .map(|t| inbox::view(t, cals.of(&t.agency), now))
            .collect(),
    }))
}

/// One row of the processing control slip (một lần bàn giao hồ sơ).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HandoverView {
    /// When it was handed over (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    at: String,
    /// The agency handing it over (bên giao).
    from_agency: String,
    /// The person handing it over, when one did.
    from_person: Option<String>,
    /// The agency receiving it (bên nhận).
    to_agency: String,
    /// The person receiving it, when known.
    to_person: Option<String>,
    /// The step handed over.
    step_name: String,
    /// That step's deadline (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    step_deadline: Option<String>,
    /// early | on_time | late (of the step handed over), when the step finished.
    result: Option<String>,
    /// forward | handover | return_for_supplement | supplemented | succession | refusal
    reason: String,
}

/// The processing control slip (phiếu kiểm soát quá trình giải quyết hồ sơ, form 06) of a
/// dossier, in one page.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ControlSlip {
    /// One row per handover, oldest first.
    items: Vec<HandoverView>,
    /// The dossier finished (or is) later than its appointment.
    late: bool,
    /// The steps that overran, with their agencies.
    late_steps: Vec<LateStep>,
    /// Always null: the slip is one page.
    next_cursor: Option<String>,
}

/// The processing control slip (phiếu kiểm soát quá trình giải quyết hồ sơ, form 06; also as a
/// printable page or a signed PDF): one row
/// per handover with from/to agency and person, time, step deadline and early / on time / late;
/// for a dossier that finished (or is) late, the steps that overran and their agencies.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/handovers", tag = "cases",
    params(("code" = String, Path, description = "dossier code", example = "000.25.80.H80-261127-0001")),
    responses((status = 200, description = "the control slip: JSON; a printable page with `Accept: text/html`; form 06 as \
        a PDF signed by the receiving one-stop with `Accept: application/pdf`", content((ControlSlip = "application/json", example = json!({"items": [
        {"at": "2026-11-27T09:00:00+07:00", "from_agency": "000.25.80.H80", "from_person": null, "to_agency": "000.30.80.H80",
         "to_person": null, "step_name": "Chuyển hồ sơ đến cơ quan giải quyết", "step_deadline": "2026-11-27T09:00:00+07:00", "result": "on_time", "reason": "forward"},
        {"at": "2026-11-27T14:10:00+07:00", "from_agency": "000.30.80.H80", "from_person": "justice-1", "to_agency": "000.25.80.H80",
         "to_person": null, "step_name": "Thẩm định, ghi sổ hộ tịch, trình ký", "step_deadline": "2026-11-27T15:00:00+07:00", "result": "on_time", "reason": "handover"}],
        "late": false, "late_steps": [], "next_cursor": null})), (String = "text/html"), (String = "application/pdf"))),
        (status = 404, description = "case_not_found: no case, or one the caller may not see (the same \
            answer, so that a code's existence is not revealed)"),
        (status = 503, description = "signing_key_missing: documents are signed here and the one-stop has no key")),
    security(("bearer" = [])))]
async fn handovers(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let (case, tasks) = s.load(&code).await?;
    may_see(&caller, &case, &tasks)?;
    let mut conn = s.pool.acquire().await?;
    let rows = store::handovers::of_dossier(&mut conn, &code).await?;
    drop(conn);
    let (late, late_steps) = lateness(&case, &tasks, s.now());
    let rendition = Rendition::of(&headers);
    if rendition != Rendition::Json {
        let late: Vec<(String, String)> = late_steps
            .iter()
            .map(|l| (l.step.clone(), l.agency.clone()))
            .collect();
        return crate::slip_form::print(&s, &case, &rows, &late, rendition).await;
    }
    let items: Vec<HandoverView> = rows
        .into_iter()
        .map(|h| HandoverView {
            at: rfc3339(h.at),
            from_agency: h.from_agency,
            from_person: h.from_person,
            to_agency: h.to_agency,
            to_person: h.to_person,
            step_name: h.step_name,
            step_deadline: h.step_deadline.map(rfc3339),
            result: h.result,
            reason: h.reason,
        })
        .collect();
    Ok(Json(ControlSlip {
        items,
        late,
        late_steps,
        next_cursor: None,
    })
    .into_response())
}
