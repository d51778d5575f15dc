//! Tests of the supplement decisions: once only, every item, the window, the clock policies,
//! and the same checks as at submission.
use super::super::fixtures::*;
use super::*;
use crate::domain::dossier::Form;
use motcua_auth::Role;
use motcua_calendar::SupplementClockPolicy;
use time::macros::datetime;

fn rules() -> SupplementRules {
    SupplementRules {
        request_within: WorkingDuration::hours(8),
        window: WorkingDuration::days(15.0).unwrap(),
    }
}

fn items(codes: &[&str]) -> Vec<SupplementItem> {
    codes
        .iter()
        .map(|c| SupplementItem {
            component_code: (*c).into(),
            reason: "cần bổ sung".into(),
            defect: None,
        })
        .collect()
}

fn ask(
    d: &Dossier,
    caller: &Caller,
    codes: &[&str],
    already: bool,
    now: OffsetDateTime,
) -> Result<DossierUpdate, Refusal> {
    let published = birth_registration().components;
    let cal = calendar();
    let case = CaseAgencies {
        current: vec![JUSTICE.into()],
        path: vec![JUSTICE.into()],
    };
    decide_request(&RequestInput {
        caller,
        items: &items(codes),
        dossier: d,
        case: &case,
        published: &published,
        submitted: &["TK".into(), "GCS".into()],
        already_requested: already,
        calendar: &cal,
        rules: rules(),
        now,
    })
}

const NOW: OffsetDateTime = datetime!(2026-11-27 10:00 +07:00);

#[test]
fn a_second_supplement_request_is_refused_and_recorded() {
    let d = dossier(DossierStatus::Processing);
    let r = ask(&d, &officer(), &["HTSS"], true, NOW).unwrap_err();
    assert_eq!(r.problem.code, "supplement_already_requested");
    assert_eq!(
        r.compliance.unwrap().kind,
        ComplianceKind::SecondSupplementRequest
    );
}

#[test]
fn the_one_stop_or_the_agency_holding_it_may_ask_and_no_one_else() {
    let d = dossier(DossierStatus::Processing);
    let holder = caller("j", &[Role::Specialist], Some(JUSTICE));
    assert!(ask(&d, &holder, &["HTSS"], false, NOW).is_ok());
    let police = caller("p", &[Role::Specialist], Some("000.31.80.H80"));
    assert_eq!(
        ask(&d, &police, &["HTSS"], false, NOW)
            .unwrap_err()
            .problem
            .code,
        "dossier_action_not_allowed"
    );
}

#[test]
fn items_outside_the_procedure_or_from_national_databases_are_refused_and_recorded() {
    let d = dossier(DossierStatus::Processing);
    for code in ["SOHOKHAU", "CCCD"] {
        let r = ask(&d, &officer(), &[code], false, NOW).unwrap_err();
        assert_eq!(r.problem.code, "supplement_items_invalid");
        assert_eq!(
            r.compliance.unwrap().kind,
            ComplianceKind::ExtraComponentRequested,
            "{code}"
        );
    }
}

#[test]
fn the_request_stops_the_clock_and_gives_the_applicant_the_window() {
    let d = dossier(DossierStatus::Processing);
    let u = ask(&d, &officer(), &["HTSS"], false, NOW).unwrap();
    assert_eq!(u.change.to, DossierStatus::SupplementRequested);
    assert_eq!(u.change.clock_paused_at, Some(NOW));
    assert_eq!(u.change.resume_status, Some(DossierStatus::Processing));
    let r = u.new_supplement_request.unwrap();
    assert_eq!(
        r.deadline.at,
        datetime!(2026-12-18 10:00 +07:00),
        "15 working days"
    );
    assert!(u.compliance.is_empty(), "within 8 working hours");
    assert_eq!(u.document.unwrap().kind, "supplement_request_form_02");
}

#[test]
fn a_request_later_than_allowed_is_issued_and_recorded() {
    let d = dossier(DossierStatus::Processing);
    let u = ask(
        &d,
        &officer(),
        &["HTSS"],
        false,
        datetime!(2026-12-01 10:00 +07:00),
    )
    .unwrap();
    assert_eq!(u.compliance[0].kind, ComplianceKind::LateSupplementRequest);
    assert_eq!(u.change.detail["late"], true);
}

#[test]
fn a_final_dossier_cannot_be_asked_for_a_supplement() {
    let d = dossier(DossierStatus::Refused);
    assert_eq!(
        ask(&d, &officer(), &["HTSS"], false, NOW)
            .unwrap_err()
            .problem
            .code,
        "illegal_transition"
    );
}

