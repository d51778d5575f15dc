//! Tests that a published procedure version is answered in exactly the catalogue file's JSON,
//! and that the time limit's described shape fits what the calendar writes.

use super::*;
use crate::domain::procedure_parts::{SubmissionMethod, TimeLimitShape};
use motcua_calendar::WorkingDuration;
use utoipa::PartialSchema;

/// Every optional field set, so that each one's JSON is compared.
const FULL: &str = r#"{
    "code": "DEMO.FULL.1", "version": 3, "name": "Thủ tục đủ trường", "field": "Đất đai", "level": "province",
    "online_level": "partial", "time_limit": {"working_hours": 12, "cutoff": "16:00"},
    "decision": {"number": "7/QĐ-UBND", "date": "2026-01-02", "effective_from": "2026-02-01", "effective_until": "2026-12-31"},
    "implementing_agency": "000.33.80.H80", "deciding_agency": "000.00.01.H80",
    "coordinating_agencies": ["000.34.80.H80"], "applicant_types": ["citizen", "organisation"],
    "methods": [{"method": "counter"}, {"method": "online", "time_limit": {"working_days": 2.5}, "cutoff": "15:30"}],
    "fees": [{"name": "Lệ phí", "amount_vnd": 50000}],
    "components": [{"code": "DON", "name": "Đơn", "originals": 1, "copies": 2, "required": false,
        "condition": "khi có ủy quyền", "form_template": "mau-01.pdf", "from_national_database": true}],
    "cases": [{"code": "C1", "name": "Trường hợp 1", "components": [{"code": "GCN", "name": "Giấy chứng nhận", "required": true}],
        "time_limit": {"working_minutes": 90}}, {"code": "C2", "name": "Trường hợp 2"}],
    "result": "Giấy chứng nhận", "legal_basis": ["Luật Đất đai 2024"], "supplement_clock_policy": "pause",
    "appointments": {"tax": {"working_days": 1}},
    "steps": [{"name": "Thẩm định", "agency": "000.33.80.H80", "sector": "land", "role": "specialist",
        "working_hours": 1.5, "parallel_group": "g1", "pauses_main_clock": true},
        {"name": "Thuế", "agency": "000.34.80.H80", "working_days": 0.5, "parallel_group": "g1"}]
}"#;

fn entries() -> Vec<model::ProcedureEntry> {
    let demo: model::CatalogueFile =
        serde_json::from_str(include_str!("../../../../data/catalogue-demo.json")).unwrap();
    let full: model::ProcedureEntry = serde_json::from_str(FULL).unwrap();
    demo.procedures.into_iter().chain([full]).collect()
}

#[test]
fn a_version_is_answered_in_the_catalogue_files_json_with_its_effective_day() {
    for p in entries() {
        let mut as_filed = serde_json::to_value(&p).unwrap();
        as_filed["effective_from"] = p.effective_from().to_string().into();
        let answered = serde_json::to_value(ProcedureInForce::from(p)).unwrap();
        assert_eq!(answered, as_filed);
    }
}

#[test]
fn a_publication_answers_code_version_and_effective_day() {
    let full: model::ProcedureEntry = serde_json::from_str(FULL).unwrap();
    assert_eq!(
        serde_json::to_value(PublishedVersion::from(&full)).unwrap(),
        serde_json::json!({"code": "DEMO.FULL.1", "version": 3, "effective_from": "2026-02-01"})
    );
}

fn json<T: serde::Serialize>(v: T) -> serde_json::Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn enumerations_are_written_as_in_the_file() {
    for l in [model::OnlineLevel::Full, model::OnlineLevel::Partial] {
        assert_eq!(json(OnlineLevel::from(l)), json(l));
    }
    for t in [
        model::ApplicantType::Citizen,
        model::ApplicantType::Organisation,
    ] {
        assert_eq!(json(ApplicantType::from(t)), json(t));
    }
    for m in model::Method::ALL {
        assert_eq!(json(SubmissionMethod::from(m)), json(m));
    }
    use motcua_calendar::SupplementClockPolicy as P;
    for p in [P::Restart, P::Pause, P::Continue] {
        assert_eq!(json(SupplementClockPolicy::from(p)), json(p));
    }
}

#[test]
fn the_described_time_limit_names_every_member_the_calendar_writes() {
    let schema = serde_json::to_value(TimeLimitShape::schema()).unwrap();
    let described: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let required = schema["required"].as_array().unwrap();
    let limits = [
        TimeLimit::new(WorkingDuration::whole_days(3)),
        TimeLimit::new(WorkingDuration::hours(12)),
        TimeLimit::new(WorkingDuration::minutes(90)),
        TimeLimit::same_day().with_cutoff(time::macros::time!(15:00)),
    ];
    for limit in limits {
        let written = serde_json::to_value(limit).unwrap();
        let members = written.as_object().unwrap();
        assert!(
            members.keys().all(|k| described.contains(&k.as_str())),
            "{written} vs {described:?}"
        );
        assert!(
            required
                .iter()
                .all(|r| members.contains_key(r.as_str().unwrap())),
            "{written} lacks one of {required:?}"
        );
    }
}
