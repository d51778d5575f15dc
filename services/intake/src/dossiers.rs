//! Dossier submission (tiếp nhận hồ sơ) and reading, over REST.

use crate::domain::components;
use crate::domain::dossier_code;
use crate::domain::personal_id;
use crate::domain::status::DossierStatus;
use crate::idempotency::IdempotencyKey;
use crate::store;
use crate::{AppState, files};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_calendar::PROVINCE_OFFSET;
use motcua_problem::{ApiPath, ApiResult, FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(submit, get_dossier, get_receipt),
    components(schemas(
        SubmitDossier,
        Applicant,
        SubmittedComponent,
        SubmittedFile,
        Channel,
        Form,
        ApplicantType,
        Submitted
    ))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dossiers", post(submit))
        .route("/api/v1/dossiers/{code}", get(get_dossier))
        .route("/api/v1/dossiers/{code}/receipt", get(get_receipt))
}

/// Submission channel (hình thức nộp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Channel {
    /// 1 — at the counter (trực tiếp).
    Counter,
    /// 2 — online (trực tuyến).
    Online,
    /// 3 — by post (bưu chính).
    Postal,
}

impl Channel {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    }
}

/// Form of a component (hình thức thành phần).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Form {
    Electronic,
    Paper,
    Scanned,
}

impl Form {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Form::Electronic => "electronic",
            Form::Paper => "paper",
            Form::Scanned => "scanned",
        }
    }
}

/// Applicant type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ApplicantType {
    /// A person (công dân).
    Citizen,
    /// An organisation (tổ chức).
    Organisation,
}

/// The applicant (người nộp hồ sơ).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub(crate) struct Applicant {
    #[serde(rename = "type")]
    pub kind: ApplicantType,
    pub full_name: String,
    /// Personal ID number (12 digits) or enterprise tax code.
    pub id_number: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// One file of a component.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub(crate) struct SubmittedFile {
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// Hex sha256 of the content.
    pub sha256: String,
    pub content_base64: String,
}

/// One component as submitted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub(crate) struct SubmittedComponent {
    /// Component code from the procedure, e.g. `GCS`.
    pub code: String,
    pub form: Form,
    #[serde(default)]
    pub files: Vec<SubmittedFile>,
    /// Originals handed in (paper), when the officer records them.
    #[serde(default)]
    pub originals: Option<u32>,
    /// Copies handed in (paper), when the officer records them.
    #[serde(default)]
    pub copies: Option<u32>,
}

impl Form {
    /// Scanning status at receipt: paper components are to be scanned (Circular 03/2025 Art. 5).
    pub(crate) fn initial_scan_status(self) -> &'static str {
        match self {
            Form::Electronic => "not_required",
            Form::Paper => "pending",
            Form::Scanned => "done",
        }
    }
}

/// Body of `POST /api/v1/dossiers`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({
    "procedure_code": "1.001193", "receiving_agency": "000.25.80.H80", "channel": "counter",
    "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234", "phone": "0912345678"},
    "components": [{"code": "TK", "form": "paper"}, {"code": "GCS", "form": "paper"}]}))]
pub(crate) struct SubmitDossier {
    pub procedure_code: String,
    /// The procedure's case (trường hợp) the dossier falls under, when it has cases: its own
    /// components (and time limit, if it has one) apply.
    #[serde(default)]
    pub case_code: Option<String>,
    /// Agency code of the receiving one-stop unit.
    pub receiving_agency: String,
    pub channel: Channel,
    pub applicant: Applicant,
    pub components: Vec<SubmittedComponent>,
}

/// The answer to a submission.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Submitted {
    /// Dossier code, e.g. `000.25.80.H80-261127-0001`.
    code: String,
    status: String,
    status_code: i16,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    received_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    due_at: OffsetDateTime,
    due_provisional: bool,
    /// The receipt (Giấy tiếp nhận hồ sơ và hẹn trả kết quả, form 01).
    #[schema(value_type = Object)]
    receipt: serde_json::Value,
}

