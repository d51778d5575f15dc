//! The gateway's payment notification (thông báo kết quả thanh toán, `docs/payments.md` §
//! Notification): its fields and canonical string, and what it does to its order. A payment is
//! recorded once: the first success pays the order (and confirms the dossier's payment, as an
//! officer's confirmation at the counter would); the same notification again changes nothing; a
//! failure after the success (out of order) is ignored; a success paid after the order expired,
//! for another amount or merchant, or with a transaction already paying another order is refused.

use super::actions::{self, Decision};
use super::change::{DossierUpdate, Refusal};
use super::dossier::{Dossier, rfc3339};
use super::payment::{OrderStatus, PaymentOrder};
use super::payment_signature::canonical;
use super::status::DossierStatus;
use motcua_audit::Actor;
use motcua_calendar::WorkingCalendar;
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

/// The gateway's account in motcua's records: the actor of what its notifications change.
pub const GATEWAY_ACTOR: &str = "payment-gateway";

/// What the gateway says happened to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallbackStatus {
    /// The applicant paid.
    Success,
    /// The payment failed or was cancelled.
    Failed,
}

impl CallbackStatus {
    /// The name in the notification and its canonical string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failed => "failed",
        }
    }
}

/// The longest text field a notification may carry (ids, timestamps, the 64-hex signature).
pub const MAX_FIELD: usize = 128;

/// A payment notification from the gateway (thông báo kết quả thanh toán), signed with the
/// shared secret over every other field.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({"merchant_id": "MOTCUA01", "order_id": "0193f7a4-0000-7000-8000-000000000001",
    "transaction_id": "GW-20261130-000042", "amount_vnd": 50000, "status": "success",
    "paid_at": "2026-11-30T09:32:10+07:00",
    "signature": "61f69846bcfc46ee5cf1f6aa34c09f087e1e3ee6a1813a48e018195a2b19dd04"}))]
pub struct Callback {
    /// motcua's merchant id at the gateway.
    pub merchant_id: String,
    /// The payment order (its `id`).
    pub order_id: String,
    /// The gateway's transaction id (mã giao dịch).
    pub transaction_id: String,
    /// The amount paid, in VND.
    pub amount_vnd: i64,
    /// `success` or `failed`.
    pub status: CallbackStatus,
    /// When the payment was made or failed (RFC 3339), exactly as signed.
    pub paid_at: String,
    /// HMAC-SHA256 (hex) of the canonical string of the other fields.
    pub signature: String,
}

impl Callback {
    /// The canonical string its signature covers: every field but `signature`, as sent.
    pub fn canonical(&self) -> String {
        canonical(&[
            ("merchant_id", self.merchant_id.clone()),
            ("order_id", self.order_id.clone()),
            ("transaction_id", self.transaction_id.clone()),
            ("amount_vnd", self.amount_vnd.to_string()),
            ("status", self.status.as_str().to_string()),
            ("paid_at", self.paid_at.clone()),
        ])
    }

    /// Its instant of payment, checked with its transaction id: every problem at once.
    pub fn checked(&self) -> Result<OffsetDateTime, Problem> {
        let paid_at = OffsetDateTime::parse(&self.paid_at, &Rfc3339);
        let mut errors = Vec::new();
        if paid_at.is_err() {
            errors.push(FieldError::new(
                "paid_at",
                &codes::INVALID_DATETIME,
                "an RFC 3339 instant",
            ));
        }
        if self.transaction_id.trim().is_empty() {
            errors.push(FieldError::new(
                "transaction_id",
                &codes::REQUIRED,
                "the gateway's transaction id",
            ));
        }
        // Checked before anything is logged: a public endpoint keeps no unbounded text.
        for (field, value) in [
            ("merchant_id", &self.merchant_id),
            ("order_id", &self.order_id),
            ("transaction_id", &self.transaction_id),
            ("paid_at", &self.paid_at),
            ("signature", &self.signature),
        ] {
            if value.chars().count() > MAX_FIELD {
                errors.push(FieldError::new(
                    field,
                    &codes::TOO_LONG,
                    format!("at most {MAX_FIELD} characters"),
                ));
            }
        }
        match paid_at {
            Ok(at) if errors.is_empty() => Ok(at),
            _ => Err(
                Problem::new(&codes::INVALID_BODY, "the notification is invalid")
                    .with_errors(errors),
            ),
        }
    }

    /// What the callback log keeps of it: every field as received.
    pub fn logged(&self) -> Value {
        json!({
            "merchant_id": self.merchant_id, "order_id": self.order_id,
            "transaction_id": self.transaction_id, "amount_vnd": self.amount_vnd,
            "status": self.status.as_str(), "paid_at": self.paid_at, "signature": self.signature,
        })
    }
}

