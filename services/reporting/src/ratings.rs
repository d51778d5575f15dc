//! The applicant's rating of a returned dossier over REST (đánh giá mức độ hài lòng), on SIPAS's
//! five dimensions, once per dossier; a retry with the same `Idempotency-Key` answers the same.

use crate::domain::audit;
use crate::domain::satisfaction::{self, Ratable, Scores};
use crate::state::AppState;
use crate::store;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use motcua_audit::Actor;
use motcua_auth::Caller;
use motcua_idempotency::{Answer, IdempotencyKey, Precheck};
use motcua_problem::{ApiPath, ApiResult, Problem, codes, parse_json};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(rate), components(schemas(RatingBody, Scores, Rated)))]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/dossiers/{code}/rating", post(rate))
}

/// A rating: the five scores (1–5) and an optional comment.
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"access": 5, "procedure": 4, "officials": 5, "result": 5, "feedback_handling": 4, "comment": "Nhanh, đúng hẹn"}))]
pub(crate) struct RatingBody {
    /// The five scores.
    #[serde(flatten)]
    scores: Scores,
    /// Free text (ý kiến khác).
    comment: Option<String>,
}

/// A rating as recorded (đánh giá đã ghi nhận).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"dossier_code": "000.25.80.H80-261127-0001", "scores": {"access": 5, "procedure": 4, "officials": 5,
    "result": 5, "feedback_handling": 4}, "unsatisfied": false, "rated_at": "2026-11-30T10:00:00+07:00"}))]
pub(crate) struct Rated {
    /// The dossier rated (mã hồ sơ).
    dossier_code: String,
    /// The five scores as given.
    scores: Scores,
    /// Unsatisfied (không hài lòng): the scores average below 3.
    unsatisfied: bool,
    /// When it was rated (RFC 3339, +07:00).
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    rated_at: OffsetDateTime,
}

/// Rates a dossier whose result was handed back: its applicant (a citizen who submitted it
/// online) or the portal for an applicant, once; the rating counts in the service index.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/rating", tag = "satisfaction",
    params(("code" = String, Path, description = "dossier code", example = "000.25.80.H80-261127-0001"),
        ("Idempotency-Key" = Option<String>, Header, description = "same key and body replay the answer")),
    request_body = RatingBody,
    responses((status = 201, description = "rated", body = Rated),
        (status = 401, description = "no or invalid token"), (status = 403, description = "role_not_allowed: not a citizen or the portal"),
        (status = 404, description = "dossier_not_found: unknown, or not the caller's (the same answer)"),
        (status = 409, description = "rating_not_open: the result is not handed back yet; already_rated"),
        (status = 422, description = "rating_invalid: a score outside 1–5; invalid_body, idempotency_key_required, idempotency_key_reused")),
    security(("bearer" = [])))]
async fn rate(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/rating");
    let idem =
        match IdempotencyKey::precheck_request(&s.pool, &caller.sub, &headers, &path, &body, false)
            .await?
        {
            Precheck::Replay(r) => return Ok(r.into_response()),
            Precheck::Proceed(k) => k,
        };
    let req: RatingBody = parse_json(&body)?;
    req.scores.check()?;
    let mut tx = s.pool.begin().await?;
    if let Some(k) = &idem
        && let Some(r) = k.claim(&mut tx).await?
    {
        return Ok(r.into_response());
    }
    let not_found = || Problem::new(&codes::DOSSIER_NOT_FOUND, format!("no dossier {code}"));
    let (submitted_by, returned_at, rated_by) = store::satisfaction::ratable(&mut tx, &code)
        .await?
        .ok_or_else(not_found)?;
    let d = Ratable {
        submitted_by: &submitted_by,
        returned_at,
        rated_by: rated_by.as_deref(),
    };
    // Someone else's dossier answers as one that does not exist: no oracle on dossier codes.
    if !satisfaction::rates(&caller, &d) {
        return Err(not_found());
    }
    satisfaction::may_rate(&caller, &d)?;
    let now = s.platform.clock.now();
    store::satisfaction::rate(
        &mut tx,
        &code,
        &caller.sub,
        now,
        &req.scores,
        req.comment.as_deref(),
    )
    .await?;
    let entry = audit::rated(Actor::of(&caller), &code, &req.scores, now);
    motcua_audit::append(&mut tx, &[entry]).await?;
    let rated = Rated {
        dossier_code: code,
        scores: req.scores,
        unsatisfied: req.scores.unsatisfied(),
        rated_at: now,
    };
    let rated = serde_json::to_value(rated).map_err(|e| {
        tracing::error!(error = %e, "rating answer not serialisable");
        Problem::internal()
    })?;
    let answer = Answer::new(StatusCode::CREATED, rated);
    if let Some(k) = &idem {
        k.complete(&mut tx, &answer).await?;
    }
    tx.commit().await?;
    Ok(answer.into_response())
}
