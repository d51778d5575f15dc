//! The dossier (hồ sơ) as intake's rules see it: channels, forms, the applicant, and the stored
//! dossier parsed once from its row, so that no rule matches a status or a policy as text.

use super::status::DossierStatus;
use motcua_calendar::{Deadline, SupplementClockPolicy, TimeLimit};
use motcua_catalogue_model::Method;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Submission channel (hình thức nộp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 1 — at the counter (trực tiếp).
    Counter,
    /// 2 — online (trực tuyến).
    Online,
    /// 3 — by post (bưu chính).
    Postal,
}

impl Channel {
    /// The snake_case name used in the API and storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Channel::Counter, Channel::Online, Channel::Postal]
            .into_iter()
            .find(|c| c.as_str() == s)
    }

    /// The catalogue's submission method for this channel (each may have its own limit).
    pub const fn method(self) -> Method {
        match self {
            Channel::Counter => Method::Counter,
            Channel::Online => Method::Online,
            Channel::Postal => Method::Postal,
        }
    }
}

/// Form of a component (hình thức thành phần).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// Điện tử: files attached.
    Electronic,
    /// Giấy: handed in on paper, to be scanned.
    Paper,
    /// Bản chụp: paper already scanned.
    Scanned,
}

impl Form {
    /// The snake_case name used in the API and storage.
    pub const fn as_str(self) -> &'static str {
        match self {
            Form::Electronic => "electronic",
            Form::Paper => "paper",
            Form::Scanned => "scanned",
        }
    }

    /// Scanning status at receipt: paper components are to be scanned (Circular 03/2025 Art. 5).
    pub const fn initial_scan_status(self) -> &'static str {
        match self {
            Form::Electronic => "not_required",
            Form::Paper => "pending",
            Form::Scanned => "done",
        }
    }
}

/// Applicant type (đối tượng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    /// A person (công dân).
    Citizen,
    /// An organisation (tổ chức).
    Organisation,
}

/// The applicant (người nộp hồ sơ).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
pub struct Applicant {
    /// Citizen or organisation.
    #[serde(rename = "type")]
    pub kind: ApplicantType,
    /// Full name.
    pub full_name: String,
    /// Personal ID number (12 digits) or enterprise tax code.
    pub id_number: String,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// How the applicant wants to be told of their dossier (`email`, `sms`); absent: by every
    /// channel they gave a contact for; empty: not at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_by: Option<Vec<NotifyBy>>,
    /// Who submits for the applicant when it is someone else (người đại diện): required when a
    /// citizen submits online for another person or an organisation, and then the citizen
    /// themselves (their verified ID number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Representative>,
}

/// A declared representative (người đại diện): who acts for the applicant, and why.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
pub struct Representative {
    /// Full name.
    pub full_name: String,
    /// Personal identification number (12 digits).
    pub id_number: String,
    /// Why they act for the applicant, e.g. `cha` (father), `ủy quyền` (by authorisation).
    pub relation: String,
}

/// A channel the applicant accepts notices by (hình thức nhận thông báo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotifyBy {
    /// E-mail.
    Email,
    /// SMS.
    Sms,
}

/// A received dossier as stored, parsed: what every decision about it starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct Dossier {
    /// Dossier code (never changes).
    pub code: String,
    /// Procedure code.
    pub procedure_code: String,
    /// Procedure version it was checked against.
    pub procedure_version: i32,
    /// Receiving one-stop unit.
    pub receiving_agency: String,
    /// Channel.
    pub channel: Channel,
    /// Status now.
    pub status: DossierStatus,
    /// The applicant.
    pub applicant: Applicant,
    /// Last four digits of the applicant's ID (public lookup).
    pub applicant_id_last4: String,
    /// When it was received.
    pub received_at: OffsetDateTime,
    /// The appointment now (moved only by a recorded event).
    pub due: Deadline,
    /// Account that submitted it.
    pub submitted_by: String,
    /// The time limit it was received under.
    pub time_limit: TimeLimit,
    /// What the clock does after a supplement, fixed at receipt.
    pub clock_policy: SupplementClockPolicy,
    /// While waiting for the applicant (supplement, payment): since when.
    pub clock_paused_at: Option<OffsetDateTime>,
    /// Where a waiting dossier returns.
    pub resume_status: Option<DossierStatus>,
    /// Workflow finished while the dossier waited.
    pub case_completed_at: Option<OffsetDateTime>,
    /// The procedure's case (trường hợp), if any.
    pub case_code: Option<String>,
    /// Form 01 as issued.
    pub receipt: serde_json::Value,
}

impl Dossier {
    /// The local date of receipt: the procedure version in force that day applies.
    pub fn received_on(&self) -> time::Date {
        local(self.received_at).date()
    }
}

pub use motcua_calendar::{local, local_rfc3339 as rfc3339};
