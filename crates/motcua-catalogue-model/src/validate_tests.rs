//! Tests of [`super::validate`]: each rule on a copy of the demo catalogue
//! broken in one place, asserting the exact errors reported.

use motcua_calendar::{Session, TimeLimit, WorkingDuration};
use time::macros::date;

use super::validate;
use crate::error::codes;
use crate::file::{
    AgencyKind, CaseEntry, CatalogueFile, ComponentEntry, Decision, ListedProcedure, ListingEntry,
    Method, MethodEntry,
};

const DEMO: &str = include_str!("../../../data/catalogue-demo.json");

fn sample() -> CatalogueFile {
    CatalogueFile::parse(DEMO).expect("demo catalogue parses")
}

/// (field, code) of every error, in report order.
fn errors(f: &CatalogueFile) -> Vec<(String, String)> {
    validate(f).into_iter().map(|e| (e.field, e.code)).collect()
}

fn expect(f: &CatalogueFile, want: &[(&str, &str)]) {
    let got = errors(f);
    let want: Vec<(String, String)> = want
        .iter()
        .map(|&(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    assert_eq!(got, want, "all errors: {:#?}", validate(f));
}

#[test]
fn demo_catalogue_parses_and_validates_cleanly() {
    let f = sample();
    assert_eq!(validate(&f), []);
    assert_eq!(CatalogueFile::import(DEMO).unwrap(), f);
}

#[test]
fn import_of_a_broken_copy_names_entry_and_field() {
    let broken = DEMO.replacen(
        r#"{"code": "GCSDT", "name": "Giấy chứng sinh điện tử""#,
        r#"{"code": "TK01", "name": "Giấy chứng sinh điện tử""#,
        1,
    );
    assert_ne!(broken, DEMO);
    let errs = CatalogueFile::import(&broken).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = &errs[0];
    assert_eq!(e.entry, "procedures[1] (DEMO.LT.63-1)");
    assert_eq!(e.field, "procedures[1].components[1].code");
    assert_eq!(e.code, codes::DUPLICATE_COMPONENT);
    assert!(
        e.message.contains("procedures[1].components[0]"),
        "{}",
        e.message
    );
}

#[test]
fn procedure_codes() {
    let mut f = sample();
    f.procedures[0].code = "1.00119".into();
    f.procedures[1].code = "demo.lt".into();
    f.procedures[2].code = "1.011537.H38".into();
    expect(
        &f,
        &[
            ("procedures[0].code", codes::INVALID_PROCEDURE_CODE),
            ("procedures[1].code", codes::INVALID_PROCEDURE_CODE),
        ],
    );
    assert_eq!(validate(&f)[0].entry, "procedures[0] (1.00119)");
}

#[test]
fn agency_codes_must_be_present_and_unique() {
    let mut f = sample();
    f.agencies[2].code = String::new();
    f.agencies[7].code = "000.33.80.H80".into();
    expect(
        &f,
        &[
            ("agencies[2].code", codes::INVALID_AGENCY_CODE),
            ("agencies[7].code", codes::DUPLICATE_AGENCY),
            // The steps that named the emptied agency now point nowhere.
            ("procedures[0].steps[1].agency", codes::UNKNOWN_AGENCY),
            ("procedures[1].steps[0].agency", codes::UNKNOWN_AGENCY),
            ("procedures[2].steps[0].agency", codes::UNKNOWN_AGENCY),
            ("procedures[2].steps[2].agency", codes::UNKNOWN_AGENCY),
        ],
    );
    assert_eq!(validate(&f)[0].entry, "agencies[2]");
    assert_eq!(validate(&f)[1].entry, "agencies[7] (000.33.80.H80)");
}

#[test]
fn agency_references_periods_units_and_sessions() {
    let mut f = sample();
    f.agencies[0].successor_code = Some("NOWHERE".into());
    f.agencies[1].parent_code = Some("000.00.01.H80".into());
    f.agencies[2].parent_code = Some("GONE".into());
    f.agencies[3].valid_from = Some(date!(2025 - 07 - 01));
    f.agencies[3].valid_until = Some(date!(2025 - 06 - 30));
    f.agencies[4].unit_code = Some("800".into());
    f.agencies[5].working_sessions = Some(vec![
        Session::parse("07:30", "11:30").unwrap(),
        Session::parse("11:00", "16:30").unwrap(),
    ]);
    expect(
        &f,
        &[
            ("agencies[0].successor_code", codes::UNKNOWN_AGENCY),
            ("agencies[2].parent_code", codes::UNKNOWN_AGENCY),
            ("agencies[3].valid_until", codes::INVALID_VALIDITY_PERIOD),
            ("agencies[4].unit_code", codes::INVALID_UNIT_CODE),
            (
                "agencies[5].working_sessions",
                codes::INVALID_WORKING_SESSIONS,
            ),
        ],
    );
    // Same-day validity and well-formed sessions are fine.
    let mut f = sample();
    f.agencies[3].valid_from = Some(date!(2025 - 07 - 01));
    f.agencies[3].valid_until = Some(date!(2025 - 07 - 01));
    f.agencies[5].working_sessions = Some(vec![
        Session::parse("07:30", "11:30").unwrap(),
        Session::parse("13:00", "16:30").unwrap(),
    ]);
    expect(&f, &[]);
}

#[test]
fn succession_and_parent_cycles_are_reported_once() {
    let mut f = sample();
    f.agencies[2].successor_code = Some("000.32.80.H80".into()); // 2 → 4
    f.agencies[4].successor_code = Some("000.31.80.H80".into()); // 4 → 3
    f.agencies[3].successor_code = Some("000.30.80.H80".into()); // 3 → 2
    f.agencies[6].successor_code = Some("000.34.80.H80".into()); // 6 → 6
    f.agencies[7].successor_code = Some("000.30.80.H80".into()); // into the cycle, not in it
    f.agencies[0].parent_code = Some("000.25.80.H80".into());
    f.agencies[1].parent_code = Some("000.00.01.H80".into());
    expect(
        &f,
        &[
            ("agencies[2].successor_code", codes::SUCCESSION_CYCLE),
            ("agencies[6].successor_code", codes::SUCCESSION_CYCLE),
            ("agencies[0].parent_code", codes::PARENT_CYCLE),
        ],
    );
    let errs = validate(&f);
    assert!(
        errs[0]
            .message
            .ends_with("000.30.80.H80 → 000.32.80.H80 → 000.31.80.H80 → 000.30.80.H80"),
        "{}",
        errs[0].message
    );
    // A chain without a loop is fine.
    let mut f = sample();
    f.agencies[2].successor_code = Some("000.32.80.H80".into());
    f.agencies[4].successor_code = Some("000.31.80.H80".into());
    expect(&f, &[]);
}

fn decision(from: time::Date, until: Option<time::Date>) -> Option<Decision> {
    Some(Decision {
        number: "1/QĐ-UBND".into(),
        date: from,
        effective_from: from,
        effective_until: until,
    })
}

#[test]
fn versions_are_unique_and_take_effect_on_distinct_days() {
    let mut f = sample();
    let v1 = f.procedures[0].clone();
    // Same (code, version) again.
    f.procedures.push(v1.clone());
    // Version 2 with the default effective date, like version 1.
    let mut v2 = v1.clone();
    v2.version = 2;
    f.procedures.push(v2);
    // Version 3 ending before it starts.
    let mut v3 = v1.clone();
    v3.version = 3;
    v3.decision = decision(date!(2026 - 01 - 01), Some(date!(2025 - 12 - 31)));
    f.procedures.push(v3);
    // Version 0.
    let mut v0 = v1;
    v0.version = 0;
    v0.decision = decision(date!(2027 - 01 - 01), None);
    f.procedures.push(v0);
    expect(
        &f,
        &[
            ("procedures[4].version", codes::DUPLICATE_VERSION),
            (
                "procedures[5].decision.effective_from",
                codes::DUPLICATE_EFFECTIVE_FROM,
            ),
            (
                "procedures[6].decision.effective_until",
                codes::INVALID_EFFECTIVE_PERIOD,
            ),
            ("procedures[7].version", codes::INVALID_VERSION),
        ],
    );
    assert!(validate(&f)[1].message.contains("default"));
    // Distinct days, including a version ending on the day it starts, are fine.
    let mut f = sample();
    let mut v2 = f.procedures[0].clone();
    v2.version = 2;
    v2.decision = decision(date!(2026 - 01 - 25), Some(date!(2026 - 01 - 25)));
    f.procedures.push(v2);
    expect(&f, &[]);
}

fn component(code: &str, originals: u32, copies: u32, national: bool) -> ComponentEntry {
    ComponentEntry {
        code: code.into(),
        name: format!("Giấy tờ {code}"),
        originals,
        copies,
        required: true,
        condition: None,
        form_template: None,
        from_national_database: national,
    }
}

#[test]
fn components_are_unique_per_list_and_ask_for_something() {
    let mut f = sample();
    let p = &mut f.procedures[0];
    p.components.push(component("TK", 1, 0, false));
    p.components.push(component("CCCD", 0, 0, true));
    p.components.push(component("", 0, 0, false));
    p.cases = vec![
        CaseEntry {
            code: "TH1".into(),
            name: "Có yếu tố nước ngoài".into(),
            // Reusing a procedure-level code inside a case is fine; twice in the case is not.
            components: vec![component("TK", 1, 0, false), component("TK", 0, 1, false)],
            time_limit: None,
        },
        CaseEntry {
            code: "TH1".into(),
            name: "Lặp lại".into(),
            components: vec![],
            time_limit: None,
        },
    ];
    expect(
        &f,
        &[
            (
                "procedures[0].components[3].code",
                codes::DUPLICATE_COMPONENT,
            ),
            (
                "procedures[0].components[5].code",
                codes::INVALID_COMPONENT_CODE,
            ),
            (
                "procedures[0].components[5].originals",
                codes::INVALID_COMPONENT_COUNT,
            ),
            (
                "procedures[0].cases[0].components[1].code",
                codes::DUPLICATE_COMPONENT,
            ),
            ("procedures[0].cases[1].code", codes::DUPLICATE_CASE),
        ],
    );
}

#[test]
fn every_referenced_agency_must_exist() {
    let mut f = sample();
    let p = &mut f.procedures[2];
    p.implementing_agency = Some("000.30.80.H80".into());
    p.deciding_agency = Some("X1".into());
    p.coordinating_agencies = vec!["000.31.80.H80".into(), "X2".into()];
    p.steps[1].agency = "X3".into();
    f.listings.push(ListingEntry {
        one_stop: "X4".into(),
        procedures: vec![],
    });
    expect(
        &f,
        &[
            ("procedures[2].deciding_agency", codes::UNKNOWN_AGENCY),
            (
                "procedures[2].coordinating_agencies[1]",
                codes::UNKNOWN_AGENCY,
            ),
            ("procedures[2].steps[1].agency", codes::UNKNOWN_AGENCY),
            ("listings[0].one_stop", codes::UNKNOWN_AGENCY),
        ],
    );
}

fn listed(code: &str, version: u32) -> ListedProcedure {
    ListedProcedure {
        code: code.into(),
        version,
    }
}

#[test]
fn listings_name_one_stop_units_and_existing_versions() {
    let mut f = sample();
    assert_eq!(f.agencies[2].kind, AgencyKind::Agency);
    f.listings = vec![
        ListingEntry {
            one_stop: "000.25.80.H80".into(),
            procedures: vec![
                listed("1.001193", 1),
                listed("1.001193", 1),
                listed("1.001193", 2),
                listed("9.999999", 1),
            ],
        },
        ListingEntry {
            one_stop: "000.30.80.H80".into(),
            procedures: vec![listed("1.011537", 1)],
        },
        ListingEntry {
            one_stop: "000.25.80.H80".into(),
            procedures: vec![],
        },
    ];
    expect(
        &f,
        &[
            (
                "listings[0].procedures[1].code",
                codes::DUPLICATE_LISTED_PROCEDURE,
            ),
            (
                "listings[0].procedures[2].version",
                codes::UNKNOWN_PROCEDURE,
            ),
            (
                "listings[0].procedures[2].code",
                codes::DUPLICATE_LISTED_PROCEDURE,
            ),
            ("listings[0].procedures[3].code", codes::UNKNOWN_PROCEDURE),
            ("listings[1].one_stop", codes::NOT_A_ONE_STOP),
            ("listings[2].one_stop", codes::DUPLICATE_LISTING),
        ],
    );
    // A correct listing is fine.
    let mut f = sample();
    f.listings = vec![ListingEntry {
        one_stop: "000.25.80.H80".into(),
        procedures: vec![listed("1.001193", 1), listed("DEMO.DD.001", 1)],
    }];
    expect(&f, &[]);
}

#[test]
fn template_over_budget_names_both_durations() {
    let mut f = sample();
    // 1.011537: 1 + max(2, 3) = 4 days in a 5-day limit; make the labour step 5 days.
    f.procedures[2].steps[2].working_days = Some(5.0);
    // Birth: 1 + 6 + 1 h fills the same day exactly; one more hour is over.
    f.procedures[0].steps[1].working_hours = Some(7.0);
    expect(
        &f,
        &[
            ("procedures[0].steps", codes::TEMPLATE_OVER_BUDGET),
            ("procedures[2].steps", codes::TEMPLATE_OVER_BUDGET),
        ],
    );
    let errs = validate(&f);
    assert!(
        errs[0].message.contains("9 working hours")
            && errs[0].message.contains("allows 1 working day"),
        "{}",
        errs[0].message
    );
    assert!(
        errs[1].message.contains("6 working days") && errs[1].message.contains("5 working days"),
        "{}",
        errs[1].message
    );
}

#[test]
fn land_tax_step_only_fits_because_it_pauses_the_clock() {
    let mut f = sample();
    assert_eq!(f.procedures[3].code, "DEMO.DD.001");
    f.procedures[3].steps[3].pauses_main_clock = false;
    expect(&f, &[("procedures[3].steps", codes::TEMPLATE_OVER_BUDGET)]);
    assert!(validate(&f)[0].message.contains("23 working days"));
}

#[test]
fn method_and_case_time_limits_must_also_fit_the_template() {
    let mut f = sample();
    let p = &mut f.procedures[2]; // template: 4 working days
    p.methods = Some(vec![
        MethodEntry {
            method: Method::Counter,
            time_limit: None,
            cutoff: None,
        },
        MethodEntry {
            method: Method::Online,
            time_limit: Some(TimeLimit::new(WorkingDuration::whole_days(3))),
            cutoff: None,
        },
    ]);
    p.cases = vec![
        CaseEntry {
            code: "XM".into(),
            name: "Cần xác minh".into(),
            components: vec![],
            time_limit: Some(TimeLimit::new(WorkingDuration::whole_days(8))),
        },
        CaseEntry {
            code: "NHANH".into(),
            name: "Rút gọn".into(),
            components: vec![],
            time_limit: Some(TimeLimit::new(WorkingDuration::whole_days(2))),
        },
    ];
    expect(
        &f,
        &[
            (
                "procedures[2].methods[1].time_limit",
                codes::TEMPLATE_OVER_BUDGET,
            ),
            (
                "procedures[2].cases[1].time_limit",
                codes::TEMPLATE_OVER_BUDGET,
            ),
        ],
    );
}

#[test]
fn split_parallel_group_and_bad_step_budgets() {
    let mut f = sample();
    // 1.011537 steps: a, b[after_death], c[after_death]; put a non-member between b and c.
    let p = &mut f.procedures[2];
    let mut middle = p.steps[0].clone();
    middle.name = "Chen giữa".into();
    middle.working_days = Some(0.5);
    p.steps.insert(2, middle);
    let q = &mut f.procedures[1];
    q.steps[0].working_hours = Some(8.0); // both hours and days
    q.steps[1].working_days = Some(0.0);
    q.steps[2].working_days = Some(1.25);
    expect(
        &f,
        &[
            ("procedures[1].steps[0]", codes::INVALID_STEP_BUDGET),
            (
                "procedures[1].steps[1].working_days",
                codes::INVALID_STEP_BUDGET,
            ),
            (
                "procedures[1].steps[2].working_days",
                codes::INVALID_STEP_BUDGET,
            ),
            (
                "procedures[2].steps[3].parallel_group",
                codes::PARALLEL_GROUP_SPLIT,
            ),
        ],
    );
}

#[test]
fn step_sector_must_match_its_agency() {
    let mut f = sample();
    f.procedures[1].steps[1].sector = Some("justice".into());
    expect(
        &f,
        &[("procedures[1].steps[1].sector", codes::SECTOR_MISMATCH)],
    );
}

#[test]
fn time_limits_methods_and_texts() {
    let mut f = sample();
    let p = &mut f.procedures[3];
    p.time_limit = TimeLimit::new(WorkingDuration::ZERO);
    p.name = "  ".into();
    p.fees = vec![crate::file::Fee {
        name: String::new(),
        amount_vnd: 0,
    }];
    p.methods = Some(vec![
        MethodEntry {
            method: Method::Online,
            time_limit: None,
            cutoff: None,
        },
        MethodEntry {
            method: Method::Online,
            time_limit: None,
            cutoff: None,
        },
    ]);
    f.procedures[2].methods = Some(vec![]);
    expect(
        &f,
        &[
            ("procedures[2].methods", codes::NO_METHOD),
            ("procedures[3].name", codes::EMPTY_VALUE),
            ("procedures[3].time_limit", codes::INVALID_TIME_LIMIT),
            ("procedures[3].methods[1].method", codes::DUPLICATE_METHOD),
            ("procedures[3].fees[0].name", codes::EMPTY_VALUE),
            ("procedures[3].steps", codes::TEMPLATE_OVER_BUDGET),
        ],
    );
    assert!(validate(&f)[3].message.contains("`online`"));
}

#[test]
fn errors_from_every_section_come_together() {
    let mut f = sample();
    f.agencies[0].code = "000.25.80.H80".into();
    f.procedures[0].code = "bad".into();
    f.listings.push(ListingEntry {
        one_stop: "000.25.80.H80".into(),
        procedures: vec![listed("nope", 1)],
    });
    let codes_found: Vec<String> = validate(&f).into_iter().map(|e| e.code).collect();
    assert_eq!(
        codes_found,
        [
            codes::DUPLICATE_AGENCY,
            codes::INVALID_PROCEDURE_CODE,
            codes::UNKNOWN_PROCEDURE
        ]
    );
}
