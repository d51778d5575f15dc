//! The processing clock (đồng hồ xử lý) of a dossier or a step: a working-time
//! budget that can stop while the dossier waits and resume afterwards.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{CalendarError, Deadline, Elapsed, TimeLimit, WorkingCalendar, WorkingDuration};

/// What the clock does when a dossier comes back after waiting — for the
/// applicant's supplement (bổ sung hồ sơ), another agency, or a financial
/// obligation (nghĩa vụ tài chính). Which one applies *varies* by procedure and
/// legal regime.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementClockPolicy {
    /// Count the whole budget again from the resume instant, as if the
    /// complete dossier had just been received (Decree 297/2025).
    #[default]
    Restart,
    /// The wait does not count: the budget left at the pause is counted from
    /// the resume instant, so the due instant moves later by the wait.
    Pause,
    /// The wait counts as processing time: the due instant does not move.
    Continue,
}

impl SupplementClockPolicy {
    /// The name used in the catalogue format and on the wire (`restart`, `pause`, `continue`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Restart => "restart",
            Self::Pause => "pause",
            Self::Continue => "continue",
        }
    }
}

/// A processing clock (đồng hồ xử lý): a working-time budget, the working time
/// consumed so far, and whether it is running (since when) or paused (since
/// when). It recomputes the due instant on resume according to a
/// [`SupplementClockPolicy`].
///
/// Consumed time is kept to the nanosecond so that pausing and resuming never
/// drifts the due instant; the accessors report whole minutes. Serialisable so
/// that a service can store it with the dossier or step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessingClock {
    budget: WorkingDuration,
    /// Working time consumed in finished running periods, in nanoseconds.
    consumed_nanos: i64,
    /// Start of the current running period; `None` while paused.
    #[serde(with = "time::serde::rfc3339::option")]
    running_since: Option<OffsetDateTime>,
    /// Start of the current pause; `None` while running.
    #[serde(with = "time::serde::rfc3339::option")]
    paused_at: Option<OffsetDateTime>,
    /// Due instant as last computed (at start or resume).
    due: Deadline,
    /// Whether any computation so far used a year not loaded.
    provisional: bool,
    /// The time limit, when the clock was started from one ([`ProcessingClock::for_limit`]):
    /// a restart then counts the limit again from the resume instant, cut-off and same-day
    /// rules included, as for a dossier received then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<TimeLimit>,
}

impl ProcessingClock {
    /// Starts a clock with `budget` at `at` (usually the receipt of a complete
    /// dossier, after any cut-off has been applied): due = `cal.add(at, budget)`.
    pub fn start(cal: &WorkingCalendar, at: OffsetDateTime, budget: WorkingDuration) -> Self {
        let due = cal.add(at, budget);
        Self {
            budget,
            consumed_nanos: 0,
            running_since: Some(at),
            paused_at: None,
            due,
            provisional: due.provisional,
            limit: None,
        }
    }

    /// Starts the clock of a dossier received at `received_at` under `limit` (thời hạn giải
    /// quyết): due = `cal.deadline(received_at, limit)` (cut-off, same day), and the budget is
    /// the working time from receipt to that due instant, so that a pause moves the due
    /// instant by exactly the paused working time and a restart applies the limit anew.
    pub fn for_limit(cal: &WorkingCalendar, received_at: OffsetDateTime, limit: TimeLimit) -> Self {
        let due = cal.deadline(received_at, &limit);
        let (nanos, provisional) = cal.elapsed_nanos(received_at, due.at);
        Self {
            budget: WorkingDuration::from_nanos(i128::from(nanos)),
            consumed_nanos: 0,
            running_since: Some(received_at),
            paused_at: None,
            due,
            provisional: due.provisional || provisional,
            limit: Some(limit),
        }
    }

    /// Rebuilds a clock from what its owner stores: running since `since` toward `due`, paused
    /// since `paused_at` when it is paused, and the time limit it was started from, if any.
    /// The budget is the working time from `since` to `due`, so a later resume behaves as if
    /// the clock had never been stored.
    pub fn restore(
        cal: &WorkingCalendar,
        since: OffsetDateTime,
        due: Deadline,
        paused_at: Option<OffsetDateTime>,
        limit: Option<TimeLimit>,
    ) -> Self {
        let (budget, p1) = cal.elapsed_nanos(since, due.at);
        let (consumed_nanos, p2) = match paused_at {
            Some(p) => cal.elapsed_nanos(since, p),
            None => (0, false),
        };
        Self {
            budget: WorkingDuration::from_nanos(i128::from(budget)),
            consumed_nanos,
            running_since: paused_at.is_none().then_some(since),
            paused_at,
            due,
            provisional: due.provisional || p1 || p2,
            limit,
        }
    }

