//! What happens to a dossier after receipt (`shared/domain.md` §4–5): the supplement request
//! (once, every item at once), the applicant's supplement (same code, clock per the
//! procedure's policy), refusal (form 03), withdrawal (form 05), the financial obligation, and
//! the hand-back of the result. Every change goes through the state machine
//! (`domain::transition`), locks the dossier row, writes the history and announces an event,
//! in one transaction.

use crate::domain::status::DossierStatus;
use crate::domain::supplement::{self, RequestableComponent, SupplementItem};
use crate::domain::transition::{self, Action};
use crate::dossiers::{Form, SubmittedComponent, local, rfc3339};
use crate::idempotency::IdempotencyKey;
use crate::store::{self, DossierRow};
use crate::{AppState, files};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_problem::{ApiPath, ApiResult, FieldError, Problem, codes};
use serde::Deserialize;
use serde_json::json;
use sqlx::{PgConnection, Postgres, Transaction};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        request_supplement,
        supplement,
        refuse,
        withdraw,
        request_financial_obligation,
        confirm_payment,
        return_result
    ),
    components(schemas(
        SupplementRequestBody,
        SupplementItem,
        SupplementBody,
        RefusalBody,
        WithdrawalBody,
        FinancialObligationBody,
        Fee,
        PaymentBody,
        ResultReturnBody,
        ReturnChannel
    ))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/dossiers/{code}/supplement-requests",
            post(request_supplement),
        )
        .route("/api/v1/dossiers/{code}/supplements", post(supplement))
        .route("/api/v1/dossiers/{code}/refusal", post(refuse))
        .route("/api/v1/dossiers/{code}/withdrawal", post(withdraw))
        .route(
            "/api/v1/dossiers/{code}/financial-obligation",
            post(request_financial_obligation),
        )
        .route(
            "/api/v1/dossiers/{code}/financial-obligation/payment",
            post(confirm_payment),
        )
        .route("/api/v1/dossiers/{code}/result-return", post(return_result))
}

// ---------------------------------------------------------------------------------------------
// Shared steps of every change.

/// Where a waiting dossier goes when the wait ends: processed if the agencies finished
/// meanwhile (`case.completed` arrived while waiting), else where it was.
fn resume_after_wait(d: &DossierRow) -> Option<DossierStatus> {
    if d.case_completed_at.is_some() {
        return Some(DossierStatus::Processed);
    }
    d.resume_status.as_deref().and_then(DossierStatus::parse)
}

/// An officer of the one-stop unit that received the dossier.
fn is_receiving_officer(c: &Caller, d: &DossierRow) -> bool {
    c.has(Role::OneStopOfficer) && c.agency.as_deref() == Some(d.receiving_agency.as_str())
}

/// The account that submitted the dossier online (the citizen, or the portal for them).
fn is_applicant(c: &Caller, d: &DossierRow) -> bool {
    c.sub == d.submitted_by && c.has_any(&[Role::Citizen, Role::Portal])
}

/// Agencies holding the dossier now and all agencies on its path, as workflow knows them;
/// empty when there is no case (yet) or workflow cannot be asked.
pub(crate) async fn case_agencies(s: &AppState, code: &str) -> (Vec<String>, Vec<String>) {
    let req = motcua_proto::workflow::v1::GetCaseRequest {
        dossier_code: code.to_string(),
    };
    match s.workflow.clone().get_case(req).await {
        Ok(c) => {
            let c = c.into_inner();
            (c.current_agencies, c.path_agencies)
        }
        Err(e) => {
            if e.code() != tonic::Code::NotFound {
                tracing::warn!(dossier = code, error = %e, "workflow not reachable for the case's agencies");
            }
            (Vec::new(), Vec::new())
        }
    }
}

/// Agency staff (specialist, agency head) of one of `agencies`.
pub(crate) fn is_staff_of(c: &Caller, agencies: &[String]) -> bool {
    c.has_any(&[Role::Specialist, Role::AgencyHead])
        && c.agency.as_ref().is_some_and(|a| agencies.contains(a))
}

fn forbid(what: &str) -> Problem {
    Problem::new(
        &codes::DOSSIER_ACTION_NOT_ALLOWED,
        format!("the caller may not {what} for this dossier"),
    )
}

