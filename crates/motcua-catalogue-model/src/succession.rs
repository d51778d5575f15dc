//! Agency succession (kế thừa cơ quan): after the 2025 reorganisation an
//! agency that no longer exists hands its dossiers to its successor, and the
//! applicant never re-submits (Resolution 190/2025/QH15 Art. 5).

use serde::Serialize;
use thiserror::Error;
use time::Date;

use crate::file::AgencyEntry;

/// The agency that acts for a code on a date.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved<'a> {
    /// The agency valid on the date.
    pub agency: &'a AgencyEntry,
    /// The code asked for, when a successor answers instead of it.
    pub resolved_from: Option<String>,
    /// Codes followed, from the one asked for to the one that answers
    /// (a single code when no succession was needed).
    pub chain: Vec<String>,
}

/// Why no agency acts for a code on a date.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SuccessionError {
    /// The code (the one asked for, or a successor named on the way) is unknown.
    #[error("agency `{code}` is not in the catalogue")]
    NotFound {
        /// The unknown code.
        code: String,
    },
    /// The successors lead back to an agency already visited.
    #[error("agency succession loops: {}", chain.join(" → "))]
    Cycle {
        /// Codes followed, ending with the repeated one.
        chain: Vec<String>,
    },
    /// The agency ceased to exist and names no successor.
    #[error("agency `{code}` ceased on {valid_until} and has no successor")]
    Retired {
        /// The retired agency.
        code: String,
        /// Its last day.
        valid_until: Date,
    },
    /// The agency (asked for, or reached as a successor) does not exist yet.
    #[error("agency `{code}` only exists from {valid_from}")]
    NotYetValid {
        /// The agency.
        code: String,
        /// Its first day.
        valid_from: Date,
    },
}

/// The agency acting for `code` on `at`: the agency itself while it exists;
/// once it has ceased (`valid_until < at`), its successor, followed as far as
/// needed. An agency (asked for or reached) whose `valid_from` is after `at`
/// is refused as [`SuccessionError::NotYetValid`], since no successor can act
/// before it exists and no predecessor is known from it.
pub fn resolve_agency<'a>(
    agencies: &'a [AgencyEntry],
    code: &str,
    at: Date,
) -> Result<Resolved<'a>, SuccessionError> {
    let find = |c: &str| {
        agencies
            .iter()
            .find(|a| a.code == c)
            .ok_or_else(|| SuccessionError::NotFound { code: c.to_owned() })
    };
    let mut agency = find(code)?;
    let mut chain = vec![agency.code.clone()];
    loop {
        if let Some(valid_from) = agency.valid_from
            && at < valid_from
        {
            return Err(SuccessionError::NotYetValid {
                code: agency.code.clone(),
                valid_from,
            });
        }
        match agency.valid_until {
            Some(valid_until) if valid_until < at => {
                let Some(next) = agency.successor_code.as_deref() else {
                    return Err(SuccessionError::Retired {
                        code: agency.code.clone(),
                        valid_until,
                    });
                };
                if chain.iter().any(|c| c == next) {
                    chain.push(next.to_owned());
                    return Err(SuccessionError::Cycle { chain });
                }
                agency = find(next)?;
                chain.push(agency.code.clone());
            }
            _ => break,
        }
    }
    let resolved_from = (chain.len() > 1).then(|| code.to_owned());
    Ok(Resolved {
        agency,
        resolved_from,
        chain,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{AgencyKind, Level};
    use time::macros::date;

    fn agency(
        code: &str,
        from: Option<Date>,
        until: Option<Date>,
        successor: Option<&str>,
    ) -> AgencyEntry {
        AgencyEntry {
            code: code.into(),
            name: code.into(),
            kind: AgencyKind::OneStop,
            level: Level::Province,
            sector: None,
            unit_code: None,
            parent_code: None,
            valid_from: from,
            valid_until: until,
            successor_code: successor.map(str::to_owned),
            working_sessions: None,
            code_04_2025: None,
        }
    }

    /// Old Long An province centre → new Tây Ninh province centre (1 July 2025).
    fn reorganisation() -> Vec<AgencyEntry> {
        vec![
            agency(
                "000.00.01.H38",
                None,
                Some(date!(2025 - 06 - 30)),
                Some("000.00.01.H80"),
            ),
            agency("000.00.01.H80", Some(date!(2025 - 07 - 01)), None, None),
        ]
    }

    #[test]
    fn long_an_agency_resolves_to_tay_ninh_from_1_july_2025() {
        let a = reorganisation();
        let r = resolve_agency(&a, "000.00.01.H38", date!(2025 - 07 - 01)).unwrap();
        assert_eq!(r.agency.code, "000.00.01.H80");
        assert_eq!(r.resolved_from.as_deref(), Some("000.00.01.H38"));
        assert_eq!(r.chain, ["000.00.01.H38", "000.00.01.H80"]);

        let r = resolve_agency(&a, "000.00.01.H38", date!(2025 - 06 - 30)).unwrap();
        assert_eq!(r.agency.code, "000.00.01.H38");
        assert_eq!(r.resolved_from, None);
        assert_eq!(r.chain, ["000.00.01.H38"]);
    }

    #[test]
    fn successors_are_followed_as_far_as_needed() {
        let a = vec![
            agency("A", None, Some(date!(2025 - 06 - 30)), Some("B")),
            agency(
                "B",
                Some(date!(2025 - 07 - 01)),
                Some(date!(2025 - 12 - 31)),
                Some("C"),
            ),
            agency("C", Some(date!(2026 - 01 - 01)), None, None),
        ];
        let r = resolve_agency(&a, "A", date!(2026 - 03 - 01)).unwrap();
        assert_eq!(r.agency.code, "C");
        assert_eq!(r.chain, ["A", "B", "C"]);
        let r = resolve_agency(&a, "A", date!(2025 - 08 - 01)).unwrap();
        assert_eq!(r.agency.code, "B");
    }

    #[test]
    fn errors() {
        let d = date!(2025 - 07 - 01);
        assert_eq!(
            resolve_agency(&reorganisation(), "X", d),
            Err(SuccessionError::NotFound { code: "X".into() })
        );
        let dangling = vec![agency("A", None, Some(date!(2025 - 06 - 30)), Some("GONE"))];
        assert_eq!(
            resolve_agency(&dangling, "A", d),
            Err(SuccessionError::NotFound {
                code: "GONE".into()
            })
        );
        let retired = vec![agency("A", None, Some(date!(2025 - 06 - 30)), None)];
        assert_eq!(
            resolve_agency(&retired, "A", d),
            Err(SuccessionError::Retired {
                code: "A".into(),
                valid_until: date!(2025 - 06 - 30)
            })
        );
        let cycle = vec![
            agency("A", None, Some(date!(2025 - 06 - 30)), Some("B")),
            agency("B", None, Some(date!(2025 - 06 - 30)), Some("A")),
        ];
        let err = resolve_agency(&cycle, "A", d).unwrap_err();
        assert_eq!(
            err,
            SuccessionError::Cycle {
                chain: vec!["A".into(), "B".into(), "A".into()]
            }
        );
        assert_eq!(err.to_string(), "agency succession loops: A → B → A");
        assert_eq!(
            resolve_agency(&reorganisation(), "000.00.01.H80", date!(2025 - 06 - 30)),
            Err(SuccessionError::NotYetValid {
                code: "000.00.01.H80".into(),
                valid_from: date!(2025 - 07 - 01)
            })
        );
    }
}