    /// Stops the clock at `at`; the working time since it last started is
    /// added to the consumed time. Refused when already paused.
    pub fn pause(
        &mut self,
        cal: &WorkingCalendar,
        at: OffsetDateTime,
    ) -> Result<(), CalendarError> {
        let Some(since) = self.running_since else {
            return Err(CalendarError::ClockAlreadyPaused);
        };
        let (nanos, provisional) = cal.elapsed_nanos(since, at);
        self.consumed_nanos = self.consumed_nanos.saturating_add(nanos);
        self.provisional |= provisional;
        self.running_since = None;
        self.paused_at = Some(at);
        Ok(())
    }

    /// Restarts the clock at `at` under `policy` and returns the new due
    /// instant. Refused when the clock is running.
    ///
    /// * `Restart`: consumed time is reset; due = `add(at, budget)`, or, for a
    ///   clock started [`for_limit`](Self::for_limit), the limit's deadline
    ///   counted from `at` (cut-off and same-day rules included).
    /// * `Pause`: due moves later by exactly the working time of the wait
    ///   (= `add(at, budget - consumed)`).
    /// * `Continue`: the working time of the wait is added to the consumed
    ///   time; the due instant does not move.
    ///
    /// When nothing is left of the budget the due instant is kept as it was
    /// (it has already passed).
    pub fn resume(
        &mut self,
        cal: &WorkingCalendar,
        at: OffsetDateTime,
        policy: SupplementClockPolicy,
    ) -> Result<Deadline, CalendarError> {
        let Some(paused_at) = self.paused_at else {
            return Err(CalendarError::ClockNotPaused);
        };
        match policy {
            SupplementClockPolicy::Restart => {
                self.consumed_nanos = 0;
                if let Some(limit) = self.limit {
                    let restarted = Self::for_limit(cal, at, limit);
                    self.budget = restarted.budget;
                    self.due = restarted.due;
                    self.provisional |= restarted.provisional;
                    self.paused_at = None;
                    self.running_since = Some(at);
                    return Ok(self.current_due());
                }
            }
            SupplementClockPolicy::Pause => {}
            SupplementClockPolicy::Continue => {
                let (nanos, provisional) = cal.elapsed_nanos(paused_at, at);
                self.consumed_nanos = self.consumed_nanos.saturating_add(nanos);
                self.provisional |= provisional;
            }
        }
        let left = self.budget.as_nanos() - i128::from(self.consumed_nanos);
        if left > 0 && policy == SupplementClockPolicy::Pause {
            // The due instant moves by exactly the working time of the wait (additivity of
            // working time makes this `add(at, left)`, without rounding the budget).
            let (waited, provisional) = cal.elapsed_nanos(paused_at, at);
            self.provisional |= provisional;
            self.due = cal.add_nanos(self.due.at, i128::from(waited));
        } else if policy == SupplementClockPolicy::Restart {
            self.due = cal.add_nanos(at, left);
        }
        self.provisional |= self.due.provisional;
        self.paused_at = None;
        self.running_since = Some(at);
        Ok(self.current_due())
    }

    /// The due instant while running; `None` while paused, because it is not
    /// known until the clock resumes.
    pub fn due(&self) -> Option<Deadline> {
        self.running_since.map(|_| self.current_due())
    }

    /// The due instant computed at the last start or resume (still shown while
    /// paused, e.g. as the appointment before the wait).
    pub fn last_due(&self) -> Deadline {
        self.current_due()
    }

    fn current_due(&self) -> Deadline {
        Deadline {
            at: self.due.at,
            provisional: self.provisional,
        }
    }

    /// The total working-time budget.
    pub fn budget(&self) -> WorkingDuration {
        self.budget
    }

    /// Whether the clock is running (not paused).
    pub fn is_running(&self) -> bool {
        self.running_since.is_some()
    }

    /// When the current pause began; `None` while running.
    pub fn paused_at(&self) -> Option<OffsetDateTime> {
        self.paused_at
    }

    /// When the current running period began; `None` while paused.
    pub fn running_since(&self) -> Option<OffsetDateTime> {
        self.running_since
    }

    /// Working time consumed up to `at` (including the current running
    /// period), in whole minutes.
    pub fn consumed(&self, cal: &WorkingCalendar, at: OffsetDateTime) -> Elapsed {
        let (nanos, provisional) = self.consumed_nanos_at(cal, at);
        Elapsed {
            duration: WorkingDuration::from_nanos(nanos),
            provisional,
        }
    }

    /// Budget minus the time consumed up to `at`, in whole minutes (truncated
    /// toward zero); negative once overdue, which measures the lateness.
    pub fn remaining(&self, cal: &WorkingCalendar, at: OffsetDateTime) -> WorkingDuration {
        let (nanos, _) = self.consumed_nanos_at(cal, at);
        WorkingDuration::from_nanos(self.budget.as_nanos() - i128::from(nanos))
    }

