//! Tests of the catalogue file format: the demo file parses with its defaults, a file is
//! written back as read, and every malformed entry is reported at its field.

use super::*;
use motcua_calendar::{SupplementClockPolicy, TimeLimit, WorkingDuration};
use time::macros::{date, time};

pub(crate) const SAMPLE: &str = include_str!("../../../data/catalogue-demo.json");

fn parse_err(text: &str) -> Vec<EntryError> {
    match CatalogueFile::parse(text) {
        Ok(f) => panic!("expected errors, parsed {f:?}"),
        Err(e) => e,
    }
}

#[test]
fn sample_parses_with_defaults() {
    let f = CatalogueFile::parse(SAMPLE).expect("sample parses");
    assert!(
        f.description
            .as_deref()
            .unwrap_or("")
            .starts_with("Illustrative")
    );
    assert_eq!(f.agencies.len(), 8);
    assert_eq!(f.procedures.len(), 4);
    assert!(f.listings.is_empty());
    let birth = &f.procedures[0];
    assert_eq!(birth.code, "1.001193");
    assert_eq!(birth.version, 1);
    assert_eq!(birth.effective_from(), DECREE_118_START);
    assert!(birth.time_limit.same_day);
    assert_eq!(
        birth.supplement_clock_policy,
        SupplementClockPolicy::Restart
    );
    assert_eq!(birth.steps[0].working_hours, Some(1.0));
    let land = &f.procedures[3];
    assert!(land.appointments.as_ref().is_some_and(Value::is_array));
    assert_eq!(land.steps[2].working_days, Some(12.5));
    assert!(land.steps[3].pauses_main_clock);
    assert_eq!(f.agencies[1].unit_code.as_deref(), Some("80"));
    assert_eq!(f.agencies[0].kind, AgencyKind::OneStop);
}

#[test]
fn export_round_trips() {
    let f = CatalogueFile::parse(SAMPLE).unwrap();
    let text = f.to_json_pretty().unwrap();
    assert_eq!(CatalogueFile::parse(&text).unwrap(), f);
    // Whole numbers stay whole, halves stay halves.
    assert!(text.contains("\"working_hours\": 6"));
    assert!(!text.contains("\"working_hours\": 6.0"));
    assert!(text.contains("\"working_days\": 12.5"));
    // The fully populated entry of the shape tests round-trips too.
    let full = full_file();
    let text = full.to_json_pretty().unwrap();
    assert_eq!(CatalogueFile::parse(&text).unwrap(), full);
}

