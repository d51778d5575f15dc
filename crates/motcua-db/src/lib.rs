//! PostgreSQL access shared by the services: one database, one schema per service (`catalogue`,
//! `intake`, `workflow`, `reporting`). Each pool's connections set `search_path` to the service's
//! schema, so each service's tables and its own `_sqlx_migrations` table live in its schema
//! and no service can read another's tables by accident.

mod connect_failure;

pub use connect_failure::{ServerAddress, connect_failure};

use connect_failure::explain;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::str::FromStr;
use std::time::Duration;

/// Connection options for `url`, with the session's `search_path` set to `schema` (then
/// `public`, where extensions such as `unaccent` and `pg_trgm` live), and JIT compilation off:
/// every query here is short or reads pre-summed rows, and compiling one cost 150–200 ms per
/// report with 10 million dossiers (docs/performance.md) for no gain.
pub fn options(url: &str, schema: &str) -> anyhow::Result<PgConnectOptions> {
    check_schema_name(schema)?;
    Ok(PgConnectOptions::from_str(url)
        .map_err(|e| explain(url, e))?
        .options([
            ("search_path", format!("{schema},public")),
            ("jit", "off".to_string()),
        ])
        .application_name(&format!("motcua-{schema}"))
        .log_statements(tracing::log::LevelFilter::Debug)
        .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500)))
}

fn check_schema_name(schema: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !schema.is_empty() && schema.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "schema name {schema:?} must be lower-case letters and underscores"
    );
    Ok(())
}

/// How a pool is bounded: its size, and PostgreSQL's `statement_timeout` on each of its
/// connections (a service's pool has one, so a runaway query is cancelled instead of holding a
/// connection for ever; migrations and the operator's commands have none).
#[derive(Clone, Copy, Debug)]
pub struct PoolLimits {
    /// Connections in the pool.
    pub max_connections: u32,
    /// `statement_timeout` of every connection; `None` for none.
    pub statement_timeout: Option<Duration>,
}

/// Creates the schema if needed and opens a pool whose connections use it, without a
/// statement timeout (the operator's commands, tests).
pub async fn connect(url: &str, schema: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    connect_with(
        url,
        schema,
        PoolLimits {
            max_connections,
            statement_timeout: None,
        },
    )
    .await
}

/// Creates the schema if needed and opens a pool whose connections use it, within `limits`.
pub async fn connect_with(url: &str, schema: &str, limits: PoolLimits) -> anyhow::Result<PgPool> {
    let opts = options(url, schema)?;
    let mut conn = connect_when_up(&opts).await.map_err(|e| explain(url, e))?;
    // Concurrent services may race to create the same schema: IF NOT EXISTS still takes a
    // catalog lock, and a duplicate-key error here means the other one won, which is fine.
    if let Err(e) = // The name was checked by `check_schema_name` above.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}"
        )))
        .execute(&mut conn)
        .await
    {
        let duplicate = e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|c| c == "23505" || c == "42P06");
        if !duplicate {
            return Err(e.into());
        }
    }
    conn.close().await?;
    let opts = match limits.statement_timeout {
        // Sent in the start-up packet: every connection of the pool has it from its first query.
        Some(t) => opts.options([("statement_timeout", format!("{}ms", t.as_millis().max(1)))]),
        None => opts,
    };
    PgPoolOptions::new()
        .max_connections(limits.max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(opts)
        .await
        .map_err(|e| explain(url, e))
}

