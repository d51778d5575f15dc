//! The catalogue file format (tệp danh mục TTHC): agencies, procedure
//! versions and one-stop listings, as exchanged with the catalogue service and
//! as in `catalogue-sample.json`.
//!
//! Every field beyond the sample's is optional, so the sample parses
//! unchanged. Unknown fields are ignored at the top level (the `description`
//! is kept) but refused inside entries, so that an import never silently drops
//! data it does not understand.

use motcua_calendar::{Session, SupplementClockPolicy, TimeLimit};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::{Date, Time};

use crate::error::{EntryError, codes};
use crate::serde_util::{date, opt_date, opt_hhmm, opt_number};
use crate::shape;

/// First day of the Decree 118/2025/NĐ-CP regime (1 July 2025): the effective
/// date of a procedure version whose publication decision is not given.
pub const DECREE_118_START: Date = time::macros::date!(2025 - 07 - 01);

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

/// What an agency is in the flow of a dossier; only one-stop units may create
/// dossiers, sector systems act over the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Cấp tỉnh.
    Province,
    /// Cấp xã (commune or ward).
    Commune,
}

/// How far a procedure can be done online (mức độ dịch vụ công trực tuyến).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình: the whole procedure online.
    Full,
    /// Một phần: part of it online.
    Partial,
}

/// Who may apply (đối tượng thực hiện).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    /// Cá nhân (portal code 1).
    Citizen,
    /// Tổ chức (portal code 2).
    Organisation,
}

/// Channel through which a dossier is submitted (cách thức thực hiện).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Trực tiếp: at the one-stop counter.
    Counter,
    /// Trực tuyến: through the national or provincial portal.
    Online,
    /// Qua dịch vụ bưu chính công ích: by post.
    Postal,
}

impl Method {
    /// All methods, in the order used when a procedure does not list its own.
    pub const ALL: [Method; 3] = [Method::Counter, Method::Online, Method::Postal];

    /// The name used in the file format, for messages and storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Counter => "counter",
            Method::Online => "online",
            Method::Postal => "postal",
        }
    }
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

/// An agency or one-stop unit (cơ quan / đơn vị), with its validity period and
/// successor after a reorganisation (sắp xếp đơn vị hành chính).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyEntry {
    /// Agency code (mã cơ quan), e.g. `000.00.01.H80`; never reused.
    pub code: String,
    /// Official name.
    pub name: String,
    /// One-stop unit, agency or sector system.
    pub kind: AgencyKind,
    /// Province or commune level.
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
    /// First day the agency exists (inclusive); unbounded when absent.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Date>,
    /// Last day the agency exists (inclusive); unbounded when absent.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Date>,
    /// Agency that takes over its dossiers after `valid_until` (cơ quan kế thừa).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_code: Option<String>,
    /// The agency's own working sessions when they differ from the province's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

/// The publication decision of a procedure version (quyết định công bố),
/// which fixes when the version takes effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Decision number, e.g. `1234/QĐ-UBND`.
    pub number: String,
    /// Date the decision was signed.
    #[serde(with = "date")]
    pub date: Date,
    /// First day the version applies (inclusive).
    #[serde(with = "date")]
    pub effective_from: Date,
    /// Last day the version applies (inclusive); open-ended when absent.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<Date>,
}

/// One way of submitting a procedure, with its own time limit when it differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodEntry {
    /// Counter, online or postal.
    pub method: Method,
    /// Time limit for this channel; the procedure's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<TimeLimit>,
    /// Cut-off time of day for this channel, replacing the time limit's.
    #[serde(default, with = "opt_hhmm", skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<Time>,
}

/// A charge or fee (phí, lệ phí).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// What the fee is for.
    pub name: String,
    /// Amount in đồng (0 for exempt).
    pub amount_vnd: u64,
}

/// A dossier component (thành phần hồ sơ): what the applicant must hand in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentEntry {
    /// Code cited by intake and supplement requests, unique within its list.
    pub code: String,
    /// Name as published.
    pub name: String,
    /// Number of originals (bản chính).
    #[serde(default)]
    pub originals: u32,
    /// Number of copies (bản sao).
    #[serde(default)]
    pub copies: u32,
    /// Whether every dossier needs it (bắt buộc); otherwise see `condition`.
    pub required: bool,
    /// When a non-mandatory component is needed (trường hợp cần nộp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// File name or URL of the form (mẫu đơn, tờ khai).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_template: Option<String>,
    /// The state already holds it in a national database (dân cư, hộ tịch):
    /// it must not be demanded from the applicant (Resolution 66.7/2025).
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_national_database: bool,
}

