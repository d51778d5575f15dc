//! Load generator against a running motcua (`motcua up`): measures, in one command, a
//! baseline (the HTTP stack alone: `GET /healthz`) and the real operations, so every number
//! is read against the ceiling of the same machine at the same moment.
//!
//! ```sh
//! cargo run --release -p motcua -- up &            # the system under test
//! cargo run --release -p motcua-bench --bin load -- --requests 2000 --concurrency 32
//! ```
//! The token is signed with `MOTCUA_JWT_SECRET` (or `motcua up`'s `.motcua/jwt-secret`), as the services
//! verify. Every request is bounded (`--requests`), and every target is on loopback.

use clap::Parser;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "motcua load generator (loopback only)")]
struct Args {
    /// Requests per scenario.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Host of the services (loopback).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
}

/// One scenario's measurements.
struct Stats {
    name: &'static str,
    ok: usize,
    failed: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Stats {
    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }
    fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

type Req = Arc<dyn Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync>;

async fn run(
    name: &'static str,
    args: &Args,
    client: &reqwest::Client,
    expect: u16,
    make: Req,
) -> Stats {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let (next, make, client, total) =
            (next.clone(), make.clone(), client.clone(), args.requests);
        tasks.spawn(async move {
            let mut lat = Vec::new();
            let mut failed = 0;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let t = Instant::now();
                match make(&client, i).send().await {
                    Ok(r) if r.status().as_u16() == expect => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    Ok(r) => {
                        failed += 1;
                        if failed <= 3 {
                            eprintln!(
                                "{name}: HTTP {} {}",
                                r.status(),
                                r.text().await.unwrap_or_default()
                            );
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        if failed <= 3 {
                            eprintln!("{name}: {e}");
                        }
                    }
                }
            }
            (lat, failed)
        });
    }
    let mut latencies = Vec::new();
    let mut failed = 0;
    while let Some(Ok((l, f))) = tasks.join_next().await {
        latencies.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Stats {
        name,
        ok: latencies.len(),
        failed,
        elapsed,
        latencies,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.host == "127.0.0.1" || args.host == "localhost" || args.host == "::1",
        "the load generator only targets loopback"
    );
    // The services' secret: MOTCUA_JWT_SECRET, or the one `motcua up` made for this folder.
    let secret = match std::env::var("MOTCUA_JWT_SECRET") {
        Ok(s) => s,
        Err(_) => std::fs::read_to_string(".motcua/jwt-secret")
            .map(|s| s.trim().to_string())
            .map_err(|e| {
                anyhow::anyhow!(
                    "set MOTCUA_JWT_SECRET, or run from the folder of `motcua up` (.motcua/jwt-secret: {e})"
                )
            })?,
    };
    let issuer = motcua_auth::TokenIssuer::hs256(secret.as_bytes(), "motcua");
    let officer = issuer
        .issue(
            "bench-officer",
            &["one_stop_officer"],
            Some("000.25.80.H80"),
            None,
            3600,
        )
        .map_err(anyhow::Error::msg)?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let host = args.host.clone();
    let run_id = time::OffsetDateTime::now_utc().unix_timestamp();

    let h = host.clone();
    let baseline = run(
        "baseline GET /healthz (intake)",
        &args,
        &client,
        200,
        Arc::new(move |c, _| c.get(format!("http://{h}:8082/healthz"))),
    )
    .await;
    let h = host.clone();
    let deadline = run("GET /api/v1/calendar/deadline (catalogue)", &args, &client, 200,
        Arc::new(move |c, i| {
            c.get(format!(
                "http://{h}:8081/api/v1/calendar/deadline?start=2026-0{}-1{}T09:00:00%2B07:00&working_days=20",
                1 + i % 9, i % 10
            ))
        })).await;
    let h = host.clone();
    let body = motcua_bench::system::birth_registration("000.25.80.H80");
    let submit = run(
        "POST /api/v1/dossiers (intake → catalogue → db + outbox)",
        &args,
        &client,
        201,
        Arc::new(move |c, i| {
            c.post(format!("http://{h}:8082/api/v1/dossiers"))
                .bearer_auth(&officer)
                .header("Idempotency-Key", format!("bench-{run_id}-{i}"))
                .json(&body)
        }),
    )
    .await;

    println!(
        "\n{} requests per scenario, {} in flight\n",
        args.requests, args.concurrency
    );
    println!("| scenario | ok | failed | req/s | p50 ms | p95 ms | p99 ms | vs baseline |");
    println!("|---|---|---|---|---|---|---|---|");
    for s in [&baseline, &deadline, &submit] {
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.1} % |",
            s.name,
            s.ok,
            s.failed,
            s.rps(),
            s.pct(0.5),
            s.pct(0.95),
            s.pct(0.99),
            100.0 * s.rps() / baseline.rps()
        );
    }
    Ok(())
}
