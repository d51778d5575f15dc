//! Tests of the notification decisions: recorded once, repeats and late failures harmless, the
//! expiry, the amount and the merchant, and the dossier's confirmation by the gateway.
use super::super::fixtures::*;
use super::*;
use crate::domain::actions::Fee;
use crate::domain::payment::OrderStatus;
use crate::domain::payment_signature::SharedSecret;
use time::macros::datetime;
use uuid::Uuid;

const OBLIGED: OffsetDateTime = datetime!(2026-11-27 09:30 +07:00);
const EXPIRES: OffsetDateTime = datetime!(2026-11-30 09:45 +07:00);
const MERCHANT: &str = "MOTCUA01";

fn order(status: OrderStatus) -> PaymentOrder {
    PaymentOrder {
        id: Uuid::from_u128(7),
        dossier_code: "000.25.80.H80-261127-0001".into(),
        amount_vnd: 50_000,
        items: vec![Fee {
            name: "Lệ phí".into(),
            amount_vnd: 50_000,
        }],
        status,
        obligation_at: OBLIGED,
        created_at: datetime!(2026-11-30 09:30 +07:00),
        expires_at: EXPIRES,
        created_by: "officer-1".into(),
        gateway_transaction_id: (status == OrderStatus::Paid).then(|| "GW-1".to_string()),
        paid_at: None,
    }
}

fn notification(status: CallbackStatus, transaction: &str, paid_at: &str) -> Callback {
    Callback {
        merchant_id: MERCHANT.into(),
        order_id: Uuid::from_u128(7).to_string(),
        transaction_id: transaction.into(),
        amount_vnd: 50_000,
        status,
        paid_at: paid_at.into(),
        signature: String::new(),
    }
}

fn success() -> Callback {
    notification(CallbackStatus::Success, "GW-1", "2026-11-30T09:32:10+07:00")
}

fn failure() -> Callback {
    notification(CallbackStatus::Failed, "GW-1", "2026-11-30T09:33:00+07:00")
}

fn run(order: &PaymentOrder, cb: &Callback, taken: bool) -> Result<Outcome, Problem> {
    let at = cb.checked().unwrap();
    decide(MERCHANT, order, cb, at, taken)
}

#[test]
fn the_canonical_string_of_a_notification_is_the_documented_example() {
    let mut cb = notification(
        CallbackStatus::Success,
        "GW-20261130-000042",
        "2026-11-30T09:32:10+07:00",
    );
    cb.order_id = "0193f7a4-0000-7000-8000-000000000001".into();
    assert_eq!(
        cb.canonical(),
        "amount_vnd=50000&merchant_id=MOTCUA01&order_id=0193f7a4-0000-7000-8000-000000000001\
         &paid_at=2026-11-30T09%3A32%3A10%2B07%3A00&status=success&transaction_id=GW-20261130-000042"
    );
    let secret = SharedSecret::new("motcua-demo-secret");
    assert!(secret.verifies(
        &cb.canonical(),
        "61f69846bcfc46ee5cf1f6aa34c09f087e1e3ee6a1813a48e018195a2b19dd04"
    ));
}

#[test]
fn the_first_success_pays_the_same_one_again_changes_nothing() {
    assert_eq!(
        run(&order(OrderStatus::Pending), &success(), false),
        Ok(Outcome::Paid)
    );
    assert_eq!(
        run(&order(OrderStatus::Paid), &success(), false),
        Ok(Outcome::Duplicate)
    );
    assert_eq!(Outcome::Duplicate.result(), "duplicate");
    let other = notification(CallbackStatus::Success, "GW-2", "2026-11-30T09:40:00+07:00");
    assert_eq!(
        run(&order(OrderStatus::Paid), &other, false)
            .unwrap_err()
            .code,
        "payment_order_already_paid",
        "a second transaction for a paid order is not recorded"
    );
    assert_eq!(
        run(&order(OrderStatus::Pending), &other, true)
            .unwrap_err()
            .code,
        "payment_transaction_reused"
    );
}