/// A case of a procedure (trường hợp) with its own components and time limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseEntry {
    /// Code of the case, unique within the procedure.
    pub code: String,
    /// Name of the case as published.
    pub name: String,
    /// Components of this case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentEntry>,
    /// Time limit of this case; the method's or procedure's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<TimeLimit>,
}

/// One step of the internal process (quy trình nội bộ): who does what in how
/// much working time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepEntry {
    /// What is done.
    pub name: String,
    /// Code of the responsible agency.
    pub agency: String,
    /// Sector of the step, for routing to a sector system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// Role within the agency (e.g. `specialist`, `agency_head`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Budget in working hours (giờ làm việc); exactly one of hours / days.
    #[serde(default, with = "opt_number", skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<f64>,
    /// Budget in working days (ngày làm việc), halves allowed.
    #[serde(default, with = "opt_number", skip_serializing_if = "Option::is_none")]
    pub working_days: Option<f64>,
    /// Consecutive steps with the same group run in parallel (song song).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_group: Option<String>,
    /// The main clock stops during this step (e.g. the tax authority's
    /// financial-obligation step of the land flow).
    #[serde(default, skip_serializing_if = "is_false")]
    pub pauses_main_clock: bool,
}

/// One published version of a procedure (phiên bản TTHC).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcedureEntry {
    /// Procedure code (mã TTHC), national `1.001193` or local.
    pub code: String,
    /// Version number, from 1; (code, version) is unique.
    #[serde(default = "first_version")]
    pub version: u32,
    /// Name as published.
    pub name: String,
    /// Field (lĩnh vực).
    pub field: String,
    /// Level at which the procedure is handled.
    pub level: Level,
    /// Online level (toàn trình / một phần).
    pub online_level: OnlineLevel,
    /// Time limit (thời hạn giải quyết).
    pub time_limit: TimeLimit,
    /// Publication decision; absent means effective from [`DECREE_118_START`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Implementing agency (cơ quan thực hiện).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementing_agency: Option<String>,
    /// Deciding agency (cơ quan có thẩm quyền quyết định).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deciding_agency: Option<String>,
    /// Coordinating agencies (cơ quan phối hợp).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coordinating_agencies: Vec<String>,
    /// Who may apply (đối tượng thực hiện); any when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applicant_types: Vec<ApplicantType>,
    /// Submission methods; all three with the procedure's time limit when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<MethodEntry>>,
    /// Charges and fees (phí, lệ phí).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
    /// Dossier components (thành phần hồ sơ).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentEntry>,
    /// Cases (trường hợp) with their own components and time limits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<CaseEntry>,
    /// Result of the procedure (kết quả thực hiện).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Legal bases (căn cứ pháp lý).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<String>,
    /// What the clock does after a supplement (default: restart, Decree 297/2025).
    #[serde(default)]
    pub supplement_clock_policy: SupplementClockPolicy,
    /// Appointments of an inter-agency flow (hẹn trả), kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointments: Option<Value>,
    /// Internal process template (quy trình nội bộ).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepEntry>,
}

/// A method with the time limit that applies to it after defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResolvedMethod {
    /// The channel.
    pub method: Method,
    /// Its time limit, with the method's cut-off applied.
    pub time_limit: TimeLimit,
}

impl ProcedureEntry {
    /// First day this version applies: the decision's, or [`DECREE_118_START`].
    pub fn effective_from(&self) -> Date {
        self.decision
            .as_ref()
            .map_or(DECREE_118_START, |d| d.effective_from)
    }

    /// Last day this version applies, if it has one.
    pub fn effective_until(&self) -> Option<Date> {
        self.decision.as_ref().and_then(|d| d.effective_until)
    }

    /// Whether this version applies on `at` (both ends inclusive).
    pub fn is_in_force(&self, at: Date) -> bool {
        self.effective_from() <= at && self.effective_until().is_none_or(|until| at <= until)
    }