fn status_of(d: &DossierRow) -> Result<DossierStatus, Problem> {
    DossierStatus::parse(&d.status).ok_or_else(|| {
        tracing::error!(dossier = %d.code, status = %d.status, "unknown stored status");
        Problem::internal()
    })
}

fn not_found(code: &str) -> Problem {
    Problem::new(&codes::DOSSIER_NOT_FOUND, format!("no dossier {code}"))
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        Problem::new(&codes::INVALID_BODY, "the request body is not valid").with_errors(vec![
            FieldError::new("body", &codes::INVALID_JSON, e.to_string()),
        ])
    })
}

/// The service clock, truncated to what PostgreSQL stores.
fn now(s: &AppState) -> OffsetDateTime {
    let t = s.platform.clock.now();
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
        .unwrap_or(t)
}

/// One change to record.
pub(crate) struct Change<'a> {
    pub dossier: &'a DossierRow,
    pub action: Action,
    pub to: DossierStatus,
    pub actor: &'a str,
    pub at: OffsetDateTime,
    pub due_at: OffsetDateTime,
    pub due_provisional: bool,
    pub clock_paused_at: Option<OffsetDateTime>,
    pub resume_status: Option<DossierStatus>,
    pub detail: serde_json::Value,
    /// Event announced to workflow and reporting; `None` when the change came from them.
    pub event_type: Option<&'static str>,
}

/// Writes the new status, the history row and the event, in `tx`. Returns the answer body.
pub(crate) async fn record(
    tx: &mut PgConnection,
    c: &Change<'_>,
) -> Result<serde_json::Value, Problem> {
    store::update_status(
        tx,
        &c.dossier.code,
        &store::StatusUpdate {
            status: c.to.as_str(),
            status_code: c.to.code(),
            due_at: c.due_at,
            due_provisional: c.due_provisional,
            clock_paused_at: c.clock_paused_at,
            resume_status: c.resume_status.map(|r| r.as_str()),
        },
    )
    .await?;
    store::add_history(
        tx,
        &c.dossier.code,
        &store::HistoryEntry {
            at: c.at,
            action: c.action.as_str(),
            actor: c.actor,
            from_status: Some(&c.dossier.status),
            to_status: c.to.as_str(),
            detail: &c.detail,
        },
    )
    .await?;
    if let Some(event_type) = c.event_type {
        let payload = motcua_events::DossierStatusChanged {
            dossier_code: c.dossier.code.clone(),
            action: c.action.as_str().into(),
            from_status: c.dossier.status.clone(),
            to_status: c.to.as_str().into(),
            status_code: c.to.code(),
            at: local(c.at),
            due_at: local(c.due_at),
            detail: c.detail.clone(),
        };
        motcua_outbox::record(
            tx,
            motcua_outbox::NewEvent {
                event_type,
                subject: &c.dossier.code,
                payload: serde_json::to_value(&payload).unwrap_or_default(),
                occurred_at: c.at,
            },
            &[
                motcua_events::destination::WORKFLOW,
                motcua_events::destination::REPORTING,
            ],
        )
        .await?;
    }
    Ok(json!({
        "code": c.dossier.code,
        "action": c.action.as_str(),
        "status": c.to.as_str(),
        "status_code": c.to.code(),
        "due_at": rfc3339(local(c.due_at)),
        "detail": c.detail,
    }))
}

/// A change in progress: the idempotency key (claimed), the open transaction and the locked
/// dossier.
struct Open {
    idem: Option<IdempotencyKey>,
    tx: Transaction<'static, Postgres>,
    dossier: DossierRow,
}

enum Begun {
    Replayed(Response),
    Open(Box<Open>),
}

/// Opens the transaction, claims the idempotency key and locks the dossier.
async fn begin(s: &AppState, idem: Option<IdempotencyKey>, code: &str) -> Result<Begun, Problem> {
    let mut tx = s.pool.begin().await?;
    if let Some(k) = &idem
        && let Some(r) = k.claim(&mut tx).await?
    {
        return Ok(Begun::Replayed(r));
    }
    let dossier = store::lock_dossier(&mut tx, code)
        .await?
        .ok_or_else(|| not_found(code))?;
    Ok(Begun::Open(Box::new(Open { idem, tx, dossier })))
}

