//! The payment gateway's notifications over REST (thông báo kết quả thanh toán,
//! `docs/payments.md` § Notification): public, authenticated only by the HMAC-SHA256 signature
//! with the shared secret. Every notification is logged first; a bad signature is `401` and
//! nothing else is written. A verified one is settled in one transaction holding the dossier
//! and the order: the order paid (or failed) and, on a first success, the dossier's payment
//! confirmed by the same decision and writer as an officer's confirmation — so a paid order
//! never sits beside a dossier still waiting, nor the reverse.

use crate::domain::dossier::Dossier;
use crate::domain::payment::{self, Gateway, OrderStatus, PaymentOrder};
use crate::domain::payment_callback::{self, Callback, CallbackStatus, GATEWAY_ACTOR, Outcome};
use crate::state::{AppState, not_found};
use crate::store;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use motcua_audit::Actor;
use motcua_calendar::WorkingCalendar;
use motcua_problem::{ApiResult, Problem, codes, parse_json};
use serde::Serialize;
use sqlx::{Postgres, Transaction};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    paths(payment_callback),
    components(schemas(Callback, CallbackStatus, CallbackAnswer, OrderStatus))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/payments/callback", post(payment_callback))
}

/// What the gateway is answered: `ok` (recorded now), `duplicate` (recorded before) or
/// `ignored` (a failure after the payment or the expiry).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"result": "ok", "order_id": "0193f7a4-0000-7000-8000-000000000001", "order_status": "paid", "dossier_resumed": true}))]
pub(crate) struct CallbackAnswer {
    /// `ok`, `duplicate` or `ignored`.
    result: &'static str,
    /// The order notified.
    order_id: String,
    /// The order's status after it.
    order_status: OrderStatus,
    /// The dossier's payment was confirmed by this notification (status 6 → 4, or 9).
    dossier_resumed: bool,
}

/// The gateway notifies a payment's result (public: authenticated by its signature). Answered
/// `200` whenever the gateway need not send it again; a repeat is harmless.
#[utoipa::path(post, path = "/api/v1/payments/callback", tag = "payments",
    request_body = Callback,
    responses((status = 200, description = "recorded now, before, or ignored", body = CallbackAnswer),
        (status = 401, description = "the signature does not verify: payment_signature_invalid"),
        (status = 404, description = "no such order: payment_order_not_found"),
        (status = 409, description = "paid after the order expired, or by another transaction: payment_order_expired / payment_order_already_paid / payment_transaction_reused"),
        (status = 422, description = "another amount or merchant: payment_amount_mismatch / payment_merchant_mismatch"),
        (status = 503, description = "no gateway configured: payment_gateway_not_configured")))]
async fn payment_callback(
    State(s): State<AppState>,
    body: Bytes,
) -> ApiResult<Json<CallbackAnswer>> {
    let cb: Callback = parse_json(&body)?;
    let paid_at = cb.checked()?;
    let gateway = s.payments.gateway()?;
    let verified = gateway.secret.verifies(&cb.canonical(), &cb.signature);
    let log = store::payments::log_callback(&s.pool, s.now(), &cb, verified).await?;
    if !verified {
        tracing::warn!(order = %cb.order_id, "payment notification with a bad signature refused");
        return Err(Problem::new(
            &codes::PAYMENT_SIGNATURE_INVALID,
            "the notification's signature does not verify",
        ));
    }
    match settle(&s, gateway, &cb, paid_at, log).await {
        Ok(answer) => Ok(Json(answer)),
        Err(problem) => {
            let mut conn = s.pool.acquire().await?;
            store::payments::set_outcome(&mut conn, log, problem.code).await?;
            Err(problem)
        }
    }
}

fn order_not_found(id: &str) -> Problem {
    Problem::new(
        &codes::PAYMENT_ORDER_NOT_FOUND,
        format!("no payment order {id}"),
    )
}

/// A verified notification with its dossier and order, both locked in `tx`.
struct Locked<'a> {
    tx: Transaction<'static, Postgres>,
    dossier: Dossier,
    order: PaymentOrder,
    cb: &'a Callback,
    paid_at: OffsetDateTime,
    log: i64,
    now: OffsetDateTime,
}

