//! Agency succession (kế thừa), `shared/domain.md` §5 and Resolution 190/2025: when an agency is
//! retired with a successor, its unfinished steps move to the successor from that date, each
//! running one with a row on the control slip; finished steps are never redone and the
//! applicant never re-submits.

use super::case::{Case, Task};
use super::update::{Announcement, CaseUpdate, HandoverReason, NewHandover, TaskUpdate};
use motcua_calendar::PROVINCE_OFFSET;
use motcua_events as e;
use time::OffsetDateTime;

/// Moves `case`'s unfinished steps at `from` to `to` at `at`; `None` when it has none there.
pub fn reassign(
    case: &Case,
    tasks: &[Task],
    from: &str,
    to: &str,
    at: OffsetDateTime,
) -> Option<CaseUpdate> {
    let moving: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.agency == from && t.state.is_unfinished())
        .collect();
    if moving.is_empty() || from == to {
        return None;
    }
    let mut u = CaseUpdate::new(case.id, &case.dossier_code);
    for t in moving {
        u.tasks.push(TaskUpdate::Reassign {
            id: t.id,
            agency: to.to_string(),
        });
        if t.state.is_running() {
            u.handovers.push(NewHandover {
                task_id: Some(t.id),
                at,
                from: (from.to_string(), t.claimed_by.clone()),
                to: (to.to_string(), None),
                step_name: t.name.clone(),
                step_deadline: t.due_at,
                result: None,
                reason: HandoverReason::Succession,
            });
        }
        u.announcements.push(Announcement::Step(
            e::TASK_REASSIGNED,
            e::StepChanged {
                dossier_code: case.dossier_code.clone(),
                task_id: t.id.to_string(),
                step: t.name.clone(),
                agency: to.to_string(),
                from_agency: Some(from.to_string()),
                by: "system".into(),
                outcome: "reassigned".into(),
                at: at.to_offset(PROVINCE_OFFSET),
                deadline: t.due_at.map(|d| d.to_offset(PROVINCE_OFFSET)),
                timeliness: None,
                lateness_minutes: None,
            },
        ));
    }
    Some(u)
}
