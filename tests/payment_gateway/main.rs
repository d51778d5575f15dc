//! A payment gateway stub (cổng thanh toán giả lập) in the style of the national payment
//! platform, using only motcua's public payment contract (`docs/payments.md`): it serves the
//! payment page motcua's `pay_url` points to (checking motcua's signature and refusing an
//! expired order) and, when told that the applicant paid, notifies motcua's callback signed
//! with the shared secret — once, twice, with a failure after the success (out of order) or
//! with a bad signature, so tests can drive every case. The end-to-end tests
//! (`tests/e2e/payments.rs`) run it as its own process; an operator can run it against
//! `motcua up` (docs/payments.md § Trying it locally).
//!
//! ```text
//! PAYMENT_SECRET=… payment-gateway [--listen 127.0.0.1:8090] [--merchant-id MOTCUA01]
//!     [--callback-url http://127.0.0.1:8082/api/v1/payments/callback]
//! ```
//!
//! HTTP: `GET /pay?…&signature=…` (the payment page), `POST /orders/{order_id}/pay` (the
//! applicant pays: `{"outcome": "success"|"failed", "repeat": N, "then_failed": bool,
//! "bad_signature": bool, "ignore_expiry": bool}`), `PUT /merchant` (`{"callback_url": …}`,
//! the merchant's registration) and `PUT /clock` (`{"now": RFC3339 | null}`, to follow a test
//! clock). It prints one JSON line per thing it did on stdout, the first
//! `{"event":"listening","addr":…}`.

mod notify;
mod signature;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An order seen on the payment page.
#[derive(Debug, Clone)]
pub struct Order {
    /// motcua's order id.
    pub order_id: String,
    /// Amount in VND.
    pub amount: i64,
    /// Payable until then.
    pub expires_at: OffsetDateTime,
}

/// The gateway's state: its merchant, the secret, where to notify, its clock, the orders seen.
pub struct Gateway {
    /// The merchant it serves.
    pub merchant_id: String,
    /// The secret shared with the merchant.
    pub secret: String,
    /// The merchant's notification URL.
    pub callback_url: Mutex<Option<String>>,
    /// A fixed now (to follow motcua's test clock), else the system clock.
    pub clock: Mutex<Option<OffsetDateTime>>,
    /// Orders seen on the payment page, by id.
    pub orders: Mutex<HashMap<String, Order>>,
    /// Transactions made so far (their ids are `GW-<n>`).
    pub transactions: Mutex<u64>,
    /// Client of the notifications.
    pub http: reqwest::Client,
}

impl Gateway {
    /// Now on the gateway's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock
            .lock()
            .unwrap()
            .unwrap_or_else(OffsetDateTime::now_utc)
    }
}

/// Prints one line: `event` with `fields`.
pub fn say(event: &str, fields: Value) {
    let mut line = json!({ "event": event });
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    println!("{line}");
}

type Answer = (StatusCode, Json<Value>);

fn refuse(status: StatusCode, error: &str) -> Answer {
    (status, Json(json!({ "error": error })))
}