pub(crate) fn local(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(PROVINCE_OFFSET)
}

/// May this caller submit on this channel at all? (The one-stop rule: only one-stop officers
/// at the counter or by post, only citizens and the portal online.)
fn channel_allows(caller: &Caller, channel: Channel) -> bool {
    match channel {
        Channel::Counter | Channel::Postal => caller.has(Role::OneStopOfficer),
        Channel::Online => caller.has_any(&[Role::Citizen, Role::Portal]),
    }
}

async fn outside_one_stop(
    s: &AppState,
    caller: &Caller,
    req: &SubmitDossier,
    why: &str,
) -> Problem {
    let detail = json!({
        "reason": why, "channel": req.channel.as_str(), "receiving_agency": req.receiving_agency,
        "procedure_code": req.procedure_code, "roles": caller.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    });
    tracing::warn!(actor = %caller.sub, agency = ?caller.agency, why, "submission outside the one-stop refused");
    if let Err(e) = store::record_compliance(
        &s.pool,
        s.platform.clock.now(),
        "intake_outside_one_stop",
        &caller.sub,
        caller.agency.as_deref(),
        detail,
    )
    .await
    {
        tracing::error!(error = %e, "could not record compliance event");
    }
    Problem::new(
        &codes::INTAKE_OUTSIDE_ONE_STOP,
        format!("dossiers are received only through the one-stop: {why}"),
    )
}

/// Receives a dossier at a one-stop unit: checks the caller, the applicant, the procedure in
/// force and every component against it (all errors at once), issues the dossier code and the
/// receipt with the appointment, and announces `dossier.received`, all in one transaction.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = SubmitDossier,
    params(("Idempotency-Key" = String, Header, description = "same key and body replay the original response")),
    responses((status = 201, body = Submitted), (status = 401, description = "no or invalid token"),
        (status = 403, description = "intake_outside_one_stop / agency_not_allowed"),
        (status = 422, description = "components_invalid / validation_failed / idempotency_key_reused")),
    security(("bearer" = [])))]
