//! The contract of the events that cross service boundaries (sự kiện liên dịch vụ): each
//! event type's name and its JSON payload. Producers and consumers both use these types, so a
//! change in a payload is a compile error on both sides. Documented in `docs/events.md`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Event type: a dossier was received at a one-stop unit and issued a code (tiếp nhận).
pub const DOSSIER_RECEIVED: &str = "dossier.received";

/// Payload of [`DOSSIER_RECEIVED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierReceived {
    /// Dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// Procedure code (mã TTHC).
    pub procedure_code: String,
    /// Procedure version used to check the dossier.
    pub procedure_version: i32,
    /// Receiving one-stop unit's agency code.
    pub receiving_agency: String,
    /// `counter`, `online` or `postal`.
    pub channel: String,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The appointment on the receipt.
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// Whether the due date is provisional (a year without a loaded calendar).
    pub due_provisional: bool,
    /// Whether any component was handed in on paper (it then has a working day to reach the
    /// agencies, `shared/domain.md` §5).
    #[serde(default)]
    pub paper_components: bool,
    /// The procedure's field (lĩnh vực) code, for reports grouped by field.
    #[serde(default)]
    pub field: String,
    /// The procedure's level (`province`, `commune`…), for reports grouped by level.
    #[serde(default)]
    pub level: String,
    /// Who submitted it (an online applicant's account, or the receiving officer): the one
    /// who may rate it when the result is returned.
    #[serde(default)]
    pub submitted_by: String,
}

/// Event type: workflow opened the case; the dossier is processing (4).
pub const DOSSIER_FORWARDED: &str = "dossier.forwarded";
/// Event type: the agencies finished; the result is at the one-stop (9).
pub const DOSSIER_PROCESSED: &str = "dossier.processed";
/// Event type: a supplement was requested (phiếu yêu cầu bổ sung); the clock waits.
pub const DOSSIER_SUPPLEMENT_REQUESTED: &str = "dossier.supplement_requested";
/// Event type: the applicant supplemented; the clock resumes per the procedure's policy.
pub const DOSSIER_SUPPLEMENTED: &str = "dossier.supplemented";
/// Event type: the dossier was refused (form 03).
pub const DOSSIER_REFUSED: &str = "dossier.refused";
/// Event type: withdrawn at the applicant's request (form 05).
pub const DOSSIER_WITHDRAWN: &str = "dossier.withdrawn";
/// Event type: stopped, e.g. the supplement window passed unanswered (stop notice).
pub const DOSSIER_STOPPED: &str = "dossier.stopped";
/// Event type: a financial obligation must be paid before the result is handed over.
pub const DOSSIER_FINANCIAL_OBLIGATION_REQUESTED: &str = "dossier.financial_obligation_requested";
/// Event type: payment of the financial obligation confirmed.
pub const DOSSIER_PAYMENT_CONFIRMED: &str = "dossier.payment_confirmed";
/// Event type: the result was handed back to the applicant.
pub const DOSSIER_RESULT_RETURNED: &str = "dossier.result_returned";
/// Event type: the appointment moved without a change of status: re-appointed after an
/// apology (form 04), or by the working time a step that pauses the main clock took.
pub const DOSSIER_DUE_MOVED: &str = "dossier.due_moved";

/// Payload of every `dossier.*` status change after receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierStatusChanged {
    /// Dossier code.
    pub dossier_code: String,
    /// Action taken, e.g. `request_supplement`.
    pub action: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// National status code after (1–10).
    pub status_code: i16,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The dossier's due instant after the change (moved by a supplement under the
    /// restart/pause policies).
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// Action details (supplement items and deadline, refusal reasons, return channel…).
    #[serde(default)]
    pub detail: serde_json::Value,
}

/// Event type: workflow opened the case (the dossier is forwarded to the agencies).
pub const CASE_OPENED: &str = "case.opened";
/// Event type: every processing step is done; the result is at the one-stop.
pub const CASE_COMPLETED: &str = "case.completed";

