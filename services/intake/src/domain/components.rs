//! Components as handed in (thành phần hồ sơ nộp): the one check used by the submission and by
//! the applicant's supplement alike, so that a supplement can never carry what a submission
//! could not — caps on files and bytes, sane counts, files that match their declaration,
//! electronic components with files, counts not below the published ones. Which components
//! belong (the procedure's list, or the requested items) is checked by each use case.

use super::dossier::Form;
use super::files::{self, CheckedFile};
use motcua_catalogue_model::{HandedIn, PublishedComponent};
use motcua_problem::{FieldError, codes};
use serde::Deserialize;
use utoipa::ToSchema;

/// Most originals or copies recorded for one component.
pub const MAX_COUNT: u32 = 1000;

/// One file of a component as submitted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SubmittedFile {
    /// File name.
    pub name: String,
    /// Media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Hex sha256 of the content.
    pub sha256: String,
    /// The content, base64.
    pub content_base64: String,
}

/// One component as submitted (at receipt or in a supplement).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SubmittedComponent {
    /// Component code from the procedure, e.g. `GCS`.
    pub code: String,
    /// Electronic, paper or scanned.
    pub form: Form,
    /// Files (required for electronic components).
    #[serde(default)]
    pub files: Vec<SubmittedFile>,
    /// Originals handed in (paper), when the officer records them.
    #[serde(default)]
    pub originals: Option<u32>,
    /// Copies handed in (paper), when the officer records them.
    #[serde(default)]
    pub copies: Option<u32>,
}

/// A component that passed the checks, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedComponent {
    /// Component code.
    pub code: String,
    /// Its form.
    pub form: Form,
    /// Originals recorded (at most [`MAX_COUNT`]).
    pub originals: Option<i32>,
    /// Copies recorded (at most [`MAX_COUNT`]).
    pub copies: Option<i32>,
    /// Its files, decoded and verified.
    pub files: Vec<CheckedFile>,
}

/// The outcome of [`check_handed_in`].
#[derive(Debug, Default)]
pub struct HandedInCheck {
    /// The components, checked (complete only when both error lists are empty).
    pub checked: Vec<CheckedComponent>,
    /// Problems with files and counts.
    pub errors: Vec<FieldError>,
    /// Components below the published counts (component errors, as in `components_invalid`).
    pub component_errors: Vec<FieldError>,
}

/// A count within [`MAX_COUNT`], as stored.
fn count(n: Option<u32>) -> Option<i32> {
    n.filter(|n| *n <= MAX_COUNT)
        .and_then(|n| i32::try_from(n).ok())
}

fn caps(components: &[SubmittedComponent]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let file_count: usize = components.iter().map(|c| c.files.len()).sum();
    if file_count > files::MAX_FILES {
        errors.push(FieldError::new(
            "components",
            &codes::TOO_MANY_FILES,
            format!("tối đa {} tệp mỗi hồ sơ", files::MAX_FILES),
        ));
    }
    let encoded: usize = components
        .iter()
        .flat_map(|c| &c.files)
        .map(|f| f.content_base64.len())
        .sum();
    if encoded / 4 * 3 > files::MAX_TOTAL_BYTES {
        errors.push(FieldError::new(
            "components",
            &codes::FILES_TOO_LARGE,
            format!(
                "tổng dung lượng tệp vượt quá {} MiB",
                files::MAX_TOTAL_BYTES / 1024 / 1024
            ),
        ));
    }
    for (i, c) in components.iter().enumerate() {
        for (what, n) in [("originals", c.originals), ("copies", c.copies)] {
            if n.is_some_and(|n| n > MAX_COUNT) {
                errors.push(FieldError::new(
                    format!("components[{i}].{what}"),
                    &codes::COUNT_OUT_OF_RANGE,
                    format!("tối đa {MAX_COUNT}"),
                ));
            }
        }
    }
    errors
}

/// Checks what was handed in: caps first (over them nothing is decoded), then every file, the
/// files of electronic components, and the recorded counts against `published`.
pub fn check_handed_in(
    components: &[SubmittedComponent],
    published: &[PublishedComponent],
) -> HandedInCheck {
    let mut out = HandedInCheck {
        errors: caps(components),
        ..HandedInCheck::default()
    };
    let within_caps = out
        .errors
        .iter()
        .all(|e| e.code != codes::TOO_MANY_FILES.code && e.code != codes::FILES_TOO_LARGE.code);
    for (i, c) in components.iter().enumerate() {
        let mut checked_files = Vec::new();
        for (j, f) in c.files.iter().enumerate().filter(|_| within_caps) {
            let field = format!("components[{i}].files[{j}]");
            match files::check(
                &field,
                &f.name,
                &f.media_type,
                f.size,
                &f.sha256,
                &f.content_base64,
            ) {
                Ok(cf) => checked_files.push(cf),
                Err(errs) => out.errors.extend(errs),
            }
        }
        if c.form == Form::Electronic && c.files.is_empty() {
            out.errors.push(FieldError::new(
                format!("components[{i}].files"),
                &codes::FILES_REQUIRED,
                "thành phần điện tử cần có tệp",
            ));
        }
        out.checked.push(CheckedComponent {
            code: c.code.clone(),
            form: c.form,
            originals: count(c.originals),
            copies: count(c.copies),
            files: checked_files,
        });
    }
    let handed_in: Vec<HandedIn<'_>> = components
        .iter()
        .map(|c| HandedIn {
            code: &c.code,
            originals: c.originals,
            copies: c.copies,
        })
        .collect();
    out.component_errors = relay(motcua_catalogue_model::check_counts(&handed_in, published));
    out
}