/// Loads the order, its dossier and (for a success) the calendar; locks the dossier, then the
/// order; decides; writes what the outcome writes, with the log's outcome, and commits.
async fn settle(
    s: &AppState,
    gateway: &Gateway,
    cb: &Callback,
    paid_at: OffsetDateTime,
    log: i64,
) -> Result<CallbackAnswer, Problem> {
    let id = Uuid::parse_str(&cb.order_id).map_err(|_| order_not_found(&cb.order_id))?;
    let order = store::payments::get(&s.pool, id)
        .await?
        .ok_or_else(|| order_not_found(&cb.order_id))?;
    let code = order.dossier_code.as_str();
    let d = store::dossiers::get(&s.pool, code)
        .await?
        .ok_or_else(|| not_found(code))?;
    let calendar = match cb.status {
        CallbackStatus::Success => Some(s.catalogue.calendar(&d.receiving_agency).await?),
        CallbackStatus::Failed => None,
    };
    let mut tx = s.pool.begin().await?;
    let dossier = store::dossiers::lock(&mut tx, code)
        .await?
        .ok_or_else(|| not_found(code))?;
    let order = store::payments::lock(&mut tx, id)
        .await?
        .ok_or_else(|| order_not_found(&cb.order_id))?;
    let taken = store::payments::paid_by(&mut tx, &cb.transaction_id)
        .await?
        .is_some_and(|holder| holder != id);
    let outcome = payment_callback::decide(&gateway.merchant_id, &order, cb, paid_at, taken)?;
    let mut locked = Locked {
        tx,
        dossier,
        order,
        cb,
        paid_at,
        log,
        now: s.now(),
    };
    match (outcome, calendar) {
        (Outcome::Paid, Some(calendar)) => record_payment(s, locked, &calendar).await,
        (Outcome::Paid, None) => Err(Problem::internal()),
        (Outcome::Failed, _) => record_failure(locked).await,
        (Outcome::Duplicate | Outcome::Ignored, _) => {
            let logged = outcome.logged(false);
            store::payments::set_outcome(&mut locked.tx, log, logged).await?;
            locked.tx.commit().await?;
            Ok(answer(outcome, &locked.order, false))
        }
    }
}

/// A first success: the order paid and, when the dossier waits for it, its payment confirmed
/// through the officers' decision and writer (history, event, portal, notice, audit).
async fn record_payment(
    s: &AppState,
    mut l: Locked<'_>,
    calendar: &WorkingCalendar,
) -> Result<CallbackAnswer, Problem> {
    let id = l.order.id;
    store::payments::mark_paid(&mut l.tx, id, &l.cb.transaction_id, l.paid_at)
        .await
        .map_err(|e| match &e {
            // Another order took this transaction id in a concurrent settlement: the same
            // answer as when it is seen beforehand.
            sqlx::Error::Database(db) if db.is_unique_violation() => Problem::new(
                &codes::PAYMENT_TRANSACTION_REUSED,
                format!(
                    "transaction {} already pays another order",
                    l.cb.transaction_id
                ),
            ),
            _ => Problem::from(e),
        })?;
    let paid = PaymentOrder {
        status: OrderStatus::Paid,
        gateway_transaction_id: Some(l.cb.transaction_id.clone()),
        paid_at: Some(l.paid_at),
        ..l.order.clone()
    };
    let update = payment_callback::confirmation(&l.dossier, &l.order, l.cb, calendar, l.now)
        .map_err(|refusal| refusal.problem)?;
    let resumed = update.is_some();
    store::payments::set_outcome(&mut l.tx, l.log, Outcome::Paid.logged(resumed)).await?;
    match update {
        Some(u) => {
            if !s.commit_by_service(l.tx, &u).await? {
                return Err(Problem::internal());
            }
        }
        None => {
            tracing::warn!(dossier = %l.dossier.code, order = %id,
                "order paid while its dossier no longer waits for it: to reconcile");
            let by = Actor::service(GATEWAY_ACTOR);
            let before = Some(l.order.status);
            let entry = payment::order_entry(&paid, &by, "pay_payment_order", before, l.now);
            motcua_audit::append(&mut l.tx, &[entry]).await?;
            l.tx.commit().await?;
        }
    }
    Ok(answer(Outcome::Paid, &paid, resumed))
}

/// A first failure: the order failed (the applicant may order again); the dossier waits on.
async fn record_failure(mut l: Locked<'_>) -> Result<CallbackAnswer, Problem> {
    store::payments::mark_failed(&mut l.tx, l.order.id).await?;
    store::payments::set_outcome(&mut l.tx, l.log, Outcome::Failed.logged(false)).await?;
    let failed = PaymentOrder {
        status: OrderStatus::Failed,
        ..l.order.clone()
    };
    let by = Actor::service(GATEWAY_ACTOR);
    let before = Some(l.order.status);
    let entry = payment::order_entry(&failed, &by, "fail_payment_order", before, l.now);
    motcua_audit::append(&mut l.tx, &[entry]).await?;
    l.tx.commit().await?;
    Ok(answer(Outcome::Failed, &failed, false))
}

fn answer(outcome: Outcome, order: &PaymentOrder, resumed: bool) -> CallbackAnswer {
    CallbackAnswer {
        result: outcome.result(),
        order_id: order.id.to_string(),
        order_status: order.status,
        dossier_resumed: resumed,
    }
}