async fn submit(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let idem =
        IdempotencyKey::from_request(&caller.sub, &headers, "POST /api/v1/dossiers", &body, true)?;
    let idem = idem.ok_or_else(Problem::internal)?;
    if let Some(replayed) = idem.precheck(&s.pool).await? {
        return Ok(replayed);
    }
    let req: SubmitDossier = serde_json::from_slice(&body).map_err(|e| {
        Problem::new(
            &codes::INVALID_BODY,
            "the request body is not a valid dossier",
        )
        .with_errors(vec![FieldError::new(
            "body",
            &codes::INVALID_JSON,
            e.to_string(),
        )])
    })?;
    if !channel_allows(&caller, req.channel) {
        return Err(outside_one_stop(
            &s,
            &caller,
            &req,
            "the caller's role may not receive dossiers on this channel",
        )
        .await);
    }
    // PostgreSQL keeps microseconds: answer with exactly what is stored.
    let now = s.platform.clock.now();
    let now = now
        .replace_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now);
    let today = local(now).date();
    let mut errors = validate_applicant(&req.applicant, today.year());
    let file_count: usize = req.components.iter().map(|c| c.files.len()).sum();
    if file_count > files::MAX_FILES {
        errors.push(FieldError::new(
            "components",
            &codes::TOO_MANY_FILES,
            format!("tối đa {} tệp mỗi hồ sơ", files::MAX_FILES),
        ));
    }
    let encoded: usize = req
        .components
        .iter()
        .flat_map(|c| &c.files)
        .map(|f| f.content_base64.len())
        .sum();
    if encoded / 4 * 3 > files::MAX_TOTAL_BYTES {
        errors.push(FieldError::new(
            "components",
            &codes::FILES_TOO_LARGE,
            format!(
                "tổng dung lượng tệp vượt quá {} MiB",
                files::MAX_TOTAL_BYTES / 1024 / 1024
            ),
        ));
    }
    for (i, c) in req.components.iter().enumerate() {
        for (what, n) in [("originals", c.originals), ("copies", c.copies)] {
            if n.is_some_and(|n| n > 1000) {
                errors.push(FieldError::new(
                    format!("components[{i}].{what}"),
                    &codes::COUNT_OUT_OF_RANGE,
                    "tối đa 1000",
                ));
            }
        }
    }
    let mut checked_files = Vec::with_capacity(req.components.len());
    for (i, c) in req.components.iter().enumerate() {
        let mut files_ok = Vec::new();
        // Over the caps nothing is decoded: the errors above already say why.
        let within_caps =
            file_count <= files::MAX_FILES && encoded / 4 * 3 <= files::MAX_TOTAL_BYTES;
        for (j, f) in c.files.iter().enumerate().filter(|_| within_caps) {
            let field = format!("components[{i}].files[{j}]");
            match files::check(
                &field,
                &f.name,
                &f.media_type,
                f.size,
                &f.sha256,
                &f.content_base64,
            ) {
                Ok(cf) => files_ok.push(cf),
                Err(errs) => errors.extend(errs),
            }
        }
        if c.form == Form::Electronic && c.files.is_empty() {
            errors.push(FieldError::new(
                format!("components[{i}].files"),
                &codes::FILES_REQUIRED,
                "thành phần điện tử cần có tệp",
            ));
        }
        checked_files.push(files_ok);
    }

    // The receiving unit must be a one-stop unit, and an officer must act for it.
    let agency = s.catalogue.agency(&req.receiving_agency).await?;
    match &agency {
        None => errors.push(FieldError::new(
            "receiving_agency",
            &codes::AGENCY_UNKNOWN,
            "không có cơ quan này",
        )),
        Some(a) if a.kind != "one_stop" => {
            return Err(outside_one_stop(
                &s,
                &caller,
                &req,
                "the receiving agency is not a one-stop unit",
            )
            .await);
        }
        Some(a) => {
            if caller.has(Role::OneStopOfficer) && req.channel != Channel::Online {
                let acts_for = caller.agency.as_deref();
                if acts_for != Some(a.code.as_str())
                    && acts_for != Some(req.receiving_agency.as_str())
                {
                    return Err(Problem::new(
                        &codes::AGENCY_NOT_ALLOWED,
                        format!(
                            "the officer acts for {}, not for {}",
                            acts_for.unwrap_or("no agency"),
                            a.code
                        ),
                    ));
                }
            }
        }
    }
    let procedure = s
        .catalogue
        .procedure(&req.procedure_code, &today.to_string())
        .await?;
    let mut component_errors = Vec::new();
    match &procedure {
        None => errors.push(FieldError::new(
            "procedure_code",
            &codes::PROCEDURE_NOT_IN_FORCE,
            format!(
                "không có thủ tục {} có hiệu lực ngày {today}",
                req.procedure_code
            ),
        )),
        Some(p) => {
            let case = match req.case_code.as_deref() {
                None => None,
                Some(c) => match p.cases.iter().find(|k| k.code == c) {
                    Some(k) => Some(k),
                    None => {
                        errors.push(FieldError::new(
                            "case_code",
                            &codes::CASE_UNKNOWN,
                            format!("thủ tục không có trường hợp {c}"),
                        ));
                        None
                    }
                },
            };
            let published = match case {
                Some(k) => crate::components_of(&k.components),
                None => crate::published_components(p),
            };
            let submitted: Vec<&str> = req.components.iter().map(|c| c.code.as_str()).collect();
            component_errors = components::check(&submitted, &published);
            let handed_in: Vec<components::HandedIn<'_>> = req
                .components
                .iter()
                .map(|c| components::HandedIn {
                    code: &c.code,
                    originals: c.originals,
                    copies: c.copies,
                })
                .collect();
            component_errors.extend(components::check_counts(&handed_in, &published));
            if method_time_limit(p, req.channel).is_none() {
                errors.push(FieldError::new(
                    "channel",
                    &codes::METHOD_NOT_OFFERED,
                    format!(
                        "thủ tục không tiếp nhận qua hình thức {}",
                        req.channel.as_str()
                    ),
                ));
            }
        }
    }
    if !errors.is_empty() || !component_errors.is_empty() {
        let code = if errors.is_empty() {
            &codes::COMPONENTS_INVALID
        } else {
            &codes::VALIDATION_FAILED
        };
        errors.extend(component_errors);
        return Err(
            Problem::new(code, format!("{} problem(s) in the dossier", errors.len()))
                .with_errors(errors),
        );
    }
    let (Some(agency), Some(procedure)) = (agency, procedure) else {
        return Err(Problem::internal());
    };
    // The case's limit for this method (resolved by the catalogue, cut-off included), else the
    // method's own.
    let case_limit = req
        .case_code
        .as_deref()
        .and_then(|c| procedure.cases.iter().find(|k| k.code == c))
        .and_then(|k| k.methods.iter().find(|m| m.method == req.channel.as_str()))
        .and_then(|m| m.time_limit.clone());
    let limit = case_limit
        .or_else(|| method_time_limit(&procedure, req.channel))
        .unwrap_or_default();
    let (due_at, due_provisional) = s
        .catalogue
        .deadline(now, limit.clone(), &agency.code)
        .await?;
    let time_limit_json = json!({"working_minutes": limit.working_minutes, "same_day": limit.same_day, "cutoff": limit.cutoff});
    let clock_policy = match procedure.supplement_clock_policy.as_str() {
        p @ ("restart" | "pause" | "continue") => p.to_string(),
        _ => "restart".to_string(),
    };

    let mut tx = s.pool.begin().await?;
    if let Some(replayed) = idem.claim(&mut tx).await? {
        return Ok(replayed);
    }
    let seq = store::next_sequence(&mut tx, &agency.code, today).await?;
    let codes = dossier_code::AgencyCodes {
        circular_01: &agency.code,
        circular_04: (!agency.code_04_2025.is_empty()).then_some(agency.code_04_2025.as_str()),
    };
    let code = dossier_code::format(&s.code_format, codes, today, seq as u32).map_err(|_| {
        Problem::new(
            &codes::AGENCY_CODE_04_MISSING,
            "dossier codes follow Circular 04/2025, but the receiving agency has no code in that scheme in the catalogue",
        )
        .with_errors(vec![FieldError::new("receiving_agency", &codes::AGENCY_CODE_04_MISSING_FIELD, "thiếu mã cơ quan theo Thông tư 04/2025")])
    })?;
    let status = DossierStatus::Received;
    let applicant_json = serde_json::to_value(&req.applicant).unwrap_or_default();
    let roles: Vec<String> = caller
        .roles
        .iter()
        .map(|r| r.as_str().to_string())
        .collect();
    let receipt = json!({
        "form": "01",
        "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "dossier_code": code,
        "procedure_code": procedure.code,
        "procedure_name": procedure.name,
        "case_code": req.case_code,
        "receiving_agency": agency.code,
        "receiving_agency_name": agency.name,
        "applicant_name": req.applicant.full_name,
        "applicant_address": req.applicant.address,
        "applicant_phone": req.applicant.phone,
        "applicant_email": req.applicant.email,
        "channel": req.channel.as_str(),
        "received_at": rfc3339(local(now)),
        "appointment_at": rfc3339(local(due_at)),
        "appointment_provisional": due_provisional,
        "components": req.components.iter().map(|c| {
            let name = procedure.components.iter().find(|p| p.code == c.code).map(|p| p.name.clone()).unwrap_or_default();
            json!({"code": c.code, "name": name, "form": c.form.as_str(), "files": c.files.len(),
                   "originals": c.originals, "copies": c.copies})
        }).collect::<Vec<_>>(),
        "received_by": caller.sub,
    });
    store::insert_dossier(
        &mut tx,
        &store::NewDossier {
            code: &code,
            procedure_code: &procedure.code,
            procedure_version: procedure.version as i32,
            receiving_agency: &agency.code,
            channel: req.channel.as_str(),
            status: status.as_str(),
            status_code: status.code(),
            applicant: &applicant_json,
            applicant_id_last4: &personal_id::last4(&req.applicant.id_number),
            received_at: now,
            due_at,
            due_provisional,
            submitted_by: &caller.sub,
            submitted_roles: &roles,
            time_limit: &time_limit_json,
            clock_policy: &clock_policy,
            receipt: &receipt,
            case_code: req.case_code.as_deref(),
            trace_id: motcua_telemetry::propagation::current_trace_id(),
        },
    )
    .await?;
    for (i, (c, fs)) in req.components.iter().zip(&checked_files).enumerate() {
        let component = store::NewComponent {
            code: &c.code,
            form: c.form.as_str(),
            scan_status: c.form.initial_scan_status(),
            round: 0,
            originals: c.originals.map(|n| n as i32),
            copies: c.copies.map(|n| n as i32),
            files: fs,
        };
        store::insert_component(&mut tx, &code, i as i32, &component).await?;
    }
    store::add_history(
        &mut tx,
        &code,
        &store::HistoryEntry {
            at: now,
            action: "receive",
            actor: &caller.sub,
            from_status: None,
            to_status: status.as_str(),
            detail: &json!({"channel": req.channel.as_str()}),
        },
    )
    .await?;
    let event = motcua_events::DossierReceived {
        dossier_code: code.clone(),
        procedure_code: procedure.code.clone(),
        procedure_version: procedure.version as i32,
        receiving_agency: agency.code.clone(),
        channel: req.channel.as_str().to_string(),
        received_at: local(now),
        due_at: local(due_at),
        due_provisional,
    };
    motcua_outbox::record(
        &mut tx,
        motcua_outbox::NewEvent {
            event_type: motcua_events::DOSSIER_RECEIVED,
            subject: &code,
            payload: serde_json::to_value(&event).unwrap_or_default(),
            occurred_at: now,
        },
        &[
            motcua_events::destination::WORKFLOW,
            motcua_events::destination::REPORTING,
        ],
    )
    .await?;
    let answer = Submitted {
        code: code.clone(),
        status: status.as_str().into(),
        status_code: status.code(),
        received_at: local(now),
        due_at: local(due_at),
        due_provisional,
        receipt,
    };
    let answer_json = serde_json::to_value(&answer).unwrap_or_default();
    idem.complete(&mut tx, 201, &answer_json).await?;
    tx.commit().await?;
    s.relay_wake.notify_one();
    tracing::info!(
        dossier = %code,
        applicant_id = %motcua_telemetry::mask_personal_id(&req.applicant.id_number),
        "dossier received"
    );
    Ok((StatusCode::CREATED, Json(answer_json)).into_response())
}

