//! The reference sector systems of the birth group (`tests/sector/`, binary `sector-system` of
//! `motcua-e2e`, release build) as their own processes against the bench's services: the
//! civil-status registry over the stream, the residence registry over webhooks and the
//! social-insurance office over the stream, as in `tests/e2e/connectors.rs`. Each gets a
//! `sector_system` token of its agency and sector signed the way the bench signs the officer's;
//! what it prints (one JSON line per thing it did) is counted.

use crate::system::Services;
use anyhow::Context;
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One reference system: its role, how it receives its steps, its account's agency and sector
/// (`data/catalogue-demo.json`).
pub struct Account {
    /// `--role`.
    pub role: &'static str,
    /// `--mode`.
    pub mode: &'static str,
    /// The agency its token names.
    pub agency: &'static str,
    /// The sector its token names.
    pub sector: &'static str,
}

/// The birth group's three systems (`DEMO.LT.63-1`: civil status, then residence and social
/// insurance in parallel).
pub const BIRTH_GROUP: [Account; 3] = [
    Account {
        role: "civil_status",
        mode: "stream",
        agency: "000.30.80.H80",
        sector: "justice",
    },
    Account {
        role: "residence",
        mode: "webhook",
        agency: "000.31.80.H80",
        sector: "police",
    },
    Account {
        role: "social_insurance",
        mode: "stream",
        agency: "000.32.80.H80",
        sector: "social_insurance",
    },
];

/// Lines that say something went wrong.
const TROUBLE: [&str; 5] = [
    "stream_error",
    "stopped",
    "work_failed",
    "signature_invalid",
    "body_invalid",
];

/// What a system printed: lines by `event`, the first troubled lines, and how long its steps
/// took from `received` to `completed`.
#[derive(Default)]
struct Log {
    counts: BTreeMap<String, usize>,
    trouble: Vec<String>,
    /// Steps received and not completed yet: task id → when.
    taken: HashMap<String, Instant>,
    /// Time from received to completed, summed over `timed` steps.
    busy: Duration,
    timed: u32,
}

impl Log {
    /// Takes one printed line.
    fn take(&mut self, line: &str) {
        let v = serde_json::from_str::<serde_json::Value>(line).unwrap_or_default();
        let event = v["event"].as_str().unwrap_or_default().to_string();
        let task = v["task_id"].as_str().unwrap_or_default().to_string();
        match event.as_str() {
            "received" => {
                self.taken.entry(task).or_insert_with(Instant::now);
            }
            "completed" => {
                if let Some(at) = self.taken.remove(&task) {
                    self.busy += at.elapsed();
                    self.timed += 1;
                }
            }
            e if TROUBLE.contains(&e) && self.trouble.len() < 3 => {
                self.trouble.push(line.to_string());
            }
            _ => {}
        }
        *self.counts.entry(event).or_default() += 1;
    }
}

/// A running reference system.
pub struct SectorSystem {
    /// Which one.
    pub account: &'static Account,
    child: Child,
    log: Arc<Mutex<Log>>,
}

impl SectorSystem {
    /// Starts `binary` as `account`'s system against `services`, with `token`, reading what it
    /// prints on a thread of its own.
    pub fn start(
        binary: &str,
        account: &'static Account,
        token: &str,
        services: &Services,
    ) -> anyhow::Result<Self> {
        let mut child = Command::new(binary)
            .args(["--role", account.role, "--mode", account.mode])
            .args(["--workflow-grpc", &services.grpc_url(2)])
            .args(["--workflow-rest", &services.url(2)])
            .args(["--intake-rest", &services.url(1)])
            .env("SECTOR_TOKEN", token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {binary} (bench/run builds it)"))?;
        let stdout = child.stdout.take().context("piped stdout")?;
        let log = Arc::new(Mutex::new(Log::default()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut log) = sink.lock() {
                    log.take(&line);
                }
            }
        });
        Ok(Self {
            account,
            child,
            log,
        })
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// How many lines `event` it printed so far.
    pub fn count(&self, event: &str) -> usize {
        self.log
            .lock()
            .map(|l| l.counts.get(event).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// Lines that said something went wrong: how many, and the first few.
    pub fn trouble(&self) -> (usize, Vec<String>) {
        self.log
            .lock()
            .map(|l| {
                let n = TROUBLE.iter().filter_map(|e| l.counts.get(*e)).sum();
                (n, l.trouble.clone())
            })
            .unwrap_or_default()
    }

    /// The mean time of a step from `received` to `completed` (`None` before the first).
    pub fn mean_step(&self) -> Option<Duration> {
        let log = self.log.lock().ok()?;
        (log.timed > 0).then(|| log.busy / log.timed)
    }

    /// Waits until it is connected (stream) or subscribed (webhooks), at most `limit`.
    pub async fn wait_ready(&mut self, limit: Duration) -> anyhow::Result<()> {
        let ready = if self.account.mode == "webhook" {
            "subscribed"
        } else {
            "connected"
        };
        let t = Instant::now();
        while self.count(ready) == 0 {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!(
                    "{} ended before it was {ready}: {status}",
                    self.account.role
                );
            }
            anyhow::ensure!(
                t.elapsed() < limit,
                "{} not {ready} within {limit:?}: {:?}",
                self.account.role,
                self.trouble().1
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Stops it (SIGKILL: it keeps nothing to flush) and waits for its end.
    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the birth group's three systems with tokens from `issuer` and waits until each is
/// connected or subscribed.
pub async fn start_birth_group(
    binary: &str,
    issuer: &motcua_auth::TokenIssuer,
    services: &Services,
) -> anyhow::Result<Vec<SectorSystem>> {
    let mut systems = Vec::new();
    for account in &BIRTH_GROUP {
        let sub = format!("{}-system", account.role);
        let token = issuer
            .issue(
                &sub,
                &["sector_system"],
                Some(account.agency),
                Some(account.sector),
                7200,
            )
            .map_err(anyhow::Error::msg)?;
        let mut system = SectorSystem::start(binary, account, &token, services)?;
        if let Err(e) = system.wait_ready(Duration::from_secs(30)).await {
            system.stop();
            for s in systems {
                SectorSystem::stop(s);
            }
            return Err(e);
        }
        systems.push(system);
    }
    Ok(systems)
}
