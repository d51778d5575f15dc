//! An agency as the catalogue publishes it over REST (cơ quan, bộ phận một cửa): the catalogue
//! file's agency entry (`motcua_catalogue_model::AgencyEntry`) in the same JSON, as a type the
//! OpenAPI document describes. Built from the entry by naming every field, so a field added to
//! the file format does not compile here until it is published too.

use motcua_calendar::{Session, format_date};
use motcua_catalogue_model as model;
use serde::Serialize;
use utoipa::ToSchema;

/// What an agency is in the flow of a dossier (loại cơ quan); only one-stop units receive
/// dossiers, sector systems act over the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// Bộ phận Một cửa / Trung tâm Phục vụ hành chính công: receives and returns dossiers.
    OneStop,
    /// A state agency (cơ quan chuyên môn) that processes steps.
    Agency,
    /// A sector's own information system (hệ thống chuyên ngành).
    SectorSystem,
}

impl From<model::AgencyKind> for AgencyKind {
    fn from(k: model::AgencyKind) -> Self {
        match k {
            model::AgencyKind::OneStop => Self::OneStop,
            model::AgencyKind::Agency => Self::Agency,
            model::AgencyKind::SectorSystem => Self::SectorSystem,
        }
    }
}

/// Administrative level (cấp): since 1 July 2025 there is no district level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdministrativeLevel {
    /// Cấp tỉnh.
    Province,
    /// Cấp xã (commune or ward).
    Commune,
}

impl From<model::Level> for AdministrativeLevel {
    fn from(l: model::Level) -> Self {
        match l {
            model::Level::Province => Self::Province,
            model::Level::Commune => Self::Commune,
        }
    }
}

/// An agency or one-stop unit as published (cơ quan, bộ phận một cửa), with its validity and
/// successor.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"code": "000.25.80.H80", "name": "Trung tâm Phục vụ hành chính công phường Long An",
    "kind": "one_stop", "level": "commune", "unit_code": "80"}))]
pub struct PublishedAgency {
    /// Agency code (mã cơ quan), e.g. `000.25.80.H80`; never reused.
    pub code: String,
    /// Official name (tên cơ quan).
    pub name: String,
    /// One-stop unit, agency or sector system.
    pub kind: AgencyKind,
    /// Province or commune level (cấp).
    pub level: AdministrativeLevel,
    /// Sector (lĩnh vực quản lý), e.g. `justice`, `land`, `tax`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// Administrative-unit code (mã đơn vị hành chính): 2 digits province, 5 commune.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
    /// Code of the agency this one belongs to (cơ quan cấp trên).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_code: Option<String>,
    /// First day the agency exists, inclusive (YYYY-MM-DD); unbounded when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date, example = "2025-07-01")]
    pub valid_from: Option<String>,
    /// Last day the agency exists, inclusive (YYYY-MM-DD); unbounded when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date, example = "2025-06-30")]
    pub valid_until: Option<String>,
    /// Agency that takes over its dossiers after `valid_until` (cơ quan kế thừa).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor_code: Option<String>,
    /// The agency's own working sessions (buổi làm việc) when they differ from the province's:
    /// `[start, end]` pairs of local `HH:MM`, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::sessions::sessions_schema)]
    pub working_sessions: Option<Vec<Session>>,
    /// The agency's code in the Circular 04/2025 scheme (`MX1X2.Y1Y2Y3.Z1Z2`), used in dossier
    /// codes from 25/01/2026 where that format is in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_04_2025: Option<String>,
}

impl From<model::AgencyEntry> for PublishedAgency {
    fn from(a: model::AgencyEntry) -> Self {
        let model::AgencyEntry {
            code,
            name,
            kind,
            level,
            sector,
            unit_code,
            parent_code,
            valid_from,
            valid_until,
            successor_code,
            working_sessions,
            code_04_2025,
        } = a;
        Self {
            code,
            name,
            kind: kind.into(),
            level: level.into(),
            sector,
            unit_code,
            parent_code,
            valid_from: valid_from.map(format_date),
            valid_until: valid_until.map(format_date),
            successor_code,
            working_sessions,
            code_04_2025,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field set, so that each one's JSON is compared.
    const FULL: &str = r#"{"code": "000.25.72.H72", "name": "Bộ phận Một cửa huyện cũ", "kind": "one_stop",
        "level": "commune", "sector": "justice", "unit_code": "72", "parent_code": "000.00.01.H80",
        "valid_from": "2020-01-01", "valid_until": "2025-06-30", "successor_code": "000.25.80.H80",
        "working_sessions": [["07:30", "11:30"], ["13:00", "16:30"]], "code_04_2025": "H72.025.01"}"#;

    #[test]
    fn an_agency_is_answered_in_the_catalogue_files_json() {
        let demo: model::CatalogueFile =
            serde_json::from_str(include_str!("../../../../data/catalogue-demo.json")).unwrap();
        let full: model::AgencyEntry = serde_json::from_str(FULL).unwrap();
        for a in demo.agencies.into_iter().chain([full]) {
            let as_filed = serde_json::to_value(&a).unwrap();
            let published = serde_json::to_value(PublishedAgency::from(a)).unwrap();
            assert_eq!(published, as_filed);
        }
    }

    #[test]
    fn kinds_and_levels_are_written_as_in_the_file() {
        for k in [
            model::AgencyKind::OneStop,
            model::AgencyKind::Agency,
            model::AgencyKind::SectorSystem,
        ] {
            assert_eq!(
                serde_json::to_value(AgencyKind::from(k)).unwrap(),
                serde_json::to_value(k).unwrap()
            );
        }
        for l in [model::Level::Province, model::Level::Commune] {
            assert_eq!(
                serde_json::to_value(AdministrativeLevel::from(l)).unwrap(),
                serde_json::to_value(l).unwrap()
            );
        }
    }
}
