//! `bench/run`'s completed-flows scenario (issue 14): on a fresh database of the same
//! PostgreSQL, the four services as `motcua serve` processes (as the intake scenario starts
//! them) and the birth group's three reference sector systems as their own processes
//! ([`crate::sector`]); then, at each client count, birth-group dossiers (`DEMO.LT.63-1`)
//! submitted at the counter and their results returned by the one-stop
//! ([`crate::flow_load`]) for a fixed time after a warm-up. Reports completed flows per second,
//! p50/p95/p99 of submit → returned, the flows still in flight at the end, the CPU by process
//! and what PostgreSQL was busy with. Forwarding is made immediate whatever the hour
//! ([`crate::forwarding`]).

use crate::counter::percentile_ms;
use crate::flow_load::{self, Shared, Target};
use crate::sector::{self, SectorSystem};
use crate::system::{NAMES, Services};
use crate::{forwarding, pg, profile};
use base64::Engine;
use sha2::Digest;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The database of the flows' system.
const DB: &str = "motcua_bench_flows";
/// Its services' ports: REST `BASE + 1..4`, gRPC `BASE + 1001..1004`.
const BASE: u16 = 38080;
/// The one-stop unit that receives the dossiers and returns the results.
const ONE_STOP: &str = "000.25.80.H80";
/// Time before the measured window: the first flows go through an empty pipeline.
const WARMUP: Duration = Duration::from_secs(3);
/// How long the flows in flight at the end may take to come back before the next row.
const DRAIN_LIMIT: Duration = Duration::from_secs(60);

/// What the scenario runs with.
pub struct Plan<'a> {
    /// The release `motcua` binary.
    pub motcua: &'a str,
    /// The release `sector-system` binary.
    pub sector_system: &'a str,
    /// Admin URL of the PostgreSQL server.
    pub admin: &'a str,
    /// What the report says about that server.
    pub server: &'a str,
    /// The catalogue file to import (the demo catalogue and the bench's extra units).
    pub catalogue: &'a Path,
    /// Client counts, one row each.
    pub clients: &'a [usize],
    /// Seconds measured per row.
    pub seconds: u64,
    /// Database connections per service.
    pub db_connections: u32,
}

/// One row: the flows of one client count.
struct FlowRow {
    clients: usize,
    /// Latencies of the flows returned in the window, sorted.
    latencies: Vec<Duration>,
    /// Flows submitted and not returned when the clients stopped.
    in_flight: usize,
    submitted: usize,
    failed_submissions: usize,
    failed_returns: usize,
    /// Seconds after the clients stopped until every flow in flight was returned.
    drained: Option<f64>,
    cpu: String,
}

/// A birth + permanent residence + health-insurance group dossier (`DEMO.LT.63-1`) at the
/// counter of `agency`, its two components electronic with a file each, as
/// `tests/e2e/connectors.rs` submits it (the birth certificate 70,000 bytes, so the stream
/// sends it in several chunks).
pub fn birth_group(agency: &str) -> serde_json::Value {
    let file = |name: &str, content: &[u8]| {
        let sha: String = sha2::Sha256::digest(content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        serde_json::json!({"name": name, "media_type": "application/pdf", "size": content.len(),
            "sha256": sha, "content_base64": base64::engine::general_purpose::STANDARD.encode(content)})
    };
    let form = b"%PDF-1.7 to khai lien thong (bench)".to_vec();
    let mut certificate = b"%PDF-1.7 giay chung sinh (bench) ".to_vec();
    certificate.resize(70_000, b'.');
    serde_json::json!({
        "procedure_code": "DEMO.LT.63-1", "receiving_agency": agency, "channel": "counter",
        "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234"},
        "components": [
            {"code": "TK01", "form": "electronic", "files": [file("to-khai.pdf", &form)]},
            {"code": "GCSDT", "form": "electronic", "files": [file("giay-chung-sinh.pdf", &certificate)]}
        ]
    })
}

/// Runs the scenario on a database of its own; answers the report.
pub async fn run(plan: &Plan<'_>) -> anyhow::Result<String> {
    let db_url = pg::fresh(plan.admin, DB)?;
    let secret = format!("bench-flows-{}-{}", std::process::id(), "x".repeat(40));
    pg::migrate_and_import(plan.motcua, &db_url, &secret, plan.catalogue)?;
    let extra = [
        ("MOTCUA_SEED_DEMO", "false".to_string()),
        ("MOTCUA_DB_MAX_CONNECTIONS", plan.db_connections.to_string()),
        (forwarding::CUTOFF.0, forwarding::CUTOFF.1.to_string()),
    ];
    let started = Services::start(plan.motcua, &db_url, &secret, BASE, &extra).await;
    let result = match started {
        Ok((services, _)) => {
            let r = with_services(plan, &services, &secret, &db_url).await;
            services.stop();
            r
        }
        Err(e) => Err(e),
    };
    pg::drop(plan.admin, DB)?;
    result
}

