//! Apology and extension over REST (phiếu xin lỗi và hẹn lại, form 04): the head of the agency
//! whose step is running late re-appoints the dossier once, at least one working day before
//! its deadline; the new appointment becomes the dossier's in intake and the public lookup.

use crate::domain::extension::{self, ExtensionGranted, ExtensionRequest};
use crate::state::{AppState, case_not_found};
use crate::store;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use motcua_auth::Caller;
use motcua_idempotency::{Answer, IdempotencyKey, Precheck};
use motcua_problem::{ApiPath, ApiResult, Problem, codes, parse_json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(extend), components(schemas(ExtensionRequest, ExtensionGranted)))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/dossiers/{code}/extensions", post(extend))
}

/// Files the apology and new appointment (form 04): by the `agency_head` of an agency whose
/// step is running; once per dossier; until 1 working day before the deadline.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/extensions", tag = "cases",
    params(("code" = String, Path, description = "dossier code", example = "000.25.80.H80-261127-0001"),
        ("Idempotency-Key" = Option<String>, Header, description = "optional: same key and body replay the original answer")),
    request_body = ExtensionRequest,
    responses((status = 201, description = "granted: the dossier's new appointment", body = ExtensionGranted),
        (status = 403, description = "role_not_allowed, extension_not_allowed: not the head of an agency whose step is running"),
        (status = 404, description = "case_not_found: no case, or one the caller may not see"),
        (status = 409, description = "extension_already_granted, extension_too_late, case_not_open"),
        (status = 422, description = "extension_invalid: a blank reason, or a new appointment not after the current one; \
            idempotency_key_required, idempotency_key_reused")),
    security(("bearer" = [])))]
async fn extend(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/extensions");
    let idem =
        match IdempotencyKey::precheck_request(&s.pool, &caller.sub, &headers, &path, &body, false)
            .await?
        {
            Precheck::Replay(r) => return Ok(r.into_response()),
            Precheck::Proceed(k) => k,
        };
    let req: ExtensionRequest = parse_json(&body)?;
    let (case, tasks) = s.load(&code).await?;
    // What the caller may not see answers as what does not exist: no oracle on dossier codes.
    if !crate::domain::case::visible_to(&caller, &case, &tasks) {
        return Err(case_not_found(&code));
    }
    let cal = s.catalogue.calendar(&case.receiving_agency).await?;
    let mut tx = s.pool.begin().await?;
    if let Some(k) = &idem
        && let Some(r) = k.claim(&mut tx).await?
    {
        return Ok(r.into_response());
    }
    let case = store::cases::lock(&mut tx, case.id)
        .await?
        .ok_or_else(|| case_not_found(&code))?;
    let tasks = store::tasks::of_case(&mut tx, case.id).await?;
    let granted = store::extensions::exists(&mut tx, &code).await?;
    let now = s.now();
    let (ext, update) = extension::decide(&caller, &case, &tasks, granted, &req, now, &cal)?;
    if !store::extensions::insert(&mut tx, &code, case.id, &ext).await? {
        return Err(Problem::new(
            &codes::EXTENSION_ALREADY_GRANTED,
            "only one re-appointment per dossier (form 04)",
        ));
    }
    store::cases::apply(&mut tx, &update, now).await?;
    let granted = serde_json::to_value(ExtensionGranted::of(&code, &ext)).map_err(|e| {
        tracing::error!(error = %e, "extension answer not serialisable");
        Problem::internal()
    })?;
    let answer = Answer::new(StatusCode::CREATED, granted);
    if let Some(k) = &idem {
        k.complete(&mut tx, &answer).await?;
    }
    tx.commit().await?;
    s.committed();
    Ok(answer.into_response())
}
