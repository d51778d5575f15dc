//! Who may do what to a dossier (phân quyền), beyond the roles of `shared/api.md`: the
//! one-stop rule for receiving, and who may read, supplement or decide on a received dossier.

use super::dossier::{Channel, Dossier};
use super::submitter;
use motcua_auth::{Caller, Role};

/// The agencies workflow knows on a dossier's path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseAgencies {
    /// Agencies holding an open step now.
    pub current: Vec<String>,
    /// Every agency with a step in the case.
    pub path: Vec<String>,
}

/// May this caller receive on this channel at all? Only one-stop officers at the counter or
/// by post, only citizens and the portal online.
pub fn channel_allows(caller: &Caller, channel: Channel) -> bool {
    match channel {
        Channel::Counter | Channel::Postal => caller.has(Role::OneStopOfficer),
        Channel::Online => caller.has_any(&[Role::Citizen, Role::Portal]),
    }
}

/// An officer of the one-stop unit that received the dossier.
pub fn is_receiving_officer(c: &Caller, d: &Dossier) -> bool {
    c.has(Role::OneStopOfficer) && c.agency.as_deref() == Some(d.receiving_agency.as_str())
}

/// The applicant: the account that submitted the dossier online (the citizen, or the portal
/// for them), or a citizen who is, by verified identity, its applicant or declared
/// representative, whatever channel it came by.
pub fn is_applicant(c: &Caller, d: &Dossier) -> bool {
    (c.sub == d.submitted_by && c.has_any(&[Role::Citizen, Role::Portal]))
        || submitter::is_by_identity(c, d)
}

/// Agency staff (specialist, agency head) or the agency's sector system, of one of `agencies`.
pub fn is_staff_of(c: &Caller, agencies: &[String]) -> bool {
    c.has_any(&[Role::Specialist, Role::AgencyHead, Role::SectorSystem])
        && c.agency.as_ref().is_some_and(|a| agencies.contains(a))
}

/// May `caller` read the dossier? Inspectors and admins; the receiving one-stop's officers;
/// the account that submitted it; staff of agencies on its path.
pub fn may_read(caller: &Caller, d: &Dossier, case: &CaseAgencies) -> bool {
    caller.has_any(&[Role::Inspector, Role::Admin])
        || is_receiving_officer(caller, d)
        || caller.sub == d.submitted_by
        || submitter::is_by_identity(caller, d)
        || is_staff_of(caller, &case.path)
}

/// May `caller` request a supplement? The one-stop, or the agency holding the dossier now.
pub fn may_request_supplement(caller: &Caller, d: &Dossier, case: &CaseAgencies) -> bool {
    is_receiving_officer(caller, d) || is_staff_of(caller, &case.current)
}
