//! Agencies on a date (cơ quan, kế thừa): the agency valid on the date for a code, following
//! successors of retired ones (Long An + Tây Ninh → Tây Ninh, 2025), so dossiers in flight
//! continue at the successor.

use motcua_catalogue_model::{AgencyEntry, SuccessionError, entry_with, resolve_agency};
use motcua_problem::{Problem, codes};
use serde::Serialize;
use std::borrow::Cow;
use time::Date;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::{PartialSchema, ToSchema};

/// An agency resolved on a date.
pub struct ResolvedAgency {
    /// The agency valid on the date (the successor when the asked one was retired).
    pub agency: AgencyEntry,
    /// The code that was asked for, when it was retired and resolved to a successor.
    pub resolved_from: Option<String>,
    /// Codes followed, from the asked one to the answer.
    pub chain: Vec<String>,
    /// With `resolved_from`: the first day the successor took over (YYYY-MM-DD).
    pub succeeded_on: Option<String>,
}

/// An agency on a date as the REST API answers it: the agency valid then (cơ quan có hiệu lực),
/// and how it was reached from the code asked for (kế thừa).
#[derive(Serialize)]
pub struct AgencyOnDate {
    /// The agency valid on the date (the successor when the asked one was retired).
    #[serde(flatten)]
    pub agency: AgencyEntry,
    /// The code that was asked for, when it was retired and resolved to a successor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_from: Option<String>,
    /// Codes followed, from the asked one to the answer.
    pub chain: Vec<String>,
    /// With `resolved_from`: the first day the successor took over, the day after the asked
    /// agency's last valid day (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succeeded_on: Option<String>,
}

impl PartialSchema for AgencyOnDate {
    /// The agency's members and how it was reached, as one closed object.
    fn schema() -> RefOr<Schema> {
        let optional_text =
            || ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]));
        let own = ObjectBuilder::new()
            .description(Some(
                "An agency on a date as the REST API answers it: the agency valid then (cơ quan có \
                 hiệu lực), and how it was reached from the code asked for (kế thừa).",
            ))
            .property(
                "resolved_from",
                optional_text().description(Some(
                    "The code that was asked for, when it was retired and resolved to a successor.",
                )),
            )
            .property(
                "chain",
                ArrayBuilder::new()
                    .items(Object::with_type(Type::String))
                    .description(Some("Codes followed, from the asked one to the answer.")),
            )
            .required("chain")
            .property(
                "succeeded_on",
                optional_text()
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                    .description(Some(
                        "With `resolved_from`: the first day the successor took over, the day after \
                         the asked agency's last valid day (YYYY-MM-DD).",
                    )),
            )
            .build();
        entry_with::<AgencyEntry>(own)
    }
}

impl ToSchema for AgencyOnDate {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AgencyOnDate")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        AgencyEntry::schemas(schemas);
    }
}

impl From<ResolvedAgency> for AgencyOnDate {
    fn from(r: ResolvedAgency) -> Self {
        Self {
            agency: r.agency,
            resolved_from: r.resolved_from,
            chain: r.chain,
            succeeded_on: r.succeeded_on,
        }
    }
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
