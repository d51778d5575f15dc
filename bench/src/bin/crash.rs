//! `bench/crash`: the crash test (issue 14). Four `motcua serve` processes on one private
//! PostgreSQL (fsync on) under submission load, the clients retrying with the same
//! `Idempotency-Key` until they get their `201`; every few seconds a random service is
//! SIGKILLed and started again, and once PostgreSQL itself is stopped immediately (SIGQUIT,
//! recovery from the WAL) and restarted. Then, with no manual action: every service ready, every
//! outbox delivery done, and every acknowledged dossier stored exactly once, nothing created
//! twice, codes gap-free, one case and one reporting fact per dossier. Loopback only, bounded in
//! time; exit status 0 when every check holds.

use clap::Parser;
use motcua_bench::system::{NAMES, Services, birth_registration};
use motcua_localpg::{LocalPgOptions, LocalPostgres};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "kill services and PostgreSQL under load, then count (loopback only)")]
struct Args {
    /// The release `motcua` binary.
    #[arg(long, default_value = "target/release/motcua")]
    motcua: String,
    /// Seconds of load and chaos.
    #[arg(long, default_value_t = 40)]
    seconds: u64,
    /// Clients submitting at once.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Seconds between two service kills.
    #[arg(long, default_value_t = 3)]
    kill_every: u64,
}

/// What the clients were told: key → dossier code (acknowledged), or still unanswered.
type Acks = Arc<Mutex<BTreeMap<String, Option<String>>>>;