/// Payload of `case.*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseChanged {
    /// Dossier code.
    pub dossier_code: String,
    /// Case id.
    pub case_id: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Steps open after the change.
    #[serde(default)]
    pub current_steps: Vec<String>,
}

/// Event type: a step that pauses the dossier's main clock started (the tax authority's
/// financial-obligation step in land flows): the appointment waits until it is done.
pub const CASE_MAIN_CLOCK_PAUSED: &str = "case.main_clock_paused";
/// Event type: that step is done: the appointment moves by the working time it took.
pub const CASE_MAIN_CLOCK_RESUMED: &str = "case.main_clock_resumed";

/// Payload of `case.main_clock_*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseMainClock {
    /// Dossier code.
    pub dossier_code: String,
    /// Case id.
    pub case_id: String,
    /// The step that pauses the main clock.
    pub step: String,
    /// Its agency.
    pub agency: String,
    /// When the main clock stopped.
    #[serde(with = "time::serde::rfc3339")]
    pub paused_at: OffsetDateTime,
    /// When it resumed (`case.main_clock_resumed` only).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub resumed_at: Option<OffsetDateTime>,
}

/// Event type: the agency running late apologised and re-appointed (form 04), once per dossier.
pub const CASE_EXTENDED: &str = "case.extended";

/// Payload of [`CASE_EXTENDED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseExtended {
    /// Dossier code.
    pub dossier_code: String,
    /// Case id.
    pub case_id: String,
    /// The agency whose step runs late.
    pub agency: String,
    /// Its head, who signed the apology.
    pub by: String,
    /// Why.
    pub reason: String,
    /// When it was filed.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The appointment before.
    #[serde(with = "time::serde::rfc3339")]
    pub due_before: OffsetDateTime,
    /// The new appointment.
    #[serde(with = "time::serde::rfc3339")]
    pub due_after: OffsetDateTime,
}

/// Event type: a step is within the near-due margin of its deadline (sắp đến hạn).
pub const TASK_NEAR_DUE: &str = "task.near_due";
/// Event type: a step passed its deadline unfinished (quá hạn).
pub const TASK_OVERDUE: &str = "task.overdue";
/// Event type: a dossier is within the near-due margin of its appointment.
pub const CASE_NEAR_DUE: &str = "case.near_due";
/// Event type: a dossier passed its appointment unfinished.
pub const CASE_OVERDUE: &str = "case.overdue";
/// Event type: a dossier went late with no apology on file (a compliance event).
pub const CASE_LATE_WITHOUT_APOLOGY: &str = "case.late_without_apology";

/// Payload of the deadline alerts (`task.near_due`, `task.overdue`, `case.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadlineAlert {
    /// Dossier code.
    pub dossier_code: String,
    /// The step, for a step's alert.
    #[serde(default)]
    pub task_id: Option<String>,
    /// The step's name, for a step's alert.
    #[serde(default)]
    pub step: Option<String>,
    /// The agency responsible: the step's, or for a dossier the agencies holding it now.
    pub agency: String,
    /// The deadline concerned.
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    /// When it was marked.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Event type: a step's deadline moved by the working time its case waited (recorded event).
pub const TASK_DEADLINE_MOVED: &str = "task.deadline_moved";

/// Payload of [`TASK_DEADLINE_MOVED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepDeadlineMoved {
    /// Dossier code.
    pub dossier_code: String,
    /// The step.
    pub task_id: String,
    /// Its name.
    pub step: String,
    /// Its agency.
    pub agency: String,
    /// Why it waited (`supplement`, `financial_obligation`).
    pub reason: String,
    /// Working minutes waited: how far the deadline moved.
    pub working_minutes: i64,
    /// Deadline before.
    #[serde(with = "time::serde::rfc3339")]
    pub due_before: OffsetDateTime,
    /// Deadline after.
    #[serde(with = "time::serde::rfc3339")]
    pub due_after: OffsetDateTime,
}

