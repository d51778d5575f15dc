//! A procedure version of the catalogue file (phiên bản thủ tục hành chính) and its parts:
//! publication decision, submission methods, fees, components, cases and internal steps, with
//! the rules that read them (effective days, methods and time limits after defaults). Each
//! derives `utoipa::ToSchema` under the name the REST API publishes it by; a time limit and
//! the clock policy, written by `motcua-calendar`, are described in `crate::schema`.

use motcua_calendar::{SupplementClockPolicy, TimeLimit};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, Time};
use utoipa::ToSchema;

use super::Level;
use crate::schema::{SupplementClockPolicyShape, TimeLimitShape};
use crate::serde_util::{date, opt_date, opt_hhmm, opt_number};

/// First day of the Decree 118/2025/NĐ-CP regime (1 July 2025): the effective
/// date of a procedure version whose publication decision is not given.
pub const DECREE_118_START: Date = time::macros::date!(2025 - 07 - 01);

/// How far a procedure can be done online (mức độ dịch vụ công trực tuyến).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình: the whole procedure online.
    Full,
    /// Một phần: part of it online.
    Partial,
}

/// Who may apply (đối tượng thực hiện).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    /// Cá nhân (portal code 1).
    Citizen,
    /// Tổ chức (portal code 2).
    Organisation,
}

/// Channel through which a dossier is submitted (cách thức thực hiện).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = SubmissionMethod)]
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

/// The publication decision of a procedure version (quyết định công bố),
/// which fixes when the version takes effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PublishedDecision)]
pub struct Decision {
    /// Decision number, e.g. `1234/QĐ-UBND`.
    pub number: String,
    /// Date the decision was signed (YYYY-MM-DD).
    #[serde(with = "date")]
    pub date: Date,
    /// First day the version applies, inclusive (YYYY-MM-DD).
    #[serde(with = "date")]
    pub effective_from: Date,
    /// Last day the version applies, inclusive (YYYY-MM-DD); open-ended when absent.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<Date>,
}

/// One way of submitting a procedure, with its own time limit when it differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MethodTerms)]
pub struct MethodEntry {
    /// Counter, online or postal.
    pub method: Method,
    /// Time limit for this channel; the procedure's when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<TimeLimitShape>)]
    pub time_limit: Option<TimeLimit>,
    /// Cut-off time of day (`HH:MM`) for this channel, replacing the time limit's.
    #[serde(default, with = "opt_hhmm", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub cutoff: Option<Time>,
}

/// A charge or fee (phí, lệ phí).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PublishedFee)]
pub struct Fee {
    /// What the fee is for.
    pub name: String,
    /// Amount in đồng (0 for exempt).
    pub amount_vnd: u64,
}

/// A dossier component (thành phần hồ sơ): what the applicant must hand in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PublishedComponent)]
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
    /// it must not be demanded from the applicant (Resolution 66.7/2025). Absent
    /// when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_national_database: bool,
}

/// A case of a procedure (trường hợp) with its own components and time limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProcedureCase)]
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
    #[schema(value_type = Option<TimeLimitShape>)]
    pub time_limit: Option<TimeLimit>,
}

/// One step of the internal process (quy trình nội bộ): who does what in how
/// much working time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProcessStep)]
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
    #[schema(minimum = 0)]
    pub working_hours: Option<f64>,
    /// Budget in working days (ngày làm việc), halves allowed.
    #[serde(default, with = "opt_number", skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0)]
    pub working_days: Option<f64>,
    /// Consecutive steps with the same group run in parallel (song song).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel_group: Option<String>,
    /// The main clock stops during this step (e.g. the tax authority's
    /// financial-obligation step of the land flow). Absent when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pauses_main_clock: bool,
}

/// One published version of a procedure (phiên bản TTHC), in the catalogue
/// file format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PublishedProcedure)]
pub struct ProcedureEntry {
    /// Procedure code (mã TTHC), national `1.001193` or local.
    pub code: String,
    /// Version number, from 1; (code, version) is unique. When publishing,
    /// without it the next number is used.
    #[serde(default = "first_version")]
    #[schema(minimum = 1)]
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
    #[schema(value_type = TimeLimitShape)]
    pub time_limit: TimeLimit,
    /// Publication decision; absent means in force from 1 July 2025
    /// (`DECREE_118_START`, Decree 118/2025).
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
    /// What the clock does after the applicant's supplement (default: restart,
    /// Decree 297/2025).
    #[serde(default)]
    #[schema(value_type = SupplementClockPolicyShape)]
    pub supplement_clock_policy: SupplementClockPolicy,
    /// Appointments of an inter-agency flow (hẹn trả): any JSON, kept exactly as
    /// given (for example a list of `{"until" | "from": "...", "working_days": N}`).
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

fn first_version() -> u32 {
    1
}

fn is_false(b: &bool) -> bool {
    !*b
}
