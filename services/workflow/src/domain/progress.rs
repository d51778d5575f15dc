//! A case moving through its steps (tiến trình giải quyết): forwarding to the first agencies,
//! claiming, and finishing a step — done (the next block opens with its deadlines, or the case
//! completes), returned for the applicant's supplement, or refused. Every handover is a row of
//! the control slip with the step's early / on time / late; a step that pauses the dossier's
//! main clock stops it while it runs.

use super::case::{Case, CaseState, Task, TaskState};
use super::clock::{Calendars, judge, moved_by_wait, step_due};
use super::plan::TaskKind;
use super::update::{Announcement, CaseUpdate, HandoverReason, NewHandover, TaskUpdate};
use motcua_audit::Actor;
use motcua_auth::{Caller, Role};
use motcua_calendar::local;
use motcua_events as e;
use motcua_problem::{Problem, codes};
use time::OffsetDateTime;
use uuid::Uuid;

/// The forwarding step's name on the control slip.
pub const FORWARDING_STEP: &str = "Chuyển hồ sơ đến cơ quan giải quyết";

fn case_changed(case: &Case, at: OffsetDateTime, current_steps: Vec<String>) -> e::CaseChanged {
    e::CaseChanged {
        dossier_code: case.dossier_code.clone(),
        case_id: case.id.to_string(),
        at: local(at),
        current_steps,
    }
}

fn first_process_block(tasks: &[Task], after: Option<i32>) -> Option<i32> {
    tasks
        .iter()
        .filter(|t| t.kind == TaskKind::Process && after.is_none_or(|b| t.block > b))
        .map(|t| t.block)
        .min()
}

/// Opens block `block` at `at`: each of its steps goes to its agency with a deadline on that
/// agency's calendar; a step that pauses the main clock stops the dossier's clock.
fn open_block(
    case: &Case,
    tasks: &[Task],
    block: i32,
    at: OffsetDateTime,
    cals: &Calendars,
    u: &mut CaseUpdate,
) -> Vec<(Task, OffsetDateTime)> {
    let opened: Vec<(Task, OffsetDateTime)> = tasks
        .iter()
        .filter(|t| t.block == block)
        .map(|t| (t.clone(), step_due(cals.of(&t.agency), at, t.budget)))
        .collect();
    for (t, due) in &opened {
        u.tasks.push(TaskUpdate::Open {
            id: t.id,
            at,
            due_at: *due,
        });
    }
    if let Some((t, _)) = opened.iter().find(|(t, _)| t.pauses_main_clock) {
        pause_main_clock(case, t, at, u);
    }
    opened
}

fn main_clock(
    case: &Case,
    t: &Task,
    paused_at: OffsetDateTime,
    resumed_at: Option<OffsetDateTime>,
) -> Announcement {
    Announcement::MainClock(e::CaseMainClock {
        dossier_code: case.dossier_code.clone(),
        case_id: case.id.to_string(),
        step: t.name.clone(),
        agency: t.agency.clone(),
        paused_at: local(paused_at),
        resumed_at: resumed_at.map(local),
    })
}

/// Step `t` stops the dossier's main clock at `at` (the tax authority's step in land flows).
pub(super) fn pause_main_clock(case: &Case, t: &Task, at: OffsetDateTime, u: &mut CaseUpdate) {
    u.main_clock_paused_at = Some(Some(at));
    u.announcements.push(main_clock(case, t, at, None));
}

/// The main clock stopped since `paused_at` runs again at `at`: the dossier's appointment moves
/// by exactly the working time it was stopped (intake moves its own the same way on the event).
pub(super) fn resume_main_clock(
    case: &Case,
    t: &Task,
    paused_at: OffsetDateTime,
    at: OffsetDateTime,
    cals: &Calendars,
    u: &mut CaseUpdate,
) {
    let cal = cals.of(&case.receiving_agency);
    u.main_clock_paused_at = Some(None);
    u.due_at = Some(moved_by_wait(
        cal,
        case.received_at,
        case.due_at,
        paused_at,
        at,
    ));
    u.announcements
        .push(main_clock(case, t, paused_at, Some(at)));
}

/// Forwards the dossier to its first processing block at `at` (thời điểm chuyển hồ sơ), with
/// the forwarding step judged against its deadline on the control slip; `None` when it was
/// forwarded already or the case is not open.
pub fn forward(
    case: &Case,
    tasks: &[Task],
    at: OffsetDateTime,
    cals: &Calendars,
    by: Actor,
) -> Option<CaseUpdate> {
    if case.forwarded_at.is_some() || case.state != CaseState::Open {
        return None;
    }
    let mut u = CaseUpdate::new(case, tasks, by, "case.forwarded");
    u.forwarded_at = Some(at);
    let result = case
        .forward_due
        .map(|due| judge(cals.of(&case.receiving_agency), at, due).0);
    let block = first_process_block(tasks, None)?;
    let opened = open_block(case, tasks, block, at, cals, &mut u);
    for (t, _) in &opened {
        u.handovers.push(NewHandover {
            task_id: None,
            at,
            from: (case.receiving_agency.clone(), None),
            to: (t.agency.clone(), None),
            step_name: FORWARDING_STEP.into(),
            step_deadline: case.forward_due,
            result,
            reason: HandoverReason::Forward,
        });
    }
    let steps = opened.iter().map(|(t, _)| t.name.clone()).collect();
    u.announcements
        .push(Announcement::Opened(case_changed(case, at, steps)));
    Some(u)
}

