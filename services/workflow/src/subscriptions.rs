//! Webhook subscriptions over REST (đăng ký nhận sự kiện): a sector system, an agency head or
//! an admin subscribes a URL to step events (the secret shown once), lists, deletes and rotates
//! its own; an admin any. Another account's subscription answers as one that does not exist.
//! Every change is in workflow's audit trail with its caller, never with the secret.

use crate::domain::subscription::{
    self, PageQuery, SubscriptionRequest, SubscriptionView, decide_create, may_manage, not_found,
};
use crate::state::AppState;
use crate::store;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_idempotency::{Answer, IdempotencyKey, Precheck};
use motcua_problem::{ApiPath, ApiQuery, ApiResult, Problem, parse_json};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    paths(create, list_subscriptions, remove, rotate),
    components(schemas(
        SubscriptionRequest,
        SubscriptionView,
        SubscriptionPage,
        Created,
        Rotated
    ))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/subscriptions",
            post(create).get(list_subscriptions),
        )
        .route("/api/v1/subscriptions/{id}", delete(remove))
        .route("/api/v1/subscriptions/{id}/secret", post(rotate))
}

/// A new subscription with its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct Created {
    #[serde(flatten)]
    subscription: SubscriptionView,
    /// `whsec_` and the base64 of the 32 key bytes: keep it, it is not shown again.
    secret: String,
}

/// A page of subscriptions.
#[derive(Serialize, ToSchema)]
pub(crate) struct SubscriptionPage {
    /// Live subscriptions, oldest first, without their secrets.
    items: Vec<SubscriptionView>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

/// A rotated secret.
#[derive(Serialize, ToSchema)]
pub(crate) struct Rotated {
    /// The new secret, shown this once.
    secret: String,
    /// Until when the previous secret still signs, beside the new one.
    #[serde(with = "motcua_calendar::province_time")]
    previous_valid_until: time::OffsetDateTime,
}

/// 32 random key bytes for a secret.
fn key_bytes() -> Result<[u8; 32], Problem> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| {
        tracing::error!(error = %e, "no random source for a webhook secret");
        Problem::internal()
    })?;
    Ok(key)
}

fn answer_of<T: Serialize>(status: StatusCode, body: &T) -> Result<Answer, Problem> {
    let body = serde_json::to_value(body).map_err(|e| {
        tracing::error!(error = %e, "subscription answer not serialisable");
        Problem::internal()
    })?;
    Ok(Answer::new(status, body))
}

/// Subscribes a URL to step events of the caller's agency (and sector, for a sector system;
/// every agency for an admin). The `Idempotency-Key` is required: a retry with the same key
/// and body answers the first answer again (with the same secret) and makes no second
/// subscription, whose deliveries would all arrive twice.
#[utoipa::path(post, path = "/api/v1/subscriptions", tag = "webhooks",
    params(("Idempotency-Key" = String, Header, description = "required: same key and body replay the original answer")),
    request_body = SubscriptionRequest,
    responses((status = 201, description = "subscribed: the secret is shown this once", body = Created,
        example = json!({"id": "01939b5e-8a2c-7c4e-9a51-3f0e2b7c1d22", "url": "https://land.example.vn/motcua/hooks",
            "event_types": ["task.created"], "agency": "000.30.80.H80", "sector": "land", "owner": "land-long-an",
            "created_at": "2026-11-27T09:00:00+07:00", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYq="})),
        (status = 403, description = "role_not_allowed; agency_not_allowed: a staff token without an agency"),
        (status = 422, description = "subscription_invalid: `url` (invalid_url, too_long), `event_types` (required), \
            `event_types[i]` (event_type_unknown); invalid_body; idempotency_key_required, idempotency_key_reused")),
    security(("bearer" = [])))]
async fn create(
    caller: Caller,
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = "/api/v1/subscriptions";
    let idem =
        match IdempotencyKey::precheck_request(&s.pool, &caller.sub, &headers, path, &body, true)
            .await?
        {
            Precheck::Replay(r) => return Ok(r.into_response()),
            Precheck::Proceed(k) => k,
        };
    let req: SubscriptionRequest = parse_json(&body)?;
    let now = s.now();
    let new = decide_create(&caller, &req, Uuid::now_v7(), &key_bytes()?, now)?;
    let mut tx = s.pool.begin().await?;
    if let Some(k) = &idem
        && let Some(r) = k.claim(&mut tx).await?
    {
        return Ok(r.into_response());
    }
    store::subscriptions::insert(&mut tx, &new).await?;
    let view = subscription::view_of(&new);
    let entry = subscription::audited(&caller, "subscription.created", &view, now);
    let created = Created {
        subscription: view,
        secret: new.secret.shown(),
    };
    let answer = answer_of(StatusCode::CREATED, &created)?;
    if let Some(k) = &idem {
        k.complete(&mut tx, &answer).await?;
    }
    motcua_audit::append(&mut tx, &[entry]).await?;
    tx.commit().await?;
    Ok(answer.into_response())
}

/// The caller's live subscriptions (an admin's: every one), oldest first, without secrets.
#[utoipa::path(get, path = "/api/v1/subscriptions", tag = "webhooks", params(PageQuery),
    responses((status = 200, description = "a page of subscriptions", body = SubscriptionPage),
        (status = 403, description = "role_not_allowed"),
        (status = 422, description = "invalid_query: a cursor not from this API")),
    security(("bearer" = [])))]
