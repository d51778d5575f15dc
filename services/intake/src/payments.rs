//! A dossier's payment orders over REST (lệnh thanh toán trực tuyến, `docs/payments.md`): the
//! applicant (or the receiving one-stop) orders the payment of the financial obligation and gets
//! the gateway's payment link, signed by motcua; the orders are listed to whoever reads the
//! dossier. No call to the gateway is made: the link carries the order.

use crate::domain::actions::Fee;
use crate::domain::payment::{self, OrderPlan, OrderRequest, OrderStatus, PaymentOrderView};
use crate::state::{AppState, Begun, not_found};
use crate::store;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use motcua_auth::Caller;
use motcua_idempotency::{Answer, IdempotencyKey, Precheck};
use motcua_problem::{ApiPath, ApiResult};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(create_payment_order, list_payment_orders),
    components(schemas(PaymentOrderView, PaymentOrderList, OrderStatus, Fee))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/dossiers/{code}/payment-orders",
        post(create_payment_order).get(list_payment_orders),
    )
}

/// A dossier's payment orders, oldest first (never more than a few: no further page).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PaymentOrderList {
    items: Vec<PaymentOrderView>,
    /// Always null.
    next_cursor: Option<String>,
}

/// Orders the online payment of the dossier's financial obligation (status 6): the sum of the
/// obligation's fees and charges, payable at the gateway until `expires_at` through `pay_url`.
/// While an order of this obligation is still payable, that order is answered (`200`) instead
/// of a second one.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/payment-orders", tag = "payments",
    params(("code" = String, Path), ("Idempotency-Key" = String, Header)),
    responses(
        (status = 201, description = "a new order", body = PaymentOrderView, example = json!({"id": "0193f7a4-0000-7000-8000-000000000001", "dossier_code": "000.25.80.H80-261127-0001", "amount_vnd": 50000, "items": [{"name": "Lệ phí", "amount_vnd": 50000}], "status": "pending", "created_at": "2026-11-30T09:30:00+07:00", "expires_at": "2026-11-30T09:45:00+07:00", "paid_at": null, "gateway_transaction_id": null, "pay_url": "https://pay.example/pay?amount=50000&…&signature=…"})),
        (status = 200, description = "the order of this obligation still payable", body = PaymentOrderView),
        (status = 403, description = "neither its applicant nor the receiving one-stop: dossier_action_not_allowed"),
        (status = 404, description = "unknown dossier, or one the caller may not read: dossier_not_found"),
        (status = 409, description = "the dossier does not wait for a financial obligation: payment_not_due"),
        (status = 422, description = "idempotency_key_required / idempotency_key_reused"),
        (status = 503, description = "no gateway configured: payment_gateway_not_configured")),
    security(("bearer" = [])))]
async fn create_payment_order(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let path = format!("/api/v1/dossiers/{code}/payment-orders");
    let idem =
        match IdempotencyKey::precheck_request(&s.pool, &caller.sub, &headers, &path, &[], true)
            .await?
        {
            Precheck::Replay(r) => return Ok(r.into_response()),
            Precheck::Proceed(k) => k,
        };
    Ok(order(&s, &caller, &code, idem.as_ref())
        .await?
        .into_response())
}

/// Load (who may order, the gateway), lock the dossier, decide, write, answer.
async fn order(
    s: &AppState,
    caller: &Caller,
    code: &str,
    idem: Option<&IdempotencyKey>,
) -> ApiResult<Answer> {
    let d = store::dossiers::get(&s.pool, code)
        .await?
        .ok_or_else(|| not_found(code))?;
    if let Err(problem) = payment::may_order(caller, &d) {
        return Err(s.unseen_or(caller, &d, None, problem).await);
    }
    let gateway = s.payments.gateway()?;
    let (mut tx, d) = match s.begin(idem, code).await? {
        Begun::Replayed(r) => return Ok(r),
        Begun::Locked(tx, d) => (tx, d),
    };
    let obligation = store::payments::obligation_items(&mut tx, code).await?;
    let plan = payment::decide_order(OrderRequest {
        caller,
        dossier: &d,
        obligation: obligation.as_deref(),
        pending: store::payments::latest_pending(&mut tx, code).await?,
        ttl: s.payments.order_ttl,
        id: uuid::Uuid::now_v7(),
        now: s.now(),
    })?;
    let (status, order) = match plan {
        OrderPlan::Existing(o) => (StatusCode::OK, o),
        OrderPlan::New(o) => {
            store::payments::close_failed(&mut tx, code, o.created_at).await?;
            store::payments::insert(&mut tx, &o).await?;
            let by = motcua_audit::Actor::of(caller);
            let entry = payment::order_entry(&o, &by, "create_payment_order", None, o.created_at);
            motcua_audit::append(&mut tx, &[entry]).await?;
            (StatusCode::CREATED, o)
        }
    };
    let body = serde_json::to_value(order.view(Some(gateway))).unwrap_or_default();
    let answer = Answer::new(status, body);
    if let Some(k) = idem {
        k.complete(&mut tx, &answer).await?;
    }
    tx.commit().await?;
    Ok(answer)
}

/// The dossier's payment orders, with the payment link of the one still pending.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/payment-orders", tag = "payments",
    params(("code" = String, Path)),
    responses((status = 200, description = "its orders, oldest first", body = PaymentOrderList),
        (status = 404, description = "unknown dossier, or one the caller may not read: dossier_not_found")),
    security(("bearer" = [])))]
async fn list_payment_orders(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<PaymentOrderList>> {
    s.readable(&caller, &code).await?;
    let orders = store::payments::list(&s.pool, &code).await?;
    let gateway = s.payments.configured();
    Ok(Json(PaymentOrderList {
        items: orders.iter().map(|o| o.view(gateway)).collect(),
        next_cursor: None,
    }))
}
