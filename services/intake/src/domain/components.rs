//! Intake's view of the component rules, which live in `motcua-catalogue-model` (one
//! implementation, shared with the catalogue's `ValidateComponents`): the same checks, as
//! field errors of the submission.

use motcua_problem::FieldError;

pub use motcua_catalogue_model::{HandedIn, PublishedComponent};

fn field_errors(issues: Vec<motcua_catalogue_model::ComponentIssue>) -> Vec<FieldError> {
    issues
        .into_iter()
        .map(|i| {
            FieldError::relayed(i.field, &i.code, i.message)
                .with("component_code", i.component_code)
        })
        .collect()
}

/// Missing required, unexpected and duplicated components, as field errors.
pub fn check(submitted: &[&str], published: &[PublishedComponent]) -> Vec<FieldError> {
    field_errors(motcua_catalogue_model::check_components(
        submitted, published,
    ))
}

/// Recorded counts below the published ones, as field errors.
pub fn check_counts(
    handed_in: &[HandedIn<'_>],
    published: &[PublishedComponent],
) -> Vec<FieldError> {
    field_errors(motcua_catalogue_model::check_counts(handed_in, published))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_become_field_errors_with_the_component_code() {
        let published = [PublishedComponent {
            code: "TK".into(),
            name: "Tờ khai".into(),
            required: true,
            originals: 1,
            copies: 0,
        }];
        let errs = check(&["XX"], &published);
        assert_eq!(errs.len(), 2);
        assert_eq!(
            (errs[0].field.as_str(), errs[0].code.as_str()),
            ("components[0].code", "component_unexpected")
        );
        assert_eq!(errs[0].extra["component_code"], "XX");
        assert_eq!(errs[1].code, "component_missing");
    }
}
