//! Agencies and one-stop units (`agency`): the published body of each, its own working
//! sessions, written on import (audited) and read for resolving, listing and calendars.

use super::audit;
use crate::store::documents;
use motcua_audit::Actor;
use motcua_catalogue_model::AgencyEntry;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// Every stored agency, as published, by code.
pub async fn all(pool: &PgPool) -> Result<Vec<AgencyEntry>, sqlx::Error> {
    let bodies: Vec<Value> = sqlx::query_scalar("SELECT body FROM agency ORDER BY code")
        .fetch_all(pool)
        .await?;
    documents::entries(bodies)
}

/// The working sessions stored for `code`: `None` for an unknown agency, `Some(None)` for one
/// that follows the province's.
pub async fn working_sessions(
    pool: &PgPool,
    code: &str,
) -> Result<Option<Option<Value>>, sqlx::Error> {
    sqlx::query_scalar("SELECT working_sessions FROM agency WHERE code = $1")
        .bind(code)
        .fetch_optional(pool)
        .await
}

/// Sets (or clears, with `None`) the working sessions of `code` and audits it; `false` for an
/// unknown agency.
pub async fn set_working_sessions(
    tx: &mut PgConnection,
    code: &str,
    sessions: Option<&Value>,
    actor: &Actor,
) -> Result<bool, sqlx::Error> {
    let before: Option<Option<Value>> =
        sqlx::query_scalar("SELECT working_sessions FROM agency WHERE code = $1 FOR UPDATE")
            .bind(code)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(before) = before else {
        return Ok(false);
    };
    sqlx::query("UPDATE agency SET working_sessions = $2 WHERE code = $1")
        .bind(code)
        .bind(sessions)
        .execute(&mut *tx)
        .await?;
    audit::record(
        tx,
        actor,
        "agency.working_sessions",
        code,
        before.as_ref(),
        sessions,
    )
    .await?;
    Ok(true)
}

/// What writing an agency did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// Stored already, identical: nothing written, nothing audited.
    Unchanged,
    /// A new agency.
    Added,
    /// Its published data changed.
    Changed,
}

/// Writes an agency as published, audited, unless it is stored identical.
pub async fn put(
    tx: &mut PgConnection,
    a: &AgencyEntry,
    actor: &Actor,
) -> Result<Put, sqlx::Error> {
    let body = documents::body(a)?;
    let before: Option<Value> =
        sqlx::query_scalar("SELECT body FROM agency WHERE code = $1 FOR UPDATE")
            .bind(&a.code)
            .fetch_optional(&mut *tx)
            .await?;
    if before.as_ref() == Some(&body) {
        return Ok(Put::Unchanged);
    }
    let sessions = a
        .working_sessions
        .as_ref()
        .map(documents::body)
        .transpose()?;
    sqlx::query(
        "INSERT INTO agency (code, name, kind, level, sector, unit_code, parent_code, valid_from, valid_until,
                             successor_code, working_sessions, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, level = EXCLUDED.level,
             sector = EXCLUDED.sector, unit_code = EXCLUDED.unit_code, parent_code = EXCLUDED.parent_code,
             valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until,
             successor_code = EXCLUDED.successor_code, working_sessions = EXCLUDED.working_sessions, body = EXCLUDED.body",
    )
    .bind(&a.code)
    .bind(&a.name)
    .bind(a.kind.as_str())
    .bind(a.level.as_str())
    .bind(&a.sector)
    .bind(&a.unit_code)
    .bind(&a.parent_code)
    .bind(a.valid_from)
    .bind(a.valid_until)
    .bind(&a.successor_code)
    .bind(sessions)
    .bind(&body)
    .execute(&mut *tx)
    .await?;
    audit::record(
        tx,
        actor,
        "agency.put",
        &a.code,
        before.as_ref(),
        Some(&body),
    )
    .await?;
    Ok(if before.is_some() {
        Put::Changed
    } else {
        Put::Added
    })
}