fn answer(
    d: &Dossier,
    comps: Vec<SubmittedComponent>,
    now: OffsetDateTime,
) -> Result<DossierUpdate, Refusal> {
    let published = birth_registration().components;
    let cal = calendar();
    let request = OpenRequest {
        items: items(&["GCS", "HTSS"]),
        deadline_at: datetime!(2026-12-18 10:00 +07:00),
        requested_at: datetime!(2026-11-27 10:00 +07:00),
    };
    decide_supplement(&SupplementInput {
        caller: &officer(),
        components: &comps,
        dossier: d,
        request: Some(&request),
        published: &published,
        calendar: &cal,
        now,
    })
}

fn paper(code: &str) -> SubmittedComponent {
    SubmittedComponent {
        code: code.into(),
        form: Form::Paper,
        files: Vec::new(),
        originals: None,
        copies: None,
    }
}

const RESUMED: OffsetDateTime = datetime!(2026-12-02 10:00 +07:00);

#[test]
fn the_clock_restarts_pauses_or_continues_per_the_procedure() {
    let paused = datetime!(2026-11-27 15:00 +07:00);
    let due = |policy| {
        let d = waiting(paused, policy);
        answer(&d, vec![paper("GCS"), paper("HTSS")], RESUMED)
            .unwrap()
            .change
            .due
            .at
    };
    assert_eq!(
        due(SupplementClockPolicy::Restart),
        datetime!(2026-12-02 17:00 +07:00),
        "same day again"
    );
    assert_eq!(
        due(SupplementClockPolicy::Pause),
        datetime!(2026-12-02 14:00 +07:00),
        "moved by the 21 working hours waited (Fri 15:00 to Wed 10:00)"
    );
    assert_eq!(
        due(SupplementClockPolicy::Continue),
        datetime!(2026-11-27 17:00 +07:00),
        "unchanged"
    );
}

#[test]
fn the_supplement_refuses_what_the_submission_refuses() {
    let d = waiting(
        datetime!(2026-11-27 10:00 +07:00),
        SupplementClockPolicy::Restart,
    );
    let mut too_many = paper("GCS");
    too_many.originals = Some(1001);
    let mut electronic = paper("HTSS");
    electronic.form = Form::Electronic;
    let r = answer(&d, vec![too_many, electronic], RESUMED).unwrap_err();
    let codes: Vec<&str> = r.problem.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(r.problem.code, "supplement_invalid");
    assert_eq!(codes, ["count_out_of_range", "files_required"]);
    let mut short = paper("GCS");
    short.originals = Some(0);
    let r = answer(&d, vec![short, paper("HTSS")], RESUMED).unwrap_err();
    assert_eq!(r.problem.errors[0].code, "component_count");
}

#[test]
fn every_item_must_be_answered_within_the_window() {
    let d = waiting(
        datetime!(2026-11-27 10:00 +07:00),
        SupplementClockPolicy::Restart,
    );
    let r = answer(&d, vec![paper("GCS")], RESUMED).unwrap_err();
    assert_eq!(r.problem.errors[0].code, "supplement_incomplete");
    let late = answer(
        &d,
        vec![paper("GCS"), paper("HTSS")],
        datetime!(2026-12-18 10:01 +07:00),
    )
    .unwrap_err();
    assert_eq!(late.problem.code, "supplement_deadline_passed");
}

#[test]
fn a_result_ready_while_waiting_goes_straight_to_processed() {
    let mut d = waiting(
        datetime!(2026-11-27 10:00 +07:00),
        SupplementClockPolicy::Restart,
    );
    d.case_completed_at = Some(datetime!(2026-11-30 10:00 +07:00));
    let u = answer(&d, vec![paper("GCS"), paper("HTSS")], RESUMED).unwrap();
    assert_eq!(u.change.to, DossierStatus::Processed);
    assert_eq!(u.supplemented.len(), 2);
}

#[test]
fn every_cap_on_files_and_counts_is_refused_on_the_supplement_too() {
    let d = waiting(
        datetime!(2026-11-27 10:00 +07:00),
        SupplementClockPolicy::Restart,
    );
    for (mut components, code) in over_the_caps("GCS") {
        components.push(paper("HTSS"));
        let r = answer(&d, components, RESUMED).unwrap_err();
        let codes: Vec<&str> = r.problem.errors.iter().map(|e| e.code.as_str()).collect();
        assert!(codes.contains(&code), "{code}: {codes:?}");
    }
}
