//! Step clocks (đồng hồ của bước xử lý): a step's deadline is computed on its agency's calendar
//! when its block starts; while the case waits for the applicant every running step's clock
//! stops, and on resuming its deadline moves by exactly the working time waited — so an agency
//! is never marked late for time the applicant held the dossier.

use super::case::Task;
use motcua_calendar::{
    Deadline, ProcessingClock, SupplementClockPolicy, Timeliness, WorkingCalendar, WorkingDuration,
};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use uuid::Uuid;

/// The working calendars a decision needs, by agency (each agency may have its own sessions),
/// with the province's for any agency not loaded.
#[derive(Debug, Clone)]
pub struct Calendars {
    province: Arc<WorkingCalendar>,
    by_agency: HashMap<String, Arc<WorkingCalendar>>,
}

impl Calendars {
    /// The province's calendar, and each agency's.
    pub fn new(
        province: Arc<WorkingCalendar>,
        by_agency: HashMap<String, Arc<WorkingCalendar>>,
    ) -> Self {
        Self {
            province,
            by_agency,
        }
    }

    /// `agency`'s calendar.
    pub fn of(&self, agency: &str) -> &WorkingCalendar {
        self.by_agency.get(agency).unwrap_or(&self.province)
    }
}

/// The deadline of a step of `budget` started at `at` on `cal`.
pub fn step_due(
    cal: &WorkingCalendar,
    at: OffsetDateTime,
    budget: WorkingDuration,
) -> OffsetDateTime {
    cal.add(at, budget).at
}

/// A step's deadline moved by a wait (a recorded event).
#[derive(Debug, Clone, PartialEq)]
pub struct MovedDeadline {
    /// The step.
    pub task_id: Uuid,
    /// Its clock stopped then.
    pub paused_at: OffsetDateTime,
    /// And resumed then.
    pub resumed_at: OffsetDateTime,
    /// The working time waited: how far the deadline moved.
    pub waited: WorkingDuration,
    /// Deadline before.
    pub due_before: OffsetDateTime,
    /// Deadline after.
    pub due_after: OffsetDateTime,
}

/// A deadline moved by a wait from `paused_at` to `resumed_at` (the clock ran since `since`):
/// later by exactly the working time waited, unless it had already passed when the wait began.
pub fn moved_by_wait(
    cal: &WorkingCalendar,
    since: OffsetDateTime,
    due: OffsetDateTime,
    paused_at: OffsetDateTime,
    resumed_at: OffsetDateTime,
) -> OffsetDateTime {
    let deadline = Deadline {
        at: due,
        provisional: false,
    };
    let mut clock = ProcessingClock::restore(cal, since, deadline, Some(paused_at), None);
    clock
        .resume(cal, resumed_at, SupplementClockPolicy::Pause)
        .map_or(due, |d| d.at)
}

/// Resumes a step whose clock stopped: its deadline moves by the working time waited (nothing
/// moves for a step already late when it stopped, and then nothing is recorded as moved).
pub fn resume_step(cal: &WorkingCalendar, t: &Task, at: OffsetDateTime) -> Option<MovedDeadline> {
    let (paused_at, due, opened) = (t.paused_at?, t.due_at?, t.opened_at?);
    let after = moved_by_wait(cal, opened, due, paused_at, at);
    Some(MovedDeadline {
        task_id: t.id,
        paused_at,
        resumed_at: at,
        waited: cal.elapsed(due, after).duration,
        due_before: due,
        due_after: after,
    })
}

/// Working time left before a step's deadline (negative once late), frozen while its clock is
/// stopped; `None` for a step without a deadline.
pub fn time_left(cal: &WorkingCalendar, t: &Task, now: OffsetDateTime) -> Option<WorkingDuration> {
    let due = t.due_at?;
    let at = t.paused_at.unwrap_or(now).min(now);
    Some(signed_elapsed(cal, at, due))
}

