//! Procedures (thủ tục hành chính) as the catalogue serves them: a published version as
//! stored, its public JSON projection and its time limit, a search hit, and the agencies a
//! version names (the search filter).

use motcua_calendar::TimeLimit;
use motcua_catalogue_model::ProcedureEntry;
use motcua_problem::Problem;
use serde::Serialize;
use time::Date;
use utoipa::ToSchema;

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

    /// The public JSON: the published document plus version metadata.
    pub fn to_json(&self) -> serde_json::Value {
        let mut doc = self.body.clone();
        if let Some(o) = doc.as_object_mut() {
            o.insert("version".into(), self.version.into());
            o.insert(
                "effective_from".into(),
                self.effective_from.to_string().into(),
            );
            o.insert("time_limit".into(), self.time_limit.clone());
        }
        doc
    }
}

/// A search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureSummary {
    /// National code, e.g. `1.001193`.
    pub code: String,
    pub name: String,
    pub field: String,
    /// `province` or `commune`.
    pub level: String,
    pub online_level: String,
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
    fn the_public_json_carries_the_version_metadata() {
        let v = ProcedureVersion {
            code: "1.001193".into(),
            version: 2,
            name: "Thủ tục đăng ký khai sinh".into(),
            field: "Hộ tịch".into(),
            level: "commune".into(),
            online_level: "full".into(),
            effective_from: time::macros::date!(2026 - 12 - 01),
            time_limit: serde_json::json!({"working_days": 3}),
            body: serde_json::json!({"code": "1.001193", "version": 1}),
        };
        let doc = v.to_json();
        assert_eq!(doc["version"], 2);
        assert_eq!(doc["effective_from"], "2026-12-01");
        assert_eq!(doc["time_limit"]["working_days"], 3);
    }
}
