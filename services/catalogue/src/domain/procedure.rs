//! Procedures (thủ tục hành chính) as the catalogue serves them: a published version as
//! stored, as answered (the published document — the file format's own entry — with the day
//! it took effect) and its time limit, a version just published, a search hit, and the
//! agencies a version names (the search filter).

use motcua_calendar::TimeLimit;
use motcua_catalogue_model::{ProcedureEntry, entry_with};
use motcua_problem::Problem;
use serde::Serialize;
use std::borrow::Cow;
use time::Date;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

/// One published version of a procedure, as stored.
#[derive(Debug, Clone)]
pub struct ProcedureVersion {
    /// National code, e.g. `1.001193`.
    pub code: String,
    /// Version number, from 1.
    pub version: i32,
    /// Name.
    pub name: String,
    /// Field (lĩnh vực).
    pub field: String,
    /// `province` or `commune`.
    pub level: String,
    /// Online service level.
    pub online_level: String,
    /// First day in force.
    pub effective_from: Date,
    /// The time limit as published.
    pub time_limit: serde_json::Value,
    /// The whole published version (catalogue file format).
    pub body: serde_json::Value,
}

impl ProcedureVersion {
    /// The time limit as the calendar understands it.
    pub fn limit(&self) -> Result<TimeLimit, Problem> {
        serde_json::from_value(self.time_limit.clone()).map_err(|e| {
            tracing::error!(code = %self.code, error = %e, "stored time limit unreadable");
            Problem::internal()
        })
    }

    /// The version as the REST API answers it: the published document with the day it took
    /// effect. A stored body that does not read back is a fault of ours, logged.
    pub fn published(&self) -> Result<ProcedureInForce, Problem> {
        serde_json::from_value::<ProcedureEntry>(self.body.clone())
            .map(ProcedureInForce::from)
            .map_err(|e| {
                tracing::error!(code = %self.code, version = self.version, error = %e, "stored procedure body unreadable");
                Problem::internal()
            })
    }
}

/// The version of a procedure in force on the date asked, with the day it took effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcedureInForce {
    /// The version as published.
    #[serde(flatten)]
    pub procedure: ProcedureEntry,
    /// First day this version is in force (YYYY-MM-DD).
    pub effective_from: String,
}

impl PartialSchema for ProcedureInForce {
    /// The published version's members and `effective_from`, as one closed object.
    fn schema() -> RefOr<Schema> {
        let effective_from = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
            .description(Some("First day this version is in force (YYYY-MM-DD)."))
            .examples(["2025-07-01"]);
        let own = ObjectBuilder::new()
            .description(Some(
                "The version of a procedure in force on the date asked, with the day it took \
                 effect.",
            ))
            .property("effective_from", effective_from)
            .required("effective_from")
            .build();
        entry_with::<ProcedureEntry>(own)
    }
}

impl ToSchema for ProcedureInForce {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ProcedureInForce")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        ProcedureEntry::schemas(schemas);
    }
}

impl From<ProcedureEntry> for ProcedureInForce {
    fn from(p: ProcedureEntry) -> Self {
        let effective_from = p.effective_from().to_string();
        Self {
            procedure: p,
            effective_from,
        }
    }
}

/// A version just published (công bố).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"code": "1.001193", "version": 2, "effective_from": "2026-12-01"}))]
pub struct PublishedVersion {
    /// Procedure code (mã TTHC).
    pub code: String,
    /// The version number it was given.
    pub version: u32,
    /// First day it is in force (YYYY-MM-DD).
    #[schema(format = Date)]
    pub effective_from: String,
}

impl From<&ProcedureEntry> for PublishedVersion {
    fn from(p: &ProcedureEntry) -> Self {
        Self {
            code: p.code.clone(),
            version: p.version,
            effective_from: p.effective_from().to_string(),
        }
    }
}

/// A search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureSummary {
    /// National code (mã TTHC), e.g. `1.001193`.
    pub code: String,
    /// Name as published.
    pub name: String,
    /// Field (lĩnh vực).
    pub field: String,
    /// `province` or `commune` (cấp).
    pub level: String,
    /// Online level: `full` (toàn trình) or `partial` (một phần).
    pub online_level: String,
    /// The version in force today.
    pub version: i32,
}

/// The agencies a version names (implementing, deciding, coordinating, step owners), sorted
/// and once each: what the `agency` search filter matches.
pub fn agencies_named(p: &ProcedureEntry) -> Vec<String> {
    let mut agencies: Vec<String> = p
        .implementing_agency
        .iter()
        .chain(p.deciding_agency.iter())
        .chain(p.coordinating_agencies.iter())
        .chain(p.steps.iter().map(|s| &s.agency))
        .cloned()
        .collect();
    agencies.sort();
    agencies.dedup();
    agencies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_the_stored_document_with_its_effective_day() {
        let entry = r#"{"code": "1.001193", "version": 2, "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
            "level": "commune", "online_level": "full", "time_limit": {"working_days": 3},
            "decision": {"number": "1/QĐ-UBND", "date": "2026-11-20", "effective_from": "2026-12-01"}}"#;
        let body: serde_json::Value = serde_json::from_str(entry).unwrap();
        let v = ProcedureVersion {
            code: "1.001193".into(),
            version: 2,
            name: "Thủ tục đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            level: "commune".into(),
            online_level: "full".into(),
            effective_from: time::macros::date!(2026 - 12 - 01),
            time_limit: serde_json::json!({"working_days": 3}),
            body,
        };
        let doc = serde_json::to_value(v.published().unwrap()).unwrap();
        assert_eq!(doc["version"], 2);
        assert_eq!(doc["effective_from"], "2026-12-01");
        assert_eq!(
            doc["time_limit"],
            serde_json::json!({"working_days": 3.0, "same_day": false})
        );
        assert_eq!(doc["supplement_clock_policy"], "restart");
        let broken = ProcedureVersion {
            body: serde_json::json!({"code": "1.001193"}),
            ..v
        };
        assert_eq!(broken.published().unwrap_err().code, "internal_error");
    }

    #[test]
    fn a_publication_answers_code_version_and_effective_day() {
        let entry: ProcedureEntry = serde_json::from_str(
            r#"{"code": "DEMO.FULL.1", "version": 3, "name": "Thủ tục", "field": "Đất đai",
            "level": "province", "online_level": "partial", "time_limit": {"working_hours": 12},
            "decision": {"number": "7/QĐ-UBND", "date": "2026-01-02", "effective_from": "2026-02-01"}}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(PublishedVersion::from(&entry)).unwrap(),
            serde_json::json!({"code": "DEMO.FULL.1", "version": 3, "effective_from": "2026-02-01"})
        );
    }
}
