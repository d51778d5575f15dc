//! Checks of the applicant (người nộp hồ sơ): a name, and an identifier that is a valid
//! personal ID number for a citizen or a valid tax code for an organisation.

use super::dossier::{Applicant, ApplicantType};
use super::{personal_id, tax_code};
use motcua_problem::{FieldError, codes};

/// Every problem with the applicant; `current_year` bounds a citizen's birth year.
pub fn check(a: &Applicant, current_year: i32) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if a.full_name.trim().is_empty() {
        errors.push(FieldError::new(
            "applicant.full_name",
            &codes::REQUIRED,
            "họ tên không được để trống",
        ));
    }
    let id_error = match a.kind {
        ApplicantType::Citizen => personal_id::validate(&a.id_number, current_year)
            .err()
            .map(|e| (&codes::INVALID_PERSONAL_ID, e.message())),
        ApplicantType::Organisation => tax_code::validate(&a.id_number)
            .err()
            .map(|e| (&codes::INVALID_TAX_CODE, e.message())),
    };
    if let Some((code, message)) = id_error {
        errors.push(FieldError::new("applicant.id_number", code, message));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applicant(kind: ApplicantType, id: &str) -> Applicant {
        Applicant {
            kind,
            full_name: "Công ty TNHH An Bình".into(),
            id_number: id.into(),
            phone: None,
            email: None,
            address: None,
            notify_by: None,
            representative: None,
        }
    }

    #[test]
    fn an_organisation_needs_a_tax_code_with_a_valid_check_digit() {
        assert!(check(&applicant(ApplicantType::Organisation, "0100233488"), 2026).is_empty());
        let errs = check(&applicant(ApplicantType::Organisation, "0100233489"), 2026);
        assert_eq!(
            (errs[0].field.as_str(), errs[0].code.as_str()),
            ("applicant.id_number", "invalid_tax_code")
        );
    }

    #[test]
    fn a_citizen_needs_a_personal_id_and_everyone_a_name() {
        let mut a = applicant(ApplicantType::Citizen, "080203001234");
        assert!(check(&a, 2026).is_empty());
        a.full_name = " ".into();
        a.id_number = "0100233488".into();
        let errs = check(&a, 2026);
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["required", "invalid_personal_id"]);
    }
}
