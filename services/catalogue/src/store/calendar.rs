//! The working-day calendar by year (`calendar_year`): days off and extra working days of
//! each loaded year, as the calendar's JSON; a change is audited.

use super::audit;
use motcua_audit::Actor;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// How many years are stored.
pub async fn count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM calendar_year")
        .fetch_one(pool)
        .await
}

/// Stores a built-in year by `system`, unless that year is stored already.
pub async fn insert_builtin(pool: &PgPool, year: i32, data: &Value) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calendar_year (year, data, updated_by) VALUES ($1, $2, 'system')
         ON CONFLICT (year) DO NOTHING",
    )
    .bind(year)
    .bind(data)
    .execute(pool)
    .await?;
    Ok(())
}

/// Every stored year with its data, oldest first.
pub async fn years(pool: &PgPool) -> Result<Vec<(i32, Value)>, sqlx::Error> {
    sqlx::query_as("SELECT year, data FROM calendar_year ORDER BY year")
        .fetch_all(pool)
        .await
}

/// Loads or replaces a year's data, audited with what it replaced.
pub async fn put_year(
    tx: &mut PgConnection,
    year: i32,
    data: &Value,
    actor: &Actor,
) -> Result<(), sqlx::Error> {
    let before: Option<Value> =
        sqlx::query_scalar("SELECT data FROM calendar_year WHERE year = $1 FOR UPDATE")
            .bind(year)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query(
        "INSERT INTO calendar_year (year, data, updated_by, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (year) DO UPDATE SET data = EXCLUDED.data, updated_by = EXCLUDED.updated_by, updated_at = now()",
    )
    .bind(year)
    .bind(data)
    .bind(&actor.sub)
    .execute(&mut *tx)
    .await?;
    audit::record(
        tx,
        actor,
        "calendar.put",
        &year.to_string(),
        before.as_ref(),
        Some(data),
    )
    .await
}
