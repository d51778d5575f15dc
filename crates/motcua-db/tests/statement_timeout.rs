//! A service's pool cancels a statement that runs past `statement_timeout`, and the cancelled
//! statement is a `503 database_timeout` problem (not a 500); migrations run on the same pool
//! are not cut by it; and readiness names what is wrong with a fixed word, never the raw error.

use motcua_db::{NotReady, PoolLimits};
use std::time::Duration;

async fn bounded(db: &motcua_testkit::TestDb, timeout_ms: u64) -> sqlx::PgPool {
    let limits = PoolLimits {
        max_connections: 2,
        statement_timeout: Some(Duration::from_millis(timeout_ms)),
    };
    motcua_db::connect_with(&db.url, "bounded", limits)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_statement_past_the_timeout_is_cancelled_and_answered_503_database_timeout() {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = bounded(&db, 100).await;
    let err = sqlx::query("SELECT pg_sleep(1)")
        .execute(&pool)
        .await
        .unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("57014"),
        "{err}"
    );
    let problem = motcua_problem::Problem::from(err);
    assert_eq!(problem.status.as_u16(), 503);
    assert_eq!(problem.code, "database_timeout");
    // A quick statement on the same pool still runs.
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
    // The operator's pools have no timeout.
    let admin = motcua_db::connect(&db.url, "bounded", 1).await.unwrap();
    sqlx::query("SELECT pg_sleep(0.3)")
        .execute(&admin)
        .await
        .unwrap();
    pool.close().await;
    admin.close().await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn migrations_are_not_cut_by_the_pools_statement_timeout() {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let pool = bounded(&db, 100).await;
    let dir = std::env::temp_dir().join(format!("motcua-db-slow-migration-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("0001_slow.sql"),
        "SELECT pg_sleep(0.5);\nCREATE TABLE slow_done (x int);\n",
    )
    .unwrap();
    let migrator = sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap();
    assert!(
        matches!(
            motcua_db::ready(&pool, &migrator).await,
            Err(NotReady::MigrationsPending { applied: None, .. })
        ),
        "nothing migrated yet"
    );
    motcua_db::migrate(&pool, &migrator).await.unwrap();
    assert!(motcua_db::ready(&pool, &migrator).await.is_ok());
    // The pool's connections still have their timeout.
    for _ in 0..3 {
        assert!(
            sqlx::query("SELECT pg_sleep(1)")
                .execute(&pool)
                .await
                .is_err()
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    pool.close().await;
    db.drop_database().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_database_is_reported_by_a_fixed_word() {
    // Nothing listens on port 1.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy("postgres://motcua:secret-password@127.0.0.1:1/motcua")
        .unwrap();
    let err = motcua_db::ready(&pool, &sqlx::migrate::Migrator::DEFAULT)
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "database_unreachable");
    assert!(!err.reason().contains("127.0.0.1"));
    assert!(err.to_string().contains("database not reachable"), "{err}");
}
