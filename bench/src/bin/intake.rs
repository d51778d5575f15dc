//! `bench/run`: intake at the database's speed, measured against the database in the same
//! command. It starts a private PostgreSQL as `motcua up` does (or uses `--database-url`), and
//! the four services as separate `motcua serve` processes on it (a fresh database), runs pgbench's one-row insert against that PostgreSQL at each
//! concurrency first (the baseline), then counter submissions at one agency and spread over
//! 50 agencies at the same concurrencies, and reports rate, p50/p95/p99, the ratio to pgbench,
//! each service's start-up time to ready and resident memory idle and under load, and where a
//! batch's time goes (intake's `motcua_intake_batch_*` metrics). Loopback only.

use anyhow::Context;
use clap::Parser;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "intake against pgbench on the same PostgreSQL (loopback only)")]
struct Args {
    /// Admin URL of a PostgreSQL server to use (a fresh database is created on it). Without
    /// it, a private server is started in a temporary folder, as `motcua up` does (default
    /// settings, fsync on) and removed afterwards.
    #[arg(long)]
    database_url: Option<String>,
    /// What the report says about the server (set by `main`).
    #[arg(skip)]
    server: String,
    /// The release `motcua` binary.
    #[arg(long, default_value = "target/release/motcua")]
    motcua: String,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Client counts (each runs pgbench and both intake scenarios).
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    clients: Vec<usize>,
    /// Database connections per service (`MOTCUA_DB_MAX_CONNECTIONS`).
    #[arg(long, default_value_t = 10)]
    db_connections: u32,
    /// Agencies the spread scenario submits to.
    #[arg(long, default_value_t = 50)]
    agencies: usize,
}

const DB: &str = "motcua_bench_intake";

use motcua_bench::profile;
use motcua_bench::system::{NAMES, Services, birth_registration};
use motcua_localpg::{LocalPgOptions, LocalPostgres};

/// One scenario's outcome.
struct Measured {
    name: String,
    /// Each process group's share of the CPU used during the scenario.
    cpu: String,
    clients: usize,
    ok: usize,
    failed: usize,
    rate: f64,
    latencies: Vec<Duration>,
    /// Seconds from the last submission until every event it caused was delivered (`None`:
    /// not within the bound).
    drained: Option<f64>,
}

impl Measured {
    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }
}

/// The `n` one-stop units of the spread scenario: the demo's ward and `n - 1` more.
fn agencies(n: usize) -> Vec<String> {
    std::iter::once("000.25.80.H80".to_string())
        .chain((0..n.saturating_sub(1)).map(|i| format!("000.{:02}.81.H80", 10 + i)))
        .collect()
}

/// The demo catalogue with the extra one-stop units.
fn catalogue(n: usize) -> anyhow::Result<String> {
    let mut file: serde_json::Value =
        serde_json::from_str(include_str!("../../../data/catalogue-demo.json"))?;
    let list = file["agencies"].as_array_mut().context("agencies")?;
    for (i, code) in agencies(n).into_iter().skip(1).enumerate() {
        list.push(serde_json::json!({
            "code": code, "name": format!("Bộ phận Một cửa xã thử tải {i}"),
            "kind": "one_stop", "level": "commune",
        }));
    }
    Ok(file.to_string())
}

