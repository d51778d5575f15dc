//! Online payment of a dossier's financial obligation (thanh toán trực tuyến nghĩa vụ tài
//! chính, `docs/payments.md`): the gateway as configured, who may order a payment, the payment
//! order (lệnh thanh toán) for the obligation's items — the one still payable is given again
//! rather than a second made — and the signed parameters of the gateway's payment page. What
//! the gateway notifies back is decided in `payment_callback.rs`.

use super::access;
use super::actions::Fee;
use super::dossier::{Dossier, rfc3339};
use super::payment_signature::{SharedSecret, canonical};
use super::status::DossierStatus;
use motcua_audit::{Actor, AuditEntry};
use motcua_auth::Caller;
use motcua_problem::{Problem, codes};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// The payment gateway motcua is a merchant of (cổng thanh toán), as configured.
#[derive(Debug, Clone)]
pub struct Gateway {
    /// Its payment page, where the applicant's browser is sent with the signed order.
    pub pay_page: String,
    /// motcua's merchant id there (mã đơn vị chấp nhận thanh toán).
    pub merchant_id: String,
    /// The secret both sides sign with.
    pub secret: SharedSecret,
    /// Where the gateway sends the browser back, `{code}` standing for the dossier code.
    pub return_url: Option<String>,
}

/// Online payment as configured: the gateway, if any, and how long an order may be paid.
#[derive(Debug, Clone)]
pub struct Payments {
    gateway: Option<Gateway>,
    /// How long a payment order stays payable (`MOTCUA_PAYMENT_ORDER_TTL_MINUTES`).
    pub order_ttl: time::Duration,
}

impl Payments {
    /// From the service's configuration.
    pub fn from_config(c: &motcua_config::PaymentConfig) -> Self {
        Self {
            gateway: c.gateway.as_ref().map(|g| Gateway {
                pay_page: g.url.clone(),
                merchant_id: g.merchant_id.clone(),
                secret: SharedSecret::new(&g.secret),
                return_url: g.return_url.clone(),
            }),
            order_ttl: time::Duration::seconds(
                i64::try_from(c.order_ttl.as_secs()).unwrap_or(i64::MAX),
            ),
        }
    }

    /// The gateway, when one is configured.
    pub fn configured(&self) -> Option<&Gateway> {
        self.gateway.as_ref()
    }

    /// The gateway, or `503 payment_gateway_not_configured` (pay at the counter instead).
    pub fn gateway(&self) -> Result<&Gateway, Problem> {
        self.gateway.as_ref().ok_or_else(|| {
            Problem::new(
                &codes::PAYMENT_GATEWAY_NOT_CONFIGURED,
                "online payment is not configured here; the obligation is paid at the one-stop",
            )
        })
    }
}

/// Where a payment order stands (trạng thái lệnh thanh toán).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Sent to the gateway, payable until it expires.
    Pending,
    /// Paid: the gateway confirmed it with a signed notification.
    Paid,
    /// Not paid in time.
    Expired,
    /// The gateway notified a failed payment; a new order may be made.
    Failed,
}

impl OrderStatus {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Expired => "expired",
            Self::Failed => "failed",
        }
    }

    /// The status of a stored name; `None` for a name the code does not know.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Paid, Self::Expired, Self::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A payment order (lệnh thanh toán): what is paid for which obligation of which dossier.
#[derive(Debug, Clone)]
pub struct PaymentOrder {
    /// Its id, the gateway's `order_id`.
    pub id: Uuid,
    /// The dossier.
    pub dossier_code: String,
    /// The amount: the sum of the items.
    pub amount_vnd: i64,
    /// The obligation's fees and charges (phí, lệ phí) when the order was made.
    pub items: Vec<Fee>,
    /// Where it stands.
    pub status: OrderStatus,
    /// The obligation it pays: when the dossier's clock stopped for it.
    pub obligation_at: OffsetDateTime,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// Payable until then.
    pub expires_at: OffsetDateTime,
    /// The account that made it.
    pub created_by: String,
    /// The gateway's transaction that paid it.
    pub gateway_transaction_id: Option<String>,
    /// When it was paid, as the gateway says.
    pub paid_at: Option<OffsetDateTime>,
}

/// A payment order as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentOrderView {
    /// Order id (the gateway's `order_id`).
    pub id: String,
    /// Dossier code.
    pub dossier_code: String,
    /// Amount in VND: the sum of the items.
    pub amount_vnd: i64,
    /// The fees and charges it pays.
    pub items: Vec<Fee>,
    /// `pending`, `paid`, `expired` or `failed`.
    pub status: OrderStatus,
    /// When it was made (RFC 3339, +07:00).
    pub created_at: String,
    /// Payable until then (RFC 3339, +07:00).
    pub expires_at: String,
    /// When it was paid, as the gateway notified.
    pub paid_at: Option<String>,
    /// The gateway's transaction id of the payment.
    pub gateway_transaction_id: Option<String>,
    /// The gateway's payment page with the order's signed parameters (while it is pending).
    pub pay_url: Option<String>,
}

impl PaymentOrder {
    /// The API's view; the payment link while the order is pending and a gateway configured.
    pub fn view(&self, gateway: Option<&Gateway>) -> PaymentOrderView {
        let payable = self.status == OrderStatus::Pending;
        PaymentOrderView {
            id: self.id.to_string(),
            dossier_code: self.dossier_code.clone(),
            amount_vnd: self.amount_vnd,
            items: self.items.clone(),
            status: self.status,
            created_at: rfc3339(self.created_at),
            expires_at: rfc3339(self.expires_at),
            paid_at: self.paid_at.map(rfc3339),
            gateway_transaction_id: self.gateway_transaction_id.clone(),
            pay_url: gateway.filter(|_| payable).map(|g| pay_url(g, self)),
        }
    }
}

