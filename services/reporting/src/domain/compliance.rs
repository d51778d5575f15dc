//! The compliance report (báo cáo vi phạm), built from the inspection's findings: each kind of
//! violation with its Vietnamese label, counted per agency with the cases behind each count.

use serde::Serialize;
use utoipa::ToSchema;

/// The kinds of violation the report counts, with their labels; those recorded as events by
/// intake and workflow, then those read off the facts and the catalogue.
pub const KINDS: [(&str, &str); 8] = [
    (
        "intake_outside_one_stop",
        "Tiếp nhận hồ sơ ngoài Bộ phận Một cửa",
    ),
    (
        "extra_component_requested",
        "Yêu cầu thành phần hồ sơ ngoài quy định hoặc đã có trong CSDL quốc gia",
    ),
    (
        "second_supplement_request",
        "Yêu cầu bổ sung hồ sơ lần thứ hai",
    ),
    (
        "late_supplement_request",
        "Yêu cầu bổ sung hồ sơ quá thời hạn",
    ),
    (
        "late_without_apology",
        "Hồ sơ trễ hạn không có văn bản xin lỗi",
    ),
    (
        "paper_not_digitised",
        "Hồ sơ có thành phần giấy, chưa số hóa khi tiếp nhận",
    ),
    (
        "returned_unresolved",
        "Hồ sơ trả lại không giải quyết (từ chối, dừng xử lý)",
    ),
    (
        "stale_listing",
        "Danh mục TTHC niêm yết chưa cập nhật (tại thời điểm xem)",
    ),
];

/// The label of `kind` (the kind itself when unknown: a newer producer's kind still shows).
pub fn label(kind: &str) -> &str {
    KINDS.iter().find(|k| k.0 == kind).map_or(kind, |k| k.1)
}

/// One case behind a count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceCase {
    /// When (RFC 3339).
    pub at: Option<String>,
    /// The dossier, if one.
    pub dossier_code: Option<String>,
    /// The procedure, for a listing.
    pub procedure_code: Option<String>,
    /// Who (an account id, never a personal ID number).
    pub actor: Option<String>,
    /// What exactly.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// One kind at one agency: the count and the cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceRow {
    /// The kind.
    pub kind: String,
    /// Its label.
    pub label: String,
    /// The agency (empty when the attempt named none).
    pub agency: String,
    /// How many.
    pub count: usize,
    /// The cases.
    pub cases: Vec<ComplianceCase>,
}

/// Groups `(kind, agency, case)` triples into rows, by kind in [`KINDS`] order then agency.
pub fn rows(cases: Vec<(String, String, ComplianceCase)>) -> Vec<ComplianceRow> {
    let order = |k: &str| KINDS.iter().position(|x| x.0 == k).unwrap_or(KINDS.len());
    let mut grouped: std::collections::BTreeMap<(usize, String, String), Vec<ComplianceCase>> =
        Default::default();
    for (kind, agency, case) in cases {
        grouped
            .entry((order(&kind), kind, agency))
            .or_default()
            .push(case);
    }
    grouped
        .into_iter()
        .map(|((_, kind, agency), cases)| ComplianceRow {
            label: label(&kind).to_string(),
            kind,
            agency,
            count: cases.len(),
            cases,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> ComplianceCase {
        ComplianceCase {
            at: None,
            dossier_code: None,
            procedure_code: None,
            actor: None,
            detail: serde_json::Value::Null,
        }
    }

    #[test]
    fn rows_count_each_kind_per_agency_in_the_forms_order() {
        let r = rows(vec![
            ("stale_listing".into(), "A".into(), case()),
            ("second_supplement_request".into(), "B".into(), case()),
            ("second_supplement_request".into(), "B".into(), case()),
            ("second_supplement_request".into(), "A".into(), case()),
        ]);
        let got: Vec<(&str, &str, usize)> = r
            .iter()
            .map(|x| (x.kind.as_str(), x.agency.as_str(), x.count))
            .collect();
        assert_eq!(
            got,
            [
                ("second_supplement_request", "A", 1),
                ("second_supplement_request", "B", 2),
                ("stale_listing", "A", 1)
            ]
        );
        assert_eq!(r[0].label, "Yêu cầu bổ sung hồ sơ lần thứ hai");
    }
}
