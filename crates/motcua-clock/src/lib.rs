//! The `Clock` every service asks for "now" (thời điểm hiện tại).
//!
//! Deadlines, supplement windows and overdue detection all depend on the current time. Code
//! never calls `OffsetDateTime::now_utc()` directly: it asks a [`Clock`], so tests (and an
//! end-to-end run started with `MOTCUA_TEST_CLOCK=1`) can move time forward and cross
//! deadlines without waiting.

use std::sync::{Arc, RwLock};
use time::{Duration, OffsetDateTime};

/// A source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, in UTC.
    fn now(&self) -> OffsetDateTime;

    /// The controllable clock behind this one, when it is a test clock; `None` in production.
    fn as_test_clock(&self) -> Option<&TestClock> {
        None
    }
}

/// Shared handle to a clock, passed to every service.
pub type SharedClock = Arc<dyn Clock>;

/// The operating system's clock: what production uses.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to, so tests can cross deadlines deterministically.
///
/// Cloning shares the same underlying time.
#[derive(Debug, Clone)]
pub struct TestClock {
    now: Arc<RwLock<OffsetDateTime>>,
}

impl TestClock {
    /// A test clock standing at `start`.
    pub fn at(start: OffsetDateTime) -> Self {
        Self {
            now: Arc::new(RwLock::new(start)),
        }
    }

    /// Sets the clock to `instant`. Setting it backwards is allowed (tests may need it).
    pub fn set(&self, instant: OffsetDateTime) {
        *self.now.write().unwrap_or_else(|e| e.into_inner()) = instant;
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.write().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.now.read().unwrap_or_else(|e| e.into_inner())
    }

    fn as_test_clock(&self) -> Option<&TestClock> {
        Some(self)
    }
}

/// The clock selected by configuration: a [`TestClock`] starting at the system time when
/// `test_clock` is true, the [`SystemClock`] otherwise.
pub fn from_config(test_clock: bool) -> SharedClock {
    if test_clock {
        Arc::new(TestClock::at(OffsetDateTime::now_utc()))
    } else {
        Arc::new(SystemClock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn test_clock_moves_only_when_told_and_clones_share_time() {
        let clock = TestClock::at(datetime!(2026-11-27 08:00 UTC));
        let other = clock.clone();
        assert_eq!(clock.now(), datetime!(2026-11-27 08:00 UTC));
        clock.advance(Duration::hours(3));
        assert_eq!(other.now(), datetime!(2026-11-27 11:00 UTC));
        other.set(datetime!(2027-01-02 00:00 UTC));
        assert_eq!(clock.now(), datetime!(2027-01-02 00:00 UTC));
        assert!(clock.as_test_clock().is_some());
        assert!(SystemClock.as_test_clock().is_none());
    }
}
