//! Tests of the payment order decisions: who may order, only while the obligation waits, the
//! amount from its items, the payable order given again, and the signed payment link.
use super::super::fixtures::*;
use super::*;
use crate::domain::payment_signature::SharedSecret;
use motcua_auth::Role;
use time::macros::datetime;

const OBLIGED: OffsetDateTime = datetime!(2026-11-27 09:30 +07:00);
const NOW: OffsetDateTime = datetime!(2026-11-30 09:30:00.250 +07:00);

fn waiting() -> Dossier {
    let mut d = dossier(DossierStatus::FinancialObligation);
    d.clock_paused_at = Some(OBLIGED);
    d
}

fn fees() -> Vec<Fee> {
    vec![
        Fee {
            name: "Lệ phí đăng ký".into(),
            amount_vnd: 30_000,
        },
        Fee {
            name: "Phí cấp bản sao".into(),
            amount_vnd: 20_000,
        },
    ]
}

fn gateway() -> Gateway {
    Gateway {
        pay_page: "http://pay.example/pay".into(),
        merchant_id: "MOTCUA01".into(),
        secret: SharedSecret::new("motcua-demo-secret"),
        return_url: Some("https://dvc.example/ho-so/{code}".into()),
    }
}

fn request<'a>(
    d: &'a Dossier,
    caller: &'a Caller,
    items: Option<&'a [Fee]>,
    pending: Option<PaymentOrder>,
) -> OrderRequest<'a> {
    OrderRequest {
        caller,
        dossier: d,
        obligation: items,
        pending,
        ttl: time::Duration::minutes(15),
        id: Uuid::from_u128(1),
        now: NOW,
    }
}

fn new_order(d: &Dossier) -> PaymentOrder {
    let items = fees();
    match decide_order(request(d, &officer(), Some(&items), None)).unwrap() {
        OrderPlan::New(o) => o,
        other => panic!("a new order, not {other:?}"),
    }
}

#[test]
fn the_applicant_or_the_receiving_one_stop_may_order_a_payment_nobody_else() {
    let d = waiting();
    let applicant = Caller {
        id_number: Some("080203001234".into()),
        ..caller("vneid-an", &[Role::Citizen], None)
    };
    assert!(may_order(&applicant, &d).is_ok());
    assert!(may_order(&officer(), &d).is_ok());
    let stranger = caller("vneid-x", &[Role::Citizen], None);
    let other_ward = caller("o", &[Role::OneStopOfficer], Some(JUSTICE));
    let specialist = caller("s", &[Role::Specialist], Some(JUSTICE));
    for c in [stranger, other_ward, specialist] {
        assert_eq!(
            may_order(&c, &d).unwrap_err().code,
            "dossier_action_not_allowed",
            "{}",
            c.sub
        );
    }
}

#[test]
fn an_order_pays_the_sum_of_the_obligations_items_and_expires_after_its_lifetime() {
    let o = new_order(&waiting());
    assert_eq!(o.amount_vnd, 50_000);
    assert_eq!(o.items.len(), 2);
    assert_eq!(o.status, OrderStatus::Pending);
    assert_eq!(o.obligation_at, OBLIGED);
    assert_eq!(
        o.expires_at,
        datetime!(2026-11-30 09:45 +07:00),
        "to the whole second"
    );
    assert_eq!(o.created_by, "officer-1");
}

#[test]
fn no_order_unless_the_dossier_waits_for_an_obligation_with_something_to_pay() {
    let items = fees();
    let processing = dossier(DossierStatus::Processing);
    let refused = decide_order(request(&processing, &officer(), Some(&items), None));
    assert_eq!(refused.unwrap_err().code, "payment_not_due");
    let nothing = decide_order(request(&waiting(), &officer(), None, None));
    assert_eq!(nothing.unwrap_err().code, "payment_not_due");
    let free = [Fee {
        name: "Miễn phí".into(),
        amount_vnd: 0,
    }];
    let zero = decide_order(request(&waiting(), &officer(), Some(&free), None));
    assert_eq!(zero.unwrap_err().code, "payment_not_due");
}

