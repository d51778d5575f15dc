//! Dossiers (hồ sơ) over REST: submission at the one-stop, the full dossier, and the register
//! staff page through.

use crate::domain::components::{SubmittedComponent, SubmittedFile};
use crate::domain::dossier::{Applicant, ApplicantType, Channel, Form, local};
use crate::domain::register::{self, RegisterQuery};
use crate::domain::submission::{self, SubmissionInput, SubmitDossier, Submitted};
use crate::state::AppState;
use crate::store;
use crate::views::{DossierView, Loaded, RegisterPage};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_idempotency::IdempotencyKey;
use motcua_problem::{ApiPath, ApiQuery, ApiResult, Problem, parse_json};
use motcua_server::Uploads;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    paths(submit, get_dossier, list),
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

/// The routes; a submission carries the applicant's files, so it gets the upload limits.
pub(crate) fn routes(uploads: Uploads) -> Router<AppState> {
    Router::new()
        .route("/api/v1/dossiers", uploads.route(post(submit)).get(list))
        .route("/api/v1/dossiers/{code}", get(get_dossier))
}

/// Receives a dossier at a one-stop unit: checks the caller, the applicant, the procedure in
/// force and every component against it (all errors at once), issues the dossier code and the
/// receipt with the appointment, and announces `dossier.received`, all in one transaction.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = SubmitDossier,
    params(("Idempotency-Key" = String, Header, description = "same key and body replay the original response")),
    responses((status = 201, body = Submitted), (status = 401, description = "no or invalid token"),
        (status = 403, description = "intake_outside_one_stop / agency_not_allowed / citizen_identity_required (a citizen token without id_number)"),
        (status = 422, description = "components_invalid / validation_failed / idempotency_key_reused")),
    security(("bearer" = [])))]
async fn submit(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = "/api/v1/dossiers";
    // The key is claimed by the writer with the dossier: a retry of a written request is
    // answered there, from the stored answer, without a read of its own here.
    let idem = IdempotencyKey::from_request(&caller.sub, &headers, path, &body, true)?
        .ok_or_else(Problem::internal)?;
    let req: SubmitDossier = match parse_json(&body) {
        Ok(req) => req,
        // A key used before with another body is `422 idempotency_key_reused`, whatever the body.
        Err(p) => return Err(idem.precheck(&s.pool).await.err().unwrap_or(p)),
    };
    let now = s.now();
    let agency = s.catalogue.agency(&req.receiving_agency).await?;
    let procedure = s
        .catalogue
        .procedure(&req.procedure_code, local(now).date())
        .await?;
    let calendar = match &agency {
        Some(a) => Some(s.catalogue.calendar(&a.code).await?),
        None => None,
    };
    let input = SubmissionInput {
        caller: &caller,
        request: &req,
        agency: agency.as_ref(),
        procedure: procedure.as_ref(),
        calendar: calendar.as_deref(),
        now,
        code_format: &s.code_format,
    };
    let accepted = match submission::decide(&input) {
        Ok(a) => a,
        Err(refusal) => {
            // Refused now, but perhaps written before the rules or the day changed: a retry
            // still gets its first answer.
            if let Some(answer) = idem.precheck(&s.pool).await? {
                return Ok(answer.into_response());
            }
            return Err(s.refused(&caller, None, refusal).await);
        }
    };
    // Written by the agency's writer with the others arriving meanwhile (group commit).
    let answer = s.receiving.receive(accepted, idem).await?;
    // Never the applicant's ID number, not even in part: with the code it opens the lookup.
    tracing::info!(
        dossier = %answer.body["code"].as_str().unwrap_or_default(),
        "dossier received"
    );
    Ok(answer.into_response())
}

/// The full dossier (its applicant, the receiving one-stop, agencies on its path, inspectors).
#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    params(("code" = String, Path, example = "000.25.80.H80-261127-0001")),
    responses((status = 200, body = DossierView, description = "the dossier"),
              (status = 404, description = "unknown dossier, or one the caller may not read (the same \
                answer, so that a code's existence is not revealed): dossier_not_found")),
    security(("bearer" = [])))]
async fn get_dossier(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<DossierView>> {
    // What the caller may not see answers as what does not exist: no oracle on dossier codes.
    let dossier = s.readable(&caller, &code).await?;
    Ok(Json(DossierView::of(Loaded {
        components: store::dossiers::components(&s.pool, &code).await?,
        supplement: store::supplements::view(&s.pool, &code).await?,
        history: store::dossiers::history(&s.pool, &code).await?,
        // What the applicant was told and whether it reached them (not where: personal data).
        notices: motcua_notify::deliveries(&s.pool, &code).await?,
        dossier,
    })))
}

/// Lists dossiers for staff (sổ theo dõi hồ sơ): inspectors and admins see every agency;
/// one-stop officers and agency heads see the dossiers their own unit received.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(RegisterQuery),
    responses((status = 200, body = RegisterPage, description = "one page of the register",
        example = json!({"items": [{"code": "000.25.80.H80-261127-0001", "procedure_code": "1.001193", "receiving_agency": "000.25.80.H80",
            "channel": "counter", "status": "processing", "status_code": 4, "applicant_name": "Nguyễn Văn An",
            "received_at": "2026-11-27T09:00:00+07:00", "due_at": "2026-11-27T17:00:00+07:00"}], "next_cursor": null})),
        (status = 403, description = "not staff, or another agency: role_not_allowed, agency_not_allowed"), (status = 422, description = "bad filter: invalid_query")),
    security(("bearer" = [])))]
async fn list(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<RegisterQuery>,
) -> ApiResult<Json<RegisterPage>> {
    let filter = register::filter(&caller, &q)?;
    let rows = store::register::page(&s.pool, &filter).await?;
    let page = &rows[..rows.len().min(usize::try_from(filter.limit).unwrap_or(0))];
    let next_cursor = (rows.len() > page.len())
        .then(|| {
            page.last()
                .map(|r| register::encode_cursor(r.received_at, &r.code))
        })
        .flatten();
    Ok(Json(RegisterPage::of(page, next_cursor)))
}