/// A change described without the dossier (which [`finish`] holds locked).
struct Spec {
    action: Action,
    to: DossierStatus,
    actor: String,
    at: OffsetDateTime,
    /// New due instant; `None` keeps the dossier's.
    due: Option<(OffsetDateTime, bool)>,
    clock_paused_at: Option<OffsetDateTime>,
    resume_status: Option<DossierStatus>,
    detail: serde_json::Value,
    event_type: &'static str,
}

/// Records the change, stores the idempotent answer, commits and wakes the relay.
async fn finish(s: &AppState, mut open: Open, spec: Spec) -> ApiResult<Response> {
    let d = &open.dossier;
    let (due_at, due_provisional) = spec.due.unwrap_or((d.due_at, d.due_provisional));
    let change = Change {
        dossier: d,
        action: spec.action,
        to: spec.to,
        actor: &spec.actor,
        at: spec.at,
        due_at,
        due_provisional,
        clock_paused_at: spec.clock_paused_at,
        resume_status: spec.resume_status,
        detail: spec.detail,
        event_type: Some(spec.event_type),
    };
    let body = record(&mut open.tx, &change).await?;
    if let Some(k) = &open.idem {
        k.complete(&mut open.tx, 200, &body).await?;
    }
    open.tx.commit().await?;
    s.relay_wake.notify_one();
    Ok(Json(body).into_response())
}

fn idem_for(
    caller: &Caller,
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
    required: bool,
) -> Result<Option<IdempotencyKey>, Problem> {
    IdempotencyKey::from_request(
        &caller.sub,
        headers,
        &format!("POST {path}"),
        body,
        required,
    )
}

/// `problem`, unless the request is a retry of one that has completed meanwhile: then its
/// stored response.
async fn replay_or(
    s: &AppState,
    idem: &Option<IdempotencyKey>,
    problem: Problem,
) -> ApiResult<Response> {
    match precheck(s, idem).await? {
        Some(r) => Ok(r),
        None => Err(problem),
    }
}