#[test]
fn the_payable_order_of_the_same_obligation_is_given_again_not_a_second() {
    let d = waiting();
    let items = fees();
    let first = new_order(&d);
    let again = decide_order(request(&d, &officer(), Some(&items), Some(first.clone())));
    assert!(matches!(again.unwrap(), OrderPlan::Existing(o) if o.id == first.id));
    let mut expired = first.clone();
    expired.expires_at = NOW;
    let after_expiry = decide_order(request(&d, &officer(), Some(&items), Some(expired)));
    assert!(matches!(after_expiry.unwrap(), OrderPlan::New(_)));
    let mut older = first.clone();
    older.obligation_at = datetime!(2026-11-26 09:00 +07:00);
    let other_obligation = decide_order(request(&d, &officer(), Some(&items), Some(older)));
    assert!(
        matches!(other_obligation.unwrap(), OrderPlan::New(_)),
        "an order of an earlier obligation does not pay this one"
    );
}

#[test]
fn the_payment_link_carries_the_signed_order_while_it_is_pending() {
    let g = gateway();
    let mut o = new_order(&waiting());
    let url = o.view(Some(&g)).pay_url.unwrap();
    let (page, query) = url.split_once('?').unwrap();
    assert_eq!(page, "http://pay.example/pay");
    let (signed, signature) = query.rsplit_once("&signature=").unwrap();
    assert_eq!(signed, canonical(&order_fields(&g, &o)));
    assert!(g.secret.verifies(signed, signature));
    assert!(signed.contains("amount=50000&"));
    assert!(signed.contains("expires_at=2026-11-30T09%3A45%3A00%2B07%3A00&"));
    assert!(
        signed.contains("return_url=https%3A%2F%2Fdvc.example%2Fho-so%2F000.25.80.H80-261127-0001")
    );
    assert!(o.view(None).pay_url.is_none(), "no gateway, no link");
    o.status = OrderStatus::Paid;
    assert!(
        o.view(Some(&g)).pay_url.is_none(),
        "a paid order is not paid again"
    );
}

#[test]
fn without_a_gateway_payment_answers_a_clear_problem() {
    let none = Payments::from_config(&motcua_config::PaymentConfig {
        gateway: None,
        order_ttl: std::time::Duration::from_secs(900),
    });
    assert_eq!(
        none.gateway().unwrap_err().code,
        "payment_gateway_not_configured"
    );
    assert_eq!(none.order_ttl, time::Duration::minutes(15));
    for s in ["pending", "paid", "expired", "failed"] {
        assert_eq!(OrderStatus::parse(s).unwrap().as_str(), s);
    }
    assert!(OrderStatus::parse("refunded").is_none());
}

#[test]
fn the_documented_example_order_is_signed_as_documented() {
    let mut o = new_order(&waiting());
    o.id = Uuid::parse_str("0193f7a4-0000-7000-8000-000000000001").unwrap();
    let g = Gateway {
        return_url: None,
        ..gateway()
    };
    let query = canonical(&order_fields(&g, &o));
    assert_eq!(
        query,
        "amount=50000&description=N%E1%BB%99p%20ph%C3%AD%2C%20l%E1%BB%87%20ph%C3%AD%20h%E1%BB%93%20s%C6%A1%20000.25.80.H80-261127-0001\
         &expires_at=2026-11-30T09%3A45%3A00%2B07%3A00&merchant_id=MOTCUA01\
         &order_id=0193f7a4-0000-7000-8000-000000000001"
    );
    assert_eq!(
        pay_url(&g, &o),
        format!(
            "http://pay.example/pay?{query}\
             &signature=cbb90b30f6741bf0b44a53d995af1afd069b8dfdf77e9597cb92b0c07b7abe47"
        )
    );
}