    /// The methods offered, with defaults filled in: when `methods` is absent,
    /// counter, online and postal with the procedure's time limit.
    pub fn resolved_methods(&self) -> Vec<ResolvedMethod> {
        match &self.methods {
            None => Method::ALL
                .iter()
                .map(|&method| ResolvedMethod {
                    method,
                    time_limit: self.time_limit,
                })
                .collect(),
            Some(list) => list
                .iter()
                .map(|m| ResolvedMethod {
                    method: m.method,
                    time_limit: apply_cutoff(m.time_limit.unwrap_or(self.time_limit), m.cutoff),
                })
                .collect(),
        }
    }

    /// The time limit of a dossier submitted by `method` in case `case` (or no
    /// case): the case's limit, else the method's, else the procedure's; the
    /// method's own cut-off, if any, replaces the limit's. `None` when the
    /// method is not offered or the case does not exist.
    pub fn time_limit_for(&self, method: Method, case: Option<&str>) -> Option<TimeLimit> {
        let (method_limit, method_cutoff) = match &self.methods {
            None => (None, None),
            Some(list) => {
                let m = list.iter().find(|m| m.method == method)?;
                (m.time_limit, m.cutoff)
            }
        };
        let case_limit = match case {
            None => None,
            Some(code) => self.cases.iter().find(|c| c.code == code)?.time_limit,
        };
        let base = case_limit.or(method_limit).unwrap_or(self.time_limit);
        Some(apply_cutoff(base, method_cutoff))
    }

    /// The components a dossier of `case` must be checked against: the case's
    /// own list when it has one, otherwise the procedure's.
    pub fn components_for(&self, case: Option<&str>) -> Option<&[ComponentEntry]> {
        match case {
            None => Some(&self.components),
            Some(code) => {
                let c = self.cases.iter().find(|c| c.code == code)?;
                Some(if c.components.is_empty() {
                    &self.components
                } else {
                    &c.components
                })
            }
        }
    }
}

