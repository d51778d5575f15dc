//! Where a benchmark's time goes, read from outside the system: CPU seconds per process group
//! and the whole machine's busy share (from `/proc`), and what PostgreSQL is busy with (sampled
//! `pg_stat_activity`).

use std::collections::BTreeMap;
use std::time::Duration;

/// CPU seconds (user + system) used so far by `pid`.
fn cpu_seconds(pid: u32) -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = after.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / ticks)
        })
        .unwrap_or(0.0)
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// CPU seconds so far, by group: each named process, and every `postgres` process together.
pub fn cpu_by_group(named: &[(&str, u32)]) -> BTreeMap<String, f64> {
    let mut out: BTreeMap<String, f64> = named
        .iter()
        .map(|(n, pid)| (n.to_string(), cpu_seconds(*pid)))
        .collect();
    let postgres: f64 = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| comm(*pid) == "postgres")
        .map(cpu_seconds)
        .sum();
    out.insert("postgres".into(), postgres);
    out
}

/// The share of CPU each group used between two readings, as `name 41 %` pieces.
pub fn shares(before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) -> String {
    let used: Vec<(String, f64)> = after
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                (v - before.get(k).copied().unwrap_or(0.0)).max(0.0),
            )
        })
        .collect();
    let total: f64 = used.iter().map(|(_, v)| v).sum::<f64>().max(f64::EPSILON);
    let mut used = used;
    used.sort_by(|a, b| b.1.total_cmp(&a.1));
    used.iter()
        .map(|(k, v)| format!("{k} {:.0} %", 100.0 * v / total))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The whole machine's CPU time so far, every core together, from `/proc/stat`: `(busy,
/// total)` in ticks (busy: all but idle and I/O wait).
pub fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("cpu "))
        .map(|l| {
            l.split_whitespace()
                .filter_map(|f| f.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    // user nice system idle iowait irq softirq steal (guest time is within user).
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

/// How busy the machine was between two [`machine_ticks`] readings, as `busy 87 % of 2
/// cores`: every process on it counts, the benchmark's and any other.
pub fn machine_busy(before: (u64, u64), after: (u64, u64)) -> String {
    let busy = after.0.saturating_sub(before.0) as f64;
    let total = after.1.saturating_sub(before.1).max(1) as f64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "machine busy {:.0} % of {cores} cores",
        100.0 * busy / total
    )
}

/// Samples the active statements of `database` every 20 ms for `period`: the most frequent
/// (statement start, wait event) with their share of samples.
pub async fn active_statements(
    pool: &sqlx::PgPool,
    database: &str,
    period: Duration,
) -> Vec<(String, f64)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut samples = 0usize;
    let end = std::time::Instant::now() + period;
    while std::time::Instant::now() < end {
        let rows: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70), wait_event_type
               FROM pg_stat_activity
              WHERE state = 'active' AND datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(database)
        .fetch_all(pool)
        .await
        .unwrap_or_default();
        for (q, wait) in rows {
            let key = match wait {
                Some(w) => format!("{q} [waits: {w}]"),
                None => q,
            };
            *counts.entry(key).or_default() += 1;
            samples += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut top: Vec<(String, f64)> = counts
        .into_iter()
        .map(|(k, n)| (k, 100.0 * n as f64 / samples.max(1) as f64))
        .collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    top.truncate(8);
    top
}