/// A file that uses every field of the format.
pub(crate) fn full_file() -> CatalogueFile {
    let component = ComponentEntry {
        code: "C1".into(),
        name: "Tờ khai".into(),
        originals: 1,
        copies: 2,
        required: false,
        condition: Some("nếu có".into()),
        form_template: Some("mau-01.docx".into()),
        from_national_database: true,
    };
    CatalogueFile {
        description: Some("full".into()),
        agencies: vec![
            AgencyEntry {
                code: "OLD.H80".into(),
                name: "Cũ".into(),
                kind: AgencyKind::OneStop,
                level: Level::Commune,
                sector: Some("justice".into()),
                unit_code: Some("27001".into()),
                parent_code: Some("NEW.H80".into()),
                valid_from: Some(date!(2020 - 01 - 01)),
                valid_until: Some(date!(2025 - 06 - 30)),
                successor_code: Some("NEW.H80".into()),
                working_sessions: Some(vec![
                    Session::parse("07:30", "11:30").unwrap(),
                    Session::parse("13:00", "16:30").unwrap(),
                ]),
                code_04_2025: Some("H80.025.01".into()),
            },
            AgencyEntry {
                code: "NEW.H80".into(),
                name: "Mới".into(),
                kind: AgencyKind::SectorSystem,
                level: Level::Province,
                sector: None,
                unit_code: None,
                parent_code: None,
                valid_from: Some(date!(2025 - 07 - 01)),
                valid_until: None,
                successor_code: None,
                working_sessions: None,
                code_04_2025: None,
            },
        ],
        procedures: vec![ProcedureEntry {
            code: "1.000001.H38".into(),
            version: 2,
            name: "Thủ tục".into(),
            field: "Lĩnh vực".into(),
            level: Level::Province,
            online_level: OnlineLevel::Partial,
            time_limit: TimeLimit::new(WorkingDuration::whole_days(5)),
            decision: Some(Decision {
                number: "1/QĐ-UBND".into(),
                date: date!(2025 - 06 - 20),
                effective_from: date!(2025 - 07 - 01),
                effective_until: Some(date!(2026 - 12 - 31)),
            }),
            implementing_agency: Some("NEW.H80".into()),
            deciding_agency: Some("NEW.H80".into()),
            coordinating_agencies: vec!["OLD.H80".into()],
            applicant_types: vec![ApplicantType::Citizen, ApplicantType::Organisation],
            methods: Some(vec![MethodEntry {
                method: Method::Online,
                time_limit: Some(TimeLimit::new(WorkingDuration::hours(12))),
                cutoff: Some(time!(15:00)),
            }]),
            fees: vec![Fee {
                name: "Lệ phí".into(),
                amount_vnd: 50_000,
            }],
            components: vec![component.clone()],
            cases: vec![CaseEntry {
                code: "TH1".into(),
                name: "Trường hợp 1".into(),
                components: vec![component],
                time_limit: Some(TimeLimit::same_day()),
            }],
            result: Some("Giấy chứng nhận".into()),
            legal_basis: vec!["Nghị định 118/2025/NĐ-CP".into()],
            supplement_clock_policy: SupplementClockPolicy::Pause,
            appointments: Some(serde_json::json!([{"working_days": 1}])),
            steps: vec![StepEntry {
                name: "Bước".into(),
                agency: "NEW.H80".into(),
                sector: Some("land".into()),
                role: Some("specialist".into()),
                working_hours: Some(1.5),
                working_days: Some(0.5),
                parallel_group: Some("g".into()),
                pauses_main_clock: true,
            }],
        }],
        listings: vec![ListingEntry {
            one_stop: "OLD.H80".into(),
            procedures: vec![ListedProcedure {
                code: "1.000001.H38".into(),
                version: 2,
            }],
        }],
    }
}

#[test]
fn shape_tables_cover_every_field() {
    // Every key the serialiser writes must be known to the error locator,
    // or a typo'd field could be reported at the wrong place.
    let value = serde_json::to_value(full_file()).unwrap();
    let mut missing = Vec::new();
    for (key, fields) in [
        ("agencies", shape::AGENCY),
        ("procedures", shape::PROCEDURE),
        ("listings", shape::LISTING),
    ] {
        for item in value[key].as_array().unwrap() {
            shape::unknown_keys(item, fields, key, &mut missing);
        }
    }
    assert!(missing.is_empty(), "not in the shape tables: {missing:?}");
}

#[test]
fn syntax_error_has_line_and_column() {
    let errs = parse_err("{\n  \"agencies\": [\n  ,\n]}");
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code, codes::INVALID_JSON);
    assert!(errs[0].message.contains("line 3"), "{}", errs[0].message);
    let errs = parse_err("[1, 2]");
    assert_eq!(errs[0].code, codes::INVALID_SHAPE);
}

