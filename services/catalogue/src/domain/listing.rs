//! Listings (danh mục TTHC niêm yết): what a one-stop unit may list — only versions that
//! exist, each procedure once — and which units' listings are stale today, showing a
//! superseded version or missing a procedure in force for the unit's level (the rule itself
//! is `motcua_catalogue_model::stale_listings`).

use motcua_catalogue_model::{
    AgencyEntry, AgencyKind, ListingEntry, ProcedureEntry, stale_listings,
};
use motcua_problem::{FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::Date;
use utoipa::ToSchema;

/// One listed version.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ListedVersion {
    code: String,
    version: u32,
}

/// A unit's whole listing.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"procedures": [{"code": "1.001193", "version": 1}, {"code": "1.011537", "version": 1}]}))]
pub struct ListingBody {
    procedures: Vec<ListedVersion>,
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

/// Every one-stop unit valid on `at` whose listing is stale then, with what is wrong:
/// `{one_stop, name, stale}` each, in the order of `agencies`.
pub fn stale_units(
    agencies: &[AgencyEntry],
    listings: &[ListingEntry],
    versions: &[ProcedureEntry],
    at: Date,
) -> Vec<Value> {
    agencies
        .iter()
        .filter(|a| a.kind == AgencyKind::OneStop && a.is_valid_on(at))
        .filter_map(|unit| {
            let listed = listings
                .iter()
                .find(|l| l.one_stop == unit.code)
                .map(ListingEntry::listed)
                .unwrap_or_default();
            let stale = stale_listings(unit, &listed, versions, at);
            (!stale.is_empty())
                .then(|| json!({ "one_stop": unit.code, "name": unit.name, "stale": stale }))
        })
        .collect()
}
