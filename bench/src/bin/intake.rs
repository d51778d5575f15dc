//! `bench/run`: intake at the database's speed, measured against the database in the same
//! command, and completed multi-agency flows (issue 14). It starts a private PostgreSQL as
//! `motcua up` does (or uses `--database-url`). Scenario `intake`: on a fresh database, the
//! four services as separate `motcua serve` processes, pgbench's one-row insert against that
//! PostgreSQL at each concurrency first (the baseline), then counter submissions at one agency
//! and spread over 50 agencies at the same concurrencies: rate, p50/p95/p99, the ratio to
//! pgbench, each service's start-up time to ready and resident memory idle and under load, and
//! where the time goes (CPU by process, sampled statements, intake's `motcua_intake_batch_*`
//! metrics). Scenario `flows`: on another fresh database, the same four services and the birth
//! group's three reference sector systems; completed flows per second ([`motcua_bench::flows`]).
//! The services forward at once whatever the hour ([`motcua_bench::forwarding`]). Loopback only.

use anyhow::Context;
use clap::{Parser, ValueEnum};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::time::Duration;

/// A part of the command.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// pgbench's baseline and the counter submissions (one agency, spread).
    Intake,
    /// Completed multi-agency flows through the reference sector systems.
    Flows,
}

#[derive(Parser)]
#[command(
    about = "intake against pgbench on the same PostgreSQL, and completed flows (loopback only)"
)]
struct Args {
    /// Admin URL of a PostgreSQL server to use (fresh databases are created on it). Without
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
    /// The release `sector-system` binary (`motcua-e2e`; the flows scenario).
    #[arg(long, default_value = "target/release/sector-system")]
    sector_system: String,
    /// The scenarios to run, in this order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "intake,flows"
    )]
    scenarios: Vec<Scenario>,
    /// Seconds per measurement (the flows: after a 3 s warm-up).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Client counts (each runs pgbench and both intake scenarios).
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    clients: Vec<usize>,
    /// Client counts of the flows scenario (each keeps one flow in flight).
    #[arg(long, value_delimiter = ',', default_value = "1,8")]
    flow_clients: Vec<usize>,
    /// Database connections per service (`MOTCUA_DB_MAX_CONNECTIONS`).
    #[arg(long, default_value_t = 10)]
    db_connections: u32,
    /// Agencies the spread scenario submits to.
    #[arg(long, default_value_t = 50)]
    agencies: usize,
}

const DB: &str = "motcua_bench_intake";

use motcua_bench::counter::{self, Measured, rss_kib};
use motcua_bench::system::{NAMES, Services, birth_registration};
use motcua_bench::{flows, forwarding, pg, profile};
use motcua_localpg::{LocalPgOptions, LocalPostgres};

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

/// Every scenario asked for on the server at `admin`; returns the report.
async fn run(args: &Args, admin: &str) -> anyhow::Result<String> {
    let file = std::env::temp_dir().join("motcua-bench-catalogue.json");
    std::fs::write(&file, catalogue(args.agencies)?)?;
    let mut report = String::new();
    for scenario in &args.scenarios {
        let part = match scenario {
            Scenario::Intake => intake(args, admin, &file).await,
            Scenario::Flows => {
                flows::run(&flows::Plan {
                    motcua: &args.motcua,
                    sector_system: &args.sector_system,
                    admin,
                    server: &args.server,
                    catalogue: &file,
                    clients: &args.flow_clients,
                    seconds: args.seconds,
                    db_connections: args.db_connections,
                })
                .await
            }
        };
        match part {
            Ok(text) => report += &text,
            Err(e) => {
                // What was measured before is printed all the same.
                println!("{report}");
                return Err(e);
            }
        }
    }
    Ok(report)
}

/// The intake scenario on a database of its own: pgbench's baseline, then the services and the
/// submissions; returns its report.
async fn intake(args: &Args, admin: &str, file: &Path) -> anyhow::Result<String> {
    let db_url = pg::fresh(admin, DB)?;
    pg::baseline_table(&db_url)?;
    let mut baseline = BTreeMap::new();
    for c in &args.clients {
        let tps = pg::pgbench(&db_url, *c, args.seconds)?;
        println!("pgbench one-row insert, {c} clients: {tps:.0} TPS");
        baseline.insert(*c, tps);
    }
    let secret = format!("bench-{}-{}", std::process::id(), "x".repeat(40));
    pg::migrate_and_import(&args.motcua, &db_url, &secret, file)?;
    let extra = [
        ("MOTCUA_SEED_DEMO", "false".to_string()),
        ("MOTCUA_DB_MAX_CONNECTIONS", args.db_connections.to_string()),
        (forwarding::CUTOFF.0, forwarding::CUTOFF.1.to_string()),
    ];
    let (services, ready) = Services::start(&args.motcua, &db_url, &secret, 18080, &extra).await?;
    let report = measure(args, &services, &ready, &secret, &baseline).await;
    services.stop();
    pg::drop(admin, DB)?;
    report
}

/// The submissions of both intake scenarios: (one agency, spread), body and officer token each.
type Bodies = Arc<Vec<(Vec<u8>, String)>>;