/// What a verified notification does to its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The first success: the order is paid (and the dossier confirmed when it waits for it).
    Paid,
    /// The first failure of a pending order: it failed; the applicant may order again.
    Failed,
    /// The same notification again: nothing changes.
    Duplicate,
    /// A failure after the order was paid or expired (out of order): nothing changes.
    Ignored,
}

impl Outcome {
    /// The word the gateway is answered with: `ok` for a notification recorded now.
    pub const fn result(self) -> &'static str {
        match self {
            Self::Paid | Self::Failed => "ok",
            Self::Duplicate => "duplicate",
            Self::Ignored => "ignored",
        }
    }

    /// What the callback log records it as.
    pub const fn logged(self, dossier_confirmed: bool) -> &'static str {
        match (self, dossier_confirmed) {
            (Self::Paid, true) => "paid",
            (Self::Paid, false) => "paid_dossier_not_waiting",
            (Self::Failed, _) => "failed",
            (Self::Duplicate, _) => "duplicate",
            (Self::Ignored, _) => "ignored",
        }
    }
}

/// Decides a verified notification about `order`. `paid_at` is its checked instant;
/// `transaction_taken`: its transaction id already pays another order.
pub fn decide(
    merchant_id: &str,
    order: &PaymentOrder,
    cb: &Callback,
    paid_at: OffsetDateTime,
    transaction_taken: bool,
) -> Result<Outcome, Problem> {
    if cb.merchant_id != merchant_id {
        return Err(Problem::new(
            &codes::PAYMENT_MERCHANT_MISMATCH,
            format!("merchant {:?} is not motcua's", cb.merchant_id),
        ));
    }
    if cb.amount_vnd != order.amount_vnd {
        return Err(Problem::new(
            &codes::PAYMENT_AMOUNT_MISMATCH,
            format!(
                "{} VND notified for an order of {} VND",
                cb.amount_vnd, order.amount_vnd
            ),
        ));
    }
    let same_transaction = order.gateway_transaction_id.as_deref() == Some(&cb.transaction_id);
    Ok(match (cb.status, order.status) {
        (CallbackStatus::Success, OrderStatus::Paid) if same_transaction => Outcome::Duplicate,
        (CallbackStatus::Success, OrderStatus::Paid) => {
            return Err(Problem::new(
                &codes::PAYMENT_ORDER_ALREADY_PAID,
                format!("order {} was paid by another transaction", order.id),
            ));
        }
        (CallbackStatus::Success, _) if transaction_taken => {
            return Err(Problem::new(
                &codes::PAYMENT_TRANSACTION_REUSED,
                format!("transaction {} pays another order", cb.transaction_id),
            ));
        }
        (CallbackStatus::Success, _) if paid_at > order.expires_at => {
            return Err(Problem::new(
                &codes::PAYMENT_ORDER_EXPIRED,
                format!(
                    "paid at {} after the order expired at {}",
                    rfc3339(paid_at),
                    rfc3339(order.expires_at)
                ),
            ));
        }
        // Paid before its expiry: recorded even when the expiry worker was first.
        (CallbackStatus::Success, _) => Outcome::Paid,
        (CallbackStatus::Failed, OrderStatus::Pending) => Outcome::Failed,
        (CallbackStatus::Failed, OrderStatus::Failed) => Outcome::Duplicate,
        (CallbackStatus::Failed, OrderStatus::Paid | OrderStatus::Expired) => Outcome::Ignored,
    })
}

/// The dossier's payment confirmed by the gateway — the officers' `ConfirmPayment`, with the
/// transaction as its reference — when the dossier still waits for the obligation this order
/// pays; `None` when it does not (withdrawn, paid at the counter meanwhile): the payment is
/// recorded and the dossier left as it is.
pub fn confirmation(
    d: &Dossier,
    order: &PaymentOrder,
    cb: &Callback,
    calendar: &WorkingCalendar,
    now: OffsetDateTime,
) -> Result<Option<DossierUpdate>, Refusal> {
    let waiting = d.status == DossierStatus::FinancialObligation
        && d.clock_paused_at == Some(order.obligation_at);
    if !waiting {
        return Ok(None);
    }
    let decision = Decision::ConfirmPayment {
        reference: cb.transaction_id.clone(),
    };
    let actor = Actor::service(GATEWAY_ACTOR);
    let mut update = actions::decide_by_service(&decision, &actor, d, calendar, now)?;
    if let Value::Object(detail) = &mut update.change.detail {
        detail.insert("channel".into(), json!("online"));
        detail.insert("payment_order_id".into(), json!(order.id));
        detail.insert("amount_vnd".into(), json!(order.amount_vnd));
        detail.insert("paid_at".into(), json!(cb.paid_at));
    }
    Ok(Some(update))
}

#[cfg(test)]
#[path = "payment_callback_tests.rs"]
mod tests;