/// Event type: a step was finished (done, returned for supplement, refused), with its
/// timeliness: the per-step facts reports attribute lateness with.
pub const TASK_COMPLETED: &str = "task.completed";
/// Event type: a retired agency's open step moved to its successor.
pub const TASK_REASSIGNED: &str = "task.reassigned";

/// Payload of `task.completed` and `task.reassigned`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepChanged {
    /// Dossier code.
    pub dossier_code: String,
    /// The step.
    pub task_id: String,
    /// Its name.
    pub step: String,
    /// The agency holding it (after the change).
    pub agency: String,
    /// The agency before (a reassignment).
    #[serde(default)]
    pub from_agency: Option<String>,
    /// Who did it.
    pub by: String,
    /// `done`, `return_for_supplement`, `refuse`, `reassigned`.
    pub outcome: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The step's deadline.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub deadline: Option<OffsetDateTime>,
    /// `early`, `on_time` or `late` (a finished step).
    #[serde(default)]
    pub timeliness: Option<String>,
    /// Working minutes past the deadline (a late step).
    #[serde(default)]
    pub lateness_minutes: Option<i64>,
    /// When the step opened (its agency got it).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
}

/// Event type: a rule violation attempted or detected (vi phạm quy định), for inspectors.
pub const COMPLIANCE_RECORDED: &str = "compliance.recorded";

/// Payload of [`COMPLIANCE_RECORDED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceRecorded {
    /// What was attempted or detected, e.g. `second_supplement_request`.
    pub kind: String,
    /// The dossier concerned, when there is one.
    #[serde(default)]
    pub dossier_code: Option<String>,
    /// The agency the actor acted for.
    #[serde(default)]
    pub agency: Option<String>,
    /// Who attempted it.
    pub actor: String,
    /// What exactly (the components, the rounds…).
    #[serde(default)]
    pub detail: serde_json::Value,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// The service that produces events of `event_type`, the only one allowed to send them:
/// intake owns `dossier.*` and `compliance.recorded`, workflow owns `case.*` and `task.*`.
/// `None` for a type this version does not know (receivers ignore those).
pub fn producer(event_type: &str) -> Option<&'static str> {
    let family = event_type.split('.').next().unwrap_or_default();
    match family {
        "dossier" | "compliance" => Some(destination::INTAKE),
        "case" | "task" => Some(destination::WORKFLOW),
        _ => None,
    }
}

/// The services that consume events, by name: the relay's destinations.
pub mod destination {
    /// The workflow service (opens a case per received dossier).
    pub const WORKFLOW: &str = "workflow";
    /// The reporting service (counts).
    pub const REPORTING: &str = "reporting";
    /// The intake service (dossier status follows the case).
    pub const INTAKE: &str = "intake";
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn each_event_type_has_one_producer() {
        for t in [DOSSIER_RECEIVED, DOSSIER_REFUSED, COMPLIANCE_RECORDED] {
            assert_eq!(producer(t), Some(destination::INTAKE), "{t}");
        }
        for t in [CASE_OPENED, CASE_COMPLETED, TASK_COMPLETED, TASK_OVERDUE] {
            assert_eq!(producer(t), Some(destination::WORKFLOW), "{t}");
        }
        assert_eq!(producer("payment.confirmed"), None);
        assert_eq!(producer("dossiers.x"), None);
    }

    #[test]
    fn payload_round_trips_with_rfc3339_times() {
        let p = DossierReceived {
            dossier_code: "000.25.80.H80-261127-0001".into(),
            procedure_code: "1.001193".into(),
            procedure_version: 1,
            receiving_agency: "000.25.80.H80".into(),
            channel: "counter".into(),
            received_at: datetime!(2026-11-27 09:00 +07:00),
            due_at: datetime!(2026-11-27 17:00 +07:00),
            due_provisional: false,
            paper_components: true,
            field: "G13-HT".into(),
            level: "commune".into(),
            submitted_by: "officer-1".into(),
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["received_at"], "2026-11-27T09:00:00+07:00");
        let back: DossierReceived = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }
}
