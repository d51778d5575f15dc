//! Listings (danh mục TTHC niêm yết): what a one-stop unit may list — only versions that
//! exist, each procedure once — and which units' listings are stale today, showing a
//! superseded version or missing a procedure in force for the unit's level (the rule itself
//! is `motcua_catalogue_model::stale_listings`).

use motcua_catalogue_model::{
    self as model, AgencyEntry, AgencyKind, ListingEntry, ProcedureEntry, stale_listings,
};
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

/// One listed procedure version (thủ tục niêm yết).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ListedVersion {
    /// Procedure code (mã TTHC).
    #[schema(min_length = 1, example = "1.001193")]
    code: String,
    /// The published version shown.
    #[schema(minimum = 1)]
    version: u32,
}

impl ListedVersion {
    /// The pairs `listed` as listed versions, in order.
    pub fn all(listed: &[(String, u32)]) -> Vec<Self> {
        listed
            .iter()
            .map(|(code, version)| Self {
                code: code.clone(),
                version: *version,
            })
            .collect()
    }
}

/// A unit's whole listing: every version it shows, each procedure once, each version published.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"procedures": [{"code": "1.001193", "version": 1}, {"code": "1.011537", "version": 1}]}))]
pub struct ListingBody {
    /// The versions shown (an empty list clears the listing).
    procedures: Vec<ListedVersion>,
}

/// Why a listed procedure is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StaleReason {
    /// The unit shows a version other than the one in force.
    Superseded {
        /// Version shown.
        listed_version: u32,
        /// Version in force.
        current_version: u32,
    },
    /// A procedure in force for the unit's level is not shown at all.
    Missing {
        /// Version in force.
        current_version: u32,
    },
    /// The unit shows a procedure that has no version in force.
    NotInForce {
        /// Version shown.
        listed_version: u32,
    },
}

impl StaleReason {
    /// The `kind` it is written with.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Superseded { .. } => "superseded",
            Self::Missing { .. } => "missing",
            Self::NotInForce { .. } => "not_in_force",
        }
    }
}

impl From<model::StaleReason> for StaleReason {
    fn from(r: model::StaleReason) -> Self {
        match r {
            model::StaleReason::Superseded {
                listed_version,
                current_version,
            } => Self::Superseded {
                listed_version,
                current_version,
            },
            model::StaleReason::Missing { current_version } => Self::Missing { current_version },
            model::StaleReason::NotInForce { listed_version } => {
                Self::NotInForce { listed_version }
            }
        }
    }
}

/// One procedure whose listing at a unit does not match the catalogue in force (danh mục niêm
/// yết chưa cập nhật).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StaleListing {
    /// The procedure code concerned.
    pub procedure_code: String,
    /// What is wrong.
    pub reason: StaleReason,
}

impl From<model::StaleEntry> for StaleListing {
    fn from(e: model::StaleEntry) -> Self {
        let model::StaleEntry {
            procedure_code,
            reason,
        } = e;
        Self {
            procedure_code,
            reason: reason.into(),
        }
    }
}

/// What `unit` lists (`listed`) that is stale on `at` among `versions`, by procedure code.
pub fn stale_of(
    unit: &AgencyEntry,
    listed: &[(String, u32)],
    versions: &[ProcedureEntry],
    at: Date,
) -> Vec<StaleListing> {
    stale_listings(unit, listed, versions, at)
        .into_iter()
        .map(StaleListing::from)
        .collect()
}

/// A one-stop unit's listing (what its counter displays), with what is stale today.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"one_stop": "000.25.80.H80", "items": [{"code": "1.001193", "version": 1}],
    "stale": [{"procedure_code": "1.011537", "reason": {"kind": "missing", "current_version": 1}}]}))]
pub struct UnitListing {
    /// The one-stop unit's code.
    pub one_stop: String,
    /// The versions it lists, by procedure code.
    pub items: Vec<ListedVersion>,
    /// What is stale today, by procedure code.
    pub stale: Vec<StaleListing>,
}

