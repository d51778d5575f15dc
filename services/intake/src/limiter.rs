//! Rate limits of the public status lookup (giới hạn tra cứu): a fixed window of lookups per
//! client, and a lock on a dossier code *for one client* after repeated wrong digits from that
//! client, so codes cannot be probed. The lock is per (client, code) and never per code alone:
//! a stranger's wrong guesses would otherwise lock the real applicant out of their own dossier.
//! Every refusal says how long to wait (`Retry-After`).

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Lookups per client address per window (IPv6 by /64, since one host holds a whole /64), and
/// wrong `id_last4` answers per client and code, counted for any code string so that the lock
/// reveals nothing about which codes exist.
#[derive(Clone, Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    /// Keys the codes' hashes (a code is whatever a client sends: only its hash is kept).
    hasher: RandomState,
    windows: Arc<Mutex<HashMap<IpAddr, Window>>>,
    wrong_digits: Arc<Mutex<HashMap<(IpAddr, u64), Window>>>,
}

/// A fixed window: when it started and what it counted.
#[derive(Clone, Copy, Debug)]
struct Window {
    start: Instant,
    count: u32,
}

/// Wrong `id_last4` answers allowed per client and code per 15 minutes.
const WRONG_DIGITS_ALLOWED: u32 = 5;
const WRONG_DIGITS_WINDOW: Duration = Duration::from_secs(15 * 60);
const LOOKUP_WINDOW: Duration = Duration::from_secs(60);
/// Past this many entries, expired ones are dropped before a new one is added.
const PRUNE_ABOVE: usize = 100_000;

/// The address a quota belongs to: IPv6 reduced to its /64.
fn quota_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
        }
        v4 => v4,
    }
}

/// What is left of `window` at `now`, when it is still running.
fn left(start: Instant, window: Duration, now: Instant) -> Option<Duration> {
    window
        .checked_sub(now.duration_since(start))
        .filter(|d| !d.is_zero())
}

impl RateLimiter {
    /// At most `per_minute` lookups per client per minute.
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            hasher: RandomState::new(),
            windows: Arc::new(Mutex::new(HashMap::new())),
            wrong_digits: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Counts a lookup by `client`; refused (with the time until its window ends) past the
    /// quota.
    pub(crate) fn allow(&self, client: IpAddr) -> Result<(), Duration> {
        self.allow_at(client, Instant::now())
    }

    fn allow_at(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if w.len() > PRUNE_ABOVE {
            w.retain(|_, win| left(win.start, LOOKUP_WINDOW, now).is_some());
        }
        let win = w.entry(quota_key(client)).or_insert(Window {
            start: now,
            count: 0,
        });
        let Some(rest) = left(win.start, LOOKUP_WINDOW, now) else {
            *win = Window {
                start: now,
                count: 1,
            };
            return Ok(());
        };
        win.count = win.count.saturating_add(1);
        match win.count <= self.per_minute {
            true => Ok(()),
            false => Err(rest),
        }
    }

    /// Whether `client` may still answer for `code`; refused (with the time until its lock
    /// ends) after too many wrong digits from that client. Other clients are not affected.
    pub(crate) fn code_open(&self, client: IpAddr, code: &str) -> Result<(), Duration> {
        self.code_open_at(client, code, Instant::now())
    }

    fn code_open_at(&self, client: IpAddr, code: &str, now: Instant) -> Result<(), Duration> {
        let w = self.wrong_digits.lock().unwrap_or_else(|e| e.into_inner());
        match w.get(&self.key(client, code)) {
            Some(win) if win.count >= WRONG_DIGITS_ALLOWED => {
                left(win.start, WRONG_DIGITS_WINDOW, now).map_or(Ok(()), Err)
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong answer for `code` from `client`.
    pub(crate) fn wrong(&self, client: IpAddr, code: &str) {
        self.wrong_at(client, code, Instant::now());
    }

    fn wrong_at(&self, client: IpAddr, code: &str, now: Instant) {
        let key = self.key(client, code);
        let mut w = self.wrong_digits.lock().unwrap_or_else(|e| e.into_inner());
        if w.len() > PRUNE_ABOVE {
            w.retain(|_, win| left(win.start, WRONG_DIGITS_WINDOW, now).is_some());
        }
        let win = w.entry(key).or_insert(Window {
            start: now,
            count: 0,
        });
        if left(win.start, WRONG_DIGITS_WINDOW, now).is_none() {
            *win = Window {
                start: now,
                count: 0,
            };
        }
        win.count = win.count.saturating_add(1);
    }

    fn key(&self, client: IpAddr, code: &str) -> (IpAddr, u64) {
        (quota_key(client), self.hasher.hash_one(code))
    }
}

/// Whole seconds to wait (rounded up, at least 1), for `Retry-After`.
pub(crate) fn seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_limiter_allows_the_quota_then_refuses_until_the_minute_is_over() {
        let l = RateLimiter::new(3);
        let t0 = Instant::now();
        let client = ip("10.0.0.1");
        assert!((0..3).all(|_| l.allow_at(client, t0).is_ok()));
        let wait = l
            .allow_at(client, t0 + Duration::from_secs(20))
            .unwrap_err();
        assert_eq!(seconds(wait), 40, "the rest of the minute");
        assert!(
            l.allow_at(ip("10.0.0.2"), t0).is_ok(),
            "other addresses have their own quota"
        );
        assert!(
            l.allow_at(client, t0 + LOOKUP_WINDOW).is_ok(),
            "a new minute"
        );
    }

    #[test]
    fn wrong_digits_lock_a_code_for_the_guessing_client_only() {
        let l = RateLimiter::new(100);
        let t0 = Instant::now();
        let (stranger, applicant) = (ip("203.0.113.7"), ip("198.51.100.9"));
        for _ in 0..WRONG_DIGITS_ALLOWED {
            assert!(l.code_open_at(stranger, "X", t0).is_ok());
            l.wrong_at(stranger, "X", t0);
        }
        let wait = l.code_open_at(stranger, "X", t0).unwrap_err();
        assert_eq!(seconds(wait), 15 * 60);
        assert!(
            l.code_open_at(applicant, "X", t0).is_ok(),
            "a stranger's guesses never lock the applicant out"
        );
        assert!(
            l.code_open_at(stranger, "Y", t0).is_ok(),
            "other codes stay open"
        );
        assert!(
            l.code_open_at(stranger, "X", t0 + WRONG_DIGITS_WINDOW)
                .is_ok(),
            "the lock ends with its window"
        );
    }

    #[test]
    fn an_ipv6_client_is_its_64_and_a_mapped_ipv4_its_address() {
        let (a, b) = (ip("2001:db8:1:2::1"), ip("2001:db8:1:2:ffff::9"));
        assert_eq!(quota_key(a), quota_key(b));
        assert_eq!(quota_key(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
        let l = RateLimiter::new(1);
        assert!(l.allow(a).is_ok());
        assert!(l.allow(b).is_err(), "the same /64 shares a quota");
    }

    #[test]
    fn waits_are_whole_seconds_rounded_up() {
        assert_eq!(seconds(Duration::from_millis(1)), 1);
        assert_eq!(seconds(Duration::from_millis(1500)), 2);
        assert_eq!(seconds(Duration::ZERO), 1);
    }
}