/// Missing required, unexpected and duplicated components against the published list (the
/// rule lives in `motcua-catalogue-model`, shared with the catalogue's `ValidateComponents`).
pub fn check_membership(
    submitted: &[SubmittedComponent],
    published: &[PublishedComponent],
) -> Vec<FieldError> {
    let codes: Vec<&str> = submitted.iter().map(|c| c.code.as_str()).collect();
    relay(motcua_catalogue_model::check_components(&codes, published))
}

fn relay(issues: Vec<motcua_catalogue_model::ComponentIssue>) -> Vec<FieldError> {
    issues
        .into_iter()
        .map(|i| {
            FieldError::relayed(i.field, &i.code, i.message)
                .with("component_code", i.component_code)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::{Digest, Sha256};

    fn published() -> Vec<PublishedComponent> {
        vec![PublishedComponent {
            code: "TK".into(),
            name: "Tờ khai".into(),
            required: true,
            originals: 1,
            copies: 0,
            from_national_database: false,
        }]
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

    fn file(content: &[u8]) -> SubmittedFile {
        SubmittedFile {
            name: "a.pdf".into(),
            media_type: "application/pdf".into(),
            size: content.len() as u64,
            sha256: files::hex(&Sha256::digest(content)),
            content_base64: base64::engine::general_purpose::STANDARD.encode(content),
        }
    }

    fn codes_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.code.as_str()).collect()
    }

    #[test]
    fn membership_issues_become_field_errors_with_the_component_code() {
        let errs = check_membership(&[paper("XX")], &published());
        assert_eq!(
            codes_of(&errs),
            ["component_unexpected", "component_missing"]
        );
        assert_eq!(errs[0].field, "components[0].code");
        assert_eq!(errs[0].extra["component_code"], "XX");
    }

    #[test]
    fn too_many_files_are_refused_and_nothing_is_decoded() {
        let mut c = paper("TK");
        c.form = Form::Electronic;
        c.files = (0..=files::MAX_FILES).map(|_| file(b"%PDF")).collect();
        let check = check_handed_in(&[c], &published());
        assert_eq!(codes_of(&check.errors), ["too_many_files"]);
        assert!(
            check.checked[0].files.is_empty(),
            "over the caps nothing is decoded"
        );
    }

    #[test]
    fn more_bytes_than_the_cap_are_refused() {
        let mut c = paper("TK");
        c.form = Form::Electronic;
        let mut big = file(b"x");
        big.content_base64 = "A".repeat(files::MAX_TOTAL_BYTES / 3 * 4 + 8);
        c.files = vec![big];
        assert_eq!(
            codes_of(&check_handed_in(&[c], &published()).errors),
            ["files_too_large"]
        );
    }

    #[test]
    fn counts_over_the_maximum_are_refused_and_never_stored() {
        let mut c = paper("TK");
        c.originals = Some(MAX_COUNT + 1);
        c.copies = Some(u32::MAX);
        let check = check_handed_in(&[c], &published());
        assert_eq!(
            codes_of(&check.errors),
            ["count_out_of_range", "count_out_of_range"]
        );
        assert_eq!(
            (check.checked[0].originals, check.checked[0].copies),
            (None, None)
        );
    }

    #[test]
    fn an_electronic_component_needs_files_and_files_must_match() {
        let mut e = paper("TK");
        e.form = Form::Electronic;
        let mut bad = file(b"%PDF-1.7");
        bad.sha256 = "00".into();
        let mut with_bad = e.clone();
        with_bad.files = vec![bad];
        let check = check_handed_in(&[e, with_bad], &published());
        assert_eq!(
            codes_of(&check.errors),
            ["files_required", "sha256_mismatch"]
        );
    }

    #[test]
    fn counts_below_the_published_ones_are_component_errors() {
        let mut c = paper("TK");
        c.originals = Some(0);
        let check = check_handed_in(&[c], &published());
        assert!(check.errors.is_empty());
        assert_eq!(codes_of(&check.component_errors), ["component_count"]);
    }
}