/// A unit's listing after it was replaced.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"one_stop": "000.25.80.H80", "changed": true, "stale": []}))]
pub struct ListingReplaced {
    /// The one-stop unit's code.
    pub one_stop: String,
    /// False when the listing was already exactly that (nothing written or audited).
    pub changed: bool,
    /// What is stale today in the new listing, by procedure code.
    pub stale: Vec<StaleListing>,
}

/// A one-stop unit whose listing is stale, with what is wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaleUnit {
    /// The one-stop unit's code.
    pub one_stop: String,
    /// Its name.
    pub name: String,
    /// What is stale, by procedure code.
    pub stale: Vec<StaleListing>,
}

/// The unit `code` among `agencies`; `404` when there is none.
pub fn unit<'a>(agencies: &'a [AgencyEntry], code: &str) -> Result<&'a AgencyEntry, Problem> {
    agencies
        .iter()
        .find(|a| a.code == code)
        .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_FOUND, format!("no agency {code}")))
}

/// The one-stop unit `code` among `agencies`, the only kind that lists procedures.
pub fn one_stop<'a>(agencies: &'a [AgencyEntry], code: &str) -> Result<&'a AgencyEntry, Problem> {
    let unit = unit(agencies, code)?;
    if unit.kind != AgencyKind::OneStop {
        return Err(Problem::new(
            &codes::NOT_A_ONE_STOP,
            format!("{code} is not a one-stop unit"),
        ));
    }
    Ok(unit)
}

/// The listing `body` as (code, version) pairs, when every version exists among `versions`
/// and each procedure is listed once; otherwise every error.
pub fn check(
    body: &ListingBody,
    versions: &[ProcedureEntry],
) -> Result<Vec<(String, u32)>, Problem> {
    let mut errors = Vec::new();
    for (i, p) in body.procedures.iter().enumerate() {
        if !versions
            .iter()
            .any(|v| v.code == p.code && v.version == p.version)
        {
            errors.push(
                FieldError::new(
                    format!("procedures[{i}]"),
                    &codes::UNKNOWN_PROCEDURE,
                    format!("no version {} of {}", p.version, p.code),
                )
                .with("procedure_code", p.code.as_str()),
            );
        }
        if body.procedures[..i].iter().any(|o| o.code == p.code) {
            errors.push(FieldError::new(
                format!("procedures[{i}].code"),
                &codes::DUPLICATE_PROCEDURE,
                format!("{} listed twice", p.code),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(
            Problem::new(&codes::LISTING_INVALID, "the listing has errors").with_errors(errors),
        );
    }
    Ok(body
        .procedures
        .iter()
        .map(|p| (p.code.clone(), p.version))
        .collect())
}

/// Every one-stop unit valid on `at` whose listing is stale then, with what is wrong, in the
/// order of `agencies`.
pub fn stale_units(
    agencies: &[AgencyEntry],
    listings: &[ListingEntry],
    versions: &[ProcedureEntry],
    at: Date,
) -> Vec<StaleUnit> {
    agencies
        .iter()
        .filter(|a| a.kind == AgencyKind::OneStop && a.is_valid_on(at))
        .filter_map(|unit| {
            let listed = listings
                .iter()
                .find(|l| l.one_stop == unit.code)
                .map(ListingEntry::listed)
                .unwrap_or_default();
            let stale = stale_of(unit, &listed, versions, at);
            (!stale.is_empty()).then(|| StaleUnit {
                one_stop: unit.code.clone(),
                name: unit.name.clone(),
                stale,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_reasons_are_written_as_the_catalogue_model_writes_them() {
        let reasons = [
            model::StaleReason::Superseded {
                listed_version: 1,
                current_version: 2,
            },
            model::StaleReason::Missing { current_version: 1 },
            model::StaleReason::NotInForce { listed_version: 3 },
        ];
        for reason in reasons {
            let entry = model::StaleEntry {
                procedure_code: "1.001193".into(),
                reason,
            };
            let as_model = serde_json::to_value(&entry).unwrap();
            let answered = StaleListing::from(entry);
            assert_eq!(as_model["reason"]["kind"], answered.reason.kind());
            assert_eq!(serde_json::to_value(answered).unwrap(), as_model);
        }
    }
}
