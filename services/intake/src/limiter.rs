//! Rate limits of the public status lookup (giới hạn tra cứu): a fixed window per client
//! address, and a lock on a dossier code after repeated wrong digits, so codes cannot be probed.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Fixed-window limit per client address (IPv6 by /64, since one host holds a whole /64), and a
/// lock on a dossier code after repeated wrong digits, counted for any code string so that the
/// lock reveals nothing about which codes exist.
#[derive(Clone, Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    windows: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
    wrong_digits: Arc<Mutex<HashMap<String, (Instant, u32)>>>,
}

/// Wrong `id_last4` answers allowed per code per 15 minutes.
const WRONG_DIGITS_ALLOWED: u32 = 5;
const WRONG_DIGITS_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The address a quota belongs to: IPv6 reduced to its /64.
fn quota_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
        }
        v4 => v4,
    }
}

impl RateLimiter {
    /// At most `per_minute` lookups per address per minute.
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            windows: Arc::new(Mutex::new(HashMap::new())),
            wrong_digits: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// True while `code` has not had too many wrong digits recently.
    pub(crate) fn code_open(&self, code: &str) -> bool {
        let w = self.wrong_digits.lock().unwrap_or_else(|e| e.into_inner());
        w.get(code).is_none_or(|(start, n)| {
            start.elapsed() >= WRONG_DIGITS_WINDOW || *n < WRONG_DIGITS_ALLOWED
        })
    }

    /// Counts a wrong answer for `code`.
    pub(crate) fn wrong(&self, code: &str) {
        let mut w = self.wrong_digits.lock().unwrap_or_else(|e| e.into_inner());
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| start.elapsed() < WRONG_DIGITS_WINDOW);
        }
        let entry = w.entry(code.to_string()).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= WRONG_DIGITS_WINDOW {
            *entry = (Instant::now(), 0);
        }
        entry.1 += 1;
    }

    pub(crate) fn allow(&self, ip: IpAddr) -> bool {
        let ip = quota_key(ip);
        let mut w = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if w.len() > 100_000 {
            w.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = w.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_allows_the_quota_then_refuses() {
        let l = RateLimiter::new(3);
        let ip = IpAddr::from([10, 0, 0, 1]);
        assert!((0..3).all(|_| l.allow(ip)));
        assert!(!l.allow(ip));
        assert!(
            l.allow(IpAddr::from([10, 0, 0, 2])),
            "other addresses have their own quota"
        );
    }

    #[test]
    fn a_code_locks_after_repeated_wrong_digits_and_ipv6_shares_a_64() {
        let l = RateLimiter::new(100);
        for _ in 0..WRONG_DIGITS_ALLOWED {
            assert!(l.code_open("X"));
            l.wrong("X");
        }
        assert!(!l.code_open("X"));
        assert!(l.code_open("Y"));
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(quota_key(a), quota_key(b));
    }
}