/// The time limit of the submission method used (each method may have its own), or `None`
/// when the procedure does not offer that method. Procedures published without methods offer
/// all three with the procedure's limit.
fn method_time_limit(
    p: &motcua_proto::catalogue::v1::Procedure,
    channel: Channel,
) -> Option<motcua_proto::catalogue::v1::TimeLimit> {
    if p.methods.is_empty() {
        return p.time_limit.clone();
    }
    p.methods
        .iter()
        .find(|m| m.method == channel.as_str())
        .and_then(|m| m.time_limit.clone())
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn validate_applicant(a: &Applicant, current_year: i32) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if a.full_name.trim().is_empty() {
        errors.push(FieldError::new(
            "applicant.full_name",
            &codes::REQUIRED,
            "họ tên không được để trống",
        ));
    }
    match a.kind {
        ApplicantType::Citizen => {
            if let Err(e) = personal_id::validate(&a.id_number, current_year) {
                errors.push(FieldError::new(
                    "applicant.id_number",
                    &codes::INVALID_PERSONAL_ID,
                    e.message(),
                ));
            }
        }
        ApplicantType::Organisation => {
            let ok = match a.id_number.split_once('-') {
                None => a.id_number.len() == 10,
                Some((main, branch)) => {
                    main.len() == 10
                        && branch.len() == 3
                        && branch.bytes().all(|b| b.is_ascii_digit())
                }
            } && a.id_number.bytes().all(|b| b.is_ascii_digit() || b == b'-');
            if !ok {
                errors.push(FieldError::new(
                    "applicant.id_number",
                    &codes::INVALID_TAX_CODE,
                    "mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu '-' và 3 chữ số",
                ));
            }
        }
    }
    errors
}