#[test]
fn a_failure_after_the_success_is_ignored_a_failure_first_fails_the_order() {
    // (order status, notification, outcome); the last: the applicant tried again and paid.
    let table = [
        (OrderStatus::Paid, failure(), Outcome::Ignored),
        (OrderStatus::Expired, failure(), Outcome::Ignored),
        (OrderStatus::Pending, failure(), Outcome::Failed),
        (OrderStatus::Failed, failure(), Outcome::Duplicate),
        (OrderStatus::Failed, success(), Outcome::Paid),
    ];
    for (status, cb, want) in table {
        let got = run(&order(status), &cb, false);
        assert_eq!(got, Ok(want), "{:?} after {status:?}", cb.status);
    }
    assert_eq!(Outcome::Ignored.result(), "ignored");
}

#[test]
fn a_success_after_the_expiry_is_refused_unless_paid_before_it() {
    let late = notification(CallbackStatus::Success, "GW-1", "2026-11-30T09:45:01+07:00");
    for status in [OrderStatus::Pending, OrderStatus::Expired] {
        assert_eq!(
            run(&order(status), &late, false).unwrap_err().code,
            "payment_order_expired"
        );
    }
    let in_time = notification(CallbackStatus::Success, "GW-1", "2026-11-30T09:45:00+07:00");
    assert_eq!(
        run(&order(OrderStatus::Expired), &in_time, false),
        Ok(Outcome::Paid),
        "the expiry worker was first, but the payment was in time"
    );
}

#[test]
fn another_amount_or_merchant_is_refused() {
    let mut cb = success();
    cb.amount_vnd = 5_000;
    assert_eq!(
        run(&order(OrderStatus::Pending), &cb, false)
            .unwrap_err()
            .code,
        "payment_amount_mismatch"
    );
    let mut cb = success();
    cb.merchant_id = "OTHER".into();
    assert_eq!(
        run(&order(OrderStatus::Pending), &cb, false)
            .unwrap_err()
            .code,
        "payment_merchant_mismatch"
    );
}

#[test]
fn a_notification_needs_an_instant_and_a_transaction() {
    let bad = notification(CallbackStatus::Success, " ", "30/11/2026");
    let p = bad.checked().unwrap_err();
    assert_eq!(p.code, "invalid_body");
    assert_eq!(p.errors.len(), 2, "every problem at once");
}

#[test]
fn a_notification_with_overlong_text_is_refused_before_anything_is_kept() {
    let mut long = success();
    long.order_id = "x".repeat(MAX_FIELD + 1);
    long.signature = "f".repeat(10_000);
    let p = long.checked().unwrap_err();
    assert_eq!(p.code, "invalid_body");
    let fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["order_id", "signature"]);
    assert!(success().checked().is_ok(), "a genuine notification passes");
}

#[test]
fn the_gateways_confirmation_resumes_the_dossier_waiting_for_this_obligation_only() {
    let mut d = dossier(DossierStatus::FinancialObligation);
    d.clock_paused_at = Some(OBLIGED);
    let now = datetime!(2026-11-30 09:33 +07:00);
    let u = confirmation(
        &d,
        &order(OrderStatus::Pending),
        &success(),
        &calendar(),
        now,
    )
    .unwrap()
    .unwrap();
    assert_eq!(u.change.to, DossierStatus::Processing);
    assert_eq!(u.change.action.as_str(), "confirm_payment");
    assert_eq!(u.change.actor.sub, "svc:payment-gateway");
    assert_eq!(u.change.detail["reference"], "GW-1");
    assert_eq!(u.change.detail["channel"], "online");
    assert!(
        u.change.due.at > d.due.at,
        "the appointment moves by the wait"
    );
    let mut other = d.clone();
    other.clock_paused_at = Some(datetime!(2026-11-30 08:00 +07:00));
    assert!(
        confirmation(
            &other,
            &order(OrderStatus::Pending),
            &success(),
            &calendar(),
            now
        )
        .unwrap()
        .is_none(),
        "a later obligation is not paid by this order"
    );
    let withdrawn = dossier(DossierStatus::Withdrawn);
    assert!(
        confirmation(
            &withdrawn,
            &order(OrderStatus::Pending),
            &success(),
            &calendar(),
            now
        )
        .unwrap()
        .is_none()
    );
}
