//! Yielding to a burst (nhường tải lúc cao điểm): while a service's own requests are queuing
//! (its writer takes several at once), its relay holds its deliveries back for a bounded time,
//! so the two cores go to the applicants and officers waiting at the counter rather than to the
//! work that follows a receipt (cases opened, facts recorded), which nobody waits on and which
//! changes no deadline (the clock starts at the receipt). Once the burst ends (nothing crowded
//! for [`QUIET`]) or the relay has held back for its limit, it delivers again; so a burst
//! shorter than the limit is answered at the database's speed and the pipeline catches up
//! after it. Past the limit, while the burst goes on, the relay rests after each round as long
//! as the round took: the pipeline keeps going at about half its pace, and the counter keeps
//! the rest.
//!
//! Pure timing with no I/O: [`Burst`] is what the foreground reports, [`Yielding`] the relay's
//! decision for its next round.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long after the last crowded write a burst is over.
pub const QUIET: Duration = Duration::from_millis(200);

/// How often a relay that holds back looks again.
pub const TICK: Duration = Duration::from_millis(50);

/// What a service's foreground reports: when its writer last took more than one request at
/// once (requests were waiting for each other: a burst). A single request at a time (a
/// counter, a test) never counts, so it never delays a delivery.
#[derive(Debug)]
pub struct Burst {
    origin: Instant,
    /// Milliseconds after `origin` of the last crowded write, plus one (0: never).
    last_crowded: AtomicU64,
}

impl Default for Burst {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
            last_crowded: AtomicU64::new(0),
        }
    }
}

impl Burst {
    /// The writer wrote `together` requests in one go.
    pub fn wrote(&self, together: usize) {
        self.wrote_at(together, Instant::now());
    }

    /// Whether a burst is on now (a crowded write less than [`QUIET`] ago).
    pub fn on(&self) -> bool {
        self.on_at(Instant::now())
    }

    fn wrote_at(&self, together: usize, now: Instant) {
        if together > 1 {
            let at = now.saturating_duration_since(self.origin).as_millis();
            let at = u64::try_from(at).unwrap_or(u64::MAX - 1) + 1;
            self.last_crowded.fetch_max(at, Ordering::Relaxed);
        }
    }

    fn on_at(&self, now: Instant) -> bool {
        match self.last_crowded.load(Ordering::Relaxed) {
            0 => false,
            at => {
                let last = self.origin + Duration::from_millis(at - 1);
                now.saturating_duration_since(last) < QUIET
            }
        }
    }
}

/// A relay's decision to hold back: for at most `limit` in a row, measured from the first
/// round it held back, and again only once it has caught up (a round that was not full).
#[derive(Debug)]
pub struct Yielding {
    limit: Duration,
    since: Option<Instant>,
}

impl Yielding {
    /// Holds back for at most `limit` (zero: never).
    pub fn new(limit: Duration) -> Self {
        Self { limit, since: None }
    }

    /// Whether the next round waits, given whether a burst is on.
    pub fn hold(&mut self, burst_on: bool) -> bool {
        self.hold_at(burst_on, Instant::now())
    }

    /// A round delivered `n` of at most `batch`: a round that was not full has caught up, so
    /// the next burst may be yielded to again.
    pub fn delivered(&mut self, n: usize, batch: usize) {
        if n < batch {
            self.since = None;
        }
    }

    /// How long to rest after a round that took `round`: while a burst still goes on (so the
    /// round ran because the limit was spent), as long as the round took, so the pipeline
    /// takes about half of what it could and the counter keeps the rest; otherwise not at all.
    pub fn rest_after(&self, burst_on: bool, round: Duration) -> Duration {
        match burst_on && !self.limit.is_zero() {
            true => round,
            false => Duration::ZERO,
        }
    }

    fn hold_at(&mut self, burst_on: bool, now: Instant) -> bool {
        if !burst_on || self.limit.is_zero() {
            return false;
        }
        let since = *self.since.get_or_insert(now);
        now.saturating_duration_since(since) < self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_at_a_time_is_never_a_burst() {
        let b = Burst::default();
        let t = b.origin + Duration::from_secs(5);
        b.wrote_at(1, t);
        assert!(!b.on_at(t));
        b.wrote_at(2, t);
        assert!(b.on_at(t));
        assert!(b.on_at(t + QUIET - Duration::from_millis(1)));
        assert!(!b.on_at(t + QUIET + Duration::from_millis(1)));
    }

    #[test]
    fn an_older_write_reported_late_does_not_move_the_burst_back() {
        let b = Burst::default();
        let t = b.origin + Duration::from_secs(5);
        b.wrote_at(3, t);
        b.wrote_at(3, t - Duration::from_secs(1));
        assert!(b.on_at(t + QUIET / 2));
    }

    #[test]
    fn a_relay_holds_back_at_most_its_limit_then_delivers_until_caught_up() {
        let limit = Duration::from_secs(20);
        let mut y = Yielding::new(limit);
        let t = Instant::now();
        assert!(!y.hold_at(false, t), "no burst: deliver");
        assert!(y.hold_at(true, t));
        assert!(y.hold_at(true, t + limit - Duration::from_millis(1)));
        assert!(!y.hold_at(true, t + limit), "the limit is reached");
        y.delivered(200, 200);
        assert!(
            !y.hold_at(true, t + limit * 2),
            "a full round: still behind"
        );
        y.delivered(17, 200);
        assert!(y.hold_at(true, t + limit * 2), "caught up: yield again");
    }

    #[test]
    fn past_the_limit_a_relay_rests_as_long_as_each_round_took_while_the_burst_goes_on() {
        let y = Yielding::new(Duration::from_secs(20));
        let round = Duration::from_millis(340);
        assert_eq!(y.rest_after(true, round), round);
        assert_eq!(
            y.rest_after(false, round),
            Duration::ZERO,
            "no burst: no rest"
        );
        let never = Yielding::new(Duration::ZERO);
        assert_eq!(never.rest_after(true, round), Duration::ZERO);
    }

    #[test]
    fn a_zero_limit_never_holds_back() {
        let mut y = Yielding::new(Duration::ZERO);
        assert!(!y.hold_at(true, Instant::now()));
    }
}