/// May `caller` act on step `t` of `case` now? Staff (or the sector system) of its agency,
/// the step running, not held by someone else, and the case not waiting or ended.
pub fn check_may_act(case: &Case, t: &Task, caller: &Caller) -> Result<(), Problem> {
    at_callers_agency(t, caller)?;
    if case.state != CaseState::Open {
        return Err(Problem::new(
            &codes::CASE_NOT_OPEN,
            format!("the case is {}", case.state.as_str()),
        )
        .with("case_state", case.state.as_str()));
    }
    held_by_caller_or_open(t, caller).map(drop)
}

/// Claims step `t` for `caller` (also while the case waits: the claim says who will carry on);
/// claiming one's own claim again changes nothing.
pub fn claim(
    t: &Task,
    caller: &Caller,
    now: OffsetDateTime,
) -> Result<Option<TaskUpdate>, Problem> {
    at_callers_agency(t, caller)?;
    match held_by_caller_or_open(t, caller)? {
        true => Ok(None),
        false => Ok(Some(TaskUpdate::Claim {
            id: t.id,
            by: caller.sub.clone(),
            at: now,
        })),
    }
}

/// The step is at the caller's agency (and, for a sector system whose token names a sector, in
/// that sector): the scope of everything a caller does with steps (claim, finish, the sector
/// connector's stream and reads); `403 agency_not_allowed` otherwise.
pub fn at_callers_agency(t: &Task, caller: &Caller) -> Result<(), Problem> {
    if caller.agency.as_deref() != Some(t.agency.as_str()) {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            "the task is at another agency",
        ));
    }
    if caller.has(Role::SectorSystem) && caller.sector.is_some() && t.sector != caller.sector {
        return Err(Problem::new(
            &codes::AGENCY_NOT_ALLOWED,
            "the task is in another sector",
        ));
    }
    Ok(())
}

/// A step the caller may take: open (`false`), or already held by the caller (`true`);
/// `409` when someone else holds it or it is not running.
fn held_by_caller_or_open(t: &Task, caller: &Caller) -> Result<bool, Problem> {
    match (t.state, t.claimed_by.as_deref()) {
        (TaskState::Open, _) => Ok(false),
        (TaskState::Claimed, Some(who)) if who == caller.sub => Ok(true),
        (TaskState::Claimed, Some(who)) => Err(Problem::new(
            &codes::TASK_CLAIMED,
            format!("the task is held by {who}"),
        )
        .with("claimed_by", who)),
        (state, _) => Err(Problem::new(
            &codes::TASK_NOT_OPEN,
            format!("the task is {}", state.as_str()),
        )
        .with("state", state.as_str())),
    }
}

fn step_event(
    t: &Task,
    by: &str,
    outcome: &str,
    at: OffsetDateTime,
    judged: Option<(motcua_calendar::Timeliness, Option<i64>)>,
) -> Announcement {
    Announcement::Step(
        e::TASK_COMPLETED,
        e::StepChanged {
            dossier_code: t.dossier_code.clone(),
            task_id: t.id.to_string(),
            step: t.name.clone(),
            agency: t.agency.clone(),
            from_agency: None,
            by: by.to_string(),
            outcome: outcome.to_string(),
            at: local(at),
            deadline: t.due_at.map(local),
            timeliness: judged.map(|(j, _)| j.as_str().to_string()),
            lateness_minutes: judged.and_then(|(_, l)| l),
            started_at: t.opened_at.map(local),
        },
    )
}

/// Step `id` of the case.
fn task_in(tasks: &[Task], id: Uuid) -> Result<&Task, Problem> {
    tasks
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| Problem::new(&codes::TASK_NOT_FOUND, format!("no task {id}")))
}

/// A step finished now, against its deadline: early / on time / late, and the working minutes late.
fn judged(
    cal: &motcua_calendar::WorkingCalendar,
    t: &Task,
    now: OffsetDateTime,
) -> Option<(motcua_calendar::Timeliness, Option<i64>)> {
    t.due_at.map(|due| {
        let (j, late) = judge(cal, now, due);
        (j, late.map(|l| l.as_minutes()))
    })
}