fn bodies(args: &Args, issuer: &motcua_auth::TokenIssuer) -> anyhow::Result<(Bodies, Bodies)> {
    let submission = |agency: &str| -> anyhow::Result<(Vec<u8>, String)> {
        let token = issuer
            .issue(
                "bench-officer",
                &["one_stop_officer"],
                Some(agency),
                None,
                7200,
            )
            .map_err(anyhow::Error::msg)?;
        Ok((serde_json::to_vec(&birth_registration(agency))?, token))
    };
    let one = Arc::new(vec![submission("000.25.80.H80")?]);
    let spread = Arc::new(
        agencies(args.agencies)
            .iter()
            .map(|a| submission(a))
            .collect::<anyhow::Result<Vec<_>>>()?,
    );
    Ok((one, spread))
}

/// Samples each process's resident memory every 250 ms into the answer (until aborted).
fn peak_sampler(pids: Vec<u32>) -> (Arc<std::sync::Mutex<Vec<u64>>>, tokio::task::JoinHandle<()>) {
    let peak = Arc::new(std::sync::Mutex::new(vec![0u64; pids.len()]));
    let sink = peak.clone();
    let task = tokio::spawn(async move {
        loop {
            if let Ok(mut p) = sink.lock() {
                for (i, pid) in pids.iter().enumerate() {
                    p[i] = p[i].max(rss_kib(*pid));
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    (peak, task)
}

/// Runs the scenarios with the services up and renders the report.
async fn measure(
    args: &Args,
    services: &Services,
    ready: &[Duration],
    secret: &str,
    baseline: &BTreeMap<usize, f64>,
) -> anyhow::Result<String> {
    let issuer = motcua_auth::TokenIssuer::hs256(secret.as_bytes(), "motcua");
    let admin = issuer
        .issue("bench-admin", &["catalogue_admin"], None, None, 600)
        .map_err(anyhow::Error::msg)?;
    let made =
        forwarding::make_working(&services.url(0), &admin, Duration::from_secs(3600)).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle: Vec<u64> = services.procs.iter().map(|p| rss_kib(p.id())).collect();
    let (one, spread) = bodies(args, &issuer)?;
    let pids: Vec<u32> = services.procs.iter().map(Child::id).collect();
    let (peak, sampler) = peak_sampler(pids.clone());
    let mut named: Vec<(&str, u32)> = NAMES.iter().copied().zip(pids.iter().copied()).collect();
    named.push(("load generator", std::process::id()));
    let admin_url = args.database_url.as_deref().unwrap_or_default();
    let db = sqlx::PgPool::connect(&pg::database_url(admin_url, DB)?).await?;
    let mut rows = Vec::new();
    let mut statements = Vec::new();
    for c in &args.clients {
        let spread_label = format!("{} agencies", args.agencies);
        for (label, tokens) in [
            ("one agency".to_string(), one.clone()),
            (spread_label, spread.clone()),
        ] {
            let (before, machine) = (profile::cpu_by_group(&named), profile::machine_ticks());
            let sampler = (statements.is_empty()).then(|| {
                let (db, period) = (db.clone(), Duration::from_secs(args.seconds));
                tokio::spawn(async move { profile::active_statements(&db, DB, period).await })
            });
            let mut m =
                counter::submissions(label, &services.url(1), *c, args.seconds, tokens).await;
            m.cpu = format!(
                "{} ({})",
                profile::shares(&before, &profile::cpu_by_group(&named)),
                profile::machine_busy(machine, profile::machine_ticks())
            );
            if let Some(s) = sampler {
                statements = s.await.unwrap_or_default();
            }
            println!(
                "{} at {} clients: {:.0}/s, p99 {:.1} ms ({} failed)",
                m.name,
                c,
                m.rate,
                counter::percentile_ms(&m.latencies, 0.99),
                m.failed
            );
            // The next scenario starts once the event pipeline has caught up.
            m.drained = counter::drain(&db).await;
            rows.push(m);
        }
    }
    sampler.abort();
    let (size, phases) = counter::batch_profile(&services.url(1)).await;
    let peak = peak.lock().map(|p| p.clone()).unwrap_or_default();
    db.close().await;
    let out = render(args, ready, &idle, &peak, baseline, &rows, size, &phases);
    Ok(out + &profile_text(&rows, &statements) + &forwarded(&made))
}

/// Where the time went: CPU by process per scenario, and the sampled statements.
fn profile_text(rows: &[Measured], statements: &[(String, f64)]) -> String {
    let mut out = "\nCPU used during each scenario, by process:\n\n".to_string();
    for m in rows {
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
    for (q, share) in statements {
        out += &format!("- {share:.0} % `{q}`\n");
    }
    out
}

/// What the report says about forwarding in the intake scenario.
fn forwarded(made: &[time::Date]) -> String {
    let days = if made.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = made.iter().map(|d| d.to_string()).collect();
        format!(
            " and {} made a working day on the bench's calendar (a day off)",
            list.join(", ")
        )
    };
    format!(
        "\nEvery case was forwarded at once (`{}={}`{days}): forwarding and its events back to \
         intake are part of the pipeline measured above, whatever the hour (runs after 15:00 \
         before this setting had none).\n",
        forwarding::CUTOFF.0,
        forwarding::CUTOFF.1
    )
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
