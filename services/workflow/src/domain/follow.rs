//! How a case follows its dossier (theo dõi hồ sơ): while the applicant holds it (supplement,
//! payment) the case waits and every running step's clock stops; when it comes back each
//! step's deadline moves by exactly the working time waited (a recorded event), and a step that
//! had returned it for supplement gets it back on the control slip; when the dossier ends the
//! case closes.

use super::case::{Case, CaseState, Task};
use super::clock::{Calendars, moved_by_wait, resume_step};
use super::plan::TaskKind;
use super::progress::{forward, pause_main_clock, resume_main_clock};
use super::update::{Announcement, CaseUpdate, HandoverReason, NewHandover, TaskUpdate};
use motcua_audit::Actor;
use motcua_calendar::PROVINCE_OFFSET;
use motcua_events as e;
use time::OffsetDateTime;

/// What intake announced about the dossier, as the case sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum DossierChange {
    /// The applicant holds it now (`supplement`, `financial_obligation`).
    Waits(&'static str),
    /// It came back from the applicant, with its appointment after the wait.
    Resumes(&'static str, OffsetDateTime),
    /// Its appointment moved (re-appointment, main clock).
    DueMoved(OffsetDateTime),
    /// The result was handed back.
    ResultReturned,
    /// It ended otherwise (refused, withdrawn, stopped).
    Ends(String),
}

/// The intake event types a case follows, as changes; `None` for the others.
pub fn change_of(
    event_type: &str,
    to_status: &str,
    due_at: OffsetDateTime,
) -> Option<DossierChange> {
    Some(match event_type {
        e::DOSSIER_SUPPLEMENT_REQUESTED => DossierChange::Waits("supplement"),
        e::DOSSIER_FINANCIAL_OBLIGATION_REQUESTED => DossierChange::Waits("financial_obligation"),
        e::DOSSIER_SUPPLEMENTED => DossierChange::Resumes("supplement", due_at),
        e::DOSSIER_PAYMENT_CONFIRMED => DossierChange::Resumes("financial_obligation", due_at),
        e::DOSSIER_DUE_MOVED => DossierChange::DueMoved(due_at),
        e::DOSSIER_RESULT_RETURNED => DossierChange::ResultReturned,
        e::DOSSIER_REFUSED | e::DOSSIER_WITHDRAWN | e::DOSSIER_STOPPED => {
            DossierChange::Ends(to_status.to_string())
        }
        _ => return None,
    })
}

impl DossierChange {
    /// What the case does, as the audit trail names it.
    pub const fn action(&self) -> &'static str {
        match self {
            Self::Waits(_) => "case.paused",
            Self::Resumes(..) => "case.resumed",
            Self::DueMoved(_) => "case.due_moved",
            Self::ResultReturned | Self::Ends(_) => "case.closed",
        }
    }
}

/// The update `change` makes to the case at `at`, announced by `by` (the service whose event it
/// is); `None` when it changes nothing (a case that was not waiting does not resume, a closed
/// case stays closed).
pub fn follow(
    case: &Case,
    tasks: &[Task],
    change: &DossierChange,
    at: OffsetDateTime,
    cals: &Calendars,
    by: Actor,
) -> Option<CaseUpdate> {
    let mut u = CaseUpdate::new(case, tasks, by.clone(), change.action());
    match change {
        DossierChange::Waits(_) if case.state == CaseState::Open => {
            u.state = Some(CaseState::Paused);
            u.paused_at = Some(Some(at));
            for t in tasks
                .iter()
                .filter(|t| t.state.is_running() && t.paused_at.is_none())
            {
                // A step whose block opened after the wait began waits from its opening.
                let at = t.opened_at.map_or(at, |o| o.max(at));
                u.tasks.push(TaskUpdate::Pause { id: t.id, at });
            }
            // The applicant's wait is counted by intake's clock: the main clock stopped by a
            // step ends here and starts again on the return, so no wait is counted twice.
            if let (Some(paused_at), Some(t)) = (case.main_clock_paused_at, main_clock_step(tasks))
            {
                resume_main_clock(case, t, paused_at, at.max(paused_at), cals, &mut u);
            }
        }
        DossierChange::Resumes(reason, due) if case.state == CaseState::Paused => {
            u.state = Some(CaseState::Open);
            u.paused_at = Some(None);
            u.due_at = Some(*due);
            u.pause_reason = Some(reason);
            resume_steps(case, tasks, at, reason, cals, &mut u);
            if let Some(t) = main_clock_step(tasks) {
                pause_main_clock(case, t, at, &mut u);
            }
            // Not forwarded yet: the forwarding's deadline moves by the wait too.
            let forward_due = match (case.forwarded_at, case.forward_due, case.paused_at) {
                (None, Some(due), Some(paused)) => Some(moved_by_wait(
                    cals.of(&case.receiving_agency),
                    case.received_at,
                    due,
                    paused,
                    at,
                )),
                _ => None,
            };
            u.forward_due = forward_due;
            if case.forwarded_at.is_none() && case.forward_at.is_some_and(|f| f <= at) {
                let open = Case {
                    state: CaseState::Open,
                    forward_due: forward_due.or(case.forward_due),
                    ..case.clone()
                };
                if let Some(f) = forward(&open, tasks, at, cals, by) {
                    u.forwarded_at = f.forwarded_at;
                    u.tasks.extend(f.tasks);
                    u.handovers.extend(f.handovers);
                    u.main_clock_paused_at = f.main_clock_paused_at.or(u.main_clock_paused_at);
                    u.announcements.extend(f.announcements);
                }
            }
        }
        DossierChange::DueMoved(due) if case.state != CaseState::Closed => u.due_at = Some(*due),
        DossierChange::ResultReturned if case.state != CaseState::Closed => {
            for t in tasks
                .iter()
                .filter(|t| t.kind == TaskKind::Return && t.state.is_unfinished())
            {
                u.tasks.push(TaskUpdate::Finish {
                    id: t.id,
                    by: "intake".into(),
                    at,
                    outcome: "done",
                    note: serde_json::Value::Null,
                    timeliness: None,
                    lateness_minutes: None,
                });
            }
            close(tasks, "result_returned", at, &mut u);
        }
        DossierChange::Ends(reason) if case.state != CaseState::Closed => {
            close(tasks, reason, at, &mut u)
        }
        _ => return None,
    }
    Some(u)
}

