//! Feedback and petitions over REST (phản ánh, kiến nghị): filed by the public about an agency
//! (and a dossier, when there is one), answered by that agency within ten working days, the
//! answer judged by whoever filed it; on-time answers and satisfaction count in the index.

use crate::domain::audit;
use crate::domain::satisfaction::{self, answer_due};
use crate::state::AppState;
use crate::store;
use crate::store::satisfaction::Feedback;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use motcua_audit::Actor;
use motcua_auth::Caller;
use motcua_calendar::local_rfc3339 as rfc3339;
use motcua_idempotency::{Answer, IdempotencyKey, Precheck};
use motcua_problem::{
    ApiJson, ApiPath, ApiQuery, ApiResult, FieldError, Problem, codes, parse_json,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(file, list, answer, judge),
    components(schemas(Feedback, FeedbackBody, AnswerBody, JudgementBody, FeedbackList))
)]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/feedback", post(file).get(list))
        .route("/api/v1/feedback/{id}/answer", post(answer))
        .route("/api/v1/feedback/{id}/rating", post(judge))
}

/// New feedback.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"agency": "000.25.80.H80", "dossier_code": "000.25.80.H80-261127-0001",
    "content": "Hồ sơ đã quá hẹn nhưng chưa nhận được thông báo", "contact": "0912345678"}))]
pub(crate) struct FeedbackBody {
    /// The agency it concerns (a known agency code).
    #[schema(min_length = 1)]
    agency: String,
    /// The dossier it is about, if any.
    dossier_code: Option<String>,
    /// What it says (1–4000 characters, not blank).
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    content: String,
    /// How to reach the filer.
    contact: Option<String>,
}

/// What a feedback's audit records name: its id, agency and dossier.
fn about(f: &Feedback) -> (Uuid, &str, Option<&str>) {
    (f.id, &f.agency, f.dossier_code.as_deref())
}

fn invalid(field: &str, msg: &str) -> Problem {
    Problem::new(&codes::FEEDBACK_INVALID, format!("{field}: {msg}"))
        .with_errors(vec![FieldError::new(field, &codes::INVALID_VALUE, msg)])
}

/// Files feedback about an agency (citizens, the portal, or a one-stop officer recording one
/// handed in on paper); it is due to be answered in ten working days on the agency's calendar.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "satisfaction",
    params(("Idempotency-Key" = Option<String>, Header, description = "same key and body replay the answer")),
    request_body = FeedbackBody,
    responses((status = 201, description = "filed, with its answer deadline", body = Feedback),
        (status = 401, description = "no or invalid token"),
        (status = 403, description = "role_not_allowed"),
        (status = 422, description = "feedback_invalid: blank or too long content, unknown agency; invalid_body, \
            idempotency_key_required, idempotency_key_reused"),
        (status = 503, description = "catalogue_unavailable: the agency or its calendar could not be read")),
    security(("bearer" = [])))]
async fn file(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let idem = match IdempotencyKey::precheck_request(
        &s.pool,
        &caller.sub,
        &headers,
        "/api/v1/feedback",
        &body,
        false,
    )
    .await?
    {
        Precheck::Replay(r) => return Ok(r.into_response()),
        Precheck::Proceed(k) => k,
    };
    let b: FeedbackBody = parse_json(&body)?;
    let content = b.content.trim();
    if content.is_empty() || content.chars().count() > 4000 {
        return Err(invalid("content", "1–4000 ký tự"));
    }
    if s.catalogue.agency(&b.agency).await?.is_none() {
        return Err(invalid("agency", "không có cơ quan này"));
    }
    let cal = s.catalogue.calendar(&b.agency).await?;
    let now = s.platform.clock.now();
    let f = Feedback {
        id: Uuid::now_v7(),
        agency: b.agency,
        dossier_code: b.dossier_code,
        filed_by: caller.sub.clone(),
        content: content.to_string(),
        contact: b.contact,
        received_at: now,
        answer_due: answer_due(&cal, now),
        answer: None,
        answered_by: None,
        answered_at: None,
        satisfied: None,
    };
    let mut tx = s.pool.begin().await?;
    if let Some(k) = &idem
        && let Some(r) = k.claim(&mut tx).await?
    {
        return Ok(r.into_response());
    }
    store::satisfaction::file(&mut tx, &f).await?;
    let after = json!({"answered": false, "answer_due": rfc3339(f.answer_due)});
    let entry = audit::feedback(
        Actor::of(&caller),
        "feedback.filed",
        about(&f),
        None,
        after,
        now,
    );
    motcua_audit::append(&mut tx, &[entry]).await?;
    let answer = Answer::new(
        StatusCode::CREATED,
        serde_json::to_value(&f).unwrap_or_default(),
    );
    if let Some(k) = &idem {
        k.complete(&mut tx, &answer).await?;
    }
    tx.commit().await?;
    Ok(answer.into_response())
}

/// Filters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Agency (inspectors and admins: any or all; staff: their own).
    agency: Option<String>,
    /// Only those not answered yet.
    #[serde(default)]
    open: bool,
}

