//! Agencies on a date (cơ quan, kế thừa): the agency valid on the date for a code, following
//! successors of retired ones (Long An + Tây Ninh → Tây Ninh, 2025), so dossiers in flight
//! continue at the successor.

use motcua_catalogue_model::{AgencyEntry, SuccessionError, resolve_agency};
use motcua_problem::{Problem, codes};
use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

/// An agency resolved on a date.
#[derive(Serialize, ToSchema)]
pub struct ResolvedAgency {
    /// The agency valid on the date (the successor when the asked one was retired).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub agency: AgencyEntry,
    /// The code that was asked for, when it was retired and resolved to a successor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_from: Option<String>,
    /// Codes followed, from the asked one to the answer.
    pub chain: Vec<String>,
    /// With `resolved_from`: the first day the successor took over (the day after the asked
    /// agency's last valid day).
    /// (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succeeded_on: Option<String>,
}

/// Finds among `agencies` the one valid on `at` for `code`, following successors of retired
/// ones.
pub fn resolve(agencies: &[AgencyEntry], code: &str, at: Date) -> Result<ResolvedAgency, Problem> {
    match resolve_agency(agencies, code, at) {
        Ok(r) => {
            let succeeded_on = r
                .resolved_from
                .as_ref()
                .and_then(|_| agencies.iter().find(|a| a.code == code))
                .and_then(|asked| asked.valid_until)
                .and_then(|last| last.next_day())
                .map(|d| d.to_string());
            Ok(ResolvedAgency {
                agency: r.agency.clone(),
                resolved_from: r.resolved_from.clone(),
                chain: r.chain.clone(),
                succeeded_on,
            })
        }
        Err(SuccessionError::NotFound { .. }) => Err(Problem::new(
            &codes::AGENCY_NOT_FOUND,
            format!("no agency {code}"),
        )),
        Err(e @ SuccessionError::Cycle { .. }) => {
            tracing::error!(error = %e, "succession cycle in stored agencies");
            Err(Problem::internal())
        }
        Err(e) => Err(Problem::new(&codes::AGENCY_NOT_VALID, e.to_string()).with("agency", code)),
    }
}
