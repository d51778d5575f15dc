//! The intake scenario's load and readings: counter submissions by N clients for a fixed time
//! (rate and latencies), the wait until the event pipeline caught up, intake's batch metrics
//! and a process's resident memory.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One scenario's outcome.
pub struct Measured {
    /// The scenario's name (`one agency`, `50 agencies`).
    pub name: String,
    /// Each process group's share of the CPU used during the scenario.
    pub cpu: String,
    /// Clients submitting at once.
    pub clients: usize,
    /// Submissions answered `201`.
    pub ok: usize,
    /// Submissions answered otherwise, or not at all.
    pub failed: usize,
    /// `ok` per second.
    pub rate: f64,
    /// The latencies of the `201`s, sorted.
    pub latencies: Vec<Duration>,
    /// Seconds from the last submission until every event it caused was delivered (`None`:
    /// not within the bound).
    pub drained: Option<f64>,
}

/// The `p` quantile (0–1) of sorted `latencies`, in milliseconds (NaN when empty).
pub fn percentile_ms(latencies: &[Duration], p: f64) -> f64 {
    if latencies.is_empty() {
        return f64::NAN;
    }
    let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
    latencies[i].as_secs_f64() * 1000.0
}

impl Measured {
    /// The `p` quantile of the latencies, in milliseconds.
    pub fn pct(&self, p: f64) -> f64 {
        percentile_ms(&self.latencies, p)
    }
}

/// Resident memory of `pid`, KiB (0 when unreadable).
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// One client's loop: submissions (body and token round robin from `tokens`) until `end`;
/// answers the latencies of its `201`s and how many failed.
async fn client(
    http: reqwest::Client,
    url: Arc<str>,
    next: Arc<std::sync::atomic::AtomicUsize>,
    tokens: Arc<Vec<(Vec<u8>, String)>>,
    run: i128,
    end: Instant,
) -> (Vec<Duration>, usize) {
    let (mut lat, mut failed) = (Vec::new(), 0usize);
    while Instant::now() < end {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (body, token) = &tokens[i % tokens.len()];
        let t = Instant::now();
        let res = http
            .post(&*url)
            .bearer_auth(token)
            .header("Idempotency-Key", format!("bench-{run}-{i}"))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        match res {
            Ok(r) if r.status().as_u16() == 201 => {
                let _ = r.bytes().await;
                lat.push(t.elapsed());
            }
            Ok(r) => {
                failed += 1;
                if failed <= 2 {
                    let status = r.status();
                    eprintln!("HTTP {status}: {}", r.text().await.unwrap_or_default());
                }
            }
            Err(e) => {
                failed += 1;
                if failed <= 2 {
                    eprintln!("{e}");
                }
            }
        }
    }
    (lat, failed)
}

/// Submissions to intake at `intake` (its REST base URL), body and officer token per agency
/// round robin from `tokens`, by `clients` for `seconds`.
pub async fn submissions(
    name: String,
    intake: &str,
    clients: usize,
    seconds: u64,
    tokens: Arc<Vec<(Vec<u8>, String)>>,
) -> Measured {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap_or_default();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let url: Arc<str> = format!("{intake}/api/v1/dossiers").into();
    let run = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (http, url, next, tokens) = (http.clone(), url.clone(), next.clone(), tokens.clone());
        tasks.spawn(client(http, url, next, tokens, run, end));
    }
    let (mut latencies, mut failed) = (Vec::new(), 0);
    while let Some(Ok((l, f))) = tasks.join_next().await {
        latencies.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    Measured {
        name,
        cpu: String::new(),
        clients,
        ok: latencies.len(),
        failed,
        rate: latencies.len() as f64 / elapsed,
        latencies,
        drained: None,
    }
}

/// Waits until intake's and workflow's outboxes have nothing left to deliver (at most 120 s):
/// how long the rest of the pipeline (cases opened, facts recorded) trailed the submissions.
pub async fn drain(db: &sqlx::PgPool) -> Option<f64> {
    let started = Instant::now();
    loop {
        let pending: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM intake.outbox_delivery WHERE delivered_at IS NULL AND dead_at IS NULL)
                  + (SELECT count(*) FROM workflow.outbox_delivery WHERE delivered_at IS NULL AND dead_at IS NULL)",
        )
        .fetch_one(db)
        .await
        .ok()?;
        if pending == 0 {
            return Some(started.elapsed().as_secs_f64());
        }
        if started.elapsed() > Duration::from_secs(120) {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Intake's batch metrics from its `/metrics` at `intake` (REST base URL): `(mean batch
/// size, mean seconds per phase)`.
pub async fn batch_profile(intake: &str) -> (f64, BTreeMap<String, f64>) {
    let text = match reqwest::get(format!("{intake}/metrics")).await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    let value = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let size = value("motcua_intake_batch_size_sum") / value("motcua_intake_batch_size_count");
    let mut phases = BTreeMap::new();
    for p in ["claim", "write", "commit"] {
        let sum = value(&format!(
            "motcua_intake_batch_phase_seconds_sum{{phase=\"{p}\"}}"
        ));
        let count = value(&format!(
            "motcua_intake_batch_phase_seconds_count{{phase=\"{p}\"}}"
        ));
        phases.insert(p.to_string(), sum / count);
    }
    (size, phases)
}
