//! Tests that the answers which write a catalogue entry's members with their own beside them
//! (an agency on a date, a procedure version in force) describe every member they write: their
//! schemas are closed objects (`additionalProperties: false`), so an undescribed member would
//! make every answer fail its own document.

use super::agency::AgencyOnDate;
use super::procedure::ProcedureInForce;
use motcua_catalogue_model::{AgencyEntry, ProcedureEntry};
use serde::Serialize;
use utoipa::PartialSchema;

/// Every member `answer` writes is described by `S`'s schema, and every required one written.
fn assert_described<S: PartialSchema + Serialize>(answer: S) {
    let schema = serde_json::to_value(S::schema()).unwrap();
    let answer = serde_json::to_value(answer).unwrap();
    let members = answer.as_object().unwrap();
    for name in members.keys() {
        assert!(
            schema["properties"].get(name).is_some(),
            "{name} undescribed"
        );
    }
    for name in schema["required"].as_array().unwrap() {
        let name = name.as_str().unwrap();
        assert!(
            members.contains_key(name),
            "{name} required but not written"
        );
    }
    assert_eq!(schema["additionalProperties"], false);
}

#[test]
fn an_agency_on_a_date_describes_every_member_it_writes() {
    let agency: AgencyEntry = serde_json::from_str(
        r#"{"code": "000.25.72.H72", "name": "Bộ phận Một cửa huyện cũ", "kind": "one_stop",
        "level": "commune", "sector": "justice", "unit_code": "72", "parent_code": "000.00.01.H80",
        "valid_from": "2020-01-01", "valid_until": "2025-06-30", "successor_code": "000.25.80.H80",
        "working_sessions": [["07:30", "11:30"]], "code_04_2025": "H72.025.01"}"#,
    )
    .unwrap();
    assert_described(AgencyOnDate {
        agency,
        resolved_from: Some("000.25.72.H72".into()),
        chain: vec!["000.25.72.H72".into(), "000.25.80.H80".into()],
        succeeded_on: Some("2025-07-01".into()),
    });
}

#[test]
fn a_version_in_force_describes_every_member_it_writes() {
    let entry: ProcedureEntry = serde_json::from_str(
        r#"{"code": "1.001193", "version": 2, "name": "Thủ tục", "field": "Hộ tịch",
        "level": "commune", "online_level": "full", "time_limit": {"working_days": 3},
        "decision": {"number": "1/QĐ-UBND", "date": "2026-11-20", "effective_from": "2026-12-01"},
        "methods": [{"method": "online", "cutoff": "15:30"}], "appointments": [{"working_days": 1}],
        "steps": [{"name": "Thẩm định", "agency": "000.30.80.H80", "working_hours": 6}]}"#,
    )
    .unwrap();
    assert_described(ProcedureInForce::from(entry));
}
