//! Tests of the submission decision: the one-stop rule, every problem at once, the appointment
//! by method and case, the dossier code.
use super::super::fixtures::*;
use super::*;
use motcua_catalogue_model::AgencyKind;
use time::macros::datetime;

fn request(channel: Channel, components: &[&str]) -> SubmitDossier {
    serde_json::from_value(json!({
        "procedure_code": "1.001193", "receiving_agency": WARD, "channel": channel,
        "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234"},
        "components": components.iter().map(|c| json!({"code": c, "form": "paper"})).collect::<Vec<_>>(),
    }))
    .unwrap()
}

struct World {
    agency: Agency,
    procedure: Procedure,
    calendar: WorkingCalendar,
    format: CodeFormat,
}

fn world() -> World {
    World {
        agency: agency(WARD, AgencyKind::OneStop),
        procedure: birth_registration(),
        calendar: calendar(),
        format: CodeFormat::Circular01,
    }
}

fn decide_as(
    w: &World,
    caller: &Caller,
    req: &SubmitDossier,
    now: OffsetDateTime,
) -> Result<Accepted, Refusal> {
    decide(&SubmissionInput {
        caller,
        request: req,
        agency: Some(&w.agency),
        procedure: Some(&w.procedure),
        calendar: Some(&w.calendar),
        now,
        code_format: &w.format,
    })
}

const NOW: OffsetDateTime = datetime!(2026-11-27 09:00 +07:00);

fn refusal_codes(r: &Refusal) -> (&str, Vec<&str>) {
    (
        r.problem.code,
        r.problem.errors.iter().map(|e| e.code.as_str()).collect(),
    )
}

#[test]
fn only_one_stop_roles_receive_and_the_attempt_is_recorded() {
    let w = world();
    let specialist = caller("s", &[Role::Specialist], Some(JUSTICE));
    let r = decide_as(
        &w,
        &specialist,
        &request(Channel::Counter, &["TK", "GCS"]),
        NOW,
    )
    .unwrap_err();
    assert_eq!(r.problem.code, "intake_outside_one_stop");
    assert_eq!(
        r.compliance.unwrap().kind,
        ComplianceKind::IntakeOutsideOneStop
    );
    let mut citizen = caller("c", &[Role::Citizen], None);
    citizen.id_number = Some("080203001234".into());
    assert!(
        decide_as(
            &w,
            &citizen,
            &request(Channel::Counter, &["TK", "GCS"]),
            NOW
        )
        .is_err()
    );
    assert!(decide_as(&w, &citizen, &request(Channel::Online, &["TK", "GCS"]), NOW).is_ok());
}

#[test]
fn a_receiving_agency_that_is_not_a_one_stop_unit_is_refused_and_recorded() {
    let mut w = world();
    w.agency.kind = AgencyKind::Agency;
    let r = decide_as(
        &w,
        &officer(),
        &request(Channel::Counter, &["TK", "GCS"]),
        NOW,
    )
    .unwrap_err();
    assert_eq!(r.problem.code, "intake_outside_one_stop");
    assert!(r.compliance.is_some());
}

#[test]
fn an_officer_receives_only_for_their_own_unit() {
    let w = world();
    let other = caller("o", &[Role::OneStopOfficer], Some("000.26.80.H80"));
    let r = decide_as(&w, &other, &request(Channel::Counter, &["TK", "GCS"]), NOW).unwrap_err();
    assert_eq!(
        (r.problem.code, r.compliance.is_none()),
        ("agency_not_allowed", true)
    );
}

#[test]
fn only_component_problems_are_components_invalid_others_validation_failed() {
    let w = world();
    let r = decide_as(
        &w,
        &officer(),
        &request(Channel::Counter, &["TK", "XX"]),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        refusal_codes(&r),
        (
            "components_invalid",
            vec!["component_unexpected", "component_missing"]
        )
    );
    let mut req = request(Channel::Counter, &["TK"]);
    req.applicant.id_number = "003203001234".into();
    let r = decide_as(&w, &officer(), &req, NOW).unwrap_err();
    assert_eq!(
        refusal_codes(&r),
        (
            "validation_failed",
            vec!["invalid_personal_id", "component_missing"]
        )
    );
}

