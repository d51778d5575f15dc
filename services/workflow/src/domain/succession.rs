//! Agency succession (kế thừa), `shared/domain.md` §5 and Resolution 190/2025: when an agency is
//! retired with a successor, its unfinished steps move to the successor from that date, each
//! running one with a row on the control slip; finished steps are never redone and the
//! applicant never re-submits.

use super::case::{Case, Task};
use super::update::{Announcement, CaseUpdate, HandoverReason, NewHandover, TaskUpdate};
use motcua_calendar::PROVINCE_OFFSET;
use motcua_events as e;
use time::OffsetDateTime;
#[cfg(test)]
use uuid::Uuid;

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
    let by = motcua_audit::Actor::service("workflow");
    let mut u = CaseUpdate::new(case, tasks, by, "task.reassigned");
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
                started_at: t.opened_at.map(|d| d.to_offset(PROVINCE_OFFSET)),
            },
        ));
    }
    Some(u)
}

#[cfg(test)]
mod tests {
    use super::super::case::TaskState;
    use super::super::fixtures::*;
    use super::*;
    use time::macros::datetime;

    #[test]
    fn unfinished_steps_move_to_the_successor_finished_ones_stay() {
        let old = "000.36.80.H80";
        let mut claimed = task(2, 1, old, 8, TaskState::Claimed);
        claimed.claimed_by = Some("someone".into());
        let tasks = [
            task(1, 0, old, 8, TaskState::Done),
            claimed,
            task(3, 2, old, 8, TaskState::Pending),
        ];
        let at = datetime!(2026-12-01 00:00 +07:00);
        let u = reassign(
            &case(datetime!(2026-12-04 17:00 +07:00)),
            &tasks,
            old,
            JUSTICE,
            at,
        )
        .unwrap();
        let moved: Vec<Uuid> = u
            .tasks
            .iter()
            .filter_map(|t| match t {
                TaskUpdate::Reassign { id, agency } if agency == JUSTICE => Some(*id),
                _ => None,
            })
            .collect();
        assert_eq!(
            moved,
            [tasks[1].id, tasks[2].id],
            "the finished step is never redone"
        );
        assert_eq!(
            u.handovers.len(),
            1,
            "a row of the slip for the running step"
        );
        assert_eq!(
            (u.handovers[0].from.0.as_str(), u.handovers[0].reason),
            (old, HandoverReason::Succession)
        );
        assert!(
            reassign(
                &case(datetime!(2026-12-04 17:00 +07:00)),
                &tasks,
                JUSTICE,
                POLICE,
                at
            )
            .is_none()
        );
    }
}
