//! Who submits (người nộp hồ sơ trực tuyến): a citizen online is who their verified identity
//! says. They submit as the applicant, or for someone else (a child, a parent, a company)
//! only as that applicant's declared representative — themselves. Every declared
//! representative, on any channel, has a name, a valid personal ID number and a relation.

use super::dossier::{Applicant, ApplicantType, Channel, Dossier};
use super::personal_id;
use motcua_auth::{Caller, Role};
use motcua_problem::{FieldError, Problem, codes};

/// The problems with who submits, or a refusal when a citizen's token carries no identity.
pub fn check(
    caller: &Caller,
    channel: Channel,
    a: &Applicant,
    year: i32,
) -> Result<Vec<FieldError>, Problem> {
    let mut errors = representative_fields(a, year);
    if channel != Channel::Online || !caller.has(Role::Citizen) {
        return Ok(errors);
    }
    let Some(me) = caller.id_number.as_deref() else {
        return Err(Problem::new(
            &codes::CITIZEN_IDENTITY_REQUIRED,
            "the citizen's token carries no verified identity (claim id_number): sign in through \
             the identity provider to submit online",
        ));
    };
    if a.kind == ApplicantType::Citizen && a.id_number == me {
        return Ok(errors);
    }
    match &a.representative {
        None => errors.push(FieldError::new(
            "applicant.representative",
            &codes::REPRESENTATIVE_REQUIRED,
            "nộp hồ sơ cho người khác phải khai người đại diện là chính mình",
        )),
        Some(r) if r.id_number != me => errors.push(FieldError::new(
            "applicant.representative.id_number",
            &codes::REPRESENTATIVE_NOT_CALLER,
            "người đại diện phải là người nộp hồ sơ",
        )),
        Some(_) => {}
    }
    Ok(errors)
}

fn representative_fields(a: &Applicant, year: i32) -> Vec<FieldError> {
    let Some(r) = &a.representative else {
        return Vec::new();
    };
    let mut errors = Vec::new();
    for (field, value) in [("full_name", &r.full_name), ("relation", &r.relation)] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(
                format!("applicant.representative.{field}"),
                &codes::REQUIRED,
                "không được để trống",
            ));
        }
    }
    if let Err(e) = personal_id::validate(&r.id_number, year) {
        errors.push(FieldError::new(
            "applicant.representative.id_number",
            &codes::INVALID_PERSONAL_ID,
            e.message(),
        ));
    }
    errors
}

/// Is the caller, by verified identity, the dossier's applicant or its declared
/// representative, whatever channel and account it was submitted through?
pub fn is_by_identity(c: &Caller, d: &Dossier) -> bool {
    let Some(me) = c.id_number.as_deref().filter(|_| c.has(Role::Citizen)) else {
        return false;
    };
    let a = &d.applicant;
    (a.kind == ApplicantType::Citizen && a.id_number == me)
        || a.representative.as_ref().is_some_and(|r| r.id_number == me)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dossier::Representative;
    use crate::domain::fixtures;
    use crate::domain::submission::SubmitDossier;

    fn check(c: &Caller, req: &SubmitDossier, year: i32) -> Result<Vec<FieldError>, Problem> {
        super::check(c, req.channel, &req.applicant, year)
    }

    const ME: &str = "001099012345";

    fn citizen(id: Option<&str>) -> Caller {
        Caller {
            sub: "vneid-1".into(),
            roles: vec![Role::Citizen],
            agency: None,
            sector: None,
            id_number: id.map(str::to_string),
        }
    }

    fn online(applicant_id: &str, representative: Option<&str>) -> SubmitDossier {
        let mut body = serde_json::json!({
            "procedure_code": "1.001193", "receiving_agency": "000.25.80.H80", "channel": "online",
            "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": applicant_id},
            "components": []});
        if let Some(id) = representative {
            body["applicant"]["representative"] = serde_json::json!({"full_name": "Trần Thị Bình", "id_number": id, "relation": "mẹ"});
        }
        serde_json::from_value(body).unwrap()
    }

    fn codes_of(e: Result<Vec<FieldError>, Problem>) -> Vec<String> {
        e.unwrap().into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn a_citizen_submits_for_themselves_without_a_representative() {
        assert!(codes_of(check(&citizen(Some(ME)), &online(ME, None), 2026)).is_empty());
    }

    #[test]
    fn for_someone_else_only_as_their_declared_representative() {
        let c = citizen(Some(ME));
        let other = "080203001234";
        assert_eq!(
            codes_of(check(&c, &online(other, None), 2026)),
            ["representative_required"]
        );
        assert_eq!(
            codes_of(check(&c, &online(other, Some("079303012340")), 2026)),
            ["representative_not_caller"]
        );
        assert!(codes_of(check(&c, &online(other, Some(ME)), 2026)).is_empty());
    }

    #[test]
    fn a_citizen_token_without_identity_cannot_submit_online() {
        let refused = check(&citizen(None), &online(ME, None), 2026).unwrap_err();
        assert_eq!(refused.code, "citizen_identity_required");
    }

    #[test]
    fn a_declared_representative_is_checked_on_every_channel() {
        let mut req = online("080203001234", Some("12"));
        req.channel = Channel::Counter;
        let officer = fixtures::officer();
        assert_eq!(
            codes_of(check(&officer, &req, 2026)),
            ["invalid_personal_id"]
        );
    }

    #[test]
    fn the_applicant_and_their_representative_are_known_by_identity() {
        let mut d = fixtures::dossier(crate::domain::status::DossierStatus::Received);
        assert!(is_by_identity(&citizen(Some("080203001234")), &d));
        assert!(!is_by_identity(&citizen(Some(ME)), &d));
        d.applicant.representative = Some(Representative {
            full_name: "Trần Thị Bình".into(),
            id_number: ME.into(),
            relation: "mẹ".into(),
        });
        assert!(is_by_identity(&citizen(Some(ME)), &d));
        let mut officer = fixtures::officer();
        officer.id_number = Some(ME.into());
        assert!(!is_by_identity(&officer, &d), "only as a citizen");
    }
}
