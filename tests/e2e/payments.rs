//! Online payment of the financial obligation, end to end (docs/payments.md): the gateway stub
//! (`tests/payment_gateway/`, binary `payment-gateway`) runs as its own process and speaks only
//! the public contract — it checks motcua's signed payment link and notifies motcua's callback,
//! signed with the shared secret, as each test tells it. The payment is recorded exactly once,
//! whatever the gateway repeats, reorders or forges, and resumes the dossier and its case.

use crate::skeleton::sqlx_conn;
use crate::workflow_support::{at, birth_at_counter, case, dossier, officer, wait_status};
use motcua_config::ServiceName::Intake;
use motcua_e2e::{TestSystem, eventually, get, post};
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const SECRET: &str = "e2e-payment-secret-shared-with-the-gateway";
const MERCHANT: &str = "MOTCUA01";
/// The applicant of `birth_registration`, as a citizen signed in with their verified ID.
const APPLICANT_ID: &str = "080203001234";
/// Friday 27/11/2026 09:00: the dossier is received at the ward's counter.
const RECEIVED: OffsetDateTime = datetime!(2026-11-27 09:00 +07:00);
/// Monday 30/11/2026 09:30: the applicant pays, a working day after the obligation.
const PAYING: OffsetDateTime = datetime!(2026-11-30 09:30 +07:00);

/// The gateway stub, running as its own process.
struct Gateway {
    _child: Child,
    base: String,
    http: reqwest::Client,
}

impl Gateway {
    /// Starts `payment-gateway` on a free port and waits for its address.
    async fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_payment-gateway"))
            .args(["--listen", "127.0.0.1:0", "--merchant-id", MERCHANT])
            .env("PAYMENT_SECRET", SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("payment-gateway starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let first = lines.next_line().await.unwrap().expect("a first line");
        let listening: Value = serde_json::from_str(&first).unwrap();
        let addr = listening["addr"].as_str().expect("its address").to_string();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("[payment-gateway] {line}");
            }
        });
        Self {
            _child: child,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    /// Sends `method path` with a JSON body; status and answer.
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let res = self
            .http
            .request(method, url)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Sets the gateway's clock to `t` (it follows motcua's test clock).
    async fn set_clock(&self, t: OffsetDateTime) {
        let now = t.format(&Rfc3339).unwrap();
        let put = reqwest::Method::PUT;
        assert_eq!(self.call(put, "/clock", json!({ "now": now })).await.0, 200);
    }

    /// The applicant pays `order` at the gateway, which notifies motcua as `how` says.
    async fn pay(&self, order: &Value, how: Value) -> (u16, Value) {
        let path = format!("/orders/{}/pay", order["id"].as_str().unwrap());
        self.call(reqwest::Method::POST, &path, how).await
    }
}

/// The system configured with the gateway (and `extra` settings), the gateway registered with
/// motcua's callback; both clocks at the receipt.
async fn system(extra: &[(&str, String)]) -> (TestSystem, Gateway) {
    let gateway = Gateway::start().await;
    let mut vars = vec![
        (
            "MOTCUA_PAYMENT_GATEWAY_URL",
            format!("{}/pay", gateway.base),
        ),
        ("MOTCUA_PAYMENT_MERCHANT_ID", MERCHANT.to_string()),
        ("MOTCUA_PAYMENT_SECRET", SECRET.to_string()),
    ];
    vars.extend(extra.iter().cloned());
    let sys = TestSystem::start_with(RECEIVED, &vars).await.unwrap();
    let callback = sys.url(Intake, "/api/v1/payments/callback");
    let registered = gateway
        .call(
            reqwest::Method::PUT,
            "/merchant",
            json!({ "callback_url": callback }),
        )
        .await;
    assert_eq!(registered.0, 204);
    gateway.set_clock(RECEIVED).await;
    (sys, gateway)
}