#[test]
fn unknown_top_level_fields_are_ignored() {
    let f =
        CatalogueFile::parse(r#"{"generator": "x", "agencies": [], "procedures": []}"#).unwrap();
    assert_eq!(f, CatalogueFile::default());
    // Sections may also be absent or null.
    assert_eq!(
        CatalogueFile::parse(r#"{"listings": null}"#).unwrap(),
        CatalogueFile::default()
    );
}

/// The sample with one textual replacement, which must occur exactly once.
fn broken(from: &str, to: &str) -> String {
    assert_eq!(SAMPLE.matches(from).count(), 1, "{from}");
    SAMPLE.replace(from, to)
}

#[test]
fn shape_errors_name_entry_and_field() {
    let errs = parse_err(&broken(
        r#""kind": "one_stop", "level": "province""#,
        r#""kind": "department", "level": "province""#,
    ));
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].entry, "agencies[0] (000.00.01.H80)");
    assert_eq!(errs[0].field, "agencies[0].kind");
    assert_eq!(errs[0].code, codes::INVALID_AGENCY_KIND);

    let errs = parse_err(&broken(
        r#""kind": "agency", "sector": "tax", "level": "province""#,
        r#""kind": "agency", "sector": "tax", "level": "district""#,
    ));
    assert_eq!(errs[0].field, "agencies[6].level");
    assert_eq!(errs[0].code, codes::INVALID_LEVEL);

    let errs = parse_err(&broken(
        r#"{"code": "GTQSD", "name": "Giấy tờ về quyền sử dụng đất (nếu có)", "originals": 0"#,
        r#"{"code": "GTQSD", "name": "Giấy tờ về quyền sử dụng đất (nếu có)", "originals": -1"#,
    ));
    assert_eq!(errs[0].entry, "procedures[3] (DEMO.DD.001)");
    assert_eq!(errs[0].field, "procedures[3].components[1].originals");
    assert_eq!(errs[0].code, codes::INVALID_VALUE);

    let errs = parse_err(&broken(
        r#""working_days": 3, "pauses_main_clock": true"#,
        r#""working_days": 3, "pauses_main_clok": true"#,
    ));
    assert_eq!(errs[0].field, "procedures[3].steps[3].pauses_main_clok");
    assert_eq!(errs[0].code, codes::UNKNOWN_FIELD);

    let errs = parse_err(&broken(
        r#""time_limit": {"working_days": 20}"#,
        r#""time_limit": {"working_days": 20.25}"#,
    ));
    assert_eq!(errs[0].field, "procedures[3].time_limit");
    assert_eq!(errs[0].code, codes::INVALID_TIME_LIMIT);

    let errs = parse_err(&broken(r#""online_level": "partial","#, ""));
    assert_eq!(errs[0].field, "procedures[3].online_level");
    assert_eq!(errs[0].code, codes::MISSING_FIELD);
}

#[test]
fn every_bad_entry_is_reported() {
    let text = r#"{
        "agencies": [
            {"code": "A", "name": "a", "kind": "agency", "level": "province", "valid_from": "2025-02-30"},
            {"code": "B", "name": "b", "kind": "agency", "level": "province"},
            "not an object"
        ],
        "procedures": [
            {"code": "1.000001", "name": "p", "field": "f", "level": "commune", "online_level": "full",
             "time_limit": {"working_days": 1},
             "decision": {"number": "1", "date": "2025-01-01", "effective_from": "01/07/2025"}},
            {"code": "1.000002", "name": "p", "field": "f", "level": "commune", "online_level": "full",
             "time_limit": {"working_days": 1},
             "methods": [{"method": "fax"}]},
            {"code": "1.000003", "name": "p", "field": "f", "level": "commune", "online_level": "full",
             "time_limit": {"working_days": 1},
             "methods": [{"method": "online", "cutoff": "3pm"}],
             "supplement_clock_policy": "reset"}
        ],
        "listings": [{"one_stop": "A", "procedures": [{"code": "1.000001"}]}]
    }"#;
    let errs = parse_err(text);
    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.field.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("agencies[0].valid_from", codes::INVALID_DATE),
            ("agencies[2]", codes::INVALID_SHAPE),
            ("procedures[0].decision.effective_from", codes::INVALID_DATE),
            ("procedures[1].methods[0].method", codes::INVALID_METHOD),
            ("procedures[2].methods[0].cutoff", codes::INVALID_TIME),
            ("listings[0].procedures[0].version", codes::MISSING_FIELD),
        ]
    );
    assert_eq!(errs[3].entry, "procedures[1] (1.000002)");
    assert_eq!(errs[5].entry, "listings[0] (A)");
}

