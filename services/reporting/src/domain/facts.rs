//! The facts reporting keeps about a dossier (sổ theo dõi hồ sơ): which delivered event becomes
//! which fact, the province's local day a received dossier is counted on, and one day's counts.

use super::dossier::DossierFacts;
use motcua_calendar::PROVINCE_OFFSET;
use motcua_events::{
    self as e, CaseExtended, ComplianceRecorded, DeadlineAlert, DossierReceived,
    DossierStatusChanged, StepChanged, StepDeadlineMoved,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// What one delivered event tells reporting.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// A dossier was received (`dossier.received`): counted once, on its local day.
    Received(DossierReceived),
    /// The dossier's status changed after receipt (`dossier.*`).
    Followed(DossierStatusChanged),
    /// The one apology and re-appointment (`case.extended`).
    Extended(CaseExtended),
    /// A step or a dossier is near its deadline or past it (`task.*`, `case.*` alerts):
    /// `overdue` tells which.
    Alert {
        /// Past the deadline (not only near it).
        overdue: bool,
        /// The alert.
        alert: DeadlineAlert,
    },
    /// A step finished or moved to a successor (`task.completed`, `task.reassigned`).
    Step(StepChanged),
    /// A step's deadline moved by the applicant's wait (`task.deadline_moved`).
    StepMoved(StepDeadlineMoved),
    /// A rule violation (`compliance.recorded`, `case.late_without_apology`).
    Compliance(ComplianceRecorded),
}

/// Reads an event of type `event_type`; `None` for a type reporting does not follow.
pub fn read(event_type: &str, payload_json: &str) -> Result<Option<Fact>, serde_json::Error> {
    let p = payload_json;
    Ok(Some(match event_type {
        e::DOSSIER_RECEIVED => Fact::Received(serde_json::from_str(p)?),
        e::CASE_EXTENDED => Fact::Extended(serde_json::from_str(p)?),
        e::TASK_NEAR_DUE | e::CASE_NEAR_DUE | e::TASK_OVERDUE | e::CASE_OVERDUE => Fact::Alert {
            overdue: event_type.ends_with("overdue"),
            alert: serde_json::from_str(p)?,
        },
        e::TASK_COMPLETED | e::TASK_REASSIGNED => Fact::Step(serde_json::from_str(p)?),
        e::TASK_DEADLINE_MOVED => Fact::StepMoved(serde_json::from_str(p)?),
        e::COMPLIANCE_RECORDED => Fact::Compliance(serde_json::from_str(p)?),
        e::CASE_LATE_WITHOUT_APOLOGY => {
            let a: DeadlineAlert = serde_json::from_str(p)?;
            Fact::Compliance(ComplianceRecorded {
                kind: "late_without_apology".into(),
                dossier_code: Some(a.dossier_code),
                agency: Some(a.agency),
                actor: "workflow".into(),
                detail: serde_json::json!({"deadline": motcua_calendar::local_rfc3339(a.deadline)}),
                at: a.at,
            })
        }
        t if t.starts_with("dossier.") => Fact::Followed(serde_json::from_str(p)?),
        _ => return Ok(None),
    }))
}

/// The facts of a dossier just received.
pub fn received(ev: &DossierReceived) -> DossierFacts {
    DossierFacts {
        code: ev.dossier_code.clone(),
        agency: ev.receiving_agency.clone(),
        procedure_code: ev.procedure_code.clone(),
        field: ev.field.clone(),
        level: ev.level.clone(),
        channel: ev.channel.clone(),
        received_at: ev.received_at,
        due_at: ev.due_at,
        ending: None,
        finished_at: None,
        timeliness: None,
        waits: Vec::new(),
        paused_minutes: 0,
    }
}

/// The day a dossier received at `at` is counted on (ngày tiếp nhận): the province's local
/// date, so a dossier received at 23:30 +07:00 counts on that day, not the UTC one.
pub fn received_day(at: OffsetDateTime) -> Date {
    at.to_offset(PROVINCE_OFFSET).date()
}

/// One day at one agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailyRow {
    /// The local day of receipt.
    #[schema(value_type = String, format = Date, example = "2026-11-27")]
    pub day: Date,
    /// The receiving agency.
    pub agency: String,
    /// Dossiers received.
    pub received: i64,
    /// Of which online.
    pub online: i64,
    /// Of which at the counter or by post.
    pub direct_postal: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_dossier_counts_on_the_province_day() {
        assert_eq!(
            received_day(datetime!(2026-11-27 16:30 UTC)),
            time::macros::date!(2026 - 11 - 27)
        );
        assert_eq!(
            received_day(datetime!(2026-11-27 17:30 UTC)),
            time::macros::date!(2026 - 11 - 28)
        );
    }

    #[test]
    fn only_followed_events_are_read() {
        assert_eq!(read("case.opened", "{}").unwrap(), None);
        assert!(read(motcua_events::DOSSIER_RECEIVED, "{}").is_err());
        assert!(read("dossier.refused", "not json").is_err());
    }
}
