//! A fresh database for each test, against the real PostgreSQL: the server at `DATABASE_URL`
//! when it is set, otherwise a private server this test process starts from the system's
//! binaries (as `motcua up` does) and that dies with the process.
//!
//! Databases are named `motcua_t_<pid>_<n>`; [`TestDb::drop_database`] removes one at the end
//! of a passing test, and databases left by dead test processes are dropped at the next start.

use motcua_localpg::{LocalPgOptions, LocalPostgres};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::OnceCell;

static SERVER: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);
const PG_DIR_PREFIX: &str = "motcua-test-pg-";

/// A database created for one test.
#[derive(Debug)]
pub struct TestDb {
    /// Its URL.
    pub url: String,
    admin_url: String,
    name: String,
}

/// Admin URL of the server tests use, starting the private server on first use.
pub async fn server_url() -> anyhow::Result<String> {
    SERVER
        .get_or_try_init(|| async {
            if let Ok(url) = std::env::var("DATABASE_URL")
                && !url.is_empty()
            {
                drop_stale_databases(&url).await;
                return Ok(url);
            }
            let url = tokio::task::spawn_blocking(|| -> anyhow::Result<String> {
                motcua_localpg::remove_stale_ephemeral(PG_DIR_PREFIX);
                let dir =
                    std::env::temp_dir().join(format!("{PG_DIR_PREFIX}{}", std::process::id()));
                let pg = LocalPostgres::start(&LocalPgOptions {
                    dir,
                    ephemeral: true,
                })?;
                let url = pg.url();
                // The server lives as long as this process: it gets SIGINT when the process
                // exits (parent-death signal), and its folder is removed by the next run.
                std::mem::forget(pg);
                Ok(url)
            })
            .await??;
            Ok(url)
        })
        .await
        .cloned()
}

async fn drop_stale_databases(admin_url: &str) {
    let Ok(opts) = sqlx::postgres::PgConnectOptions::from_str(admin_url) else {
        return;
    };
    let Ok(mut conn) = opts.connect().await else {
        return;
    };
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'motcua\\_t\\_%'")
            .fetch_all(&mut conn)
            .await
            .unwrap_or_default();
    for name in names {
        let Some(pid) = name.split('_').nth(2).and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        // SAFETY: signal 0 only checks whether the process exists.
        if pid as u32 != std::process::id() && unsafe { libc::kill(pid, 0) } != 0 {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
    let _ = conn.close().await;
}

impl TestDb {
    /// Creates a new, empty database.
    pub async fn create() -> anyhow::Result<Self> {
        let admin_url = server_url().await?;
        let name = format!(
            "motcua_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        motcua_db::create_database(&admin_url, &name).await?;
        let url = motcua_db::with_database(&admin_url, &name)?;
        Ok(Self {
            url,
            admin_url,
            name,
        })
    }

    /// Drops the database (call at the end of a passing test).
    pub async fn drop_database(self) -> anyhow::Result<()> {
        let mut conn = sqlx::postgres::PgConnectOptions::from_str(&self.admin_url)?
            .connect()
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut conn)
        .await?;
        conn.close().await?;
        Ok(())
    }
}