/// The order's parameters the gateway's page receives, all signed (docs/payments.md § Order).
pub fn order_fields(g: &Gateway, o: &PaymentOrder) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("merchant_id", g.merchant_id.clone()),
        ("order_id", o.id.to_string()),
        ("amount", o.amount_vnd.to_string()),
        (
            "description",
            format!("Nộp phí, lệ phí hồ sơ {}", o.dossier_code),
        ),
        ("expires_at", rfc3339(o.expires_at)),
    ];
    if let Some(r) = &g.return_url {
        fields.push(("return_url", r.replace("{code}", &o.dossier_code)));
    }
    fields
}

/// The gateway's payment page for the order: its canonical parameters and their signature.
pub fn pay_url(g: &Gateway, o: &PaymentOrder) -> String {
    let query = canonical(&order_fields(g, o));
    let join = if g.pay_page.contains('?') { '&' } else { '?' };
    let signature = g.secret.sign(&query);
    format!("{}{join}{query}&signature={signature}", g.pay_page)
}

/// Who may order a payment: the dossier's applicant, or an officer of its receiving one-stop.
pub fn may_order(caller: &Caller, d: &Dossier) -> Result<(), Problem> {
    if access::is_applicant(caller, d) || access::is_receiving_officer(caller, d) {
        return Ok(());
    }
    Err(Problem::new(
        &codes::DOSSIER_ACTION_NOT_ALLOWED,
        "only the applicant or the receiving one-stop may order the payment",
    ))
}

/// What a request for a payment order comes to.
#[derive(Debug)]
pub enum OrderPlan {
    /// The order still payable for this obligation, given again.
    Existing(PaymentOrder),
    /// A new order to store.
    New(PaymentOrder),
}

/// What the order decision reads, under the dossier's lock.
pub struct OrderRequest<'a> {
    /// Who asks (checked by [`may_order`] before the lock).
    pub caller: &'a Caller,
    /// The dossier, locked.
    pub dossier: &'a Dossier,
    /// The items of its latest financial obligation notice, if it has one.
    pub obligation: Option<&'a [Fee]>,
    /// Its latest pending order, if any.
    pub pending: Option<PaymentOrder>,
    /// How long a new order stays payable.
    pub ttl: time::Duration,
    /// The id a new order gets.
    pub id: Uuid,
    /// Now.
    pub now: OffsetDateTime,
}

fn not_due(detail: &str) -> Problem {
    Problem::new(&codes::PAYMENT_NOT_DUE, detail.to_string())
}

/// Decides a payment order: only while the dossier waits for its financial obligation (status
/// 6); the pending, unexpired order of that same obligation is given again; otherwise a new one
/// for the sum of the obligation's items, payable for `ttl` (to the whole second).
pub fn decide_order(r: OrderRequest<'_>) -> Result<OrderPlan, Problem> {
    let d = r.dossier;
    let (DossierStatus::FinancialObligation, Some(since), Some(items)) =
        (d.status, d.clock_paused_at, r.obligation)
    else {
        return Err(not_due(&format!(
            "dossier {} does not wait for a financial obligation (status {})",
            d.code,
            d.status.code()
        )));
    };
    if let Some(o) = r.pending.filter(|o| {
        o.status == OrderStatus::Pending && o.obligation_at == since && o.expires_at > r.now
    }) {
        return Ok(OrderPlan::Existing(o));
    }
    let amount = items.iter().try_fold(0_i64, |sum, f| {
        i64::try_from(f.amount_vnd)
            .ok()
            .and_then(|a| sum.checked_add(a))
    });
    let Some(amount_vnd) = amount.filter(|a| *a > 0) else {
        return Err(not_due("the obligation has nothing to pay online"));
    };
    let expires_at = r.now + r.ttl;
    Ok(OrderPlan::New(PaymentOrder {
        id: r.id,
        dossier_code: d.code.clone(),
        amount_vnd,
        items: items.to_vec(),
        status: OrderStatus::Pending,
        obligation_at: since,
        created_at: r.now,
        expires_at: expires_at.replace_nanosecond(0).unwrap_or(expires_at),
        created_by: r.caller.sub.clone(),
        gateway_transaction_id: None,
        paid_at: None,
    }))
}

/// The audit record of a change of an order's own (made, failed, expired, paid while the
/// dossier no longer waited): target the dossier, the order's status before and after.
pub fn order_entry(
    o: &PaymentOrder,
    actor: &Actor,
    action: &str,
    before: Option<OrderStatus>,
    at: OffsetDateTime,
) -> AuditEntry {
    AuditEntry {
        actor: actor.clone(),
        action: action.to_string(),
        target: o.dossier_code.clone(),
        at,
        before: before.map(|s| json!({"payment_order_id": o.id, "status": s.as_str()})),
        after: Some(json!({
            "payment_order_id": o.id,
            "status": o.status.as_str(),
            "amount_vnd": o.amount_vnd,
            "expires_at": rfc3339(o.expires_at),
            "gateway_transaction_id": o.gateway_transaction_id,
        })),
    }
}

#[cfg(test)]
#[path = "payment_tests.rs"]
mod tests;