/// Finishes step `id` as done at `now`: judged against its deadline; handed over to the next
/// block's agencies (or back to the one-stop); when its block is complete the next block opens,
/// or the case completes; a step that paused the main clock resumes it.
pub fn complete(
    case: &Case,
    tasks: &[Task],
    id: Uuid,
    caller: &Caller,
    note: serde_json::Value,
    now: OffsetDateTime,
    cals: &Calendars,
) -> Result<CaseUpdate, Problem> {
    let t = task_in(tasks, id)?;
    check_may_act(case, t, caller)?;
    let mut u = CaseUpdate::new(case, tasks, Actor::of(caller), "task.completed");
    let cal = cals.of(&t.agency);
    let judged = judged(cal, t, now);
    u.tasks.push(TaskUpdate::Finish {
        id: t.id,
        by: caller.sub.clone(),
        at: now,
        outcome: "done",
        note,
        timeliness: judged.map(|j| j.0),
        lateness_minutes: judged.and_then(|j| j.1),
    });
    u.announcements
        .push(step_event(t, &caller.sub, "done", now, judged));
    let next_block = first_process_block(tasks, Some(t.block));
    let next: Vec<&Task> = next_block.map_or(Vec::new(), |b| {
        tasks.iter().filter(|x| x.block == b).collect()
    });
    let recipients: Vec<&str> = match next.is_empty() {
        true => vec![case.receiving_agency.as_str()],
        false => next.iter().map(|x| x.agency.as_str()).collect(),
    };
    for to in recipients {
        u.handovers.push(NewHandover {
            task_id: Some(t.id),
            at: now,
            from: (t.agency.clone(), Some(caller.sub.clone())),
            to: (to.to_string(), None),
            step_name: t.name.clone(),
            step_deadline: t.due_at,
            result: judged.map(|j| j.0),
            reason: HandoverReason::Handover,
        });
    }
    if t.pauses_main_clock
        && let Some(paused_at) = case.main_clock_paused_at
    {
        resume_main_clock(case, t, paused_at, now, cals, &mut u);
    }
    let block_done = !tasks
        .iter()
        .any(|x| x.block == t.block && x.id != t.id && x.state.is_unfinished());
    if !block_done {
        return Ok(u);
    }
    match next_block {
        Some(b) => {
            open_block(case, tasks, b, now, cals, &mut u);
        }
        None => {
            u.state = Some(CaseState::Completed);
            u.completed_at = Some(now);
            u.announcements
                .push(Announcement::Completed(case_changed(case, now, Vec::new())));
        }
    }
    Ok(u)
}

/// Records that step `id` returned the dossier for the applicant's supplement (issued by
/// intake as the dossier's one supplement request): the dossier goes back to the one-stop and
/// the step waits for it.
pub fn returned_for_supplement(
    case: &Case,
    tasks: &[Task],
    id: Uuid,
    caller: &Caller,
    now: OffsetDateTime,
) -> Result<CaseUpdate, Problem> {
    let t = task_in(tasks, id)?;
    let by = Actor::of(caller);
    let mut u = CaseUpdate::new(case, tasks, by, "task.returned_for_supplement");
    u.tasks.push(TaskUpdate::SupplementWait {
        id: t.id,
        since: Some(now),
        by: Some(caller.sub.clone()),
    });
    u.handovers.push(NewHandover {
        task_id: Some(t.id),
        at: now,
        from: (t.agency.clone(), Some(caller.sub.clone())),
        to: (case.receiving_agency.clone(), None),
        step_name: t.name.clone(),
        step_deadline: t.due_at,
        result: None,
        reason: HandoverReason::ReturnForSupplement,
    });
    u.announcements.push(step_event(
        t,
        &caller.sub,
        "return_for_supplement",
        now,
        None,
    ));
    Ok(u)
}

/// Whether the outcome a step sent through intake still has to be recorded on it: the step is
/// unfinished or, for a refusal, intake's own `dossier.refused` reached the case first and
/// cancelled it (the refusal is still this step's outcome, with its handover).
pub fn awaits_outcome(t: &Task, refusal: bool) -> bool {
    t.state.is_unfinished() || (refusal && t.state == TaskState::Cancelled)
}

/// Records that step `id` found the dossier must be refused (intake issued the refusal, form
/// 03): the step is finished with that outcome and the dossier goes back to the one-stop.
pub fn refused(
    case: &Case,
    tasks: &[Task],
    id: Uuid,
    caller: &Caller,
    reasons: &[String],
    now: OffsetDateTime,
    cals: &Calendars,
) -> Result<CaseUpdate, Problem> {
    let t = task_in(tasks, id)?;
    let judged = judged(cals.of(&t.agency), t, now);
    let mut u = CaseUpdate::new(case, tasks, Actor::of(caller), "task.refused");
    u.tasks.push(TaskUpdate::Finish {
        id: t.id,
        by: caller.sub.clone(),
        at: now,
        outcome: "refuse",
        note: serde_json::json!({"reasons": reasons}),
        timeliness: judged.map(|j| j.0),
        lateness_minutes: judged.and_then(|j| j.1),
    });
    u.handovers.push(NewHandover {
        task_id: Some(t.id),
        at: now,
        from: (t.agency.clone(), Some(caller.sub.clone())),
        to: (case.receiving_agency.clone(), None),
        step_name: t.name.clone(),
        step_deadline: t.due_at,
        result: judged.map(|j| j.0),
        reason: HandoverReason::Refusal,
    });
    u.announcements
        .push(step_event(t, &caller.sub, "refuse", now, judged));
    Ok(u)
}

#[cfg(test)]
#[path = "progress_tests.rs"]
mod tests;
