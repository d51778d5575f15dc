//! The parts of a published procedure version (thành phần của phiên bản thủ tục) as the
//! catalogue answers them over REST: its publication decision, submission methods, fees,
//! components, cases and internal steps, in the catalogue file's JSON — each built from the
//! file format's entry by naming every field — and the shape of a time limit, which the
//! calendar writes itself (in the largest exact unit).

use motcua_calendar::{TimeLimit, format_date, format_time_of_day};
use motcua_catalogue_model as model;
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// A time limit (thời hạn giải quyết) in the catalogue's JSON: one of `working_days` (halves
/// allowed), `working_hours` or `working_minutes` — or none, for a same-day procedure — written
/// in the largest exact unit, with the same-day rule and an optional cut-off.
#[derive(ToSchema)]
#[schema(example = json!({"working_days": 3, "same_day": false, "cutoff": "15:00"}))]
#[allow(dead_code)] // describes `motcua_calendar::TimeLimit`'s JSON, which the calendar writes
pub struct TimeLimitShape {
    /// Working days (ngày làm việc), whole or half.
    #[schema(minimum = 0, multiple_of = 0.5)]
    working_days: Option<f64>,
    /// Working hours (giờ làm việc), when not a whole number of half days.
    #[schema(minimum = 0)]
    working_hours: Option<f64>,
    /// Working minutes, when not a whole number of hours.
    #[schema(minimum = 0)]
    working_minutes: Option<i64>,
    /// Due at the end of the working day on which counting starts (giải quyết trong ngày).
    same_day: bool,
    /// Local time of day (`HH:MM`) after which a receipt counts from the next working day.
    #[schema(pattern = r"^\d{2}:\d{2}(:\d{2})?$")]
    cutoff: Option<String>,
}

/// Channel through which a dossier is submitted (cách thức thực hiện).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionMethod {
    /// Trực tiếp: at the one-stop counter.
    Counter,
    /// Trực tuyến: through the national or provincial portal.
    Online,
    /// Qua dịch vụ bưu chính công ích: by post.
    Postal,
}

/// The publication decision of a version (quyết định công bố), which fixes when it applies.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PublishedDecision {
    /// Decision number, e.g. `1234/QĐ-UBND`.
    pub number: String,
    /// Date the decision was signed (YYYY-MM-DD).
    #[schema(format = Date)]
    pub date: String,
    /// First day the version applies, inclusive (YYYY-MM-DD).
    #[schema(format = Date)]
    pub effective_from: String,
    /// Last day the version applies, inclusive (YYYY-MM-DD); open-ended when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub effective_until: Option<String>,
}

/// One way of submitting the procedure, with its own time limit when it differs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MethodTerms {
    /// Counter, online or postal.
    pub method: SubmissionMethod,
    /// Time limit for this channel; the procedure's when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<TimeLimitShape>)]
    pub time_limit: Option<TimeLimit>,
    /// Cut-off time of day (`HH:MM`) for this channel, replacing the time limit's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<String>,
}

/// A charge or fee (phí, lệ phí).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PublishedFee {
    /// What the fee is for.
    pub name: String,
    /// Amount in đồng (0 for exempt).
    pub amount_vnd: u64,
}

/// A dossier component (thành phần hồ sơ): what the applicant must hand in.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PublishedComponent {
    /// Code cited by intake and supplement requests, unique within its list.
    pub code: String,
    /// Name as published.
    pub name: String,
    /// Number of originals (bản chính).
    pub originals: u32,
    /// Number of copies (bản sao).
    pub copies: u32,
    /// Whether every dossier needs it (bắt buộc); otherwise see `condition`.
    pub required: bool,
    /// When a non-mandatory component is needed (trường hợp cần nộp).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// File name or URL of the form (mẫu đơn, tờ khai).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form_template: Option<String>,
    /// The state already holds it in a national database: it is never demanded from the
    /// applicant (Resolution 66.7/2025). Absent when false.
    #[serde(skip_serializing_if = "is_false")]
    pub from_national_database: bool,
}