/// Moves motcua's and the gateway's clocks to `t`.
async fn both_at(sys: &TestSystem, gateway: &Gateway, t: OffsetDateTime) {
    at(sys, t);
    gateway.set_clock(t).await;
}

fn applicant(sys: &TestSystem) -> String {
    sys.citizen_token("vneid-an", APPLICANT_ID)
}

/// A counter birth registration in processing that the officer asks a fee of at 09:30
/// (status 6); its code and appointment before the wait.
async fn waiting_for_fee(sys: &TestSystem, key: &str) -> (String, Value) {
    let code = birth_at_counter(sys, key).await;
    wait_status(sys, &code, 4).await;
    at(sys, datetime!(2026-11-27 09:30 +07:00));
    let fees = json!({"items": [{"name": "Lệ phí đăng ký", "amount_vnd": 30000},
                                {"name": "Phí cấp bản sao", "amount_vnd": 20000}]});
    let path = format!("/api/v1/dossiers/{code}/financial-obligation");
    let (status, changed) = post(
        sys,
        Intake,
        &path,
        &officer(sys),
        &format!("{key}-fee"),
        fees,
    )
    .await;
    assert_eq!(
        (status, changed["status_code"].as_i64()),
        (200, Some(6)),
        "{changed}"
    );
    (code, changed["due_at"].clone())
}

/// The applicant orders the payment (`key`: its Idempotency-Key).
async fn order(sys: &TestSystem, code: &str, key: &str) -> (u16, Value) {
    let path = format!("/api/v1/dossiers/{code}/payment-orders");
    post(sys, Intake, &path, &applicant(sys), key, json!({})).await
}

/// The applicant's browser opens the payment link: the gateway checks motcua's signature.
async fn open_link(sys: &TestSystem, order: &Value) -> u16 {
    let url = order["pay_url"].as_str().expect("a payment link");
    sys.http.get(url).send().await.unwrap().status().as_u16()
}

/// One number from intake's schema.
async fn count(sys: &TestSystem, sql: &str, code: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(code)
        .fetch_one(&mut sqlx_conn(sys).await)
        .await
        .unwrap()
}

const CONFIRMATIONS: &str = "SELECT count(*) FROM intake.dossier_history
    WHERE dossier_code = $1 AND action = 'confirm_payment' AND actor = 'svc:payment-gateway'";
const PAID_ORDERS: &str =
    "SELECT count(*) FROM intake.payment_order WHERE dossier_code = $1 AND status = 'paid'";

/// A system with the gateway, a dossier waiting for its fee, and the applicant's order made on
/// Monday morning and opened on the gateway's payment page; its code and the order.
async fn ordered(key: &str, extra: &[(&str, String)]) -> (TestSystem, Gateway, String, Value) {
    let (sys, gateway) = system(extra).await;
    let (code, _) = waiting_for_fee(&sys, key).await;
    both_at(&sys, &gateway, PAYING).await;
    let (status, o) = order(&sys, &code, "o-1").await;
    assert_eq!(status, 201, "{o}");
    assert_eq!(
        open_link(&sys, &o).await,
        200,
        "the gateway accepts the order"
    );
    (sys, gateway, code, o)
}

/// Each delivery the gateway made: motcua's status and `result`.
fn results(paid: &Value) -> Vec<(u64, &str)> {
    let deliveries = paid["deliveries"].as_array().expect("deliveries");
    deliveries
        .iter()
        .map(|d| {
            let result = d["body"]["result"].as_str().unwrap_or_default();
            (d["status"].as_u64().unwrap_or_default(), result)
        })
        .collect()
}

