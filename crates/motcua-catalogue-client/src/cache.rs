//! A small time-bounded cache of positive answers from the catalogue (bộ nhớ đệm), so that a
//! burst of submissions does not ask the catalogue the same question a thousand times.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long answers about agencies, procedure versions and calendars are reused. Published
/// versions are immutable; what may change within this window is which version is in force
/// today, an agency's record or a calendar year (catalogue replicas themselves reload within
/// 60 s), and a minute of delay is acceptable for each.
pub(crate) const CACHE_TTL: Duration = Duration::from_secs(60);
const CACHE_MAX: usize = 10_000;

/// Answers by key, each kept for [`CACHE_TTL`].
#[derive(Debug)]
pub(crate) struct TtlCache<V> {
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> TtlCache<V> {
    pub(crate) fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The answer stored under `key`, unless it is older than the TTL.
    pub(crate) fn get(&self, key: &str) -> Option<V> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, v)| v.clone())
    }

    /// Stores an answer; a full cache first drops what has expired (or everything).
    pub(crate) fn put(&self, key: String, value: V) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHE_MAX {
            map.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if map.len() >= CACHE_MAX {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), value));
    }
}
