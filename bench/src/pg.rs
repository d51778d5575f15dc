//! The PostgreSQL side of `bench/run`: a fresh database per system on the server the command
//! uses, `motcua migrate` and the catalogue import on it, pgbench's one-row insert (the
//! baseline), and the database dropped at the end.

use anyhow::Context;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `sql` with `psql` on `url`; answers its output, trimmed.
pub fn psql(url: &str, sql: &str) -> anyhow::Result<String> {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-Atc", sql])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The URL of database `db` on the server of the admin URL `admin`.
pub fn database_url(admin: &str, db: &str) -> anyhow::Result<String> {
    let (base, _) = admin
        .rsplit_once('/')
        .context("database URL without a path")?;
    Ok(format!("{base}/{db}"))
}

/// Creates database `db` afresh on the server of `admin`; answers its URL.
pub fn fresh(admin: &str, db: &str) -> anyhow::Result<String> {
    psql(admin, &format!("DROP DATABASE IF EXISTS {db}"))?;
    psql(admin, &format!("CREATE DATABASE {db}"))?;
    database_url(admin, db)
}

/// Drops database `db` (its connections closed first).
pub fn drop(admin: &str, db: &str) -> anyhow::Result<()> {
    psql(admin, &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).map(|_| ())
}

/// `motcua migrate`, then `motcua catalogue import catalogue`, on `db_url`.
pub fn migrate_and_import(
    motcua: &str,
    db_url: &str,
    secret: &str,
    catalogue: &Path,
) -> anyhow::Result<()> {
    for step in [
        vec!["migrate"],
        vec![
            "catalogue",
            "import",
            catalogue.to_str().unwrap_or_default(),
        ],
    ] {
        let ok = Command::new(motcua)
            .args(&step)
            .env("DATABASE_URL", db_url)
            .env("MOTCUA_JWT_SECRET", secret)
            .stdout(Stdio::null())
            .status()?;
        anyhow::ensure!(ok.success(), "motcua {step:?} failed");
    }
    Ok(())
}

/// pgbench's one-row insert at `clients` on `db_url` (which holds `bench_insert`, see
/// [`baseline_table`]): transactions per second.
pub fn pgbench(db_url: &str, clients: usize, seconds: u64) -> anyhow::Result<f64> {
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

/// The table pgbench's script inserts into.
pub fn baseline_table(db_url: &str) -> anyhow::Result<()> {
    psql(
        db_url,
        "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload text)",
    )
    .map(|_| ())
}
