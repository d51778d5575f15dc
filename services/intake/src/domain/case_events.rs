//! How the dossier follows its case in workflow (theo dõi xử lý): the case opened → processing
//! (4); every step done → processed (9), or remembered when the dossier is waiting for the
//! applicant (supplement, payment) so that it goes to processed when the wait ends; a step that
//! paused the main clock moves the appointment by the working time it took; an apology (form
//! 04) re-appoints. Each appointment move is announced (`dossier.due_moved`).

use super::change::{Change, DossierUpdate};
use super::dossier::{Dossier, rfc3339};
use super::status::DossierStatus;
use super::supplement::clock_of;
use super::transition::{self, Action};
use motcua_audit::Actor;
use motcua_calendar::{Deadline, SupplementClockPolicy, WorkingCalendar};
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
    /// A step that paused the main clock (the tax authority's) is done.
    MainClockResumed {
        /// The step.
        step: String,
        /// Its agency.
        agency: String,
        /// When it started.
        paused_at: OffsetDateTime,
    },
    /// The agency running late apologised and re-appointed (form 04).
    Extended {
        /// The agency.
        agency: String,
        /// Its head.
        by: String,
        /// Why.
        reason: String,
        /// The new appointment.
        due_after: OffsetDateTime,
    },
}

/// Who workflow's changes are recorded as (`svc:workflow`, role `service`).
pub fn workflow_actor() -> Actor {
    Actor::service("workflow")
}

/// The update a case event makes to the dossier, or `None` when it no longer applies (the
/// dossier was withdrawn or refused meanwhile).
pub fn decide(
    d: &Dossier,
    event: &CaseEvent,
    at: OffsetDateTime,
    cal: &WorkingCalendar,
) -> Option<DossierUpdate> {
    let waiting = matches!(
        d.status,
        DossierStatus::SupplementRequested | DossierStatus::FinancialObligation
    );
    match event {
        CaseEvent::Completed { case_id } if waiting => {
            let change = Change::of(d, Action::Complete, d.status, &workflow_actor(), at)
                .with_detail(json!({"deferred": true, "case_id": case_id}));
            let mut update = DossierUpdate::of(keep_wait(change, d));
            update.case_completed_at = Some(at);
            Some(update)
        }
        CaseEvent::Completed { case_id } => {
            let to = transition::next(d.status, Action::Complete, None)?;
            let change = Change::of(d, Action::Complete, to, &workflow_actor(), at)
                .with_detail(json!({"case_id": case_id}))
                // Reporting learns statuses from intake only (one ordered source).
                .announced(motcua_events::DOSSIER_PROCESSED);
            Some(DossierUpdate::of(change))
        }
        CaseEvent::MainClockResumed {
            step,
            agency,
            paused_at,
        } => {
            if d.status.is_final() {
                return None;
            }
            let waited = Dossier {
                clock_paused_at: Some(*paused_at),
                ..d.clone()
            };
            let due = clock_of(&waited, cal)
                .resume(cal, at, SupplementClockPolicy::Pause)
                .ok()?;
            let detail = json!({
                "reason": "main_clock_paused_by_step", "step": step, "agency": agency,
                "paused_from": rfc3339(*paused_at), "due_before": rfc3339(d.due.at), "due_after": rfc3339(due.at),
            });
            Some(DossierUpdate::of(moved(
                d,
                Action::ResumeMainClock,
                due,
                at,
                detail,
            )))
        }
        CaseEvent::Extended {
            agency,
            by,
            reason,
            due_after,
        } => {
            if d.status.is_final() {
                return None;
            }
            let detail = json!({
                "reason": reason, "agency": agency, "by": by,
                "due_before": rfc3339(d.due.at), "due_after": rfc3339(*due_after),
            });
            let due = Deadline {
                at: *due_after,
                provisional: d.due.provisional,
            };
            Some(
                DossierUpdate::of(moved(d, Action::Extend, due, at, detail.clone()))
                    .with_document("apology_form_04", detail),
            )
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
                    Change::of(d, Action::Forward, d.status, &workflow_actor(), at),
                    d,
                );
                change.resume_status = Some(DossierStatus::Processing);
                return Some(DossierUpdate::of(change.with_detail(detail)));
            }
            let to = transition::next(d.status, Action::Forward, None)?;
            let change = Change::of(d, Action::Forward, to, &workflow_actor(), at)
                .with_detail(detail)
                .announced(motcua_events::DOSSIER_FORWARDED);
            Some(DossierUpdate::of(change))
        }
    }
}

/// A move of the appointment with no change of status, announced.
fn moved(
    d: &Dossier,
    action: Action,
    due: Deadline,
    at: OffsetDateTime,
    detail: serde_json::Value,
) -> Change {
    let mut change = keep_wait(Change::of(d, action, d.status, &workflow_actor(), at), d)
        .with_detail(detail)
        .announced(motcua_events::DOSSIER_DUE_MOVED);
    change.due = due;
    change
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

    fn decide(d: &Dossier, e: &CaseEvent, at: OffsetDateTime) -> Option<DossierUpdate> {
        super::decide(d, e, at, &calendar())
    }

    #[test]
    fn the_tax_step_moves_the_appointment_by_the_working_time_it_took() {
        let mut d = dossier(DossierStatus::Processing);
        d.due = Deadline {
            at: datetime!(2026-12-24 17:00 +07:00),
            provisional: false,
        };
        let e = CaseEvent::MainClockResumed {
            step: "Thuế".into(),
            agency: "T".into(),
            paused_at: datetime!(2026-12-01 09:00 +07:00),
        };
        let u = decide(&d, &e, datetime!(2026-12-04 09:00 +07:00)).unwrap();
        assert_eq!(
            u.change.due.at,
            datetime!(2026-12-29 17:00 +07:00),
            "3 working days later"
        );
        assert_eq!(
            (u.change.to, u.change.event),
            (
                DossierStatus::Processing,
                Some(motcua_events::DOSSIER_DUE_MOVED)
            )
        );
    }

    #[test]
    fn an_apology_re_appoints_and_issues_form_04() {
        let d = dossier(DossierStatus::Processing);
        let e = CaseEvent::Extended {
            agency: "J".into(),
            by: "head".into(),
            reason: "xác minh".into(),
            due_after: datetime!(2026-12-04 17:00 +07:00),
        };
        let u = decide(&d, &e, AT).unwrap();
        assert_eq!(u.change.due.at, datetime!(2026-12-04 17:00 +07:00));
        assert_eq!(u.document.unwrap().kind, "apology_form_04");
        assert!(decide(&dossier(DossierStatus::Withdrawn), &e, AT).is_none());
    }

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