#[test]
fn a_method_the_procedure_does_not_offer_is_refused() {
    let w = world();
    let r = decide_as(
        &w,
        &officer(),
        &request(Channel::Postal, &["TK", "GCS"]),
        NOW,
    )
    .unwrap_err();
    assert_eq!(
        refusal_codes(&r),
        ("validation_failed", vec!["method_not_offered"])
    );
}

#[test]
fn the_appointment_uses_the_methods_limit_and_its_cut_off() {
    let w = world();
    let counter = decide_as(
        &w,
        &officer(),
        &request(Channel::Counter, &["TK", "GCS"]),
        NOW,
    )
    .unwrap();
    assert_eq!(
        counter.due.at,
        datetime!(2026-11-27 17:00 +07:00),
        "same day at the counter"
    );
    let late = decide_as(
        &w,
        &officer(),
        &request(Channel::Counter, &["TK", "GCS"]),
        datetime!(2026-11-27 15:30 +07:00),
    )
    .unwrap();
    assert_eq!(
        late.due.at,
        datetime!(2026-11-30 17:00 +07:00),
        "after 15:00: Monday"
    );
    let mut citizen = caller("c", &[Role::Citizen], None);
    citizen.id_number = Some("080203001234".into());
    let online = decide_as(&w, &citizen, &request(Channel::Online, &["TK", "GCS"]), NOW).unwrap();
    assert_eq!(
        online.due.at,
        datetime!(2026-11-30 09:00 +07:00),
        "one working day online"
    );
}

#[test]
fn a_case_brings_its_own_components_and_limit_and_an_unknown_case_is_refused() {
    let w = world();
    let mut req = request(Channel::Counter, &["TKK"]);
    req.case_code = Some("K".into());
    let a = decide_as(&w, &officer(), &req, NOW).unwrap();
    assert_eq!(
        a.due.at,
        datetime!(2026-11-27 15:00 +07:00),
        "4 working hours: 2.5 before lunch, 1.5 after"
    );
    req.case_code = Some("Z".into());
    let r = decide_as(&w, &officer(), &req, NOW).unwrap_err();
    assert!(refusal_codes(&r).1.contains(&"case_unknown"));
}

#[test]
fn circular_04_codes_need_the_agencys_04_code() {
    let mut w = world();
    w.format = CodeFormat::parse("04-2025:TN").unwrap();
    let r = decide_as(
        &w,
        &officer(),
        &request(Channel::Counter, &["TK", "GCS"]),
        NOW,
    )
    .unwrap_err();
    assert!(refusal_codes(&r).1.contains(&"agency_code_04_missing"));
    w.agency.code_04_2025 = Some("H80.025.01".into());
    let accepted = decide_as(
        &w,
        &officer(),
        &request(Channel::Counter, &["TK", "GCS"]),
        NOW,
    )
    .unwrap();
    let issued = accepted.issue(&w.format, 7).unwrap();
    assert_eq!(issued.code, "H80.025.01-261127-TN0007");
}

#[test]
fn the_issued_dossier_carries_its_code_in_the_receipt_and_the_answer() {
    let w = world();
    let accepted = decide_as(
        &w,
        &officer(),
        &request(Channel::Counter, &["TK", "GCS"]),
        NOW,
    )
    .unwrap();
    let issued = accepted.issue(&w.format, 12).unwrap();
    assert_eq!(issued.code, "000.25.80.H80-261127-0012");
    assert_eq!(issued.receipt["dossier_code"], issued.code);
    assert_eq!(issued.receipt["components"][1]["name"], "Giấy tờ GCS");
    assert_eq!(issued.answer["appointment_at"], serde_json::Value::Null);
    assert_eq!(issued.answer["due_at"], "2026-11-27T17:00:00+07:00");
    assert_eq!(issued.answer["status_code"], 2);
    assert_eq!(issued.applicant_id_last4, "1234");
    let d = issued.dossier();
    assert_eq!(
        (d.code.as_str(), d.status, d.due),
        (issued.code.as_str(), DossierStatus::Received, accepted.due)
    );
    assert_eq!(d.receipt, issued.receipt);
}

#[test]
fn every_cap_on_files_and_counts_is_refused_at_submission() {
    let w = world();
    for (components, code) in over_the_caps("TK") {
        let mut req = request(Channel::Counter, &["GCS"]);
        req.components.extend(components);
        let r = decide_as(&w, &officer(), &req, NOW).unwrap_err();
        assert!(
            refusal_codes(&r).1.contains(&code),
            "{code}: {:?}",
            refusal_codes(&r)
        );
    }
}
