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