/// Asserts that the gateway's first delivery of `paid` was refused with `status` and
/// `problem`, and that the dossier still waits for its payment, with no payment recorded.
async fn refused_and_still_waiting(
    sys: &TestSystem,
    code: &str,
    paid: &Value,
    status: u16,
    problem: &str,
) {
    let refused = &paid["deliveries"][0];
    assert_eq!(
        (&refused["status"], &refused["body"]["code"]),
        (&json!(status), &json!(problem)),
        "{paid}"
    );
    let d = dossier(sys, code).await;
    assert_eq!(d["status_code"], 6, "still waiting for payment");
    assert_eq!(count(sys, PAID_ORDERS, code).await, 0, "no payment");
    assert_eq!(count(sys, CONFIRMATIONS, code).await, 0);
}

/// The workflow case's state, once it is `want`.
async fn case_becomes(sys: &TestSystem, code: &str, want: &str) -> bool {
    eventually(Duration::from_secs(15), || async move {
        (case(sys, code).await["state"] == want).then_some(())
    })
    .await
    .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicants_dossier_waiting_for_payment_resumes_when_the_gateway_confirms() {
    let (sys, gateway) = system(&[]).await;
    let (code, due_before) = waiting_for_fee(&sys, "pay-1").await;
    assert_eq!(due_before, "2026-11-27T17:00:00+07:00");
    assert!(case_becomes(&sys, &code, "paused").await, "the case waits");
    both_at(&sys, &gateway, PAYING).await;
    let (status, o) = order(&sys, &code, "o-1").await;
    assert_eq!(status, 201, "{o}");
    assert_eq!(
        (o["amount_vnd"].as_i64(), o["status"].as_str()),
        (Some(50_000), Some("pending"))
    );
    assert_eq!(o["expires_at"], "2026-11-30T09:45:00+07:00");
    let (status, again) = order(&sys, &code, "o-2").await;
    assert_eq!(
        (status, &again["id"]),
        (200, &o["id"]),
        "the payable order, not a second"
    );
    assert_eq!(
        open_link(&sys, &o).await,
        200,
        "the gateway accepts motcua's signature"
    );
    let (status, paid) = gateway.pay(&o, json!({})).await;
    assert_eq!(status, 200, "{paid}");
    let answer = &paid["deliveries"][0];
    assert_eq!(answer["status"], 200, "{paid}");
    assert_eq!(
        (
            &answer["body"]["result"],
            &answer["body"]["dossier_resumed"]
        ),
        (&json!("ok"), &json!(true))
    );
    let d = dossier(&sys, &code).await;
    assert_eq!(d["status_code"], 4, "back in processing");
    assert_eq!(
        d["due_at"], "2026-11-30T17:00:00+07:00",
        "the appointment moved by the working day the payment took"
    );
    assert!(
        case_becomes(&sys, &code, "open").await,
        "workflow's case resumes"
    );
    assert_eq!(count(&sys, CONFIRMATIONS, &code).await, 1);
    let (_, listed) = get(
        &sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/payment-orders"),
        &applicant(&sys),
    )
    .await;
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (&items[0]["status"], &items[0]["pay_url"]),
        (&json!("paid"), &Value::Null)
    );
    assert!(
        items[0]["gateway_transaction_id"]
            .as_str()
            .is_some_and(|t| t.starts_with("GW-"))
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_delivered_twice_and_one_with_a_bad_signature_leave_exactly_one_payment() {
    let (sys, gateway, code, o) = ordered("pay-2", &[]).await;
    let (_, forged) = gateway.pay(&o, json!({"bad_signature": true})).await;
    refused_and_still_waiting(&sys, &code, &forged, 401, "payment_signature_invalid").await;
    let (_, twice) = gateway.pay(&o, json!({"repeat": 2})).await;
    assert_eq!(
        results(&twice),
        [(200, "ok"), (200, "duplicate")],
        "{twice}"
    );
    assert_eq!(count(&sys, PAID_ORDERS, &code).await, 1, "one payment");
    assert_eq!(
        count(&sys, CONFIRMATIONS, &code).await,
        1,
        "one confirmation"
    );
    assert_eq!(dossier(&sys, &code).await["status_code"], 4);
    let log: Vec<(bool, String)> =
        sqlx::query_as("SELECT signature_valid, outcome FROM intake.payment_callback ORDER BY id")
            .fetch_all(&mut sqlx_conn(&sys).await)
            .await
            .unwrap();
    let expected = [
        (false, "payment_signature_invalid"),
        (true, "paid"),
        (true, "duplicate"),
    ];
    let expected: Vec<(bool, String)> = expected.iter().map(|(v, o)| (*v, o.to_string())).collect();
    assert_eq!(
        log, expected,
        "every notification logged with its verification"
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_notified_after_the_success_changes_nothing() {
    let (sys, gateway, code, first) = ordered("pay-3", &[]).await;
    // A first attempt fails: the order fails, the dossier waits on, a new order may be made.
    let (_, failed) = gateway.pay(&first, json!({"outcome": "failed"})).await;
    assert_eq!(
        failed["deliveries"][0]["body"]["order_status"], "failed",
        "{failed}"
    );
    assert_eq!(dossier(&sys, &code).await["status_code"], 6);
    let (status, second) = order(&sys, &code, "o-2").await;
    assert_eq!(status, 201, "a new order after the failure");
    assert_ne!(second["id"], first["id"]);
    assert_eq!(open_link(&sys, &second).await, 200);
    // The failed order is closed by the new one: one obligation, one payable order. A payment
    // of the old order made after that (its link still shows the expiry it was signed with, so
    // a gateway may take it) is refused by motcua and resumes nothing.
    both_at(&sys, &gateway, datetime!(2026-11-30 09:40 +07:00)).await;
    let (_, late) = gateway.pay(&first, json!({"ignore_expiry": true})).await;
    refused_and_still_waiting(&sys, &code, &late, 409, "payment_order_expired").await;
    // The gateway then reports the success, and a failure of the same transaction after it.
    let (_, crossed) = gateway.pay(&second, json!({"then_failed": true})).await;
    assert_eq!(
        results(&crossed),
        [(200, "ok"), (200, "ignored")],
        "{crossed}"
    );
    assert_eq!(crossed["deliveries"][1]["body"]["order_status"], "paid");
    assert_eq!(count(&sys, PAID_ORDERS, &code).await, 1);
    assert_eq!(count(&sys, CONFIRMATIONS, &code).await, 1);
    assert_eq!(
        dossier(&sys, &code).await["status_code"],
        4,
        "still resumed"
    );
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_not_paid_in_time_expires_and_a_late_payment_does_not_resume_the_dossier() {
    let ttl = [("MOTCUA_PAYMENT_ORDER_TTL_MINUTES", "1".to_string())];
    let (sys, gateway, code, o) = ordered("pay-4", &ttl).await;
    assert_eq!(o["expires_at"], "2026-11-30T09:31:00+07:00");
    both_at(&sys, &gateway, datetime!(2026-11-30 09:33 +07:00)).await;
    let path = format!("/api/v1/dossiers/{code}/payment-orders");
    let expired = eventually(Duration::from_secs(15), || {
        let (sys, path) = (&sys, &path);
        async move {
            let (_, listed) = get(sys, Intake, path, &officer(sys)).await;
            (listed["items"][0]["status"] == "expired").then_some(())
        }
    })
    .await;
    assert!(expired.is_some(), "the expiry worker expires the order");
    assert_eq!(
        open_link(&sys, &o).await,
        410,
        "the gateway refuses an expired order"
    );
    assert_eq!(gateway.pay(&o, json!({})).await.0, 410);
    // A late gateway notifies a payment made after the expiry anyway.
    let (_, late) = gateway.pay(&o, json!({"ignore_expiry": true})).await;
    refused_and_still_waiting(&sys, &code, &late, 409, "payment_order_expired").await;
    let (status, renewed) = order(&sys, &code, "o-2").await;
    assert_eq!(
        (status, renewed["status"].as_str()),
        (201, Some("pending")),
        "order again"
    );
    sys.stop().await.unwrap();
}
