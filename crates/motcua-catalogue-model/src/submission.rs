//! Checks submitted dossier components against a published procedure version
//! (`shared/domain.md` §1, §4): every required component present, nothing outside the list, no
//! duplicates, recorded counts not below the published ones. All problems are reported at
//! once. Used by intake at the counter and by the catalogue's `ValidateComponents` RPC.

use serde::{Deserialize, Serialize};

/// One problem with a submitted component (`field` is the JSON path in the submission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentIssue {
    /// JSON path, e.g. `components[1].code`, or `components` for a missing one.
    pub field: String,
    /// Stable code: `component_unexpected`, `component_duplicate`, `component_missing`,
    /// `component_count`.
    pub code: String,
    /// Message (Vietnamese).
    pub message: String,
    /// The component concerned.
    pub component_code: String,
}

impl ComponentIssue {
    fn new(field: impl Into<String>, code: &str, message: String, component_code: &str) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message,
            component_code: component_code.into(),
        }
    }
}

/// A component as the procedure version publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedComponent {
    /// Code, e.g. `GCS`.
    pub code: String,
    /// Name, for messages.
    pub name: String,
    /// Required (bắt buộc) rather than conditional.
    pub required: bool,
    /// Originals (bản chính) to hand in.
    pub originals: u32,
    /// Copies (bản sao) to hand in.
    pub copies: u32,
    /// Held by the state in a national database (population, civil status): never demanded
    /// from the applicant (Resolution 66.7/2025).
    pub from_national_database: bool,
}

/// Counts a paper component was handed in with, when the officer recorded them.
#[derive(Debug, Clone, Copy)]
pub struct HandedIn<'a> {
    /// Component code.
    pub code: &'a str,
    /// Originals handed in.
    pub originals: Option<u32>,
    /// Copies handed in.
    pub copies: Option<u32>,
}

/// `component_count` errors where recorded counts fall short of the published ones.
pub fn check_counts(
    handed_in: &[HandedIn<'_>],
    published: &[PublishedComponent],
) -> Vec<ComponentIssue> {
    let mut errors = Vec::new();
    for (i, h) in handed_in.iter().enumerate() {
        let Some(p) = published.iter().find(|p| p.code == h.code) else {
            continue;
        };
        for (what, got, want) in [
            ("originals", h.originals, p.originals),
            ("copies", h.copies, p.copies),
        ] {
            if let Some(got) = got
                && got < want
            {
                errors.push(ComponentIssue::new(
                    format!("components[{i}].{what}"),
                    crate::codes::COMPONENT_COUNT,
                    format!("thành phần {} cần {want} {what}, đã nộp {got}", h.code),
                    h.code,
                ));
            }
        }
    }
    errors
}

/// Returns one field error per problem: `component_unexpected` at `components[i].code` for a
/// code not in the procedure, `component_duplicate` for a repeated one, and
/// `component_missing` at `components` for each required component absent — except documents
/// the state holds in a national database, which are never demanded (Resolution 66.7/2025):
/// the applicant may hand them in, and need not.
pub fn check_components(
    submitted: &[&str],
    published: &[PublishedComponent],
) -> Vec<ComponentIssue> {
    let mut errors = Vec::new();
    for (i, code) in submitted.iter().enumerate() {
        if !published.iter().any(|p| p.code == *code) {
            errors.push(ComponentIssue::new(
                format!("components[{i}].code"),
                crate::codes::COMPONENT_UNEXPECTED,
                format!("thành phần {code} không có trong thủ tục"),
                code,
            ));
        } else if submitted[..i].contains(code) {
            errors.push(ComponentIssue::new(
                format!("components[{i}].code"),
                crate::codes::COMPONENT_DUPLICATE,
                format!("thành phần {code} được nộp hai lần"),
                code,
            ));
        }
    }
    for p in published
        .iter()
        .filter(|p| p.required && !p.from_national_database)
    {
        if !submitted.contains(&p.code.as_str()) {
            errors.push(ComponentIssue::new(
                "components",
                crate::codes::COMPONENT_MISSING,
                format!("thiếu thành phần bắt buộc: {}", p.name),
                p.code.as_str(),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn birth() -> Vec<PublishedComponent> {
        let c = |code: &str, required| PublishedComponent {
            code: code.into(),
            name: code.into(),
            required,
            from_national_database: false,
            originals: 1,
            copies: 0,
        };
        vec![c("TK", true), c("GCS", true), c("HTSS", false)]
    }

    #[test]
    fn complete_dossier_has_no_errors_and_optional_may_be_absent() {
        assert!(check_components(&["TK", "GCS"], &birth()).is_empty());
        assert!(check_components(&["GCS", "TK", "HTSS"], &birth()).is_empty());
    }

    #[test]
    fn missing_and_unexpected_are_reported_together() {
        let errs = check_components(&["TK", "CMND"], &birth());
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].field, "components[1].code");
        assert_eq!(errs[0].code, "component_unexpected");
        assert_eq!(errs[0].component_code, "CMND");
        assert_eq!(errs[1].field, "components");
        assert_eq!(errs[1].code, "component_missing");
        assert_eq!(errs[1].component_code, "GCS");
    }

    #[test]
    fn recorded_counts_below_the_published_ones_are_refused() {
        let h = |code, originals| HandedIn {
            code,
            originals,
            copies: None,
        };
        assert!(check_counts(&[h("TK", Some(1)), h("GCS", None)], &birth()).is_empty());
        let errs = check_counts(&[h("TK", Some(0))], &birth());
        assert_eq!(errs.len(), 1);
        assert_eq!(
            (errs[0].field.as_str(), errs[0].code.as_str()),
            ("components[0].originals", "component_count")
        );
    }

    #[test]
    fn duplicates_are_refused() {
        let errs = check_components(&["TK", "GCS", "TK"], &birth());
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, "component_duplicate");
    }

    #[test]
    fn a_document_held_in_a_national_database_is_never_missing() {
        let mut cccd = birth()[0].clone();
        cccd.code = "CCCD".into();
        cccd.from_national_database = true;
        assert!(
            check_components(&[], &[cccd.clone()]).is_empty(),
            "not demanded"
        );
        assert!(
            check_components(&["CCCD"], &[cccd]).is_empty(),
            "but accepted when handed in"
        );
    }
}
