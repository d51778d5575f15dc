//! A procedure version as the catalogue publishes it over REST (phiên bản thủ tục hành chính):
//! the catalogue file's procedure entry (`motcua_catalogue_model::ProcedureEntry`) in the same
//! JSON, as types the OpenAPI document describes. Built from the entry by naming every field,
//! so a field added to the file format does not compile here until it is published too. Time
//! limits stay the calendar's own type (it writes them in the largest exact unit); only their
//! shape is described (`procedure_parts::TimeLimitShape`).

use super::procedure_parts::{
    MethodTerms, ProcedureCase, ProcessStep, PublishedComponent, PublishedDecision, PublishedFee,
    TimeLimitShape,
};
use super::published_agency::AdministrativeLevel;
use motcua_calendar::TimeLimit;
use motcua_catalogue_model as model;
use serde::Serialize;
use utoipa::ToSchema;

/// How far a procedure can be done online (mức độ dịch vụ công trực tuyến).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// Toàn trình: the whole procedure online.
    Full,
    /// Một phần: part of it online.
    Partial,
}

/// Who may apply (đối tượng thực hiện).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    /// Cá nhân.
    Citizen,
    /// Tổ chức.
    Organisation,
}

/// What the clock does when a dossier comes back after waiting for the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupplementClockPolicy {
    /// The whole budget again from the resume (Decree 297/2025).
    Restart,
    /// The wait does not count: the deadline moves later by the wait.
    Pause,
    /// The wait counts as processing time: the deadline does not move.
    Continue,
}

/// One published version of a procedure (phiên bản thủ tục hành chính), in the catalogue file
/// format.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PublishedProcedure {
    /// Procedure code (mã TTHC), national `1.001193` or local.
    pub code: String,
    /// Version number, from 1; (code, version) is unique. When publishing, without it the next
    /// number is used.
    #[schema(minimum = 1)]
    pub version: u32,
    /// Name as published.
    pub name: String,
    /// Field (lĩnh vực).
    pub field: String,
    /// Level at which the procedure is handled.
    pub level: AdministrativeLevel,
    /// Online level (toàn trình / một phần).
    pub online_level: OnlineLevel,
    /// Time limit (thời hạn giải quyết).
    #[schema(value_type = TimeLimitShape)]
    pub time_limit: TimeLimit,
    /// Publication decision; absent means in force from 1 July 2025 (Decree 118/2025).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<PublishedDecision>,
    /// Implementing agency (cơ quan thực hiện).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implementing_agency: Option<String>,
    /// Deciding agency (cơ quan có thẩm quyền quyết định).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deciding_agency: Option<String>,
    /// Coordinating agencies (cơ quan phối hợp).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coordinating_agencies: Vec<String>,
    /// Who may apply (đối tượng thực hiện); anyone when absent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applicant_types: Vec<ApplicantType>,
    /// Submission methods; all three with the procedure's time limit when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<MethodTerms>>,
    /// Charges and fees (phí, lệ phí).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<PublishedFee>,
    /// Dossier components (thành phần hồ sơ).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<PublishedComponent>,
    /// Cases (trường hợp) with their own components and time limits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<ProcedureCase>,
    /// Result of the procedure (kết quả thực hiện).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Legal bases (căn cứ pháp lý).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub legal_basis: Vec<String>,
    /// What the clock does after the applicant's supplement.
    pub supplement_clock_policy: SupplementClockPolicy,
    /// Appointments of an inter-agency flow (hẹn trả): any JSON, kept exactly as published
    /// (for example a list of `{"until" | "from": "...", "working_days": N}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appointments: Option<serde_json::Value>,
    /// Internal process template (quy trình nội bộ).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<ProcessStep>,
}

/// The version of a procedure in force on the date asked, with the day it took effect.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProcedureInForce {
    /// The version as published.
    #[serde(flatten)]
    pub procedure: PublishedProcedure,
    /// First day this version is in force (YYYY-MM-DD).
    #[schema(format = Date, example = "2025-07-01")]
    pub effective_from: String,
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

impl From<&model::ProcedureEntry> for PublishedVersion {
    fn from(p: &model::ProcedureEntry) -> Self {
        Self {
            code: p.code.clone(),
            version: p.version,
            effective_from: p.effective_from().to_string(),
        }
    }
}

impl From<model::ProcedureEntry> for ProcedureInForce {
    fn from(p: model::ProcedureEntry) -> Self {
        let effective_from = p.effective_from().to_string();
        Self {
            procedure: p.into(),
            effective_from,
        }
    }
}

impl From<model::ProcedureEntry> for PublishedProcedure {
    fn from(p: model::ProcedureEntry) -> Self {
        let model::ProcedureEntry {
            code,
            version,
            name,
            field,
            level,
            online_level,
            time_limit,
            decision,
            implementing_agency,
            deciding_agency,
            coordinating_agencies,
            applicant_types,
            methods,
            fees,
            components,
            cases,
            result,
            legal_basis,
            supplement_clock_policy,
            appointments,
            steps,
        } = p;
        Self {
            code,
            version,
            name,
            field,
            level: level.into(),
            online_level: online_level.into(),
            time_limit,
            decision: decision.map(Into::into),
            implementing_agency,
            deciding_agency,
            coordinating_agencies,
            applicant_types: applicant_types.into_iter().map(Into::into).collect(),
            methods: methods.map(|ms| ms.into_iter().map(Into::into).collect()),
            fees: fees.into_iter().map(Into::into).collect(),
            components: components.into_iter().map(Into::into).collect(),
            cases: cases.into_iter().map(Into::into).collect(),
            result,
            legal_basis,
            supplement_clock_policy: supplement_clock_policy.into(),
            appointments,
            steps: steps.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<model::OnlineLevel> for OnlineLevel {
    fn from(l: model::OnlineLevel) -> Self {
        match l {
            model::OnlineLevel::Full => Self::Full,
            model::OnlineLevel::Partial => Self::Partial,
        }
    }
}

impl From<model::ApplicantType> for ApplicantType {
    fn from(t: model::ApplicantType) -> Self {
        match t {
            model::ApplicantType::Citizen => Self::Citizen,
            model::ApplicantType::Organisation => Self::Organisation,
        }
    }
}

impl From<motcua_calendar::SupplementClockPolicy> for SupplementClockPolicy {
    fn from(p: motcua_calendar::SupplementClockPolicy) -> Self {
        use motcua_calendar::SupplementClockPolicy as P;
        match p {
            P::Restart => Self::Restart,
            P::Pause => Self::Pause,
            P::Continue => Self::Continue,
        }
    }
}

#[cfg(test)]
#[path = "published_procedure_tests.rs"]
mod tests;