/// One client: new keys one after another; each retried with the same key until its `201`
/// (or until `stop_new` and then `give_up` pass).
async fn client(n: usize, token: String, acks: Acks, stop_new: Instant, give_up: Instant) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let body = birth_registration("000.25.80.H80");
    let mut i = 0;
    while Instant::now() < stop_new {
        let key = format!("crash-{n}-{i}");
        i += 1;
        if let Ok(mut a) = acks.lock() {
            a.insert(key.clone(), None);
        }
        while Instant::now() < give_up {
            let res = http
                .post("http://127.0.0.1:28082/api/v1/dossiers")
                .bearer_auth(&token)
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
                .await;
            if let Ok(r) = res
                && r.status().as_u16() == 201
                && let Ok(v) = r.json::<serde_json::Value>().await
            {
                if let (Ok(mut a), Some(code)) = (acks.lock(), v["code"].as_str()) {
                    a.insert(key.clone(), Some(code.to_string()));
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn count(pool: &sqlx::PgPool, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(pool)
        .await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("motcua-crash-{}", std::process::id()));
    let opts = LocalPgOptions {
        dir: dir.clone(),
        ephemeral: false,
    };
    let mut pg = LocalPostgres::start(&opts)?;
    let port = pg.port;
    let db_url = pg.url();
    let secret = format!("crash-test-{}-{}", std::process::id(), "y".repeat(40));
    let extra = [("MOTCUA_OUTBOX_POLL_MS", "200".to_string())];
    let (mut services, _) = Services::start(&args.motcua, &db_url, &secret, 28080, &extra).await?;
    let issuer = motcua_auth::TokenIssuer::hs256(secret.as_bytes(), "motcua");
    let token = issuer
        .issue(
            "crash-officer",
            &["one_stop_officer"],
            Some("000.25.80.H80"),
            None,
            7200,
        )
        .map_err(anyhow::Error::msg)?;

    let acks: Acks = Arc::default();
    let start = Instant::now();
    let stop_new = start + Duration::from_secs(args.seconds);
    let give_up = stop_new + Duration::from_secs(60);
    let mut clients = tokio::task::JoinSet::new();
    for n in 0..args.clients {
        clients.spawn(client(n, token.clone(), acks.clone(), stop_new, give_up));
    }
    let mut kills = Vec::new();
    let mut pg_restarted = false;
    let mut round = 0usize;
    while Instant::now() < stop_new {
        tokio::time::sleep(Duration::from_secs(args.kill_every)).await;
        round += 1;
        let victim = (round * 7 + start.elapsed().subsec_nanos() as usize) % NAMES.len();
        services.kill_and_restart(victim)?;
        kills.push(NAMES[victim]);
        if !pg_restarted && start.elapsed() > Duration::from_secs(args.seconds / 2) {
            pg.crash();
            tokio::time::sleep(Duration::from_secs(2)).await;
            pg = LocalPostgres::start_on(&opts, Some(port))?;
            pg_restarted = true;
        }
    }
    while clients.join_next().await.is_some() {}
    let report = settle_and_check(&services, &db_url, &acks, &kills, pg_restarted).await;
    services.stop();
    pg.stop();
    let _ = std::fs::remove_dir_all(&dir);
    let (text, ok) = report?;
    println!("{text}");
    anyhow::ensure!(ok, "the crash test failed");
    Ok(())
}

/// Waits (bounded) for every service to be ready and every delivery done, then checks.
async fn settle_and_check(
    services: &Services,
    db_url: &str,
    acks: &Acks,
    kills: &[&str],
    pg_restarted: bool,
) -> anyhow::Result<(String, bool)> {
    for i in 0..NAMES.len() {
        services.wait_ready(i, Duration::from_secs(120)).await?;
    }
    let db = motcua_db_pool(db_url).await?;
    let deadline = Instant::now() + Duration::from_secs(180);
    let pending_sql = "SELECT (SELECT count(*) FROM intake.outbox_delivery WHERE delivered_at IS NULL AND destination <> 'national_portal')
                            + (SELECT count(*) FROM workflow.outbox_delivery WHERE delivered_at IS NULL)";
    while count(&db, pending_sql).await? > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let acked: BTreeMap<String, String> = acks
        .lock()
        .map(|a| {
            a.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.clone()?)))
                .collect()
        })
        .unwrap_or_default();
    let attempted = acks.lock().map(|a| a.len()).unwrap_or(0);
    let codes: Vec<String> = acked.values().cloned().collect();
    let stored_acked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM intake.dossier WHERE code = ANY($1)")
            .bind(&codes)
            .fetch_one(&db)
            .await?;
    let distinct_acked = codes
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let dossiers = count(&db, "SELECT count(*) FROM intake.dossier").await?;
    let keys_done = count(
        &db,
        "SELECT count(*) FROM intake.idempotency_key WHERE status = 201",
    )
    .await?;
    let codes_answered = count(
        &db,
        "SELECT count(DISTINCT response->>'code') FROM intake.idempotency_key WHERE status = 201",
    )
    .await?;
    let max_seq = count(
        &db,
        "SELECT coalesce(sum(last), 0) FROM intake.dossier_sequence",
    )
    .await?;
    let checks: Vec<(&str, bool, String)> = vec![
        ("every acknowledged dossier stored, once", stored_acked as usize == acked.len() && distinct_acked == acked.len(), format!("{} acknowledged, {stored_acked} stored, {distinct_acked} distinct codes", acked.len())),
        ("nothing created twice (one dossier per key, one key per dossier)", dossiers == keys_done && codes_answered == dossiers && dossiers as usize <= attempted, format!("{dossiers} dossiers, {keys_done} answered keys with {codes_answered} distinct codes, {attempted} keys tried")),
        ("codes gap-free", max_seq == dossiers, format!("sequence total {max_seq}, {dossiers} dossiers")),
        ("one case per dossier", count(&db, "SELECT count(*) FROM workflow.dossier_case").await? == dossiers, String::new()),
        ("one reporting fact per dossier", count(&db, "SELECT count(*) FROM reporting.dossier_fact").await? == dossiers, String::new()),
        ("every delivery done", count(&db, pending_sql).await? == 0, String::new()),
        ("no dead letter", count(&db, "SELECT (SELECT count(*) FROM intake.outbox_delivery WHERE dead_at IS NOT NULL) + (SELECT count(*) FROM workflow.outbox_delivery WHERE dead_at IS NOT NULL)").await? == 0, String::new()),
    ];
    db.close().await;
    let mut text = format!(
        "crash test: {} kills ({}), PostgreSQL stopped immediately and restarted: {pg_restarted}\n",
        kills.len(),
        kills.join(", ")
    );
    let mut ok = pg_restarted;
    for (what, held, detail) in &checks {
        ok &= held;
        text += &format!(
            "- [{}] {what} {detail}\n",
            if *held { "ok" } else { "FAILED" }
        );
    }
    Ok((text, ok))
}

async fn motcua_db_pool(url: &str) -> anyhow::Result<sqlx::PgPool> {
    Ok(sqlx::PgPool::connect(url).await?)
}