/// Working time from `from` to `to`, negative when `to` is earlier.
pub fn signed_elapsed(
    cal: &WorkingCalendar,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> WorkingDuration {
    if to >= from {
        cal.elapsed(from, to).duration
    } else {
        WorkingDuration::ZERO - cal.elapsed(to, from).duration
    }
}

/// Early / on time / late of a finished step, and by how much it was late.
pub fn judge(
    cal: &WorkingCalendar,
    finished: OffsetDateTime,
    due: OffsetDateTime,
) -> (Timeliness, Option<WorkingDuration>) {
    let t = cal.timeliness(finished, due);
    let late_by = (t == Timeliness::Late).then(|| cal.elapsed(due, finished).duration);
    (t, late_by)
}

#[cfg(test)]
mod tests {
    use super::super::case::TaskState;
    use super::super::plan::TaskKind;
    use super::*;
    use time::macros::datetime;

    fn task(opened: OffsetDateTime, due: OffsetDateTime, paused: Option<OffsetDateTime>) -> Task {
        Task {
            id: Uuid::nil(),
            case_id: Uuid::nil(),
            dossier_code: "D".into(),
            position: 1,
            block: 1,
            name: "Thẩm định".into(),
            agency: "J".into(),
            sector: None,
            kind: TaskKind::Process,
            budget: WorkingDuration::hours(6),
            state: TaskState::Open,
            claimed_by: None,
            opened_at: Some(opened),
            due_at: Some(due),
            paused_at: paused,
            paused_minutes: 0,
            pauses_main_clock: false,
            completed_at: None,
            timeliness: None,
            lateness_minutes: None,
            supplement_requested_at: None,
        }
    }

    #[test]
    fn a_wait_of_three_working_days_moves_the_deadline_by_exactly_three_working_days() {
        let cal = WorkingCalendar::vietnam_default();
        let opened = datetime!(2026-11-27 09:00 +07:00);
        let due = step_due(&cal, opened, WorkingDuration::hours(6));
        assert_eq!(
            due,
            datetime!(2026-11-27 17:00 +07:00),
            "2.5 h before lunch, 3.5 h after"
        );
        let t = task(opened, due, Some(datetime!(2026-11-27 10:00 +07:00)));
        let moved = resume_step(&cal, &t, datetime!(2026-12-02 10:00 +07:00)).unwrap();
        assert_eq!(
            moved.waited,
            WorkingDuration::hours(24),
            "Fri 10:00 to Wed 10:00"
        );
        assert_eq!(moved.due_after, datetime!(2026-12-02 17:00 +07:00));
        assert_eq!(
            judge(&cal, datetime!(2026-12-02 14:00 +07:00), moved.due_after).0,
            Timeliness::OnTime
        );
        assert_eq!(
            judge(&cal, datetime!(2026-12-02 14:00 +07:00), due).0,
            Timeliness::Late,
            "without the move"
        );
    }

    #[test]
    fn a_step_already_late_when_the_case_waited_stays_late() {
        let cal = WorkingCalendar::vietnam_default();
        let opened = datetime!(2026-11-27 09:00 +07:00);
        let due = datetime!(2026-11-27 10:00 +07:00);
        let t = task(opened, due, Some(datetime!(2026-11-27 14:00 +07:00)));
        let moved = resume_step(&cal, &t, datetime!(2026-11-30 10:00 +07:00)).unwrap();
        assert_eq!(
            (moved.due_after, moved.waited),
            (due, WorkingDuration::ZERO)
        );
    }

    #[test]
    fn time_left_is_frozen_while_paused_and_negative_once_late() {
        let cal = WorkingCalendar::vietnam_default();
        let opened = datetime!(2026-11-27 09:00 +07:00);
        let due = datetime!(2026-11-27 15:00 +07:00);
        let running = task(opened, due, None);
        assert_eq!(
            time_left(&cal, &running, datetime!(2026-11-27 14:00 +07:00)),
            Some(WorkingDuration::hours(1))
        );
        assert_eq!(
            time_left(&cal, &running, datetime!(2026-11-27 16:00 +07:00)),
            Some(WorkingDuration::ZERO - WorkingDuration::hours(1))
        );
        let paused = task(opened, due, Some(datetime!(2026-11-27 10:00 +07:00)));
        assert_eq!(
            time_left(&cal, &paused, datetime!(2026-12-10 10:00 +07:00)),
            Some(WorkingDuration::hours(3)),
            "10:00 to 15:00 less lunch, frozen"
        );
    }
}