/// May `caller` read dossier `d`? Inspectors and admins always; the receiving one-stop's
/// officers; the account that submitted it.
fn may_read(caller: &Caller, d: &store::DossierRow) -> bool {
    caller.has_any(&[Role::Inspector, Role::Admin])
        || (caller.has(Role::OneStopOfficer)
            && caller.agency.as_deref() == Some(d.receiving_agency.as_str()))
        || caller.sub == d.submitted_by
}

/// The full dossier (its applicant, the receiving one-stop, inspectors).
#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001")),
    responses((status = 200, content_type = "application/json"), (status = 403, description = "not allowed"),
              (status = 404, description = "unknown dossier")),
    security(("bearer" = [])))]
async fn get_dossier(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let d = store::get_dossier(&s.pool, &code)
        .await?
        .ok_or_else(|| Problem::new(&codes::DOSSIER_NOT_FOUND, format!("no dossier {code}")))?;
    if !may_read(&caller, &d)
        && !crate::lifecycle::is_staff_of(
            &caller,
            &crate::lifecycle::case_agencies(&s, &code).await.1,
        )
    {
        return Err(Problem::new(
            &codes::DOSSIER_NOT_ALLOWED,
            "the caller may not read this dossier",
        ));
    }
    let components = store::get_components(&s.pool, &code).await?;
    let history = store::history(&s.pool, &code).await?;
    let supplement = store::supplement_request(&s.pool, &code).await?.map(|r| {
        json!({
            "requested_at": rfc3339(local(r.requested_at)),
            "requested_by": r.requested_by,
            "items": r.items,
            "deadline_at": rfc3339(local(r.deadline_at)),
            "answered_at": r.answered_at.map(|t| rfc3339(local(t))),
            "expired_at": r.expired_at.map(|t| rfc3339(local(t))),
        })
    });
    Ok(Json(json!({
        "code": d.code,
        "procedure_code": d.procedure_code,
        "procedure_version": d.procedure_version,
        "receiving_agency": d.receiving_agency,
        "channel": d.channel,
        "status": d.status,
        "status_code": d.status_code,
        "applicant": d.applicant,
        "received_at": rfc3339(local(d.received_at)),
        "due_at": rfc3339(local(d.due_at)),
        "due_provisional": d.due_provisional,
        "components": components,
        "supplement_request": supplement,
        "history": history,
    })))
}

/// The receipt (form 01) as JSON, or as a printable HTML page with `Accept: text/html`.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/receipt", tag = "dossiers",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001")),
    responses((status = 200, content_type = "application/json"), (status = 200, content_type = "text/html"),
              (status = 403, description = "not allowed"), (status = 404, description = "unknown dossier")),
    security(("bearer" = [])))]
async fn get_receipt(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let d = store::get_dossier(&s.pool, &code)
        .await?
        .ok_or_else(|| Problem::new(&codes::DOSSIER_NOT_FOUND, format!("no dossier {code}")))?;
    if !may_read(&caller, &d) {
        return Err(Problem::new(
            &codes::DOSSIER_NOT_ALLOWED,
            "the caller may not read this dossier",
        ));
    }
    let wants_html = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html {
        return Ok(axum::response::Html(crate::receipt::render_html(&d.receipt)).into_response());
    }
    Ok(Json(d.receipt).into_response())
}
