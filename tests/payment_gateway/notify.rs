//! The applicant pays (`POST /orders/{order_id}/pay`): the gateway makes a transaction and
//! notifies the merchant's callback with the signed result (`docs/payments.md` § Notification),
//! as told — `repeat` times, then a failure of the same transaction (`then_failed`, out of
//! order), each signed with a wrong key (`bad_signature`), or even for an order past its expiry
//! (`ignore_expiry`, a late gateway). It answers with every delivery's status and body.

use crate::{Gateway, Order, say, signature};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use time::UtcOffset;
use time::format_description::well_known::Rfc3339;

/// What the control request asks for.
struct Instruction {
    outcome: String,
    repeat: u64,
    then_failed: bool,
    bad_signature: bool,
    ignore_expiry: bool,
}

impl Instruction {
    fn of(body: &Value) -> Self {
        Self {
            outcome: body["outcome"].as_str().unwrap_or("success").to_string(),
            repeat: body["repeat"].as_u64().unwrap_or(1).max(1),
            then_failed: body["then_failed"].as_bool().unwrap_or(false),
            bad_signature: body["bad_signature"].as_bool().unwrap_or(false),
            ignore_expiry: body["ignore_expiry"].as_bool().unwrap_or(false),
        }
    }
}

/// The signed notification of `order`'s transaction with `status`.
fn notification(g: &Gateway, order: &Order, transaction: &str, status: &str, bad: bool) -> Value {
    let offset = UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC);
    let paid_at = g
        .now()
        .to_offset(offset)
        .format(&Rfc3339)
        .unwrap_or_default();
    let fields = [
        ("merchant_id", g.merchant_id.clone()),
        ("order_id", order.order_id.clone()),
        ("transaction_id", transaction.to_string()),
        ("amount_vnd", order.amount.to_string()),
        ("status", status.to_string()),
        ("paid_at", paid_at.clone()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let key = match bad {
        true => format!("not-{}", g.secret),
        false => g.secret.clone(),
    };
    let signature = signature::sign(&key, &signature::canonical(&fields));
    json!({
        "merchant_id": g.merchant_id, "order_id": order.order_id, "transaction_id": transaction,
        "amount_vnd": order.amount, "status": status, "paid_at": paid_at, "signature": signature,
    })
}

/// POSTs `body` to the callback; its status and answer.
async fn deliver(g: &Gateway, url: &str, body: &Value) -> Value {
    match g.http.post(url).json(body).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let answer: Value = r.json().await.unwrap_or(Value::Null);
            json!({"status": status, "body": answer})
        }
        Err(e) => json!({"status": 0, "error": e.to_string()}),
    }
}

/// The applicant pays order `order_id` (seen on the payment page) and the merchant is notified.
pub async fn pay(
    State(g): State<Arc<Gateway>>,
    Path(order_id): Path<String>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let how = Instruction::of(&body);
    let found = g.orders.lock().unwrap().get(&order_id).cloned();
    let Some(order) = found else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "unknown_order"})),
        );
    };
    let Some(url) = g.callback_url.lock().unwrap().clone() else {
        return (
            StatusCode::CONFLICT,
            Json(json!({"error": "no_callback_url"})),
        );
    };
    if order.expires_at <= g.now() && !how.ignore_expiry {
        say(
            "refused",
            json!({"reason": "order_expired", "order_id": order_id}),
        );
        return (StatusCode::GONE, Json(json!({"error": "order_expired"})));
    }
    let transaction = {
        let mut n = g.transactions.lock().unwrap();
        *n += 1;
        format!("GW-{:06}", *n)
    };
    let first = notification(&g, &order, &transaction, &how.outcome, how.bad_signature);
    let mut deliveries = Vec::new();
    for _ in 0..how.repeat {
        deliveries.push(deliver(&g, &url, &first).await);
    }
    if how.then_failed {
        let late = notification(&g, &order, &transaction, "failed", how.bad_signature);
        deliveries.push(deliver(&g, &url, &late).await);
    }
    say(
        "notified",
        json!({"order_id": order_id, "transaction_id": transaction, "deliveries": deliveries}),
    );
    (
        StatusCode::OK,
        Json(json!({"transaction_id": transaction, "deliveries": deliveries})),
    )
}