/// The running step that stops the main clock, if any.
fn main_clock_step(tasks: &[Task]) -> Option<&Task> {
    tasks
        .iter()
        .find(|t| t.pauses_main_clock && t.state.is_running())
}

fn resume_steps(
    case: &Case,
    tasks: &[Task],
    at: OffsetDateTime,
    reason: &str,
    cals: &Calendars,
    u: &mut CaseUpdate,
) {
    for t in tasks
        .iter()
        .filter(|t| t.state.is_running() && t.paused_at.is_some())
    {
        if let Some(moved) = resume_step(cals.of(&t.agency), t, at) {
            u.announcements
                .push(Announcement::DeadlineMoved(e::StepDeadlineMoved {
                    dossier_code: case.dossier_code.clone(),
                    task_id: t.id.to_string(),
                    step: t.name.clone(),
                    agency: t.agency.clone(),
                    reason: reason.to_string(),
                    working_minutes: moved.waited.as_minutes(),
                    due_before: moved.due_before.to_offset(PROVINCE_OFFSET),
                    due_after: moved.due_after.to_offset(PROVINCE_OFFSET),
                }));
            u.tasks.push(TaskUpdate::Resume(moved));
        }
        if t.supplement_requested_at.is_some() {
            u.tasks.push(TaskUpdate::SupplementWait {
                id: t.id,
                since: None,
                by: None,
            });
            u.handovers.push(NewHandover {
                task_id: Some(t.id),
                at,
                from: (case.receiving_agency.clone(), None),
                to: (t.agency.clone(), t.claimed_by.clone()),
                step_name: t.name.clone(),
                step_deadline: t.due_at,
                result: None,
                reason: HandoverReason::Supplemented,
            });
        }
    }
}

fn close(tasks: &[Task], reason: &str, at: OffsetDateTime, u: &mut CaseUpdate) {
    for t in tasks.iter().filter(|t| t.state.is_unfinished()) {
        if !u
            .tasks
            .iter()
            .any(|x| matches!(x, TaskUpdate::Finish { id, .. } if *id == t.id))
        {
            u.tasks.push(TaskUpdate::Cancel { id: t.id });
        }
    }
    u.state = Some(CaseState::Closed);
    u.closed = Some((reason.to_string(), at));
}

#[cfg(test)]
mod tests {
    use super::super::case::TaskState;
    use super::super::fixtures::*;
    use super::*;
    use time::macros::datetime;

    const WAITED_FROM: OffsetDateTime = datetime!(2026-11-27 10:00 +07:00);
    const BACK_AT: OffsetDateTime = datetime!(2026-12-02 10:00 +07:00);