/// Opens one connection, retrying for up to 30 s while the server is starting up
/// (SQLSTATE 57P03) or not yet listening, so a service can start together with its database.
async fn connect_when_up(opts: &PgConnectOptions) -> Result<sqlx::PgConnection, sqlx::Error> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut said = false;
    loop {
        match opts.connect().await {
            Ok(c) => return Ok(c),
            Err(e) if is_transient_startup(&e) && tokio::time::Instant::now() < deadline => {
                // Said once, not every 200 ms: an unreachable server would fill the screen.
                if !said {
                    tracing::info!(error = %e, "database not ready yet; retrying for up to 30 s");
                    said = true;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

fn is_transient_startup(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c == "57P03"),
        _ => false,
    }
}

/// Applies the service's migrations (recorded in its own schema's `_sqlx_migrations`) on one
/// connection of `pool` whose statement timeout is lifted: a migration that rewrites a large
/// table must not be cut by the timeout meant for requests. That connection is closed after,
/// so no connection of the pool keeps the lifted timeout. The schema's audit chains
/// (`motcua_audit::install`) are created (or a single-chain trail upgraded, which rebuilds its
/// key: hence also without the timeout) right after.
pub async fn migrate(pool: &PgPool, migrator: &Migrator) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?.detach();
    sqlx::query("SET statement_timeout = 0")
        .execute(&mut conn)
        .await?;
    let result = migrator.run(&mut conn).await;
    // Every service schema has its audit chains, whether or not it writes to them yet.
    let installed = match result {
        Ok(()) => motcua_audit::install(&mut conn).await,
        Err(_) => Ok(()),
    };
    conn.close().await?;
    result?;
    installed?;
    Ok(())
}

/// Why a service is not ready. `/readyz` shows only [`NotReady::reason`], a fixed word; the
/// cause (which may name hosts, users or SQL) goes to the log.
#[derive(Debug)]
pub enum NotReady {
    /// The database did not answer (or answered with an error).
    DatabaseUnreachable(sqlx::Error),
    /// Some migration the binary knows is not applied.
    MigrationsPending {
        /// The latest applied version, if any.
        applied: Option<i64>,
        /// The latest version the binary knows.
        expected: i64,
    },
}

impl NotReady {
    /// The fixed word `/readyz` answers: `database_unreachable` or `migrations_pending`.
    pub fn reason(&self) -> &'static str {
        match self {
            NotReady::DatabaseUnreachable(_) => "database_unreachable",
            NotReady::MigrationsPending { .. } => "migrations_pending",
        }
    }
}

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotReady::DatabaseUnreachable(e) => write!(f, "database not reachable: {e}"),
            NotReady::MigrationsPending { applied, expected } => write!(
                f,
                "migrations pending: applied {applied:?}, binary expects {expected}"
            ),
        }
    }
}

/// Readiness: the database answers and every migration the binary knows is applied.
pub async fn ready(pool: &PgPool, migrator: &Migrator) -> Result<(), NotReady> {
    let expected = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    let applied: Option<i64> =
        match sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await
        {
            Ok(v) => v,
            // No migrations table yet (42P01): nothing was migrated.
            Err(sqlx::Error::Database(d)) if d.code().is_some_and(|c| c == "42P01") => None,
            Err(e) => return Err(NotReady::DatabaseUnreachable(e)),
        };
    match applied {
        Some(v) if v >= expected => Ok(()),
        None if expected == 0 => Ok(()),
        applied => Err(NotReady::MigrationsPending { applied, expected }),
    }
}

/// Creates database `name` on the server at `admin_url` (used by tests and `motcua up`);
/// an existing database is left alone.
pub async fn create_database(admin_url: &str, name: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "database name {name:?} must be letters, digits and underscores"
    );
    let opts = PgConnectOptions::from_str(admin_url).map_err(|e| explain(admin_url, e))?;
    let mut conn = connect_when_up(&opts)
        .await
        .map_err(|e| explain(admin_url, e))?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await?;
    Ok(())
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host_part = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    let mut out = format!("{host_part}/{name}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced_keeping_host_and_query() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1").unwrap(),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u@h:1?sslmode=disable", "t2").unwrap(),
            "postgres://u@h:1/t2?sslmode=disable"
        );
    }

    #[test]
    fn schema_names_are_restricted() {
        assert!(check_schema_name("intake").is_ok());
        assert!(check_schema_name("intake; drop table x").is_err());
        assert!(check_schema_name("").is_err());
    }
}