/// The payment page: the order's parameters, checked against motcua's signature.
async fn pay_page(State(g): State<Arc<Gateway>>, Query(q): Query<Vec<(String, String)>>) -> Answer {
    let signature = q
        .iter()
        .find(|(k, _)| k == "signature")
        .map(|(_, v)| v.clone());
    let fields: Vec<(String, String)> = q.into_iter().filter(|(k, _)| k != "signature").collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let canonical = signature::canonical(&fields);
    if !signature.is_some_and(|s| signature::verify(&g.secret, &canonical, &s)) {
        say("refused", json!({"reason": "signature_invalid"}));
        return refuse(StatusCode::UNAUTHORIZED, "signature_invalid");
    }
    if field("merchant_id") != Some(g.merchant_id.as_str()) {
        return refuse(StatusCode::FORBIDDEN, "unknown_merchant");
    }
    let amount = field("amount").and_then(|a| a.parse::<i64>().ok());
    let expires_at = field("expires_at").and_then(|e| OffsetDateTime::parse(e, &Rfc3339).ok());
    let (Some(order_id), Some(amount), Some(expires_at)) = (field("order_id"), amount, expires_at)
    else {
        return refuse(StatusCode::BAD_REQUEST, "order_incomplete");
    };
    if expires_at <= g.now() {
        say(
            "refused",
            json!({"reason": "order_expired", "order_id": order_id}),
        );
        return refuse(StatusCode::GONE, "order_expired");
    }
    let order = Order {
        order_id: order_id.to_string(),
        amount,
        expires_at,
    };
    g.orders
        .lock()
        .unwrap()
        .insert(order.order_id.clone(), order);
    say(
        "order_seen",
        json!({"order_id": order_id, "amount": amount}),
    );
    let page = json!({
        "order_id": order_id, "amount": amount, "description": field("description"),
        "expires_at": field("expires_at"), "return_url": field("return_url"),
        "status": "awaiting_payment",
    });
    (StatusCode::OK, Json(page))
}

/// The merchant's registration: where notifications go.
async fn merchant(State(g): State<Arc<Gateway>>, Json(body): Json<Value>) -> StatusCode {
    let url = body["callback_url"].as_str().map(str::to_string);
    say("merchant", json!({"callback_url": url}));
    *g.callback_url.lock().unwrap() = url;
    StatusCode::NO_CONTENT
}

/// Sets (or, with `null`, releases) the gateway's clock.
async fn clock(State(g): State<Arc<Gateway>>, Json(body): Json<Value>) -> Answer {
    let now = match body["now"].as_str() {
        None => None,
        Some(t) => match OffsetDateTime::parse(t, &Rfc3339) {
            Ok(t) => Some(t),
            Err(_) => return refuse(StatusCode::BAD_REQUEST, "now_not_rfc3339"),
        },
    };
    *g.clock.lock().unwrap() = now;
    (StatusCode::OK, Json(json!({"now": body["now"]})))
}

/// The command line: `--listen`, `--merchant-id`, `--callback-url`.
fn options(args: &[String]) -> Result<HashMap<String, String>, String> {
    let mut o = HashMap::from([
        ("--listen".to_string(), "127.0.0.1:8090".to_string()),
        ("--merchant-id".to_string(), "MOTCUA01".to_string()),
    ]);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if !["--listen", "--merchant-id", "--callback-url"].contains(&flag.as_str()) {
            return Err(format!("unknown flag {flag}"));
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        o.insert(flag.clone(), value.clone());
    }
    Ok(o)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let secret = std::env::var("PAYMENT_SECRET").unwrap_or_default();
    let o = match options(&args) {
        Ok(o) if !secret.is_empty() => o,
        Ok(_) => fail("PAYMENT_SECRET is not set"),
        Err(e) => fail(&e),
    };
    let gateway = Arc::new(Gateway {
        merchant_id: o["--merchant-id"].clone(),
        secret,
        callback_url: Mutex::new(o.get("--callback-url").cloned()),
        clock: Mutex::new(None),
        orders: Mutex::new(HashMap::new()),
        transactions: Mutex::new(0),
        http: reqwest::Client::new(),
    });
    let app = axum::Router::new()
        .route("/pay", get(pay_page))
        .route("/orders/{order_id}/pay", post(notify::pay))
        .route("/merchant", put(merchant))
        .route("/clock", put(clock))
        .with_state(gateway);
    let listener = match tokio::net::TcpListener::bind(&o["--listen"]).await {
        Ok(l) => l,
        Err(e) => fail(&format!("cannot listen on {}: {e}", o["--listen"])),
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    say("listening", json!({ "addr": addr }));
    if let Err(e) = axum::serve(listener, app).await {
        fail(&e.to_string());
    }
}

fn fail(message: &str) -> ! {
    eprintln!("payment-gateway: {message}");
    std::process::exit(2)
}