    #[test]
    fn a_wait_stops_running_steps_and_the_return_moves_them_by_exactly_the_wait() {
        let c = case(datetime!(2026-11-27 17:00 +07:00));
        let tasks = [
            task(1, 0, JUSTICE, 6, TaskState::Open),
            task(2, 1, POLICE, 8, TaskState::Pending),
        ];
        let u = follow(
            &c,
            &tasks,
            &DossierChange::Waits("supplement"),
            WAITED_FROM,
            &cals(),
            Actor::service("intake"),
        )
        .unwrap();
        assert_eq!(
            (u.state, u.tasks.clone()),
            (
                Some(CaseState::Paused),
                vec![TaskUpdate::Pause {
                    id: tasks[0].id,
                    at: WAITED_FROM
                }]
            )
        );
        let mut waiting = c.clone();
        waiting.state = CaseState::Paused;
        waiting.paused_at = Some(WAITED_FROM);
        let mut stopped = tasks.clone();
        stopped[0].paused_at = Some(WAITED_FROM);
        stopped[0].supplement_requested_at = Some(WAITED_FROM);
        let u = follow(
            &waiting,
            &stopped,
            &DossierChange::Resumes("supplement", BACK_AT),
            BACK_AT,
            &cals(),
            Actor::service("intake"),
        )
        .unwrap();
        let moved = u.tasks.iter().find_map(|t| match t {
            TaskUpdate::Resume(m) => Some(m.clone()),
            _ => None,
        });
        let moved = moved.unwrap();
        assert_eq!(
            (moved.waited, moved.due_after),
            (
                motcua_calendar::WorkingDuration::hours(24),
                datetime!(2026-12-02 17:00 +07:00)
            )
        );
        assert_eq!(
            u.handovers[0].reason,
            HandoverReason::Supplemented,
            "back to the agency that asked"
        );
        assert!(
            follow(
                &c,
                &tasks,
                &DossierChange::Resumes("supplement", BACK_AT),
                BACK_AT,
                &cals(),
                Actor::service("intake"),
            )
            .is_none(),
            "only a waiting case resumes"
        );
    }

    #[test]
    fn the_applicants_wait_during_the_tax_step_is_not_counted_twice() {
        let mut c = case(datetime!(2026-12-24 17:00 +07:00));
        let tax_started = datetime!(2026-11-30 09:00 +07:00);
        c.main_clock_paused_at = Some(tax_started);
        let mut tasks = [task(1, 0, TAX, 24, TaskState::Open)];
        tasks[0].pauses_main_clock = true;
        let u = follow(
            &c,
            &tasks,
            &DossierChange::Waits("financial_obligation"),
            WAITED_FROM.replace_date(time::macros::date!(2026 - 12 - 01)),
            &cals(),
            Actor::service("intake"),
        )
        .unwrap();
        assert_eq!(
            u.main_clock_paused_at,
            Some(None),
            "the main clock's stop ends where the applicant's wait begins"
        );
        assert_eq!(
            u.due_at,
            Some(datetime!(2026-12-28 08:00 +07:00)),
            "moved by the tax step's 9 working hours so far"
        );
        let mut waiting = c.clone();
        waiting.state = CaseState::Paused;
        waiting.main_clock_paused_at = None;
        waiting.paused_at = Some(datetime!(2026-12-01 10:00 +07:00));
        let u = follow(
            &waiting,
            &tasks,
            &DossierChange::Resumes("financial_obligation", c.due_at),
            BACK_AT,
            &cals(),
            Actor::service("intake"),
        )
        .unwrap();
        assert_eq!(
            u.main_clock_paused_at,
            Some(Some(BACK_AT)),
            "and starts again on the return"
        );
    }

    #[test]
    fn a_wait_before_forwarding_moves_the_forwarding_deadline() {
        let mut c = case(datetime!(2026-11-30 17:00 +07:00));
        c.forwarded_at = None;
        c.forward_at = Some(datetime!(2026-11-30 07:00 +07:00));
        c.forward_due = Some(datetime!(2026-11-30 17:00 +07:00));
        c.state = CaseState::Paused;
        c.paused_at = Some(datetime!(2026-11-27 16:00 +07:00));
        let tasks = [task(1, 0, JUSTICE, 6, TaskState::Pending)];
        let u = follow(
            &c,
            &tasks,
            &DossierChange::Resumes("supplement", c.due_at),
            BACK_AT,
            &cals(),
            Actor::service("intake"),
        )
        .unwrap();
        assert_eq!(
            u.forward_due,
            Some(datetime!(2026-12-03 11:00 +07:00)),
            "moved by the 20 working hours waited"
        );
        assert_eq!(u.forwarded_at, Some(BACK_AT), "forwarded on the return");
        assert_eq!(
            u.handovers[0].result,
            Some(motcua_calendar::Timeliness::Early),
            "not late for the applicant's time"
        );
    }

    #[test]
    fn an_ended_dossier_closes_the_case_and_cancels_its_unfinished_steps() {
        let c = case(datetime!(2026-11-27 17:00 +07:00));
        let tasks = [
            task(1, 0, JUSTICE, 6, TaskState::Done),
            task(2, 1, POLICE, 8, TaskState::Open),
        ];
        let u = follow(
            &c,
            &tasks,
            &DossierChange::Ends("withdrawn".into()),
            WAITED_FROM,
            &cals(),
            Actor::service("intake"),
        )
        .unwrap();
        assert_eq!(u.tasks, [TaskUpdate::Cancel { id: tasks[1].id }]);
        assert_eq!(u.closed, Some(("withdrawn".to_string(), WAITED_FROM)));
    }
}
