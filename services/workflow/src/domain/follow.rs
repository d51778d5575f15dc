//! How a case follows its dossier (theo dõi hồ sơ): while the applicant holds it (supplement,
//! payment) the case waits and every running step's clock stops; when it comes back each
//! step's deadline moves by exactly the working time waited (a recorded event), and a step that
//! had returned it for supplement gets it back on the control slip; when the dossier ends the
//! case closes.

use super::case::{Case, CaseState, Task};
use super::clock::{Calendars, resume_step};
use super::plan::TaskKind;
use super::progress::forward;
use super::update::{Announcement, CaseUpdate, HandoverReason, NewHandover, TaskUpdate};
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

/// The update `change` makes to the case at `at`; `None` when it changes nothing (a case that
/// was not waiting does not resume, a closed case stays closed).
pub fn follow(
    case: &Case,
    tasks: &[Task],
    change: &DossierChange,
    at: OffsetDateTime,
    cals: &Calendars,
) -> Option<CaseUpdate> {
    let mut u = CaseUpdate::new(case.id, &case.dossier_code);
    match change {
        DossierChange::Waits(_) if case.state == CaseState::Open => {
            u.state = Some(CaseState::Paused);
            u.paused_at = Some(Some(at));
            for t in tasks
                .iter()
                .filter(|t| t.state.is_running() && t.paused_at.is_none())
            {
                u.tasks.push(TaskUpdate::Pause { id: t.id, at });
            }
        }
        DossierChange::Resumes(reason, due) if case.state == CaseState::Paused => {
            u.state = Some(CaseState::Open);
            u.paused_at = Some(None);
            u.due_at = Some(*due);
            u.pause_reason = Some(reason);
            resume_steps(case, tasks, at, reason, cals, &mut u);
            if case.forwarded_at.is_none() && case.forward_at.is_some_and(|f| f <= at) {
                let open = Case {
                    state: CaseState::Open,
                    ..case.clone()
                };
                if let Some(f) = forward(&open, tasks, at, cals) {
                    u.forwarded_at = f.forwarded_at;
                    u.tasks.extend(f.tasks);
                    u.handovers.extend(f.handovers);
                    u.main_clock_paused_at = f.main_clock_paused_at;
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