    fn consumed_nanos_at(&self, cal: &WorkingCalendar, at: OffsetDateTime) -> (i64, bool) {
        match self.running_since {
            Some(since) => {
                let (n, p) = cal.elapsed_nanos(since, at);
                (self.consumed_nanos.saturating_add(n), p || self.provisional)
            }
            None => (self.consumed_nanos, self.provisional),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, time};

    fn cal() -> WorkingCalendar {
        WorkingCalendar::vietnam_default()
    }

    #[test]
    fn a_clock_for_a_limit_starts_at_the_limits_deadline() {
        // Same-day limit, received after the 15:00 cut-off: due at the end of the next day.
        let limit = TimeLimit::same_day().with_cutoff(time!(15:00));
        let clock = ProcessingClock::for_limit(&cal(), datetime!(2026-11-27 15:30 +7), limit);
        assert_eq!(
            clock.due().unwrap().at,
            datetime!(2026-11-30 17:00 +7),
            "Friday after the cut-off: Monday's end"
        );
    }

    #[test]
    fn a_restart_applies_the_limit_again_from_the_resume_instant() {
        let c = cal();
        let limit = TimeLimit::same_day().with_cutoff(time!(15:00));
        let mut clock = ProcessingClock::for_limit(&c, datetime!(2026-11-27 09:00 +7), limit);
        clock.pause(&c, datetime!(2026-11-27 10:00 +7)).unwrap();
        let due = clock
            .resume(
                &c,
                datetime!(2026-12-01 16:00 +7),
                SupplementClockPolicy::Restart,
            )
            .unwrap();
        assert_eq!(
            due.at,
            datetime!(2026-12-02 17:00 +7),
            "after the cut-off, the same-day limit counts from the next day"
        );
    }

    #[test]
    fn a_pause_moves_the_due_instant_by_exactly_the_working_time_waited() {
        let c = cal();
        let limit = TimeLimit::new(WorkingDuration::days(3.0).unwrap());
        let received = datetime!(2026-11-27 09:00:17.25 +7);
        let mut clock = ProcessingClock::for_limit(&c, received, limit);
        let before = clock.due().unwrap().at;
        let paused = datetime!(2026-11-27 10:00:03 +7);
        let resumed = datetime!(2026-12-02 10:00:03 +7);
        clock.pause(&c, paused).unwrap();
        let after = clock
            .resume(&c, resumed, SupplementClockPolicy::Pause)
            .unwrap()
            .at;
        let waited = c.elapsed(paused, resumed).duration;
        assert_eq!(waited, WorkingDuration::days(3.0).unwrap());
        assert_eq!(after, c.add(before, waited).at, "seconds kept, no rounding");
        assert_eq!(c.elapsed(before, after).duration, waited);
    }

    #[test]
    fn a_restored_clock_resumes_like_the_one_it_was_stored_from() {
        let c = cal();
        let limit = TimeLimit::new(WorkingDuration::days(3.0).unwrap());
        let received = datetime!(2026-11-27 09:00 +7);
        let mut live = ProcessingClock::for_limit(&c, received, limit);
        let paused = datetime!(2026-11-27 14:00 +7);
        live.pause(&c, paused).unwrap();
        let mut restored =
            ProcessingClock::restore(&c, received, live.last_due(), Some(paused), Some(limit));
        let resumed = datetime!(2026-12-01 08:00 +7);
        for policy in [
            SupplementClockPolicy::Pause,
            SupplementClockPolicy::Continue,
        ] {
            let (mut a, mut b) = (live, restored);
            assert_eq!(
                a.resume(&c, resumed, policy).unwrap(),
                b.resume(&c, resumed, policy).unwrap()
            );
        }
        assert_eq!(
            live.resume(&c, resumed, SupplementClockPolicy::Restart)
                .unwrap(),
            restored
                .resume(&c, resumed, SupplementClockPolicy::Restart)
                .unwrap()
        );
    }

    #[test]
    fn continue_keeps_the_due_instant() {
        let c = cal();
        let limit = TimeLimit::new(WorkingDuration::days(2.0).unwrap());
        let mut clock = ProcessingClock::for_limit(&c, datetime!(2026-11-27 09:00 +7), limit);
        let before = clock.due().unwrap().at;
        clock.pause(&c, datetime!(2026-11-27 10:00 +7)).unwrap();
        let after = clock
            .resume(
                &c,
                datetime!(2026-11-30 10:00 +7),
                SupplementClockPolicy::Continue,
            )
            .unwrap();
        assert_eq!(after.at, before);
    }

    #[test]
    fn policy_names_are_the_serde_names() {
        for p in [
            SupplementClockPolicy::Restart,
            SupplementClockPolicy::Pause,
            SupplementClockPolicy::Continue,
        ] {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
    }

    #[test]
    fn the_clock_round_trips_through_json_with_its_limit() {
        let c = cal();
        let limit = TimeLimit::same_day().with_cutoff(time!(15:00));
        let mut clock = ProcessingClock::for_limit(&c, datetime!(2026-11-27 09:00 +7), limit);
        clock.pause(&c, datetime!(2026-11-27 10:00 +7)).unwrap();
        let back: ProcessingClock =
            serde_json::from_value(serde_json::to_value(clock).unwrap()).unwrap();
        assert_eq!(back, clock);
    }
}