/// With the services up: the calendar, the sector systems, the rows.
async fn with_services(
    plan: &Plan<'_>,
    services: &Services,
    secret: &str,
    db_url: &str,
) -> anyhow::Result<String> {
    let issuer = motcua_auth::TokenIssuer::hs256(secret.as_bytes(), "motcua");
    let admin = issuer
        .issue("bench-admin", &["catalogue_admin"], None, None, 600)
        .map_err(anyhow::Error::msg)?;
    let made =
        forwarding::make_working(&services.url(0), &admin, Duration::from_secs(3600)).await?;
    let token = issuer
        .issue(
            "bench-officer",
            &["one_stop_officer"],
            Some(ONE_STOP),
            None,
            7200,
        )
        .map_err(anyhow::Error::msg)?;
    let target = Target {
        intake: services.url(1).into(),
        agency: ONE_STOP.into(),
        token: token.into(),
        body: Arc::new(serde_json::to_vec(&birth_group(ONE_STOP))?),
    };
    let systems = sector::start_birth_group(plan.sector_system, &issuer, services).await?;
    let result = rows(plan, services, &systems, &target, db_url).await;
    let out = result.map(|(rows, statements)| {
        render(plan, &rows, &systems, &statements) + &forwarding_note(&made)
    });
    for s in systems {
        s.stop();
    }
    out
}

/// Every client count in turn; answers the rows and the statements sampled in the first.
async fn rows(
    plan: &Plan<'_>,
    services: &Services,
    systems: &[SectorSystem],
    target: &Target,
    db_url: &str,
) -> anyhow::Result<(Vec<FlowRow>, Vec<(String, f64)>)> {
    let mut named: Vec<(&str, u32)> = NAMES
        .iter()
        .copied()
        .zip(services.procs.iter().map(|p| p.id()))
        .collect();
    named.extend(systems.iter().map(|s| (s.account.role, s.pid())));
    named.push(("load generator", std::process::id()));
    let db = sqlx::PgPool::connect(db_url).await?;
    let mut rows = Vec::new();
    let mut statements = Vec::new();
    for &c in plan.clients {
        let sampler = rows.is_empty().then(|| {
            let (db, period) = (db.clone(), Duration::from_secs(plan.seconds));
            tokio::spawn(async move {
                tokio::time::sleep(WARMUP).await;
                profile::active_statements(&db, DB, period).await
            })
        });
        let row = measure(target, c, plan.seconds, &named).await;
        if let Some(s) = sampler {
            statements = s.await.unwrap_or_default();
        }
        println!(
            "completed flows at {c} clients: {:.1}/s ({} in flight at the end, {} failed)",
            row.latencies.len() as f64 / plan.seconds as f64,
            row.in_flight,
            row.failed_submissions + row.failed_returns
        );
        rows.push(row);
    }
    db.close().await;
    Ok((rows, statements))
}

