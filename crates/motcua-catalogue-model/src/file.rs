//! The catalogue file format (tệp danh mục TTHC): agencies, procedure
//! versions and one-stop listings, as exchanged with the catalogue service and
//! as in `catalogue-sample.json`.
//!
//! Every field beyond the sample's is optional, so the sample parses
//! unchanged. Unknown fields are ignored at the top level (the `description`
//! is kept) but refused inside entries, so that an import never silently drops
//! data it does not understand.
//!
//! The entries are also what the catalogue's REST API answers and takes, so they derive
//! `utoipa::ToSchema`, each under the name the API publishes it by (`#[schema(as = ...)]`).
//! The procedure entry and its parts are in the submodule `procedure`.

mod procedure;

pub use procedure::{
    ApplicantType, CaseEntry, ComponentEntry, DECREE_118_START, Decision, Fee, Method, MethodEntry,
    OnlineLevel, ProcedureEntry, ResolvedMethod, StepEntry,
};

use motcua_calendar::Session;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::Date;
use utoipa::ToSchema;

use crate::error::{EntryError, codes};
use crate::serde_util::opt_date;
use crate::shape;

/// A whole catalogue file (tệp danh mục): what an administrator imports and
/// exports in one go.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogueFile {
    /// Free text about the file's origin, kept so that an export says the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Agencies and one-stop units (cơ quan, Bộ phận Một cửa / TTPVHCC).
    #[serde(default)]
    pub agencies: Vec<AgencyEntry>,
    /// Procedure versions (thủ tục hành chính), several versions of a code allowed.
    #[serde(default)]
    pub procedures: Vec<ProcedureEntry>,
    /// Procedures published at each one-stop unit (danh mục TTHC niêm yết).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listings: Vec<ListingEntry>,
}

/// What an agency is in the flow of a dossier (loại cơ quan); only one-stop
/// units may create dossiers, sector systems act over the API.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// Bộ phận Một cửa / Trung tâm Phục vụ hành chính công: receives and returns dossiers.
    OneStop,
    /// A state agency (cơ quan chuyên môn) that processes steps.
    Agency,
    /// A sector's own information system (hệ thống chuyên ngành) plugged in over the API.
    SectorSystem,
}

/// Administrative level (cấp): since 1 July 2025 there is no district level.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = AdministrativeLevel)]
pub enum Level {
    /// Cấp tỉnh.
    Province,
    /// Cấp xã (commune or ward).
    Commune,
}

impl AgencyKind {
    /// The name used in the file format, for messages and storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            AgencyKind::OneStop => "one_stop",
            AgencyKind::Agency => "agency",
            AgencyKind::SectorSystem => "sector_system",
        }
    }
}

impl Level {
    /// The name used in the file format, for messages and storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Commune => "commune",
        }
    }
}

/// An agency or one-stop unit (cơ quan / đơn vị, bộ phận một cửa), with its
/// validity period and successor after a reorganisation (sắp xếp đơn vị hành
/// chính).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PublishedAgency, example = json!({"code": "000.25.80.H80",
    "name": "Trung tâm Phục vụ hành chính công phường Long An",
    "kind": "one_stop", "level": "commune", "unit_code": "80"}))]
pub struct AgencyEntry {
    /// Agency code (mã cơ quan), e.g. `000.00.01.H80`; never reused.
    pub code: String,
    /// Official name (tên cơ quan).
    pub name: String,
    /// One-stop unit, agency or sector system.
    pub kind: AgencyKind,
    /// Province or commune level (cấp).
    pub level: Level,
    /// Sector (lĩnh vực quản lý), e.g. `justice`, `land`, `tax`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// Administrative-unit code (mã đơn vị hành chính): 2 digits province, 5 commune.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<String>,
    /// Code of the agency this one belongs to (cơ quan cấp trên).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_code: Option<String>,
    /// First day the agency exists, inclusive (YYYY-MM-DD); unbounded when absent.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    #[schema(example = "2025-07-01")]
    pub valid_from: Option<Date>,
    /// Last day the agency exists, inclusive (YYYY-MM-DD); unbounded when absent.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    #[schema(example = "2025-06-30")]
    pub valid_until: Option<Date>,
    /// Agency that takes over its dossiers after `valid_until` (cơ quan kế thừa).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_code: Option<String>,
    /// The agency's own working sessions (buổi làm việc) when they differ from
    /// the province's: `[start, end]` pairs of local `HH:MM`, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::schema::sessions_schema)]
    pub working_sessions: Option<Vec<Session>>,
    /// The agency's code in the Circular 04/2025 scheme (`MX1X2.Y1Y2Y3.Z1Z2`), used in dossier
    /// codes from 25/01/2026 where that format is in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_04_2025: Option<String>,
}

