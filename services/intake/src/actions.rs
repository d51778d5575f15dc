//! Refusal (form 03), withdrawal (form 05), the financial obligation and its payment, and the
//! hand-back of the result, over REST: each parses its body into a decision and goes through
//! the same load → decide → write → answer.

use crate::domain::actions::{self, Decision, Fee, ReturnChannel};
use crate::domain::change::DossierChanged;
use crate::state::{AppState, Begun};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use motcua_auth::Caller;
use motcua_idempotency::{Answer, IdempotencyKey, Precheck};
use motcua_problem::{ApiPath, ApiResult, parse_json};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        refuse,
        withdraw,
        request_financial_obligation,
        confirm_payment,
        return_result
    ),
    components(schemas(
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

/// Reasons for refusing (form 03): specific, at least one.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reasons": ["Hồ sơ không thuộc thẩm quyền giải quyết của UBND phường"]}))]
pub(crate) struct RefusalBody {
    /// Each reason, stated specifically (at least one).
    #[schema(min_items = 1)]
    reasons: Vec<String>,
}

/// Withdrawal at the applicant's request (form 05).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reason": "Không còn nhu cầu"}))]
pub(crate) struct WithdrawalBody {
    /// Why the applicant withdraws (may be empty).
    reason: String,
}

/// The financial obligation (nghĩa vụ tài chính).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"name": "Lệ phí trước bạ", "amount_vnd": 500000}]}))]
pub(crate) struct FinancialObligationBody {
    /// The fees and charges to pay (at least one).
    #[schema(min_items = 1)]
    items: Vec<Fee>,
}

/// Payment confirmation.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reference": "BL-2026-000123"}))]
pub(crate) struct PaymentBody {
    /// Receipt or transaction reference.
    reference: String,
}

/// The hand-back of the result.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"channel": "counter", "returned_at": "2026-11-30T16:00:00+07:00"}))]
pub(crate) struct ResultReturnBody {
    /// How it went back.
    channel: ReturnChannel,
    /// When it was handed back (RFC 3339; default: now); not in the future.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    returned_at: Option<OffsetDateTime>,
}

/// Takes `decision` on dossier `code` for `caller`: the shared path of every action here and
/// of a refusal decided at an agency's task (gRPC).
pub(crate) async fn act(
    s: &AppState,
    caller: &Caller,
    code: &str,
    decision: &Decision,
    idem: Option<&IdempotencyKey>,
) -> ApiResult<Answer> {
    let d = crate::store::dossiers::get(&s.pool, code)
        .await?
        .ok_or_else(|| crate::state::not_found(code))?;
    let calendar = s.catalogue.calendar(&d.receiving_agency).await?;
    let case = match decision.needs_case() {
        true => s.case_agencies(code).await,
        false => Default::default(),
    };
    let (tx, d) = match s.begin(idem, code).await? {
        Begun::Replayed(r) => return Ok(r),
        Begun::Locked(tx, d) => (tx, d),
    };
    match actions::decide(decision, caller, &d, &case, &calendar, s.now()) {
        Ok(update) => {
            s.commit(tx, idem, caller, &update, || {
                crate::domain::supplement::second_request(&d)
            })
            .await
        }
        Err(refusal) => {
            drop(tx);
            let problem = s.refused(caller, Some(code), refusal).await;
            let case = decision.needs_case().then_some(&case);
            Err(s.unseen_or(caller, &d, case, problem).await)
        }
    }
}

async fn handle(
    s: &AppState,
    caller: &Caller,
    code: &str,
    suffix: &str,
    headers: &HeaderMap,
    body: &[u8],
    decision: Decision,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/{suffix}");
    let idem =
        match IdempotencyKey::precheck_request(&s.pool, &caller.sub, headers, &path, body, false)
            .await?
        {
            Precheck::Replay(r) => return Ok(r.into_response()),
            Precheck::Proceed(k) => k,
        };
    Ok(act(s, caller, code, &decision, idem.as_ref())
        .await?
        .into_response())
}

/// Refuses the dossier with specific reasons (form 03).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/refusal", tag = "lifecycle", params(("code" = String, Path)),
    request_body = RefusalBody, responses((status = 200, description = "refused; status 3", body = DossierChanged, example = json!({"code": "000.25.80.H80-261127-0001", "action": "refuse", "status": "refused", "status_code": 3, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "illegal_transition")),
    security(("bearer" = [])))]
async fn refuse(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: RefusalBody = parse_json(&body)?;
    handle(
        &s,
        &caller,
        &code,
        "refusal",
        &headers,
        &body,
        Decision::Refuse {
            reasons: req.reasons,
        },
    )
    .await
}

/// Withdraws the dossier at the applicant's request, before a result exists (form 05).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/withdrawal", tag = "lifecycle", params(("code" = String, Path)),
    request_body = WithdrawalBody, responses((status = 200, description = "withdrawn; status 7", body = DossierChanged, example = json!({"code": "000.25.80.H80-261127-0001", "action": "withdraw", "status": "withdrawn", "status_code": 7, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "illegal_transition")),
    security(("bearer" = [])))]
async fn withdraw(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: WithdrawalBody = parse_json(&body)?;
    handle(
        &s,
        &caller,
        &code,
        "withdrawal",
        &headers,
        &body,
        Decision::Withdraw { reason: req.reason },
    )
    .await
}

/// Notifies a financial obligation (tax, fees) to pay before the result is handed over; the
/// dossier's clock waits until it is paid.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/financial-obligation", tag = "lifecycle", params(("code" = String, Path)),
    request_body = FinancialObligationBody, responses((status = 200, description = "status 6", body = DossierChanged, example = json!({"code": "000.25.80.H80-261127-0001", "action": "request_financial_obligation", "status": "financial_obligation", "status_code": 6, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "illegal_transition")),
    security(("bearer" = [])))]
async fn request_financial_obligation(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: FinancialObligationBody = parse_json(&body)?;
    handle(
        &s,
        &caller,
        &code,
        "financial-obligation",
        &headers,
        &body,
        Decision::RequestFinancialObligation { items: req.items },
    )
    .await
}

/// Confirms payment of the financial obligation; processing continues and the appointment
/// moves by the working time the payment took.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/financial-obligation/payment", tag = "lifecycle", params(("code" = String, Path)),
    request_body = PaymentBody, responses((status = 200, description = "status 4", body = DossierChanged, example = json!({"code": "000.25.80.H80-261127-0001", "action": "confirm_payment", "status": "processing", "status_code": 4, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "illegal_transition")),
    security(("bearer" = [])))]
async fn confirm_payment(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: PaymentBody = parse_json(&body)?;
    handle(
        &s,
        &caller,
        &code,
        "financial-obligation/payment",
        &headers,
        &body,
        Decision::ConfirmPayment {
            reference: req.reference,
        },
    )
    .await
}

/// Hands the result back to the applicant (counter, post or electronically).
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/result-return", tag = "lifecycle", params(("code" = String, Path)),
    request_body = ResultReturnBody, responses((status = 200, description = "status 10", body = DossierChanged, example = json!({"code": "000.25.80.H80-261127-0001", "action": "return_result", "status": "result_returned", "status_code": 10, "due_at": "2026-11-27T17:00:00+07:00", "detail": {}})), (status = 409, description = "no result yet (illegal_transition)")),
    security(("bearer" = [])))]
async fn return_result(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let req: ResultReturnBody = parse_json(&body)?;
    let decision = Decision::ReturnResult {
        channel: req.channel,
        returned_at: req.returned_at,
    };
    handle(
        &s,
        &caller,
        &code,
        "result-return",
        &headers,
        &body,
        decision,
    )
    .await
}