fn apply_cutoff(mut limit: TimeLimit, cutoff: Option<Time>) -> TimeLimit {
    if cutoff.is_some() {
        limit.cutoff = cutoff;
    }
    limit
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

fn first_version() -> u32 {
    1
}

fn is_false(b: &bool) -> bool {
    !*b
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
pub(crate) mod tests {
    use super::*;
    use motcua_calendar::WorkingDuration;
    use time::macros::{date, time};

    pub(crate) const SAMPLE: &str = include_str!("../../../data/catalogue-demo.json");

    fn parse_err(text: &str) -> Vec<EntryError> {
        match CatalogueFile::parse(text) {
            Ok(f) => panic!("expected errors, parsed {f:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn sample_parses_with_defaults() {
        let f = CatalogueFile::parse(SAMPLE).expect("sample parses");
        assert!(
            f.description
                .as_deref()
                .unwrap_or("")
                .starts_with("Illustrative")
        );
        assert_eq!(f.agencies.len(), 8);
        assert_eq!(f.procedures.len(), 4);
        assert!(f.listings.is_empty());
        let birth = &f.procedures[0];
        assert_eq!(birth.code, "1.001193");
        assert_eq!(birth.version, 1);
        assert_eq!(birth.effective_from(), DECREE_118_START);
        assert!(birth.time_limit.same_day);
        assert_eq!(
            birth.supplement_clock_policy,
            SupplementClockPolicy::Restart
        );
        assert_eq!(birth.steps[0].working_hours, Some(1.0));
        let land = &f.procedures[3];
        assert!(land.appointments.as_ref().is_some_and(Value::is_array));
        assert_eq!(land.steps[2].working_days, Some(12.5));
        assert!(land.steps[3].pauses_main_clock);
        assert_eq!(f.agencies[1].unit_code.as_deref(), Some("80"));
        assert_eq!(f.agencies[0].kind, AgencyKind::OneStop);
    }

    #[test]
    fn export_round_trips() {
        let f = CatalogueFile::parse(SAMPLE).unwrap();
        let text = f.to_json_pretty().unwrap();
        assert_eq!(CatalogueFile::parse(&text).unwrap(), f);
        // Whole numbers stay whole, halves stay halves.
        assert!(text.contains("\"working_hours\": 6"));
        assert!(!text.contains("\"working_hours\": 6.0"));
        assert!(text.contains("\"working_days\": 12.5"));
        // The fully populated entry of the shape tests round-trips too.
        let full = full_file();
        let text = full.to_json_pretty().unwrap();
        assert_eq!(CatalogueFile::parse(&text).unwrap(), full);
    }

    /// A file that uses every field of the format.
    pub(crate) fn full_file() -> CatalogueFile {
        let component = ComponentEntry {
            code: "C1".into(),
            name: "Tờ khai".into(),
            originals: 1,
            copies: 2,
            required: false,
            condition: Some("nếu có".into()),
            form_template: Some("mau-01.docx".into()),
            from_national_database: true,
        };
        CatalogueFile {
            description: Some("full".into()),
            agencies: vec![
                AgencyEntry {
                    code: "OLD.H80".into(),
                    name: "Cũ".into(),
                    kind: AgencyKind::OneStop,
                    level: Level::Commune,
                    sector: Some("justice".into()),
                    unit_code: Some("27001".into()),
                    parent_code: Some("NEW.H80".into()),
                    valid_from: Some(date!(2020 - 01 - 01)),
                    valid_until: Some(date!(2025 - 06 - 30)),
                    successor_code: Some("NEW.H80".into()),
                    working_sessions: Some(vec![
                        Session::parse("07:30", "11:30").unwrap(),
                        Session::parse("13:00", "16:30").unwrap(),
                    ]),
                    code_04_2025: Some("H80.025.01".into()),
                },
                AgencyEntry {
                    code: "NEW.H80".into(),
                    name: "Mới".into(),
                    kind: AgencyKind::SectorSystem,
                    level: Level::Province,
                    sector: None,
                    unit_code: None,
                    parent_code: None,
                    valid_from: Some(date!(2025 - 07 - 01)),
                    valid_until: None,
                    successor_code: None,
                    working_sessions: None,
                    code_04_2025: None,
                },
            ],
            procedures: vec![ProcedureEntry {
                code: "1.000001.H38".into(),
                version: 2,
                name: "Thủ tục".into(),
                field: "Lĩnh vực".into(),
                level: Level::Province,
                online_level: OnlineLevel::Partial,
                time_limit: TimeLimit::new(WorkingDuration::whole_days(5)),
                decision: Some(Decision {
                    number: "1/QĐ-UBND".into(),
                    date: date!(2025 - 06 - 20),
                    effective_from: date!(2025 - 07 - 01),
                    effective_until: Some(date!(2026 - 12 - 31)),
                }),
                implementing_agency: Some("NEW.H80".into()),
                deciding_agency: Some("NEW.H80".into()),
                coordinating_agencies: vec!["OLD.H80".into()],
                applicant_types: vec![ApplicantType::Citizen, ApplicantType::Organisation],
                methods: Some(vec![MethodEntry {
                    method: Method::Online,
                    time_limit: Some(TimeLimit::new(WorkingDuration::hours(12))),
                    cutoff: Some(time!(15:00)),
                }]),
                fees: vec![Fee {
                    name: "Lệ phí".into(),
                    amount_vnd: 50_000,
                }],
                components: vec![component.clone()],
                cases: vec![CaseEntry {
                    code: "TH1".into(),
                    name: "Trường hợp 1".into(),
                    components: vec![component],
                    time_limit: Some(TimeLimit::same_day()),
                }],
                result: Some("Giấy chứng nhận".into()),
                legal_basis: vec!["Nghị định 118/2025/NĐ-CP".into()],
                supplement_clock_policy: SupplementClockPolicy::Pause,
                appointments: Some(serde_json::json!([{"working_days": 1}])),
                steps: vec![StepEntry {
                    name: "Bước".into(),
                    agency: "NEW.H80".into(),
                    sector: Some("land".into()),
                    role: Some("specialist".into()),
                    working_hours: Some(1.5),
                    working_days: Some(0.5),
                    parallel_group: Some("g".into()),
                    pauses_main_clock: true,
                }],
            }],
            listings: vec![ListingEntry {
                one_stop: "OLD.H80".into(),
                procedures: vec![ListedProcedure {
                    code: "1.000001.H38".into(),
                    version: 2,
                }],
            }],
        }
    }

    #[test]
    fn shape_tables_cover_every_field() {
        // Every key the serialiser writes must be known to the error locator,
        // or a typo'd field could be reported at the wrong place.
        let value = serde_json::to_value(full_file()).unwrap();
        let mut missing = Vec::new();
        for (key, fields) in [
            ("agencies", shape::AGENCY),
            ("procedures", shape::PROCEDURE),
            ("listings", shape::LISTING),
        ] {
            for item in value[key].as_array().unwrap() {
                shape::unknown_keys(item, fields, key, &mut missing);
            }
        }
        assert!(missing.is_empty(), "not in the shape tables: {missing:?}");
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let errs = parse_err("{\n  \"agencies\": [\n  ,\n]}");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].code, codes::INVALID_JSON);
        assert!(errs[0].message.contains("line 3"), "{}", errs[0].message);
        let errs = parse_err("[1, 2]");
        assert_eq!(errs[0].code, codes::INVALID_SHAPE);
    }

    #[test]
    fn unknown_top_level_fields_are_ignored() {
        let f = CatalogueFile::parse(r#"{"generator": "x", "agencies": [], "procedures": []}"#)
            .unwrap();
        assert_eq!(f, CatalogueFile::default());
        // Sections may also be absent or null.
        assert_eq!(
            CatalogueFile::parse(r#"{"listings": null}"#).unwrap(),
            CatalogueFile::default()
        );
    }

    /// The sample with one textual replacement, which must occur exactly once.
    fn broken(from: &str, to: &str) -> String {
        assert_eq!(SAMPLE.matches(from).count(), 1, "{from}");
        SAMPLE.replace(from, to)
    }

    #[test]
    fn shape_errors_name_entry_and_field() {
        let errs = parse_err(&broken(
            r#""kind": "one_stop", "level": "province""#,
            r#""kind": "department", "level": "province""#,
        ));
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].entry, "agencies[0] (000.00.01.H80)");
        assert_eq!(errs[0].field, "agencies[0].kind");
        assert_eq!(errs[0].code, codes::INVALID_AGENCY_KIND);

        let errs = parse_err(&broken(
            r#""kind": "agency", "sector": "tax", "level": "province""#,
            r#""kind": "agency", "sector": "tax", "level": "district""#,
        ));
        assert_eq!(errs[0].field, "agencies[6].level");
        assert_eq!(errs[0].code, codes::INVALID_LEVEL);

        let errs = parse_err(&broken(
            r#"{"code": "GTQSD", "name": "Giấy tờ về quyền sử dụng đất (nếu có)", "originals": 0"#,
            r#"{"code": "GTQSD", "name": "Giấy tờ về quyền sử dụng đất (nếu có)", "originals": -1"#,
        ));
        assert_eq!(errs[0].entry, "procedures[3] (DEMO.DD.001)");
        assert_eq!(errs[0].field, "procedures[3].components[1].originals");
        assert_eq!(errs[0].code, codes::INVALID_VALUE);

        let errs = parse_err(&broken(
            r#""working_days": 3, "pauses_main_clock": true"#,
            r#""working_days": 3, "pauses_main_clok": true"#,
        ));
        assert_eq!(errs[0].field, "procedures[3].steps[3].pauses_main_clok");
        assert_eq!(errs[0].code, codes::UNKNOWN_FIELD);

        let errs = parse_err(&broken(
            r#""time_limit": {"working_days": 20}"#,
            r#""time_limit": {"working_days": 20.25}"#,
        ));
        assert_eq!(errs[0].field, "procedures[3].time_limit");
        assert_eq!(errs[0].code, codes::INVALID_TIME_LIMIT);

        let errs = parse_err(&broken(r#""online_level": "partial","#, ""));
        assert_eq!(errs[0].field, "procedures[3].online_level");
        assert_eq!(errs[0].code, codes::MISSING_FIELD);
    }

    #[test]
    fn every_bad_entry_is_reported() {
        let text = r#"{
            "agencies": [
                {"code": "A", "name": "a", "kind": "agency", "level": "province", "valid_from": "2025-02-30"},
                {"code": "B", "name": "b", "kind": "agency", "level": "province"},
                "not an object"
            ],
            "procedures": [
                {"code": "1.000001", "name": "p", "field": "f", "level": "commune", "online_level": "full",
                 "time_limit": {"working_days": 1},
                 "decision": {"number": "1", "date": "2025-01-01", "effective_from": "01/07/2025"}},
                {"code": "1.000002", "name": "p", "field": "f", "level": "commune", "online_level": "full",
                 "time_limit": {"working_days": 1},
                 "methods": [{"method": "fax"}]},
                {"code": "1.000003", "name": "p", "field": "f", "level": "commune", "online_level": "full",
                 "time_limit": {"working_days": 1},
                 "methods": [{"method": "online", "cutoff": "3pm"}],
                 "supplement_clock_policy": "reset"}
            ],
            "listings": [{"one_stop": "A", "procedures": [{"code": "1.000001"}]}]
        }"#;
        let errs = parse_err(text);
        let got: Vec<(&str, &str)> = errs
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("agencies[0].valid_from", codes::INVALID_DATE),
                ("agencies[2]", codes::INVALID_SHAPE),
                ("procedures[0].decision.effective_from", codes::INVALID_DATE),
                ("procedures[1].methods[0].method", codes::INVALID_METHOD),
                ("procedures[2].methods[0].cutoff", codes::INVALID_TIME),
                ("listings[0].procedures[0].version", codes::MISSING_FIELD),
            ]
        );
        assert_eq!(errs[3].entry, "procedures[1] (1.000002)");
        assert_eq!(errs[5].entry, "listings[0] (A)");
    }

    /// Every (path, value) leaf of a JSON value, objects and arrays included.
    fn leaves(v: &Value, path: Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(path.clone());
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let mut p = path.clone();
                    p.push(Value::String(k.clone()));
                    leaves(x, p, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(Value::from(i));
                    leaves(x, p, out);
                }
            }
            _ => {}
        }
    }

    fn slot<'v>(root: &'v mut Value, path: &[Value]) -> Option<&'v mut Value> {
        path.iter().try_fold(root, |v, k| match k {
            Value::String(k) => v.get_mut(k.as_str()),
            Value::Number(i) => v.get_mut(i.as_u64()? as usize),
            _ => None,
        })
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC*") {
            let _ = CatalogueFile::parse(&text);
        }

        /// One value of the sample replaced by something odd: parsing and
        /// validating never panic, and every format error is located at a
        /// field (only a non-object entry is reported at the entry itself).
        #[test]
        fn mutated_sample_errors_are_located(pick in 0usize..10_000, odd in 0usize..12) {
            let mut root: Value = serde_json::from_str(SAMPLE).unwrap();
            let mut paths = Vec::new();
            leaves(&root, Vec::new(), &mut paths);
            let path = &paths[pick % paths.len()];
            let replacement = [
                Value::Null, serde_json::json!(-1), serde_json::json!(0.25), serde_json::json!("x"),
                serde_json::json!(true), serde_json::json!([]), serde_json::json!({}),
                serde_json::json!("2025-13-01"), serde_json::json!("25:00"), serde_json::json!(0),
                serde_json::json!([{"a": 1}]), serde_json::json!({"working_days": 1}),
            ][odd].clone();
            if let Some(v) = slot(&mut root, path) {
                *v = replacement;
            }
            match CatalogueFile::parse(&root.to_string()) {
                Ok(f) => {
                    let _ = crate::validate(&f);
                    let again = CatalogueFile::parse(&f.to_json_pretty().unwrap()).unwrap();
                    proptest::prop_assert_eq!(again, f);
                }
                Err(errors) => {
                    for e in errors {
                        let at_entry = e.field.ends_with(']') && !e.field[..e.field.len() - 1].contains('.');
                        proptest::prop_assert!(
                            !at_entry || e.code == codes::INVALID_SHAPE,
                            "not located: {:?}", e
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn resolved_methods_and_time_limit_for() {
        let f = CatalogueFile::parse(SAMPLE).unwrap();
        let birth = &f.procedures[0];
        let all = birth.resolved_methods();
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|m| m.time_limit == birth.time_limit));

        let full = full_file();
        let p = &full.procedures[0];
        let online = p.resolved_methods();
        assert_eq!(online.len(), 1);
        assert_eq!(online[0].time_limit.working, WorkingDuration::hours(12));
        assert_eq!(online[0].time_limit.cutoff, Some(time!(15:00)));
        assert_eq!(p.time_limit_for(Method::Counter, None), None);
        assert_eq!(
            p.time_limit_for(Method::Online, Some("TH1")),
            Some(TimeLimit::same_day().with_cutoff(time!(15:00)))
        );
        assert_eq!(p.time_limit_for(Method::Online, Some("nope")), None);
        assert_eq!(p.components_for(Some("TH1")).map(<[_]>::len), Some(1));
        assert!(p.is_in_force(date!(2026 - 12 - 31)));
        assert!(!p.is_in_force(date!(2027 - 01 - 01)));
        assert!(full.agencies[0].is_valid_on(date!(2025 - 06 - 30)));
        assert!(!full.agencies[0].is_valid_on(date!(2025 - 07 - 01)));
    }
}