/// Feedback (phản ánh, kiến nghị), newest first, in one page.
#[derive(Serialize, ToSchema)]
pub(crate) struct FeedbackList {
    /// At most 500, newest first.
    items: Vec<Feedback>,
    /// Always null: the list is one page.
    next_cursor: Option<String>,
}

/// Feedback addressed to an agency (staff see their own; inspectors and admins any or all).
#[utoipa::path(get, path = "/api/v1/feedback", tag = "satisfaction", params(ListQuery),
    responses((status = 200, description = "the feedback addressed to the agency", body = FeedbackList),
        (status = 401, description = "no or invalid token"),
        (status = 403, description = "role_not_allowed, agency_not_allowed: role or agency not allowed")),
    security(("bearer" = [])))]
async fn list(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<FeedbackList>> {
    let agency = crate::domain::scope::agency(&caller, q.agency)?;
    let items = store::satisfaction::list(&s.pool, agency.as_deref(), q.open, 500).await?;
    Ok(Json(FeedbackList {
        items,
        next_cursor: None,
    }))
}

/// The agency's answer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnswerBody {
    /// The answer (1–4000 characters, not blank).
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    answer: String,
}

fn not_found(id: Uuid) -> Problem {
    Problem::new(&codes::FEEDBACK_NOT_FOUND, format!("no feedback {id}"))
}

/// Answers feedback addressed to the caller's agency, once; on time when by its deadline.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/answer", tag = "satisfaction",
    params(("id" = Uuid, Path, description = "feedback id")),
    request_body = AnswerBody,
    responses((status = 200, description = "the feedback with its answer", body = Feedback),
        (status = 401, description = "no or invalid token"),
        (status = 403, description = "role_not_allowed, agency_not_allowed: not the agency concerned"),
        (status = 404, description = "feedback_not_found"),
        (status = 409, description = "feedback_already_answered"),
        (status = 422, description = "feedback_invalid: a blank answer or one over 4000 characters")),
    security(("bearer" = [])))]
async fn answer(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<AnswerBody>,
) -> ApiResult<Json<Feedback>> {
    let text = b.answer.trim();
    if text.is_empty() || text.chars().count() > 4000 {
        return Err(invalid("answer", "1–4000 ký tự"));
    }
    let mut tx = s.pool.begin().await?;
    let f = store::satisfaction::lock(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if f.answered_by.as_deref() == Some(caller.sub.as_str()) && f.answer.as_deref() == Some(text) {
        return Ok(Json(f)); // the same answer again: a retry
    }
    satisfaction::may_answer(&caller, &f.agency, f.answered_at.is_some())?;
    let now = s.platform.clock.now();
    store::satisfaction::answer(&mut tx, id, &caller.sub, now, text).await?;
    let (before, after) = (
        json!({"answered": false}),
        json!({"answered": true, "on_time": now <= f.answer_due}),
    );
    let entry = audit::feedback(
        Actor::of(&caller),
        "feedback.answered",
        about(&f),
        Some(before),
        after,
        now,
    );
    motcua_audit::append(&mut tx, &[entry]).await?;
    tx.commit().await?;
    Ok(Json(Feedback {
        answer: Some(text.to_string()),
        answered_by: Some(caller.sub.clone()),
        answered_at: Some(now),
        ..f
    }))
}

/// The filer's verdict on the answer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct JudgementBody {
    /// Satisfied with the answer.
    satisfied: bool,
}

/// Whoever filed the feedback judges its answer, once it is given, once.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/rating", tag = "satisfaction",
    params(("id" = Uuid, Path, description = "feedback id")),
    request_body = JudgementBody,
    responses((status = 200, description = "the feedback with the verdict", body = Feedback),
        (status = 401, description = "no or invalid token"),
        (status = 403, description = "forbidden: not the filer"), (status = 404, description = "feedback_not_found"),
        (status = 409, description = "feedback_not_judgeable: not answered yet, or judged already")),
    security(("bearer" = [])))]
async fn judge(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<JudgementBody>,
) -> ApiResult<Json<Feedback>> {
    let mut tx = s.pool.begin().await?;
    let f = store::satisfaction::lock(&mut tx, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if f.filed_by != caller.sub {
        return Err(Problem::new(
            &codes::FORBIDDEN,
            "only the filer judges the answer",
        ));
    }
    if f.satisfied == Some(b.satisfied) {
        return Ok(Json(f)); // a retry
    }
    if f.answered_at.is_none() || f.satisfied.is_some() {
        return Err(Problem::new(
            &codes::FEEDBACK_NOT_JUDGEABLE,
            "an answer is judged once, after it is given",
        ));
    }
    store::satisfaction::judge(&mut tx, id, b.satisfied).await?;
    let (before, after) = (
        json!({"satisfied": null}),
        json!({"satisfied": b.satisfied}),
    );
    let now = s.platform.clock.now();
    let entry = audit::feedback(
        Actor::of(&caller),
        "feedback.judged",
        about(&f),
        Some(before),
        after,
        now,
    );
    motcua_audit::append(&mut tx, &[entry]).await?;
    tx.commit().await?;
    Ok(Json(Feedback {
        satisfied: Some(b.satisfied),
        ..f
    }))
}
