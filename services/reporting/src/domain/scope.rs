//! Who may report on which agency (phạm vi báo cáo): inspectors and admins on every agency,
//! agency heads and one-stop officers on their own only.

use motcua_auth::{Caller, Role};
use motcua_problem::{Problem, codes};

/// The roles that may read reports at all.
pub const READERS: [Role; 4] = [
    Role::Inspector,
    Role::Admin,
    Role::AgencyHead,
    Role::OneStopOfficer,
];

/// The agency `caller` reports on when asking for `asked`: what was asked (or every agency)
/// for inspectors and admins; the caller's own agency for everyone else, who may not ask for
/// another.
pub fn agency(caller: &Caller, asked: Option<String>) -> Result<Option<String>, Problem> {
    if caller.has_any(&[Role::Inspector, Role::Admin]) {
        return Ok(asked);
    }
    let own = caller
        .agency
        .clone()
        .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_ALLOWED, "the caller has no agency"))?;
    if asked.as_deref().is_some_and(|a| a != own) {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            "only the caller's own agency can be reported",
        ));
    }
    Ok(Some(own))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, agency: Option<&str>) -> Caller {
        Caller {
            sub: "u".into(),
            roles: vec![role],
            agency: agency.map(str::to_string),
            sector: None,
            id_number: None,
        }
    }

    #[test]
    fn heads_and_officers_report_on_their_own_agency_only() {
        let head = caller(Role::AgencyHead, Some("A"));
        assert_eq!(agency(&head, None).unwrap().as_deref(), Some("A"));
        assert_eq!(
            agency(&head, Some("A".into())).unwrap().as_deref(),
            Some("A")
        );
        assert!(agency(&head, Some("B".into())).is_err());
        assert!(agency(&caller(Role::OneStopOfficer, None), None).is_err());
        let inspector = caller(Role::Inspector, None);
        assert_eq!(agency(&inspector, None).unwrap(), None);
        assert_eq!(
            agency(&inspector, Some("B".into())).unwrap().as_deref(),
            Some("B")
        );
    }
}