impl AgencyEntry {
    /// Whether the agency exists on `at` (both ends of the period inclusive).
    pub fn is_valid_on(&self, at: Date) -> bool {
        self.valid_from.is_none_or(|from| from <= at)
            && self.valid_until.is_none_or(|until| at <= until)
    }
}

/// The procedures published at one one-stop unit (danh mục niêm yết).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingEntry {
    /// Code of the one-stop unit.
    pub one_stop: String,
    /// The (code, version) pairs it shows.
    pub procedures: Vec<ListedProcedure>,
}

impl ListingEntry {
    /// The listing as (code, version) pairs, the input of [`crate::stale_listings`].
    pub fn listed(&self) -> Vec<(String, u32)> {
        self.procedures
            .iter()
            .map(|p| (p.code.clone(), p.version))
            .collect()
    }
}

/// One procedure version shown at a one-stop unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedProcedure {
    /// Procedure code.
    pub code: String,
    /// Version shown.
    pub version: u32,
}

impl CatalogueFile {
    /// Reads a catalogue file, reporting every malformed entry (not just the
    /// first) with the entry and JSON path at fault. A JSON syntax error is
    /// reported alone, with its line and column. The result is not yet
    /// validated: see [`crate::validate`] or [`CatalogueFile::import`].
    pub fn parse(text: &str) -> Result<Self, Vec<EntryError>> {
        let root: Value = serde_json::from_str(text).map_err(|e| {
            vec![EntryError::new(
                "file",
                "",
                codes::INVALID_JSON,
                format!("not valid JSON: {e}"),
            )]
        })?;
        let Value::Object(map) = &root else {
            return Err(vec![EntryError::new(
                "file",
                "",
                codes::INVALID_SHAPE,
                "a catalogue file must be a JSON object with `agencies`, `procedures` and optionally `listings`",
            )]);
        };
        let mut errors = Vec::new();
        let description = match map.get("description") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                errors.push(EntryError::new(
                    "description",
                    "description",
                    codes::INVALID_SHAPE,
                    "expected a string",
                ));
                None
            }
        };
        let agencies = section(map, "agencies", "code", shape::AGENCY, &mut errors);
        let procedures = section(map, "procedures", "code", shape::PROCEDURE, &mut errors);
        let listings = section(map, "listings", "one_stop", shape::LISTING, &mut errors);
        if errors.is_empty() {
            Ok(Self {
                description,
                agencies,
                procedures,
                listings,
            })
        } else {
            Err(errors)
        }
    }

    /// Parses and validates in one go: what an import runs before writing
    /// anything. Returns the format errors if the text does not parse,
    /// otherwise every validation error.
    pub fn import(text: &str) -> Result<Self, Vec<EntryError>> {
        let file = Self::parse(text)?;
        let errors = crate::validate(&file);
        if errors.is_empty() {
            Ok(file)
        } else {
            Err(errors)
        }
    }

    /// The file as pretty-printed JSON, for export; `parse` reads it back
    /// equal. Fails only if a value cannot be written as JSON.
    pub fn to_json_pretty(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

/// Reads the array `key` of the root object entry by entry, so that one bad
/// entry does not hide the others.
fn section<T: DeserializeOwned>(
    root: &Map<String, Value>,
    key: &str,
    label_key: &str,
    fields: &[shape::FieldSpec],
    errors: &mut Vec<EntryError>,
) -> Vec<T> {
    let items = match root.get(key) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(EntryError::new(
                key,
                key,
                codes::INVALID_SHAPE,
                "expected an array",
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("{key}[{i}]");
        match T::deserialize(item) {
            Ok(entry) => out.push(entry),
            Err(e) => {
                let entry = match item.get(label_key).and_then(Value::as_str) {
                    Some(code) if !code.is_empty() => format!("{path} ({code})"),
                    _ => path.clone(),
                };
                let (field, code, message) = shape::locate(item, fields, &path)
                    .unwrap_or_else(|| (path.clone(), codes::INVALID_VALUE, e.to_string()));
                errors.push(EntryError::new(entry, field, code, message));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "file_tests.rs"]
pub(crate) mod tests;
