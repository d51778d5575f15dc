//! Dead webhook deliveries over REST (admin): the deliveries that spent their attempts, and
//! their replay once the receiver is fixed — pending again with its attempts reset, keeping its
//! `webhook-id` and body. Replaying one that is not dead (pending again, or delivered since)
//! changes nothing and answers its state, so a retried replay is harmless.

use crate::domain::delivery::DeadLetter;
use crate::domain::subscription::{self, PageQuery};
use crate::state::AppState;
use crate::store;
use crate::store::deliveries::Replay;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_problem::{ApiPath, ApiQuery, ApiResult, Problem, codes};
use serde::Serialize;
use serde_json::json;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    paths(list_dead_letters, replay),
    components(schemas(DeadLetter, DeadLetterPage, Replayed))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dead-letters", get(list_dead_letters))
        .route("/api/v1/dead-letters/{id}/replay", post(replay))
}

/// A page of dead deliveries.
#[derive(Serialize, ToSchema)]
pub(crate) struct DeadLetterPage {
    /// Dead deliveries to live subscriptions, oldest first.
    items: Vec<DeadLetter>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

/// A delivery after a replay.
#[derive(Serialize, ToSchema)]
pub(crate) struct Replayed {
    /// The delivery (its `webhook-id`).
    id: Uuid,
    /// `pending` (to be delivered) or `delivered`.
    state: &'static str,
}

/// The dead webhook deliveries, oldest first.
#[utoipa::path(get, path = "/api/v1/dead-letters", tag = "webhooks", params(PageQuery),
    responses((status = 200, description = "a page of dead deliveries", body = DeadLetterPage,
        example = json!({"items": [{"id": "01939b5e-8a2c-7c4e-9a51-3f0e2b7c1d99", "subscription_id": "01939b5e-8a2c-7c4e-9a51-3f0e2b7c1d22",
            "url": "https://land.example.vn/motcua/hooks", "event_type": "task.created", "dossier_code": "000.25.80.H80-261127-0001",
            "attempts": 20, "last_error": "HTTP 503", "dead_at": "2026-11-27T15:00:00+07:00"}], "next_cursor": null})),
        (status = 403, description = "role_not_allowed: admins only"),
        (status = 422, description = "invalid_query: a cursor not from this API")),
    security(("bearer" = [])))]
async fn list_dead_letters(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<DeadLetterPage>> {
    let mut conn = s.pool.acquire().await?;
    let rows = store::deliveries::dead_letters(&mut conn, q.after()?, subscription::PAGE).await?;
    let (items, next_cursor) = subscription::paged(rows, |r| r.id);
    Ok(Json(DeadLetterPage { items, next_cursor }))
}

/// Makes a dead delivery pending again (attempts reset), delivered in its dossier's order.
#[utoipa::path(post, path = "/api/v1/dead-letters/{id}/replay", tag = "webhooks",
    params(("id" = Uuid, Path, description = "delivery id (its webhook-id)")),
    responses((status = 202, description = "pending again", body = Replayed),
        (status = 200, description = "not dead: nothing changed (pending, or delivered)", body = Replayed),
        (status = 403, description = "role_not_allowed: admins only"),
        (status = 404, description = "dead_letter_not_found: no such delivery, or its subscription ended"),
        (status = 422, description = "invalid_path: not a UUID")),
    security(("bearer" = [])))]
async fn replay(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<Replayed>)> {
    let mut tx = s.pool.begin().await?;
    let found = store::deliveries::replay(&mut tx, id)
        .await?
        .ok_or_else(|| Problem::new(&codes::DEAD_LETTER_NOT_FOUND, format!("no delivery {id}")))?;
    let answer = match found {
        Replay::Replayed(attempts, last_error) => {
            let before = json!({"state": "dead", "attempts": attempts, "last_error": last_error});
            let entry = subscription::replayed(&caller, id, before, s.now());
            motcua_audit::append(&mut tx, &[entry]).await?;
            (StatusCode::ACCEPTED, "pending")
        }
        Replay::NotDead(true) => (StatusCode::OK, "delivered"),
        Replay::NotDead(false) => (StatusCode::OK, "pending"),
    };
    tx.commit().await?;
    s.webhook_wake.notify_one();
    Ok((
        answer.0,
        Json(Replayed {
            id,
            state: answer.1,
        }),
    ))
}