fn psql(admin: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args([admin, "-v", "ON_ERROR_STOP=1", "-Atc", sql])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// pgbench's one-row insert at `clients`: transactions per second.
fn pgbench(db_url: &str, clients: usize, seconds: u64) -> anyhow::Result<f64> {
    let script = std::env::temp_dir().join("motcua-bench-insert.sql");
    std::fs::write(
        &script,
        "INSERT INTO bench_insert (payload) VALUES ('một dòng');\n",
    )?;
    let out = Command::new("pgbench")
        .args(["-n", "-j", "2", "-c", &clients.to_string(), "-T"])
        .arg(seconds.to_string())
        .arg("-f")
        .arg(&script)
        .arg(db_url)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| {
            l.strip_prefix("tps = ")
                .and_then(|r| r.split_whitespace().next()?.parse().ok())
        })
        .with_context(|| {
            format!(
                "pgbench gave no tps: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// Submissions (body and officer token per agency, round robin) by `clients` for `seconds`.
async fn submissions(
    name: String,
    clients: usize,
    seconds: u64,
    tokens: Arc<Vec<(Vec<u8>, String)>>,
) -> Measured {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap_or_default();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let run = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let started = Instant::now();
    let end = started + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (http, next, tokens) = (http.clone(), next.clone(), tokens.clone());
        tasks.spawn(async move {
            let (mut lat, mut failed) = (Vec::new(), 0usize);
            while Instant::now() < end {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (body, token) = &tokens[i % tokens.len()];
                let t = Instant::now();
                let res = http
                    .post("http://127.0.0.1:18082/api/v1/dossiers")
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
                            eprintln!(
                                "HTTP {}: {}",
                                r.status(),
                                r.text().await.unwrap_or_default()
                            );
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
        });
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
async fn drain(db: &sqlx::PgPool) -> Option<f64> {
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

/// Intake's batch metrics: `(mean batch size, mean seconds per phase)`.
async fn batch_profile() -> (f64, BTreeMap<String, f64>) {
    let text = match reqwest::get("http://127.0.0.1:18082/metrics").await {
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    let private = match &args.database_url {
        Some(url) => {
            args.server = format!("the server at `{url}`");
            None
        }
        None => {
            let dir = std::env::temp_dir().join(format!("motcua-bench-{}", std::process::id()));
            let pg = LocalPostgres::start(&LocalPgOptions {
                dir: dir.clone(),
                ephemeral: false,
            })?;
            args.database_url = Some(pg.url());
            args.server =
                "private, started for the run as `motcua up` does (default settings, fsync on)"
                    .into();
            Some((pg, dir))
        }
    };
    let admin = args.database_url.clone().unwrap_or_default();
    let result = run(&args, &admin).await;
    if let Some((mut pg, dir)) = private {
        pg.stop();
        let _ = std::fs::remove_dir_all(dir);
    }
    println!("{}", result?);
    Ok(())
}

/// Everything on the server at `admin`; returns the report.
async fn run(args: &Args, admin: &str) -> anyhow::Result<String> {
    let db_url = motcua_db_url(admin)?;
    psql(admin, &format!("DROP DATABASE IF EXISTS {DB}"))?;
    psql(admin, &format!("CREATE DATABASE {DB}"))?;
    psql(
        &db_url,
        "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload text)",
    )?;
    let mut baseline = BTreeMap::new();
    for c in &args.clients {
        let tps = pgbench(&db_url, *c, args.seconds)?;
        println!("pgbench one-row insert, {c} clients: {tps:.0} TPS");
        baseline.insert(*c, tps);
    }
    let file = std::env::temp_dir().join("motcua-bench-catalogue.json");
    std::fs::write(&file, catalogue(args.agencies)?)?;
    let secret = format!("bench-{}-{}", std::process::id(), "x".repeat(40));
    for step in [
        vec!["migrate"],
        vec!["catalogue", "import", file.to_str().unwrap_or_default()],
    ] {
        let ok = Command::new(&args.motcua)
            .args(&step)
            .env("DATABASE_URL", &db_url)
            .env("MOTCUA_JWT_SECRET", &secret)
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(ok.success(), "motcua {step:?} failed");
    }
    let extra = [
        ("MOTCUA_SEED_DEMO", "false".to_string()),
        ("MOTCUA_DB_MAX_CONNECTIONS", args.db_connections.to_string()),
    ];
    let (services, ready) = Services::start(&args.motcua, &db_url, &secret, 18080, &extra).await?;
    let report = measure(args, &services, &ready, &secret, &baseline).await;
    services.stop();
    psql(admin, &format!("DROP DATABASE IF EXISTS {DB} WITH (FORCE)"))?;
    report
}

fn motcua_db_url(admin: &str) -> anyhow::Result<String> {
    let (base, _) = admin
        .rsplit_once('/')
        .context("database URL without a path")?;
    Ok(format!("{base}/{DB}"))
}

/// Runs the scenarios with the services up and renders the report.
async fn measure(
    args: &Args,
    services: &Services,
    ready: &[Duration],
    secret: &str,
    baseline: &BTreeMap<usize, f64>,
) -> anyhow::Result<String> {
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle: Vec<u64> = services.procs.iter().map(|p| rss_kib(p.id())).collect();
    let issuer = motcua_auth::TokenIssuer::hs256(secret.as_bytes(), "motcua");
    let token = |agency: &str| {
        issuer
            .issue(
                "bench-officer",
                &["one_stop_officer"],
                Some(agency),
                None,
                7200,
            )
            .map_err(anyhow::Error::msg)
    };
    let submission = |agency: &str| -> anyhow::Result<(Vec<u8>, String)> {
        Ok((
            serde_json::to_vec(&birth_registration(agency))?,
            token(agency)?,
        ))
    };
    let one = Arc::new(vec![submission("000.25.80.H80")?]);
    let spread = Arc::new(
        agencies(args.agencies)
            .iter()
            .map(|a| submission(a))
            .collect::<anyhow::Result<Vec<_>>>()?,
    );
    let pids: Vec<u32> = services.procs.iter().map(Child::id).collect();
    let peak = Arc::new(std::sync::Mutex::new(vec![0u64; pids.len()]));
    let sampler = {
        let (peak, pids) = (peak.clone(), pids.clone());
        tokio::spawn(async move {
            loop {
                if let Ok(mut p) = peak.lock() {
                    for (i, pid) in pids.iter().enumerate() {
                        p[i] = p[i].max(rss_kib(*pid));
                    }
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let mut named: Vec<(&str, u32)> = NAMES.iter().copied().zip(pids.iter().copied()).collect();
    named.push(("load generator", std::process::id()));
    let db = sqlx::PgPool::connect(&motcua_db_url(
        args.database_url.as_deref().unwrap_or_default(),
    )?)
    .await?;
    let mut rows = Vec::new();
    let mut statements = Vec::new();
    for c in &args.clients {
        for (label, tokens) in [("one agency", one.clone()), ("50 agencies", spread.clone())] {
            let label = if label == "50 agencies" {
                format!("{} agencies", args.agencies)
            } else {
                label.to_string()
            };
            let before = profile::cpu_by_group(&named);
            let sampler = (statements.is_empty()).then(|| {
                let (db, period) = (db.clone(), Duration::from_secs(args.seconds));
                tokio::spawn(async move { profile::active_statements(&db, DB, period).await })
            });
            let mut m = submissions(label, *c, args.seconds, tokens).await;
            m.cpu = profile::shares(&before, &profile::cpu_by_group(&named));
            if let Some(s) = sampler {
                statements = s.await.unwrap_or_default();
            }
            println!(
                "{} at {} clients: {:.0}/s ({} failed)",
                m.name, c, m.rate, m.failed
            );
            // The next scenario starts once the event pipeline has caught up.
            m.drained = drain(&db).await;
            rows.push(m);
        }
    }
    sampler.abort();
    let (size, phases) = batch_profile().await;
    let peak = peak.lock().map(|p| p.clone()).unwrap_or_default();
    db.close().await;
    let mut out = render(args, ready, &idle, &peak, baseline, &rows, size, &phases);
    out += "\nCPU used during each scenario, by process:\n\n";
    for m in &rows {
        let drained = match m.drained {
            Some(s) => format!("every event delivered {s:.1} s after the last submission"),
            None => "events still undelivered 120 s after the last submission".to_string(),
        };
        out += &format!(
            "- {} at {} clients: {}; {drained}\n",
            m.name, m.clients, m.cpu
        );
    }
    out +=
        "\nWhat PostgreSQL was busy with (share of sampled active statements, first scenario):\n\n";
    for (q, share) in &statements {
        out += &format!("- {share:.0} % `{q}`\n");
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn render(
    args: &Args,
    ready: &[Duration],
    idle: &[u64],
    peak: &[u64],
    baseline: &BTreeMap<usize, f64>,
    rows: &[Measured],
    batch: f64,
    phases: &BTreeMap<String, f64>,
) -> String {
    let mut out = format!(
        "\n`bench/run` ({} s per measurement, load generator on the same machine; PostgreSQL: {})\n\n\
         | scenario | clients | pgbench TPS | submissions/s | ratio | p50 ms | p95 ms | p99 ms | failed |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        args.seconds, args.server
    );
    for m in rows {
        let tps = baseline.get(&m.clients).copied().unwrap_or(f64::NAN);
        out += &format!(
            "| {} | {} | {:.0} | {:.0} | {:.3} | {:.1} | {:.1} | {:.1} | {} |\n",
            m.name,
            m.clients,
            tps,
            m.rate,
            m.rate / tps,
            m.pct(0.5),
            m.pct(0.95),
            m.pct(0.99),
            m.failed
        );
        let _ = m.ok;
    }
    out += "\n| service | ready after | RSS idle | RSS peak under load |\n|---|---|---|---|\n";
    for (i, (name, ready)) in NAMES.iter().zip(ready).enumerate() {
        out += &format!(
            "| {name} | {} ms | {:.1} MiB | {:.1} MiB |\n",
            ready.as_millis(),
            idle[i] as f64 / 1024.0,
            peak.get(i).copied().unwrap_or(0) as f64 / 1024.0
        );
    }
    out += &format!(
        "\nIntake's writer: {batch:.1} submissions per batch on average; per batch {}.\n",
        phases
            .iter()
            .map(|(p, s)| format!("{p} {:.2} ms", s * 1000.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out
}
