//! Supplement request items (nội dung yêu cầu bổ sung, form 02), `shared/domain.md` §1 and §4:
//! every item at once; an item may only cite a component of the procedure (missing or to be
//! corrected) or name a defect of a component that was submitted; documents the state already
//! holds in national databases are never demanded. The applicant's supplement must answer every
//! item, and nothing else.

use motcua_catalogue_model::PublishedComponent;
use motcua_problem::{FieldError, codes};
use serde::{Deserialize, Serialize};

/// One item of a supplement request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplementItem {
    /// The procedure's component this item is about.
    pub component_code: String,
    /// Why it is needed (stated to the applicant).
    pub reason: String,
    /// For a submitted component: what is wrong with it (e.g. "thiếu chữ ký").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defect: Option<String>,
}

/// Checks the items of a supplement request; every problem is reported.
pub fn check_request(
    items: &[SupplementItem],
    published: &[PublishedComponent],
    submitted: &[&str],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if items.is_empty() {
        errors.push(FieldError::new(
            "items",
            &codes::REQUIRED,
            "phiếu yêu cầu bổ sung phải nêu đủ các nội dung cần bổ sung",
        ));
    }
    for (i, item) in items.iter().enumerate() {
        let field = |f: &str| format!("items[{i}].{f}");
        if item.reason.trim().is_empty() {
            errors.push(FieldError::new(
                field("reason"),
                &codes::REQUIRED,
                "phải nêu lý do",
            ));
        }
        let code = item.component_code.as_str();
        match published.iter().find(|p| p.code == code) {
            None => errors.push(
                FieldError::new(
                    field("component_code"),
                    &codes::SUPPLEMENT_ITEM_NOT_IN_PROCEDURE,
                    format!("thành phần {code} không có trong thủ tục: không được yêu cầu"),
                )
                .with("component_code", code),
            ),
            Some(p) if p.from_national_database => errors.push(
                FieldError::new(
                    field("component_code"),
                    &codes::OBTAINABLE_FROM_NATIONAL_DATABASE,
                    format!("thành phần {code} khai thác được từ cơ sở dữ liệu quốc gia: không được yêu cầu công dân nộp"),
                )
                .with("component_code", code),
            ),
            Some(_) => {
                if item.defect.is_some() && !submitted.contains(&code) {
                    errors.push(
                        FieldError::new(field("defect"), &codes::DEFECT_OF_UNSUBMITTED_COMPONENT, format!("thành phần {code} chưa được nộp"))
                            .with("component_code", code),
                    );
                }
            }
        }
        if items[..i].iter().any(|o| o.component_code == code) {
            errors.push(FieldError::new(
                field("component_code"),
                &codes::DUPLICATE_ITEM,
                format!("thành phần {code} nêu hai lần"),
            ));
        }
    }
    errors
}

/// Checks that a supplement answers every requested item and nothing else.
pub fn check_answer(requested: &[SupplementItem], supplied: &[&str]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, code) in supplied.iter().enumerate() {
        if !requested.iter().any(|r| r.component_code == *code) {
            errors.push(
                FieldError::new(
                    format!("components[{i}].code"),
                    &codes::COMPONENT_NOT_REQUESTED,
                    format!("thành phần {code} không được yêu cầu bổ sung"),
                )
                .with("component_code", *code),
            );
        }
    }
    for r in requested {
        if !supplied.contains(&r.component_code.as_str()) {
            errors.push(
                FieldError::new(
                    "components",
                    &codes::SUPPLEMENT_INCOMPLETE,
                    format!("chưa bổ sung thành phần {}", r.component_code),
                )
                .with("component_code", r.component_code.as_str()),
            );
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published() -> Vec<PublishedComponent> {
        let c = |code: &str, required, nd| PublishedComponent {
            code: code.into(),
            name: code.into(),
            required,
            originals: 1,
            copies: 0,
            from_national_database: nd,
        };
        vec![
            c("TK", true, false),
            c("GCS", true, false),
            c("HTSS", false, false),
            c("CCCD", false, true),
        ]
    }

    fn item(code: &str, defect: Option<&str>) -> SupplementItem {
        SupplementItem {
            component_code: code.into(),
            reason: "lý do".into(),
            defect: defect.map(str::to_string),
        }
    }

    #[test]
    fn items_citing_the_procedure_or_defects_of_submitted_components_pass() {
        let items = [item("HTSS", None), item("TK", Some("thiếu chữ ký"))];
        assert!(check_request(&items, &published(), &["TK", "GCS"]).is_empty());
    }

    #[test]
    fn extra_components_national_database_documents_and_bad_items_are_refused() {
        let items = [
            item("SOHOKHAU", None),
            item("CCCD", None),
            item("HTSS", Some("mờ")),
            SupplementItem {
                component_code: "TK".into(),
                reason: " ".into(),
                defect: None,
            },
            item("TK", None),
        ];
        let codes: Vec<String> = check_request(&items, &published(), &["TK", "GCS"])
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(
            codes,
            [
                "supplement_item_not_in_procedure",
                "obtainable_from_national_database",
                "defect_of_unsubmitted_component",
                "required",
                "duplicate_item"
            ]
        );
        assert_eq!(check_request(&[], &published(), &[])[0].field, "items");
    }

    #[test]
    fn the_answer_must_cover_every_item_and_only_those() {
        let req = [item("HTSS", None), item("TK", Some("thiếu chữ ký"))];
        assert!(check_answer(&req, &["TK", "HTSS"]).is_empty());
        let errs = check_answer(&req, &["TK", "GCS"]);
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["component_not_requested", "supplement_incomplete"]);
    }
}
