//! Opening the case of a received dossier (mở hồ sơ giải quyết): one step per step of the
//! procedure's template (in blocks), and when the dossier goes to the first agencies — at once,
//! or at the start of the next working day when it was received after the cut-off (15:00) or
//! outside working days; a paper dossier may take up to one working day (`shared/domain.md` §5).

use super::case::{Case, CaseState, Task, TaskState};
use super::clock::Calendars;
use super::plan::{self, TaskKind, TemplateStep};
use motcua_calendar::{PROVINCE_OFFSET, TimeLimit, WorkingCalendar, WorkingDuration};
use motcua_catalogue_client::Procedure;
use motcua_catalogue_model::time_limit_budget;
use motcua_events::DossierReceived;
use motcua_problem::{Problem, codes};
use std::collections::HashSet;
use time::{OffsetDateTime, Time};
use uuid::Uuid;

/// When a dossier goes to the first agencies, and the deadline of that forwarding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forwarding {
    /// When it is forwarded.
    pub at: OffsetDateTime,
    /// By when it must be (the forwarding step's deadline on the control slip).
    pub due: OffsetDateTime,
}

/// The forwarding rule: at once when received on a working day up to `cutoff`, otherwise at
/// the first session of the next working day. Its deadline: the end of the working day on which
/// it is due (received by the cut-off: that day; after it: the next working day), so the
/// forwarding step is on time when done that day; for a dossier with paper components, one
/// working day after receipt (the papers travel), or that end of day if later.
pub fn forwarding(
    cal: &WorkingCalendar,
    received_at: OffsetDateTime,
    cutoff: Time,
    paper: bool,
) -> Forwarding {
    let local = received_at.to_offset(PROVINCE_OFFSET);
    let (working, _) = cal.is_working_day(local.date());
    let at = if working && local.time() <= cutoff {
        received_at
    } else {
        // After the cut-off, or a day off: the first session of the next working day.
        let next = cal
            .next_working_day(local.date())
            .map(|(d, _)| d)
            .unwrap_or(local.date());
        let start = cal.sessions().first().map_or(Time::MIDNIGHT, |s| s.start);
        next.with_time(start).assume_offset(PROVINCE_OFFSET)
    };
    let end_of_day = cal
        .deadline(received_at, &TimeLimit::same_day().with_cutoff(cutoff))
        .at;
    let due = if paper {
        cal.add(received_at, WorkingDuration::hours(8))
            .at
            .max(end_of_day)
    } else {
        end_of_day
    };
    Forwarding { at, due }
}

/// What opening a case reads.
pub struct Received<'a> {
    /// The event.
    pub event: &'a DossierReceived,
    /// Its event id (the case records which event opened it).
    pub event_id: Uuid,
    /// The procedure version the dossier was checked against.
    pub procedure: Option<&'a Procedure>,
    /// Which agencies of the template are one-stop units.
    pub one_stop: &'a HashSet<String>,
    /// Calendars of the receiving agency and the steps' agencies.
    pub calendars: &'a Calendars,
    /// The forwarding cut-off.
    pub cutoff: Time,
}

/// Opens the case: refused (for the relay to retry) when the procedure version is not served,
/// never a case with no steps.
pub fn open_case(r: &Received<'_>) -> Result<(Case, Vec<Task>), Problem> {
    let ev = r.event;
    let p = r.procedure.ok_or_else(|| {
        Problem::new(
            &codes::PROCEDURE_UNAVAILABLE,
            format!(
                "procedure {} version {} is not served; the event will be retried",
                ev.procedure_code, ev.procedure_version
            ),
        )
    })?;
    let template: Vec<TemplateStep> = p
        .steps
        .iter()
        .map(|s| TemplateStep {
            step: s.clone(),
            at_one_stop: r.one_stop.contains(&s.agency),
        })
        .collect();
    let planned = plan::plan(
        &template,
        &ev.receiving_agency,
        time_limit_budget(&p.time_limit),
    );
    let fwd = forwarding(
        r.calendars.of(&ev.receiving_agency),
        ev.received_at,
        r.cutoff,
        ev.paper_components,
    );
    let case = Case {
        id: Uuid::now_v7(),
        dossier_code: ev.dossier_code.clone(),
        procedure_code: ev.procedure_code.clone(),
        receiving_agency: ev.receiving_agency.clone(),
        state: CaseState::Open,
        received_at: ev.received_at,
        due_at: ev.due_at,
        forward_at: Some(fwd.at),
        forward_due: Some(fwd.due),
        forwarded_at: None,
        paused_at: None,
        main_clock_paused_at: None,
        completed_at: None,
    };
    let tasks = planned
        .into_iter()
        .map(|pt| {
            let received = pt.kind == TaskKind::Receive;
            Task {
                id: Uuid::now_v7(),
                case_id: case.id,
                dossier_code: ev.dossier_code.clone(),
                position: pt.position,
                block: pt.block,
                name: pt.step.step.name,
                agency: pt.step.step.agency,
                sector: pt.step.step.sector,
                kind: pt.kind,
                budget: pt.step.step.budget,
                state: if received {
                    TaskState::Done
                } else {
                    TaskState::Pending
                },
                claimed_by: None,
                opened_at: received.then_some(ev.received_at),
                due_at: None,
                paused_at: None,
                paused_minutes: 0,
                pauses_main_clock: pt.step.step.pauses_main_clock,
                completed_at: received.then_some(ev.received_at),
                timeliness: None,
                lateness_minutes: None,
                supplement_requested_at: None,
            }
        })
        .collect();
    Ok((case, tasks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, time};

    const CUTOFF: Time = time!(15:00);

    #[test]
    fn a_dossier_received_before_the_cut_off_goes_at_once() {
        let cal = WorkingCalendar::vietnam_default();
        let f = forwarding(&cal, datetime!(2026-11-27 14:59 +07:00), CUTOFF, false);
        assert_eq!(
            (f.at, f.due),
            (
                datetime!(2026-11-27 14:59 +07:00),
                datetime!(2026-11-27 17:00 +07:00)
            ),
            "at once, due by the end of the day"
        );
    }

    #[test]
    fn after_the_cut_off_or_on_a_day_off_it_goes_at_the_start_of_the_next_working_day() {
        let cal = WorkingCalendar::vietnam_default();
        let friday = forwarding(&cal, datetime!(2026-11-27 15:01 +07:00), CUTOFF, false);
        assert_eq!(
            friday.at,
            datetime!(2026-11-30 07:00 +07:00),
            "Monday morning"
        );
        let saturday = forwarding(&cal, datetime!(2026-11-28 09:00 +07:00), CUTOFF, false);
        assert_eq!(saturday.at, datetime!(2026-11-30 07:00 +07:00));
    }

    #[test]
    fn a_paper_dossier_has_one_working_day() {
        let cal = WorkingCalendar::vietnam_default();
        let f = forwarding(&cal, datetime!(2026-11-27 09:00 +07:00), CUTOFF, true);
        assert_eq!(f.at, datetime!(2026-11-27 09:00 +07:00));
        assert_eq!(f.due, datetime!(2026-11-30 09:00 +07:00));
    }
}