async fn precheck(
    s: &AppState,
    idem: &Option<IdempotencyKey>,
) -> Result<Option<Response>, Problem> {
    match idem {
        Some(k) => k.precheck(&s.pool).await,
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------------------
// Supplement request (form 02).

/// Body of a supplement request: every item at once.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"component_code": "GCS", "reason": "Giấy chứng sinh bị mờ, không đọc được số"}]}))]
pub(crate) struct SupplementRequestBody {
    items: Vec<SupplementItem>,
}

/// Requests a supplement (form 02) — once per dossier, listing every item; items may only cite
/// components of the procedure, or defects of submitted ones. The applicant gets a deadline
/// (default 15 working days) and the processing clock waits.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/supplement-requests", tag = "lifecycle",
    params(("code" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body = SupplementRequestBody,
    responses((status = 200, description = "requested; status 5", content_type = "application/json", example = json!({"code": "000.25.80.H80-261127-0001", "action": "request_supplement", "status": "supplement_requested", "status_code": 5, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 403, description = "not the receiving one-stop"),
        (status = 409, description = "supplement_already_requested / illegal_transition"),
        (status = 422, description = "items invalid")),
    security(("bearer" = [])))]
async fn request_supplement(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/supplement-requests");
    let idem = idem_for(&caller, &headers, &path, &body, true)?;
    if let Some(r) = precheck(&s, &idem).await? {
        return Ok(r);
    }
    let req: SupplementRequestBody = parse_body(&body)?;
    let d = store::get_dossier(&s.pool, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    // The one-stop, or the agency holding the dossier now.
    if !is_receiving_officer(&caller, &d)
        && !is_staff_of(&caller, &case_agencies(&s, &code).await.0)
    {
        return Err(forbid("request a supplement"));
    }
    if store::supplement_request_exists(&s.pool, &code).await? {
        // A retry of the request that made it is answered with its response, not refused.
        if let Some(r) = precheck(&s, &idem).await? {
            return Ok(r);
        }
        return Err(second_request(&s, &caller, &d).await);
    }
    if let Err(p) = transition::apply(status_of(&d)?, Action::RequestSupplement, None) {
        return replay_or(&s, &idem, p).await;
    }
    let received_day = local(d.received_at).date().to_string();
    let procedure = s
        .catalogue
        .procedure(&d.procedure_code, &received_day)
        .await?
        .ok_or_else(|| {
            Problem::new(
                &codes::PROCEDURE_UNAVAILABLE,
                "the dossier's procedure version is no longer served",
            )
        })?;
    // The dossier's case, if it has one, defines what may be requested.
    let list = match d
        .case_code
        .as_deref()
        .and_then(|c| procedure.cases.iter().find(|k| k.code == c))
    {
        Some(case) => &case.components,
        None => &procedure.components,
    };
    let requestable: Vec<RequestableComponent> = crate::components_of(list)
        .into_iter()
        .zip(list)
        .map(|(component, pc)| RequestableComponent {
            component,
            from_national_database: pc.from_national_database,
        })
        .collect();
    let submitted = store::component_codes(&s.pool, &code).await?;
    let submitted: Vec<&str> = submitted.iter().map(String::as_str).collect();
    let errors = supplement::check_request(&req.items, &requestable, &submitted);
    if !errors.is_empty() {
        if errors.iter().any(|e| {
            e.code == "supplement_item_not_in_procedure"
                || e.code == "obtainable_from_national_database"
        }) {
            compliance(
                &s,
                &caller,
                &d,
                "extra_component_requested",
                json!({"items": req.items}),
            )
            .await;
        }
        return Err(Problem::new(
            &codes::SUPPLEMENT_ITEMS_INVALID,
            format!("{} problem(s) in the request", errors.len()),
        )
        .with_errors(errors));
    }
    let at = now(&s);
    // The request itself is due within 8 working hours (online) / 1 working day (counter) of
    // receipt: a later one is allowed — refusing it would hurt the applicant — but recorded.
    let after_receipt = s
        .catalogue
        .working_elapsed(d.received_at, at, &d.receiving_agency)
        .await?;
    let late = after_receipt > s.supplement_request_within_minutes;
    if late {
        let detail = json!({
            "working_minutes_after_receipt": after_receipt,
            "allowed_working_minutes": s.supplement_request_within_minutes,
        });
        compliance(&s, &caller, &d, "late_supplement_request", detail).await;
    }
    let (deadline, deadline_provisional) = s
        .catalogue
        .add_working_time(at, s.supplement_window_minutes, &d.receiving_agency)
        .await?;
    let mut open = match begin(&s, idem, &code).await? {
        Begun::Replayed(r) => return Ok(r),
        Begun::Open(o) => o,
    };
    let from = status_of(&open.dossier)?;
    let to = transition::apply(from, Action::RequestSupplement, None)?;
    let inserted = store::insert_supplement_request(
        &mut open.tx,
        &store::NewSupplementRequest {
            dossier_code: &code,
            requested_at: at,
            requested_by: &caller.sub,
            items: &serde_json::to_value(&req.items).unwrap_or_default(),
            deadline_at: deadline,
            deadline_provisional,
            due_before: open.dossier.due_at,
        },
    )
    .await?;
    if !inserted {
        drop(open);
        return Err(second_request(&s, &caller, &d).await);
    }
    let detail = json!({
        "items": req.items,
        "supplement_deadline": rfc3339(local(deadline)),
        "supplement_deadline_provisional": deadline_provisional,
        "clock_policy": d.clock_policy,
        "late": late,
    });
    store::add_document(
        &mut open.tx,
        &code,
        "supplement_request_form_02",
        at,
        &caller.sub,
        &detail,
    )
    .await?;
    let spec = Spec {
        action: Action::RequestSupplement,
        to,
        actor: caller.sub.clone(),
        at,
        due: None,
        clock_paused_at: Some(at),
        resume_status: Some(from),
        detail,
        event_type: motcua_events::DOSSIER_SUPPLEMENT_REQUESTED,
    };
    finish(&s, *open, spec).await
}

async fn second_request(s: &AppState, caller: &Caller, d: &DossierRow) -> Problem {
    compliance(s, caller, d, "second_supplement_request", json!({})).await;
    Problem::new(
        &codes::SUPPLEMENT_ALREADY_REQUESTED,
        "a supplement may be requested only once per dossier (Decree 118/2025 Art. 11)",
    )
}

async fn compliance(
    s: &AppState,
    caller: &Caller,
    d: &DossierRow,
    kind: &str,
    mut detail: serde_json::Value,
) {
    if let Some(o) = detail.as_object_mut() {
        o.insert("dossier_code".into(), d.code.clone().into());
    }
    if let Err(e) = store::record_compliance(
        &s.pool,
        s.platform.clock.now(),
        kind,
        &caller.sub,
        caller.agency.as_deref(),
        detail,
    )
    .await
    {
        tracing::error!(error = %e, kind, "could not record compliance event");
    }
}

// ---------------------------------------------------------------------------------------------
// The applicant's supplement.

/// Body of a supplement: the requested components (same shape as at submission).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"components": [{"code": "GCS", "form": "paper"}, {"code": "HTSS", "form": "paper"}]}))]
pub(crate) struct SupplementBody {
    components: Vec<SubmittedComponent>,
}

/// The applicant's supplement: answers every requested item, keeps the dossier code, and
/// resumes the clock per the procedure's policy (restart: the full time limit again from now;
/// pause: the due instant moves by the working time spent waiting; continue: unchanged).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/supplements", tag = "lifecycle",
    params(("code" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body = SupplementBody,
    responses((status = 200, description = "supplemented", content_type = "application/json", example = json!({"code": "000.25.80.H80-261127-0001", "action": "supplement", "status": "processing", "status_code": 4, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "not waiting for a supplement, or its deadline passed"),
        (status = 422, description = "components invalid or incomplete")),
    security(("bearer" = [])))]
async fn supplement(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/supplements");
    let idem = idem_for(&caller, &headers, &path, &body, true)?;
    if let Some(r) = precheck(&s, &idem).await? {
        return Ok(r);
    }
    let req: SupplementBody = parse_body(&body)?;
    let d = store::get_dossier(&s.pool, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    if !is_receiving_officer(&caller, &d) && !is_applicant(&caller, &d) {
        return Err(forbid("supplement"));
    }
    let resume = resume_after_wait(&d);
    if let Err(p) = transition::apply(status_of(&d)?, Action::Supplement, resume) {
        return replay_or(&s, &idem, p).await;
    }
    let request = store::supplement_request(&s.pool, &code)
        .await?
        .ok_or_else(Problem::internal)?;
    let at = now(&s);
    if at > request.deadline_at {
        return Err(Problem::new(
            &codes::SUPPLEMENT_DEADLINE_PASSED,
            format!(
                "the supplement deadline {} has passed",
                rfc3339(local(request.deadline_at))
            ),
        ));
    }
    let requested: Vec<SupplementItem> =
        serde_json::from_value(request.items.clone()).map_err(|e| {
            tracing::error!(error = %e, "stored supplement items unreadable");
            Problem::internal()
        })?;
    let supplied: Vec<&str> = req.components.iter().map(|c| c.code.as_str()).collect();
    let mut errors = supplement::check_answer(&requested, &supplied);
    let mut checked = Vec::with_capacity(req.components.len());
    for (i, c) in req.components.iter().enumerate() {
        let mut ok = Vec::new();
        for (j, f) in c.files.iter().enumerate() {
            match files::check(
                &format!("components[{i}].files[{j}]"),
                &f.name,
                &f.media_type,
                f.size,
                &f.sha256,
                &f.content_base64,
            ) {
                Ok(cf) => ok.push(cf),
                Err(e) => errors.extend(e),
            }
        }
        if c.form == Form::Electronic && c.files.is_empty() {
            errors.push(FieldError::new(
                format!("components[{i}].files"),
                &codes::FILES_REQUIRED,
                "thành phần điện tử cần có tệp",
            ));
        }
        checked.push(ok);
    }
    if !errors.is_empty() {
        return Err(Problem::new(
            &codes::SUPPLEMENT_INVALID,
            format!("{} problem(s) in the supplement", errors.len()),
        )
        .with_errors(errors));
    }
    let paused_at = d.clock_paused_at.unwrap_or(request.requested_at);
    let (due_at, due_provisional) = match d.clock_policy.as_str() {
        "restart" => {
            let limit: motcua_proto::catalogue::v1::TimeLimit = time_limit_of(&d)?;
            s.catalogue.deadline(at, limit, &d.receiving_agency).await?
        }
        "pause" => {
            let waited = s
                .catalogue
                .working_elapsed(paused_at, at, &d.receiving_agency)
                .await?;
            s.catalogue
                .add_working_time(d.due_at, waited, &d.receiving_agency)
                .await?
        }
        _ => (d.due_at, d.due_provisional),
    };
    let mut open = match begin(&s, idem, &code).await? {
        Begun::Replayed(r) => return Ok(r),
        Begun::Open(o) => o,
    };
    let resume = resume_after_wait(&open.dossier);
    let to = transition::apply(status_of(&open.dossier)?, Action::Supplement, resume)?;
    let mut position = store::next_position(&mut open.tx, &code).await?;
    for (c, fs) in req.components.iter().zip(&checked) {
        let component = store::NewComponent {
            code: &c.code,
            form: c.form.as_str(),
            scan_status: c.form.initial_scan_status(),
            round: 1,
            originals: c.originals.map(|n| n as i32),
            copies: c.copies.map(|n| n as i32),
            files: fs,
        };
        store::insert_component(&mut open.tx, &code, position, &component).await?;
        position += 1;
    }
    store::answer_supplement_request(&mut open.tx, &code, at, &caller.sub, due_at).await?;
    let detail = json!({
        "components": supplied,
        "clock_policy": d.clock_policy,
        "due_before": rfc3339(local(d.due_at)),
        "due_after": rfc3339(local(due_at)),
    });
    let spec = Spec {
        action: Action::Supplement,
        to,
        actor: caller.sub.clone(),
        at,
        due: Some((due_at, due_provisional)),
        clock_paused_at: None,
        resume_status: None,
        detail,
        event_type: motcua_events::DOSSIER_SUPPLEMENTED,
    };
    finish(&s, *open, spec).await
}

fn time_limit_of(d: &DossierRow) -> Result<motcua_proto::catalogue::v1::TimeLimit, Problem> {
    let t = &d.time_limit;
    Ok(motcua_proto::catalogue::v1::TimeLimit {
        working_minutes: t
            .get("working_minutes")
            .and_then(|v| v.as_i64())
            .unwrap_or(0),
        same_day: t.get("same_day").and_then(|v| v.as_bool()).unwrap_or(false),
        cutoff: t
            .get("cutoff")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// Refusal, withdrawal, financial obligation, result return: simple changes.

/// Reasons for refusing (form 03): specific, at least one.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reasons": ["Hồ sơ không thuộc thẩm quyền giải quyết của UBND phường"]}))]
pub(crate) struct RefusalBody {
    reasons: Vec<String>,
}

/// Withdrawal at the applicant's request (form 05).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Không còn nhu cầu"}))]
pub(crate) struct WithdrawalBody {
    reason: String,
}

/// A fee or tax to pay.
#[derive(Debug, Deserialize, serde::Serialize, ToSchema)]
pub(crate) struct Fee {
    name: String,
    amount_vnd: u64,
}

/// The financial obligation (nghĩa vụ tài chính).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"name": "Lệ phí trước bạ", "amount_vnd": 500000}]}))]
pub(crate) struct FinancialObligationBody {
    items: Vec<Fee>,
}

/// Payment confirmation.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reference": "BL-2026-000123"}))]
pub(crate) struct PaymentBody {
    /// Receipt or transaction reference.
    reference: String,
}

/// How the result goes back.
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReturnChannel {
    Counter,
    Post,
    Electronic,
}

/// The hand-back of the result.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"channel": "counter", "returned_at": "2026-11-30T16:00:00+07:00"}))]
pub(crate) struct ResultReturnBody {
    channel: ReturnChannel,
    /// When it was handed back (default: now); not in the future.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    returned_at: Option<OffsetDateTime>,
}

/// Who may take a simple action.
#[derive(Clone, Copy)]
enum Who {
    ReceivingOfficer,
    OfficerOrApplicant,
}

fn allowed(who: Who, c: &Caller, d: &DossierRow) -> bool {
    match who {
        Who::ReceivingOfficer => is_receiving_officer(c, d),
        Who::OfficerOrApplicant => is_receiving_officer(c, d) || is_applicant(c, d),
    }
}

struct Simple {
    path_suffix: &'static str,
    action: Action,
    who: Who,
    event: &'static str,
    document: Option<&'static str>,
}

async fn simple(
    s: &AppState,
    caller: &Caller,
    code: &str,
    headers: &HeaderMap,
    body: &[u8],
    spec: Simple,
    detail_of: impl FnOnce(OffsetDateTime) -> Result<(serde_json::Value, OffsetDateTime), Problem>,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/{}", spec.path_suffix);
    let idem = idem_for(caller, headers, &path, body, false)?;
    if let Some(r) = precheck(s, &idem).await? {
        return Ok(r);
    }
    let (detail, at) = detail_of(now(s))?;
    let open = match begin(s, idem, code).await? {
        Begun::Replayed(r) => return Ok(r),
        Begun::Open(o) => o,
    };
    if !allowed(spec.who, caller, &open.dossier) {
        return Err(forbid(spec.action.as_str()));
    }
    let resume = match spec.action {
        Action::ConfirmPayment => resume_after_wait(&open.dossier),
        _ => None,
    };
    let to = transition::apply(status_of(&open.dossier)?, spec.action, resume)?;
    if at < open.dossier.received_at {
        return Err(Problem::new(
            &codes::BEFORE_RECEIPT,
            "the action cannot predate the dossier's receipt",
        )
        .with_errors(vec![FieldError::new(
            "returned_at",
            &codes::BEFORE_RECEIPT_FIELD,
            "trước thời điểm tiếp nhận",
        )]));
    }
    let mut open = *open;
    if let Some(kind) = spec.document {
        store::add_document(&mut open.tx, code, kind, at, &caller.sub, &detail).await?;
    }
    if matches!(spec.action, Action::Refuse | Action::Withdraw) {
        store::close_supplement_request(&mut open.tx, code, at).await?;
    }
    let change = Spec {
        action: spec.action,
        to,
        actor: caller.sub.clone(),
        at,
        due: None,
        clock_paused_at: if to == DossierStatus::FinancialObligation {
            Some(at)
        } else {
            None
        },
        resume_status: None,
        detail,
        event_type: spec.event,
    };
    finish(s, open, change).await
}

/// Refuses the dossier with specific reasons (form 03).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/refusal", tag = "lifecycle", params(("code" = String, Path)),
    request_body = RefusalBody, responses((status = 200, description = "refused; status 3", content_type = "application/json", example = json!({"code": "000.25.80.H80-261127-0001", "action": "refuse", "status": "refused", "status_code": 3, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "illegal_transition")),
    security(("bearer" = [])))]
async fn refuse(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: RefusalBody = parse_body(&body)?;
    let reasons: Vec<&str> = req
        .reasons
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .collect();
    if reasons.is_empty() {
        return Err(Problem::new(
            &codes::REASONS_REQUIRED,
            "a refusal states its specific reasons",
        )
        .with_errors(vec![FieldError::new(
            "reasons",
            &codes::REQUIRED,
            "nêu rõ lý do từ chối",
        )]));
    }
    let spec = Simple {
        path_suffix: "refusal",
        action: Action::Refuse,
        who: Who::ReceivingOfficer,
        event: motcua_events::DOSSIER_REFUSED,
        document: Some("refusal_form_03"),
    };
    simple(&s, &caller, &code, &headers, &body, spec, |at| {
        Ok((json!({"reasons": reasons}), at))
    })
    .await
}

/// Withdraws the dossier at the applicant's request, before a result exists (form 05).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/withdrawal", tag = "lifecycle", params(("code" = String, Path)),
    request_body = WithdrawalBody, responses((status = 200, description = "withdrawn; status 7", content_type = "application/json", example = json!({"code": "000.25.80.H80-261127-0001", "action": "withdraw", "status": "withdrawn", "status_code": 7, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "illegal_transition")),
    security(("bearer" = [])))]
async fn withdraw(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: WithdrawalBody = parse_body(&body)?;
    let spec = Simple {
        path_suffix: "withdrawal",
        action: Action::Withdraw,
        who: Who::OfficerOrApplicant,
        event: motcua_events::DOSSIER_WITHDRAWN,
        document: Some("stop_notice_form_05"),
    };
    simple(&s, &caller, &code, &headers, &body, spec, |at| {
        Ok((
            json!({"reason": req.reason.trim(), "requested_by_applicant": true}),
            at,
        ))
    })
    .await
}

/// Notifies a financial obligation (tax, fees) to pay before the result is handed over.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/financial-obligation", tag = "lifecycle", params(("code" = String, Path)),
    request_body = FinancialObligationBody, responses((status = 200, description = "status 6", content_type = "application/json", example = json!({"code": "000.25.80.H80-261127-0001", "action": "request_financial_obligation", "status": "financial_obligation", "status_code": 6, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "illegal_transition")),
    security(("bearer" = [])))]
async fn request_financial_obligation(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: FinancialObligationBody = parse_body(&body)?;
    if req.items.is_empty() {
        return Err(
            Problem::new(&codes::ITEMS_REQUIRED, "list what must be paid").with_errors(vec![
                FieldError::new("items", &codes::REQUIRED, "nêu các khoản phải nộp"),
            ]),
        );
    }
    let spec = Simple {
        path_suffix: "financial-obligation",
        action: Action::RequestFinancialObligation,
        who: Who::ReceivingOfficer,
        event: motcua_events::DOSSIER_FINANCIAL_OBLIGATION_REQUESTED,
        document: Some("financial_obligation_notice"),
    };
    simple(&s, &caller, &code, &headers, &body, spec, |at| {
        Ok((json!({"items": req.items}), at))
    })
    .await
}

/// Confirms payment of the financial obligation; processing continues.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/financial-obligation/payment", tag = "lifecycle", params(("code" = String, Path)),
    request_body = PaymentBody, responses((status = 200, description = "status 4", content_type = "application/json", example = json!({"code": "000.25.80.H80-261127-0001", "action": "confirm_payment", "status": "processing", "status_code": 4, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "illegal_transition")),
    security(("bearer" = [])))]
async fn confirm_payment(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: PaymentBody = parse_body(&body)?;
    let spec = Simple {
        path_suffix: "financial-obligation/payment",
        action: Action::ConfirmPayment,
        who: Who::ReceivingOfficer,
        event: motcua_events::DOSSIER_PAYMENT_CONFIRMED,
        document: None,
    };
    simple(&s, &caller, &code, &headers, &body, spec, |at| {
        Ok((json!({"reference": req.reference}), at))
    })
    .await
}

/// Hands the result back to the applicant (counter, post or electronically).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/result-return", tag = "lifecycle", params(("code" = String, Path)),
    request_body = ResultReturnBody, responses((status = 200, description = "status 10", content_type = "application/json", example = json!({"code": "000.25.80.H80-261127-0001", "action": "return_result", "status": "result_returned", "status_code": 10, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "no result yet (illegal_transition)")),
    security(("bearer" = [])))]
async fn return_result(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: ResultReturnBody = parse_body(&body)?;
    let spec = Simple {
        path_suffix: "result-return",
        action: Action::ReturnResult,
        who: Who::ReceivingOfficer,
        event: motcua_events::DOSSIER_RESULT_RETURNED,
        document: Some("result_handed_back"),
    };
    simple(&s, &caller, &code, &headers, &body, spec, |now| {
        let at = req.returned_at.unwrap_or(now);
        if at > now {
            return Err(Problem::new(
                &codes::RETURNED_AT_IN_FUTURE,
                "the result cannot be returned in the future",
            )
            .with_errors(vec![FieldError::new(
                "returned_at",
                &codes::IN_FUTURE,
                "thời điểm trả kết quả ở tương lai",
            )]));
        }
        Ok((
            json!({"channel": req.channel, "returned_at": rfc3339(local(at))}),
            at,
        ))
    })
    .await
}