/// Every (path, value) leaf of a JSON value, objects and arrays included.
fn leaves(v: &Value, path: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(path.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let mut p = path.clone();
                p.push(Value::String(k.clone()));
                leaves(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let mut p = path.clone();
                p.push(Value::from(i));
                leaves(x, p, out);
            }
        }
        _ => {}
    }
}

fn slot<'v>(root: &'v mut Value, path: &[Value]) -> Option<&'v mut Value> {
    path.iter().try_fold(root, |v, k| match k {
        Value::String(k) => v.get_mut(k.as_str()),
        Value::Number(i) => v.get_mut(i.as_u64()? as usize),
        _ => None,
    })
}

proptest::proptest! {
    #[test]
    fn parse_never_panics(text in "\\PC*") {
        let _ = CatalogueFile::parse(&text);
    }

    /// One value of the sample replaced by something odd: parsing and
    /// validating never panic, and every format error is located at a
    /// field (only a non-object entry is reported at the entry itself).
    #[test]
    fn mutated_sample_errors_are_located(pick in 0usize..10_000, odd in 0usize..12) {
        let mut root: Value = serde_json::from_str(SAMPLE).unwrap();
        let mut paths = Vec::new();
        leaves(&root, Vec::new(), &mut paths);
        let path = &paths[pick % paths.len()];
        let replacement = [
            Value::Null, serde_json::json!(-1), serde_json::json!(0.25), serde_json::json!("x"),
            serde_json::json!(true), serde_json::json!([]), serde_json::json!({}),
            serde_json::json!("2025-13-01"), serde_json::json!("25:00"), serde_json::json!(0),
            serde_json::json!([{"a": 1}]), serde_json::json!({"working_days": 1}),
        ][odd].clone();
        if let Some(v) = slot(&mut root, path) {
            *v = replacement;
        }
        match CatalogueFile::parse(&root.to_string()) {
            Ok(f) => {
                let _ = crate::validate(&f);
                let again = CatalogueFile::parse(&f.to_json_pretty().unwrap()).unwrap();
                proptest::prop_assert_eq!(again, f);
            }
            Err(errors) => {
                for e in errors {
                    let at_entry = e.field.ends_with(']') && !e.field[..e.field.len() - 1].contains('.');
                    proptest::prop_assert!(
                        !at_entry || e.code == codes::INVALID_SHAPE,
                        "not located: {:?}", e
                    );
                }
            }
        }
    }
}

#[test]
fn resolved_methods_and_time_limit_for() {
    let f = CatalogueFile::parse(SAMPLE).unwrap();
    let birth = &f.procedures[0];
    let all = birth.resolved_methods();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|m| m.time_limit == birth.time_limit));

    let full = full_file();
    let p = &full.procedures[0];
    let online = p.resolved_methods();
    assert_eq!(online.len(), 1);
    assert_eq!(online[0].time_limit.working, WorkingDuration::hours(12));
    assert_eq!(online[0].time_limit.cutoff, Some(time!(15:00)));
    assert_eq!(p.time_limit_for(Method::Counter, None), None);
    assert_eq!(
        p.time_limit_for(Method::Online, Some("TH1")),
        Some(TimeLimit::same_day().with_cutoff(time!(15:00)))
    );
    assert_eq!(p.time_limit_for(Method::Online, Some("nope")), None);
    assert_eq!(p.components_for(Some("TH1")).map(<[_]>::len), Some(1));
    assert!(p.is_in_force(date!(2026 - 12 - 31)));
    assert!(!p.is_in_force(date!(2027 - 01 - 01)));
    assert!(full.agencies[0].is_valid_on(date!(2025 - 06 - 30)));
    assert!(!full.agencies[0].is_valid_on(date!(2025 - 07 - 01)));
}