/// One row: `clients` closed-loop clients for the warm-up and `seconds`, the officer
/// returning results throughout and until the flows in flight came back (or the limit).
async fn measure(target: &Target, clients: usize, seconds: u64, named: &[(&str, u32)]) -> FlowRow {
    let book: Shared = Default::default();
    let stop = Arc::new(AtomicBool::new(false));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients + 8)
        .build()
        .unwrap_or_default();
    let officer = tokio::spawn(flow_load::officer(
        http.clone(),
        target.clone(),
        book.clone(),
        stop.clone(),
    ));
    let from = Instant::now() + WARMUP;
    let end = from + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..clients {
        let (http, target, book) = (http.clone(), target.clone(), book.clone());
        tasks.spawn(flow_load::client(http, target, book, n, end));
    }
    tokio::time::sleep_until(from.into()).await;
    let (before, machine) = (profile::cpu_by_group(named), profile::machine_ticks());
    tokio::time::sleep_until(end.into()).await;
    let cpu = format!(
        "{} ({})",
        profile::shares(&before, &profile::cpu_by_group(named)),
        profile::machine_busy(machine, profile::machine_ticks())
    );
    while tasks.join_next().await.is_some() {}
    let in_flight = book.lock().map(|b| b.in_flight()).unwrap_or(0);
    let stopped = Instant::now();
    let mut drained = None;
    while stopped.elapsed() < DRAIN_LIMIT {
        if book.lock().map(|b| b.in_flight() == 0).unwrap_or(true) {
            drained = Some(stopped.elapsed().as_secs_f64());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let _ = officer.await;
    let b = book.lock().unwrap_or_else(|e| e.into_inner());
    let mut latencies: Vec<Duration> = b
        .returned
        .iter()
        .filter(|(at, _)| *at >= from && *at < end)
        .map(|(_, l)| *l)
        .collect();
    latencies.sort();
    FlowRow {
        clients,
        latencies,
        in_flight,
        submitted: b.submitted,
        failed_submissions: b.failed_submissions,
        failed_returns: b.failed_returns,
        drained,
        cpu,
    }
}

/// The report's part for the flows, in `docs/performance.md`'s format.
fn render(
    plan: &Plan<'_>,
    rows: &[FlowRow],
    systems: &[SectorSystem],
    statements: &[(String, f64)],
) -> String {
    let mut out = format!(
        "\n`bench/run` completed flows ({} s measured per row after a {} s warm-up; the load \
         generator and the three reference sector systems on the same machine; PostgreSQL: {})\n\n\
         Each client keeps one birth-group dossier in flight: `DEMO.LT.63-1` submitted at the \
         counter of {ONE_STOP} (two electronic components, one file each, 70 KB certificate), done \
         by the civil-status registry (stream), then the residence registry (webhooks) and the \
         social-insurance office (stream) in parallel, its result returned at the counter by one \
         officer loop reading the register (status `processed`). A flow counts when its \
         result-return answers 2xx inside the window; latency from the start of its submission.\n\n\
         | clients | flows/s | p50 ms | p95 ms | p99 ms | flows | in flight at end | failed |\n\
         |---|---|---|---|---|---|---|---|\n",
        plan.seconds,
        WARMUP.as_secs(),
        plan.server
    );
    for r in rows {
        let n = r.latencies.len();
        out += &format!(
            "| {} | {:.1} | {:.0} | {:.0} | {:.0} | {n} | {} | {} |\n",
            r.clients,
            n as f64 / plan.seconds as f64,
            percentile_ms(&r.latencies, 0.5),
            percentile_ms(&r.latencies, 0.95),
            percentile_ms(&r.latencies, 0.99),
            r.in_flight,
            r.failed_submissions + r.failed_returns
        );
    }
    out += "\nPer row (submissions from the start of the warm-up; CPU during the window, by process):\n\n";
    for r in rows {
        let drained = match r.drained {
            Some(s) => format!("the flows in flight at the end returned {s:.1} s later"),
            None => format!(
                "flows still in flight {} s after the end",
                DRAIN_LIMIT.as_secs()
            ),
        };
        out += &format!(
            "- {} clients: {} submitted ({} refused), {} result-returns refused; {drained}; CPU: {}\n",
            r.clients, r.submitted, r.failed_submissions, r.failed_returns, r.cpu
        );
    }
    out += "\nThe reference sector systems over the whole run:";
    for s in systems {
        let (n, first) = s.trouble();
        let step = s
            .mean_step()
            .map(|d| {
                let ms = d.as_secs_f64() * 1e3;
                let limit = match s.account.mode {
                    // The reference stream client works on one step at a time.
                    "stream" => format!(" (one at a time: at most {:.1} steps/s)", 1e3 / ms),
                    _ => String::new(),
                };
                format!(", {ms:.0} ms each from received to completed{limit}")
            })
            .unwrap_or_default();
        out += &format!(
            "\n- {} ({}): {} steps completed{step}, {n} error lines{}",
            s.account.role,
            s.account.mode,
            s.count("completed"),
            first
                .first()
                .map(|l| format!(" (first: `{l}`)"))
                .unwrap_or_default()
        );
    }
    out += "\n\nWhat PostgreSQL was busy with (share of sampled active statements, first row):\n\n";
    for (q, share) in statements {
        out += &format!("- {share:.0} % `{q}`\n");
    }
    out
}

/// How forwarding was made immediate, for the report.
fn forwarding_note(made: &[time::Date]) -> String {
    let days = match made {
        [] => "no day of the run is a day off, so the calendar is the province's".to_string(),
        days => format!(
            "{} made a make-up working day on the calendar of the bench's database (a day off: \
             workflow would otherwise keep every case for the next working day)",
            days.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "\nForwarding at once whatever the hour: the services run with `{}={}` (default 15:00); \
         {days}.\n",
        forwarding::CUTOFF.0,
        forwarding::CUTOFF.1
    )
}
