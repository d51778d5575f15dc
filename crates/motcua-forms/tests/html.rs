//! Each form as a printable HTML page: self-contained, carrying the same heading, title and
//! values as the PDF, and escaping every value — a name typed at the counter as `<script>` must
//! be shown as text, never run in an officer's browser.

mod samples;

use motcua_forms::{Form, NATIONAL_MOTTO, NATIONAL_TITLE, StopCause};
use samples::{APPLICANT, CODE, PROCEDURE};
use time::macros::datetime;

const EVIL: &str = "<script>alert('x')</script>";
const ESCAPED: &str = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;";

/// Every sample form, with `EVIL` in every free-text value the form prints.
fn hostile_forms() -> Vec<Box<dyn Form>> {
    let mut receipt = samples::receipt();
    receipt.applicant.name = EVIL.into();
    receipt.applicant.address = Some(EVIL.into());
    receipt.components[0].name = EVIL.into();
    receipt.received_by = EVIL.into();
    let mut supplement = samples::supplement();
    supplement.items[0].reason = EVIL.into();
    supplement.items[1].defect = Some(EVIL.into());
    let mut refusal = samples::refusal();
    refusal.reasons.push(EVIL.into());
    let mut apology = samples::apology();
    apology.reason = EVIL.into();
    apology.issuer.agency_name = EVIL.into();
    let withdrawn = samples::stop_notice(StopCause::Withdrawn {
        reason: EVIL.into(),
    });
    let mut window = samples::stop_notice(StopCause::SupplementWindowPassed {
        supplement_deadline: datetime!(2026-12-11 17:00 +07:00),
    });
    window.procedure_name = EVIL.into();
    let mut slip = samples::control_slip();
    slip.rows[0].from_person = Some(EVIL.into());
    slip.late_steps[0].1 = EVIL.into();
    vec![
        Box::new(receipt),
        Box::new(supplement),
        Box::new(refusal),
        Box::new(apology),
        Box::new(withdrawn),
        Box::new(window),
        Box::new(slip),
    ]
}

#[test]
fn every_value_with_markup_is_escaped_on_every_form() {
    for form in hostile_forms() {
        let html = form.html();
        assert!(
            html.contains(ESCAPED),
            "form {} does not show the value escaped",
            form.number()
        );
        assert!(
            !html.contains("<script"),
            "form {} lets markup through",
            form.number()
        );
    }
}

#[test]
fn every_page_is_self_contained_and_says_what_the_pdf_says() {
    let forms: Vec<Box<dyn Form>> = vec![
        Box::new(samples::receipt()),
        Box::new(samples::supplement()),
        Box::new(samples::refusal()),
        Box::new(samples::apology()),
        Box::new(samples::stop_notice(StopCause::Withdrawn {
            reason: "Gia đình chuyển nơi cư trú".into(),
        })),
        Box::new(samples::control_slip()),
    ];
    let numbers: Vec<&str> = forms.iter().map(|f| f.number()).collect();
    assert_eq!(numbers, ["01", "02", "03", "04", "05", "06"]);
    for form in forms {
        let html = form.html();
        let n = form.number();
        assert!(html.starts_with("<!doctype html>"), "form {n}");
        assert!(html.contains("<meta charset=\"utf-8\">"), "form {n}");
        for external in ["<link", " src=", " href=", "<script"] {
            assert!(!html.contains(external), "form {n} loads {external}");
        }
        for needle in [
            NATIONAL_TITLE,
            NATIONAL_MOTTO,
            &form.title().to_uppercase(),
            &form.issuer().agency_name.to_uppercase(),
            CODE,
            APPLICANT,
            PROCEDURE,
            "14 giờ 05 phút, ngày 27/11/2026",
        ] {
            assert!(html.contains(needle), "form {n} lacks {needle:?}");
        }
    }
}

#[test]
fn the_receipt_page_bolds_labels_and_tabulates_components() {
    let html = samples::receipt().html();
    assert!(html.contains("<strong>Địa chỉ: </strong>Số 12 Lê Lợi"));
    assert!(html.contains("<th>Tên giấy tờ</th>"));
    assert!(html.contains("<td>Tờ khai đăng ký khai sinh</td><td>Bản chính</td>"));
    assert!(html.contains("text-decoration:underline\">Độc lập - Tự do - Hạnh phúc"));
}
