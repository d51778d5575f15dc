//! The supplement over REST (bổ sung hồ sơ): the request (form 02) — once per dossier, every
//! item at once — and the applicant's answer, which keeps the dossier code and resumes the
//! clock per the procedure's policy.

use crate::domain::change::DossierChanged;
use crate::domain::components::SubmittedComponent;
use crate::domain::supplement::{self, RequestInput, SupplementInput, SupplementItem};
use crate::state::{AppState, Begun, not_found};
use crate::store;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use motcua_auth::Caller;
use motcua_idempotency::{Answer, IdempotencyKey, Precheck};
use motcua_problem::{ApiPath, ApiResult, parse_json};
use motcua_server::Uploads;
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(request_supplement, supplement),
    components(schemas(SupplementRequestBody, SupplementItem, SupplementBody))
)]
pub(crate) struct Doc;

/// The routes; a supplement carries the applicant's files, so it gets the upload limits.
pub(crate) fn routes(uploads: Uploads) -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/dossiers/{code}/supplement-requests",
            post(request_supplement),
        )
        .route(
            "/api/v1/dossiers/{code}/supplements",
            uploads.route(post(supplement)),
        )
}

/// Body of a supplement request: every item at once.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"component_code": "GCS", "reason": "Giấy chứng sinh bị mờ, không đọc được số"}]}))]
pub(crate) struct SupplementRequestBody {
    items: Vec<SupplementItem>,
}

/// Body of a supplement: the requested components (same shape as at submission).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"components": [{"code": "GCS", "form": "paper"}, {"code": "HTSS", "form": "paper"}]}))]
pub(crate) struct SupplementBody {
    components: Vec<SubmittedComponent>,
}

/// Requests a supplement (form 02) — once per dossier, listing every item; items may only cite
/// components of the procedure, or defects of submitted ones. The applicant gets a deadline
/// (default 15 working days) and the processing clock waits.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/supplement-requests", tag = "lifecycle",
    params(("code" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body = SupplementRequestBody,
    responses((status = 200, description = "requested; status 5", body = DossierChanged, example = json!({"code": "000.25.80.H80-261127-0001", "action": "request_supplement", "status": "supplement_requested", "status_code": 5, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 403, description = "not the receiving one-stop"),
        (status = 409, description = "supplement_already_requested / illegal_transition"),
        (status = 422, description = "items invalid: supplement_items_invalid")),
    security(("bearer" = [])))]
async fn request_supplement(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/supplement-requests");
    let idem =
        match IdempotencyKey::precheck_request(&s.pool, &caller.sub, &headers, &path, &body, true)
            .await?
        {
            Precheck::Replay(r) => return Ok(r.into_response()),
            Precheck::Proceed(k) => k,
        };
    let req: SupplementRequestBody = parse_json(&body)?;
    Ok(request(&s, &caller, &code, &req.items, idem.as_ref())
        .await?
        .into_response())
}

/// A supplement request by `caller` (REST, or an agency's task returned for supplement over
/// gRPC): the same decision, the same once-only rule.
pub(crate) async fn request(
    s: &AppState,
    caller: &Caller,
    code: &str,
    items: &[SupplementItem],
    idem: Option<&IdempotencyKey>,
) -> ApiResult<Answer> {
    let d = store::dossiers::get(&s.pool, code)
        .await?
        .ok_or_else(|| not_found(code))?;
    let case = s.case_agencies(code).await;
    let published = s.published_components(&d).await?;
    let calendar = s.catalogue.calendar(&d.receiving_agency).await?;
    let (mut tx, d) = match s.begin(idem, code).await? {
        Begun::Replayed(r) => return Ok(r),
        Begun::Locked(tx, d) => (tx, d),
    };
    let submitted = store::dossiers::component_codes(&mut tx, code).await?;
    let already_requested = store::supplements::exists(&mut tx, code).await?;
    let input = RequestInput {
        caller,
        items,
        dossier: &d,
        case: &case,
        published: &published,
        submitted: &submitted,
        already_requested,
        calendar: &calendar,
        rules: s.supplement_rules,
        now: s.now(),
    };
    match supplement::decide_request(&input) {
        Ok(update) => {
            s.commit(tx, idem, caller, &update, || supplement::second_request(&d))
                .await
        }
        Err(refusal) => {
            drop(tx);
            let problem = s.refused(caller, Some(code), refusal).await;
            Err(s.unseen_or(caller, &d, Some(&case), problem).await)
        }
    }
}

/// The applicant's supplement: answers every requested item, keeps the dossier code, and
/// resumes the clock per the procedure's policy (restart: the full time limit again from now;
/// pause: the due instant moves by the working time spent waiting; continue: unchanged).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/supplements", tag = "lifecycle",
    params(("code" = String, Path), ("Idempotency-Key" = String, Header)),
    request_body = SupplementBody,
    responses((status = 200, description = "supplemented", body = DossierChanged, example = json!({"code": "000.25.80.H80-261127-0001", "action": "supplement", "status": "processing", "status_code": 4, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "not waiting for a supplement (illegal_transition), or its deadline passed (supplement_deadline_passed)"),
        (status = 422, description = "components invalid or incomplete: supplement_invalid, components_invalid")),
    security(("bearer" = [])))]
async fn supplement(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/supplements");
    let idem =
        match IdempotencyKey::precheck_request(&s.pool, &caller.sub, &headers, &path, &body, true)
            .await?
        {
            Precheck::Replay(r) => return Ok(r.into_response()),
            Precheck::Proceed(k) => k,
        };
    let req: SupplementBody = parse_json(&body)?;
    let d = store::dossiers::get(&s.pool, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    let published = s.published_components(&d).await?;
    let calendar = s.catalogue.calendar(&d.receiving_agency).await?;
    let (mut tx, d) = match s.begin(idem.as_ref(), &code).await? {
        Begun::Replayed(r) => return Ok(r.into_response()),
        Begun::Locked(tx, d) => (tx, d),
    };
    let request = store::supplements::open(&mut tx, &code).await?;
    let input = SupplementInput {
        caller: &caller,
        components: &req.components,
        dossier: &d,
        request: request.as_ref(),
        published: &published,
        calendar: &calendar,
        now: s.now(),
    };
    match supplement::decide_supplement(&input) {
        Ok(update) => Ok(s
            .commit(tx, idem.as_ref(), &caller, &update, || {
                supplement::second_request(&d)
            })
            .await?
            .into_response()),
        Err(refusal) => {
            drop(tx);
            let problem = s.refused(&caller, Some(&code), refusal).await;
            Err(s.unseen_or(&caller, &d, None, problem).await)
        }
    }
}