/// A case of the procedure (trường hợp) with its own components and time limit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProcedureCase {
    /// Code of the case, unique within the procedure.
    pub code: String,
    /// Name as published.
    pub name: String,
    /// Components of this case.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<PublishedComponent>,
    /// Time limit of this case; the method's or the procedure's when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<TimeLimitShape>)]
    pub time_limit: Option<TimeLimit>,
}

/// One step of the internal process (quy trình nội bộ): who does what in how much working time.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProcessStep {
    /// What is done.
    pub name: String,
    /// Code of the responsible agency.
    pub agency: String,
    /// Sector of the step, for routing to a sector system.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// Role within the agency (e.g. `specialist`, `agency_head`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Budget in working hours (giờ làm việc); a step has this or `working_days`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "whole_or_fraction"
    )]
    #[schema(minimum = 0)]
    pub working_hours: Option<f64>,
    /// Budget in working days (ngày làm việc), halves allowed.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "whole_or_fraction"
    )]
    #[schema(minimum = 0)]
    pub working_days: Option<f64>,
    /// Consecutive steps with the same group run in parallel (song song).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_group: Option<String>,
    /// The main clock stops during this step (e.g. the tax step of the land flow). Absent when
    /// false.
    #[serde(skip_serializing_if = "is_false")]
    pub pauses_main_clock: bool,
}

impl From<model::Decision> for PublishedDecision {
    fn from(d: model::Decision) -> Self {
        let model::Decision {
            number,
            date,
            effective_from,
            effective_until,
        } = d;
        Self {
            number,
            date: format_date(date),
            effective_from: format_date(effective_from),
            effective_until: effective_until.map(format_date),
        }
    }
}

impl From<model::MethodEntry> for MethodTerms {
    fn from(m: model::MethodEntry) -> Self {
        let model::MethodEntry {
            method,
            time_limit,
            cutoff,
        } = m;
        Self {
            method: method.into(),
            time_limit,
            cutoff: cutoff.map(format_time_of_day),
        }
    }
}

impl From<model::Fee> for PublishedFee {
    fn from(f: model::Fee) -> Self {
        let model::Fee { name, amount_vnd } = f;
        Self { name, amount_vnd }
    }
}

impl From<model::ComponentEntry> for PublishedComponent {
    fn from(c: model::ComponentEntry) -> Self {
        let model::ComponentEntry {
            code,
            name,
            originals,
            copies,
            required,
            condition,
            form_template,
            from_national_database,
        } = c;
        Self {
            code,
            name,
            originals,
            copies,
            required,
            condition,
            form_template,
            from_national_database,
        }
    }
}

impl From<model::CaseEntry> for ProcedureCase {
    fn from(c: model::CaseEntry) -> Self {
        let model::CaseEntry {
            code,
            name,
            components,
            time_limit,
        } = c;
        Self {
            code,
            name,
            components: components.into_iter().map(Into::into).collect(),
            time_limit,
        }
    }
}

impl From<model::StepEntry> for ProcessStep {
    fn from(s: model::StepEntry) -> Self {
        let model::StepEntry {
            name,
            agency,
            sector,
            role,
            working_hours,
            working_days,
            parallel_group,
            pauses_main_clock,
        } = s;
        Self {
            name,
            agency,
            sector,
            role,
            working_hours,
            working_days,
            parallel_group,
            pauses_main_clock,
        }
    }
}

impl From<model::Method> for SubmissionMethod {
    fn from(m: model::Method) -> Self {
        match m {
            model::Method::Counter => Self::Counter,
            model::Method::Online => Self::Online,
            model::Method::Postal => Self::Postal,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A step budget as the catalogue file writes it: an integer when whole (`8`, not `8.0`).
fn whole_or_fraction<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    /// Largest integer that an `f64` represents exactly.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match *v {
        Some(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < EXACT => {
            s.serialize_i64(x as i64)
        }
        Some(x) => s.serialize_f64(x),
        None => s.serialize_none(),
    }
}
