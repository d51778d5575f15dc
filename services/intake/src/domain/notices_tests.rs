//! The applicant's notices: who gets which, with what, and never the ID number.

use super::*;
use crate::domain::change::{Change, DossierUpdate, NewSupplementRequest};
use crate::domain::fixtures::dossier;
use crate::domain::supplement_items::SupplementItem;
use motcua_audit::Actor;
use motcua_calendar::Deadline;
use serde_json::json;
use time::macros::datetime;

const LOOKUP: &str = "https://dichvucong.example.vn/tra-cuu/{code}";

fn with_contacts(status: DossierStatus) -> Dossier {
    let mut d = dossier(status);
    d.applicant.email = Some("an@example.vn".into());
    d.applicant.phone = Some("0912345678".into());
    d.receipt = json!({"procedure_name": "Đăng ký khai sinh", "receiving_agency_name": "UBND phường An Hòa"});
    d
}

fn rendered(n: &NoticeDraft) -> String {
    let (s, b) = motcua_notify::render(n.template, n.channel, &n.values).unwrap();
    format!("{s}\n{b}")
}

#[test]
fn a_receipt_goes_to_every_contact_with_code_appointment_and_link_but_no_id_number() {
    let d = with_contacts(DossierStatus::Received);
    let notices = on_receipt(&d, LOOKUP);
    let channels: Vec<_> = notices
        .iter()
        .map(|n| (n.channel, n.recipient.as_str()))
        .collect();
    assert_eq!(
        channels,
        [
            (Channel::Email, "an@example.vn"),
            (Channel::Sms, "0912345678")
        ]
    );
    for n in &notices {
        let text = rendered(n);
        assert!(text.contains(&d.code) && text.contains("tra-cuu/000.25.80.H80-261127-0001"));
        assert!(
            !text.contains("080203001234") && !text.contains("1234,"),
            "{text}"
        );
    }
    assert!(rendered(&notices[0]).contains("17 giờ 00 phút, ngày 27/11/2026"));
}

#[test]
fn the_applicants_choice_and_missing_contacts_limit_the_channels() {
    let mut d = with_contacts(DossierStatus::Received);
    d.applicant.notify_by = Some(vec![NotifyBy::Sms]);
    assert_eq!(
        on_receipt(&d, LOOKUP)
            .iter()
            .map(|n| n.channel)
            .collect::<Vec<_>>(),
        [Channel::Sms]
    );
    d.applicant.notify_by = Some(vec![]);
    assert!(on_receipt(&d, LOOKUP).is_empty());
    let mut none = dossier(DossierStatus::Received);
    none.applicant.email = Some(" ".into());
    assert!(on_receipt(&none, LOOKUP).is_empty());
    assert!(
        !reaches(&none.applicant) && !reaches(&d.applicant),
        "a blank contact or an empty choice reaches no one"
    );
    d.applicant.notify_by = None;
    assert!(reaches(&d.applicant));
}

#[test]
fn a_supplement_request_lists_every_item_and_the_deadline() {
    let d = with_contacts(DossierStatus::Received);
    let at = datetime!(2026-11-27 10:00 +07:00);
    let mut u = DossierUpdate::of(Change::of(
        &d,
        Action::RequestSupplement,
        DossierStatus::SupplementRequested,
        &Actor::service("o"),
        at,
    ));
    u.new_supplement_request = Some(NewSupplementRequest {
        items: vec![
            SupplementItem {
                component_code: "TK".into(),
                reason: "thiếu chữ ký".into(),
                defect: None,
            },
            SupplementItem {
                component_code: "GCS".into(),
                reason: "bản chụp mờ".into(),
                defect: Some("mờ".into()),
            },
        ],
        deadline: Deadline {
            at: datetime!(2026-12-18 17:00 +07:00),
            provisional: false,
        },
        due_before: d.due.at,
        agency: None,
    });
    let notices = on_update(&u, &d, LOOKUP);
    let email = rendered(&notices[0]);
    assert!(
        email.contains("1. TK: thiếu chữ ký") && email.contains("2. GCS: bản chụp mờ (mờ)"),
        "{email}"
    );
    assert!(email.contains("17 giờ 00 phút, ngày 18/12/2026"));
    assert!(rendered(&notices[1]).contains("bo sung 2 giay to"));
    assert_eq!(notices[0].template, Template::SupplementRequested);
}

#[test]
fn result_ready_stop_and_apology_are_told_once_each_and_other_changes_are_not() {
    let d = with_contacts(DossierStatus::Processing);
    let at = datetime!(2026-11-28 10:00 +07:00);
    let done = DossierUpdate::of(Change::of(
        &d,
        Action::Complete,
        DossierStatus::Processed,
        &Actor::service("workflow"),
        at,
    ));
    assert_eq!(
        on_update(&done, &d, LOOKUP)[0].template,
        Template::ResultReady
    );
    let stop = DossierUpdate::of(
        Change::of(
            &d,
            Action::ExpireSupplement,
            DossierStatus::Stopped,
            &Actor::service("intake"),
            at,
        )
        .with_detail(json!({"reason": "supplement_deadline_passed"})),
    );
    assert!(rendered(&on_update(&stop, &d, LOOKUP)[0]).contains("quá hạn bổ sung"));
    let apology = DossierUpdate::of(
        Change::of(
            &d,
            Action::Extend,
            DossierStatus::Processing,
            &Actor::service("head"),
            at,
        )
        .with_detail(json!({"reason": "chờ xác minh"})),
    );
    let apology = on_update(&apology, &d, LOOKUP);
    assert!(rendered(&apology[0]).contains("chờ xác minh"));
    assert_ne!(apology[0].cause, on_update(&done, &d, LOOKUP)[0].cause);
    let forward = DossierUpdate::of(Change::of(
        &d,
        Action::Forward,
        DossierStatus::Processing,
        &Actor::service("s"),
        at,
    ));
    assert!(on_update(&forward, &d, LOOKUP).is_empty());
}
