//! The processing clock (đồng hồ xử lý) of a dossier or a step: a working-time
//! budget that can stop while the dossier waits and resume afterwards.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{CalendarError, Deadline, Elapsed, WorkingCalendar, WorkingDuration};

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
    /// * `Restart`: consumed time is reset; due = `add(at, budget)`.
    /// * `Pause`: due = `add(at, budget - consumed)`.
    /// * `Continue`: the working time of the wait is added to the consumed
    ///   time; due = `add(at, budget - consumed)`, which equals the due before
    ///   the pause.
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
            SupplementClockPolicy::Restart => self.consumed_nanos = 0,
            SupplementClockPolicy::Pause => {}
            SupplementClockPolicy::Continue => {
                let (nanos, provisional) = cal.elapsed_nanos(paused_at, at);
                self.consumed_nanos = self.consumed_nanos.saturating_add(nanos);
                self.provisional |= provisional;
            }
        }
        let left = self.budget.as_nanos() - i128::from(self.consumed_nanos);
        if left > 0 || policy == SupplementClockPolicy::Restart {
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
