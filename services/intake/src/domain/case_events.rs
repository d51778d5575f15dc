//! How the dossier follows its case in workflow (theo dõi xử lý): the case opened → processing
//! (4); every step done → processed (9), or remembered when the dossier is waiting for the
//! applicant (supplement, payment) so that it goes to processed when the wait ends.

use super::change::{Change, DossierUpdate};
use super::dossier::Dossier;
use super::status::DossierStatus;
use super::transition::{self, Action};
use serde_json::json;
use time::OffsetDateTime;

/// What workflow announced about the dossier's case.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseEvent {
    /// The case opened: the dossier is forwarded to the agencies.
    Opened {
        /// Case id.
        case_id: String,
        /// Steps open now.
        current_steps: Vec<String>,
    },
    /// Every processing step is done: the result is at the one-stop.
    Completed {
        /// Case id.
        case_id: String,
    },
}

/// Who workflow's changes are recorded as.
pub const WORKFLOW_ACTOR: &str = "svc:workflow";

/// The update a case event makes to the dossier, or `None` when it no longer applies (the
/// dossier was withdrawn or refused meanwhile).
pub fn decide(d: &Dossier, event: &CaseEvent, at: OffsetDateTime) -> Option<DossierUpdate> {
    let waiting = matches!(
        d.status,
        DossierStatus::SupplementRequested | DossierStatus::FinancialObligation
    );
    match event {
        CaseEvent::Completed { case_id } if waiting => {
            let change = Change::of(d, Action::Complete, d.status, WORKFLOW_ACTOR, at)
                .with_detail(json!({"deferred": true, "case_id": case_id}));
            let mut update = DossierUpdate::of(keep_wait(change, d));
            update.case_completed_at = Some(at);
            Some(update)
        }
        CaseEvent::Completed { case_id } => {
            let to = transition::next(d.status, Action::Complete, None)?;
            let change = Change::of(d, Action::Complete, to, WORKFLOW_ACTOR, at)
                .with_detail(json!({"case_id": case_id}))
                // Reporting learns statuses from intake only (one ordered source).
                .announced(motcua_events::DOSSIER_PROCESSED);
            Some(DossierUpdate::of(change))
        }
        CaseEvent::Opened {
            case_id,
            current_steps,
        } => {
            let detail = json!({"case_id": case_id, "current_steps": current_steps});
            // Forwarded while waiting for the applicant: it will resume to processing.
            if d.status == DossierStatus::SupplementRequested
                && d.resume_status == Some(DossierStatus::Received)
            {
                let mut change = keep_wait(
                    Change::of(d, Action::Forward, d.status, WORKFLOW_ACTOR, at),
                    d,
                );
                change.resume_status = Some(DossierStatus::Processing);
                return Some(DossierUpdate::of(change.with_detail(detail)));
            }
            let to = transition::next(d.status, Action::Forward, None)?;
            let change = Change::of(d, Action::Forward, to, WORKFLOW_ACTOR, at)
                .with_detail(detail)
                .announced(motcua_events::DOSSIER_FORWARDED);
            Some(DossierUpdate::of(change))
        }
    }
}

/// The change keeping the dossier's wait as it is.
fn keep_wait(mut change: Change, d: &Dossier) -> Change {
    change.clock_paused_at = d.clock_paused_at;
    change.resume_status = d.resume_status;
    change
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use motcua_calendar::SupplementClockPolicy;
    use time::macros::datetime;

    const AT: OffsetDateTime = datetime!(2026-11-27 11:00 +07:00);

    #[test]
    fn the_opened_case_moves_the_dossier_to_processing_and_is_announced() {
        let u = decide(
            &dossier(DossierStatus::Received),
            &CaseEvent::Opened {
                case_id: "c".into(),
                current_steps: vec![],
            },
            AT,
        )
        .unwrap();
        assert_eq!(
            (u.change.to, u.change.event),
            (
                DossierStatus::Processing,
                Some(motcua_events::DOSSIER_FORWARDED)
            )
        );
    }

    #[test]
    fn forwarded_while_waiting_the_dossier_will_resume_to_processing() {
        let mut d = waiting(
            datetime!(2026-11-27 10:00 +07:00),
            SupplementClockPolicy::Restart,
        );
        d.resume_status = Some(DossierStatus::Received);
        let u = decide(
            &d,
            &CaseEvent::Opened {
                case_id: "c".into(),
                current_steps: vec![],
            },
            AT,
        )
        .unwrap();
        assert_eq!(u.change.to, DossierStatus::SupplementRequested);
        assert_eq!(u.change.resume_status, Some(DossierStatus::Processing));
        assert_eq!(u.change.clock_paused_at, d.clock_paused_at, "still waiting");
    }

    #[test]
    fn a_case_completed_while_waiting_is_remembered_not_lost() {
        let d = waiting(
            datetime!(2026-11-27 10:00 +07:00),
            SupplementClockPolicy::Restart,
        );
        let u = decide(
            &d,
            &CaseEvent::Completed {
                case_id: "c".into(),
            },
            AT,
        )
        .unwrap();
        assert_eq!(
            (u.change.to, u.case_completed_at, u.change.event),
            (DossierStatus::SupplementRequested, Some(AT), None)
        );
        let done = decide(
            &dossier(DossierStatus::Processing),
            &CaseEvent::Completed {
                case_id: "c".into(),
            },
            AT,
        )
        .unwrap();
        assert_eq!(done.change.to, DossierStatus::Processed);
        assert!(
            decide(
                &dossier(DossierStatus::Withdrawn),
                &CaseEvent::Completed {
                    case_id: "c".into()
                },
                AT
            )
            .is_none()
        );
    }
}