async fn list_subscriptions(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<SubscriptionPage>> {
    let owner = (!caller.has(Role::Admin)).then_some(caller.sub.as_str());
    let mut conn = s.pool.acquire().await?;
    let rows = store::subscriptions::page(&mut conn, owner, q.after()?, subscription::PAGE).await?;
    let (items, next_cursor) = subscription::paged(rows, |r| r.id);
    Ok(Json(SubscriptionPage { items, next_cursor }))
}

/// Ends a subscription: no more deliveries, pending ones included. Another account's answers
/// as an unknown one (an admin may end any).
#[utoipa::path(delete, path = "/api/v1/subscriptions/{id}", tag = "webhooks",
    params(("id" = Uuid, Path, description = "subscription id")),
    responses((status = 204, description = "ended"),
        (status = 403, description = "role_not_allowed"),
        (status = 404, description = "subscription_not_found: unknown, ended, or another account's"),
        (status = 422, description = "invalid_path: not a UUID")),
    security(("bearer" = [])))]
async fn remove(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let mut tx = s.pool.begin().await?;
    let sub = store::subscriptions::lock(&mut tx, id)
        .await?
        .filter(|v| may_manage(&caller, &v.owner))
        .ok_or_else(|| not_found(id))?;
    let now = s.now();
    store::subscriptions::delete(&mut tx, id, now).await?;
    let entry = subscription::audited(&caller, "subscription.deleted", &sub, now);
    motcua_audit::append(&mut tx, &[entry]).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rotates a subscription's secret: the new one is shown this once; the previous one still
/// signs for `MOTCUA_WEBHOOK_SECRET_OVERLAP_SECS` (24 hours), each delivery meanwhile carrying
/// both signatures. A retry with the same `Idempotency-Key` answers the same new secret and
/// rotates nothing more.
#[utoipa::path(post, path = "/api/v1/subscriptions/{id}/secret", tag = "webhooks",
    params(("id" = Uuid, Path, description = "subscription id"),
        ("Idempotency-Key" = Option<String>, Header, description = "optional: same key replays the original answer")),
    responses((status = 200, description = "the new secret", body = Rotated),
        (status = 403, description = "role_not_allowed"),
        (status = 404, description = "subscription_not_found: unknown, ended, or another account's"),
        (status = 422, description = "invalid_path; idempotency_key_required, idempotency_key_reused")),
    security(("bearer" = [])))]
async fn rotate(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let path = format!("/api/v1/subscriptions/{id}/secret");
    let idem =
        match IdempotencyKey::precheck_request(&s.pool, &caller.sub, &headers, &path, &body, false)
            .await?
        {
            Precheck::Replay(r) => return Ok(r.into_response()),
            Precheck::Proceed(k) => k,
        };
    let secret = subscription::Secret::of(&key_bytes()?);
    let mut tx = s.pool.begin().await?;
    if let Some(k) = &idem
        && let Some(r) = k.claim(&mut tx).await?
    {
        return Ok(r.into_response());
    }
    let sub = store::subscriptions::lock(&mut tx, id)
        .await?
        .filter(|v| may_manage(&caller, &v.owner))
        .ok_or_else(|| not_found(id))?;
    let overlap = s.platform.settings.webhooks.secret_overlap;
    let until = store::subscriptions::rotate(&mut tx, id, &secret, overlap).await?;
    let rotated = Rotated {
        secret: secret.shown(),
        previous_valid_until: until,
    };
    let answer = answer_of(StatusCode::OK, &rotated)?;
    if let Some(k) = &idem {
        k.complete(&mut tx, &answer).await?;
    }
    let entry = subscription::audited(&caller, "subscription.secret_rotated", &sub, s.now());
    motcua_audit::append(&mut tx, &[entry]).await?;
    tx.commit().await?;
    Ok(answer.into_response())
}
