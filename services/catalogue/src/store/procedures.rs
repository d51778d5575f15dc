//! Procedures and their published versions (`procedure`, `procedure_version`): search among
//! the versions in force, the version in force on a date, and publishing (audited; a stored
//! version is immutable, the migration's trigger refuses any change).

use super::audit;
use crate::domain::procedure::{ProcedureSummary, ProcedureVersion, agencies_named};
use crate::store::documents;
use motcua_audit::Actor;
use motcua_catalogue_model::{ProcedureEntry, fold};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use time::Date;

/// Procedures in force on `at` matching the filters, best match first; `q` is folded
/// (diacritics and case ignored) before matching.
pub async fn search_in_force(
    pool: &PgPool,
    at: Date,
    q: &str,
    field: Option<String>,
    level: Option<String>,
    agency: Option<String>,
    limit: i64,
) -> Result<Vec<ProcedureSummary>, sqlx::Error> {
    let q = fold(q);
    let rows: Vec<(String, String, String, String, String, i32)> = sqlx::query_as(
        "WITH current AS (
             SELECT DISTINCT ON (code) * FROM procedure_version
              WHERE effective_from <= $1 AND (effective_until IS NULL OR effective_until >= $1)
              ORDER BY code, effective_from DESC)
         SELECT code, name, field, level, online_level, version FROM current
          WHERE ($2 = '' OR search_key LIKE '%' || $2 || '%' OR public.word_similarity($2, search_key) > 0.4)
            AND ($3::text IS NULL OR field = $3)
            AND ($4::text IS NULL OR level = $4)
            AND ($5::text IS NULL OR $5 = ANY(agencies))
          ORDER BY (search_key LIKE '%' || $2 || '%') DESC,
                   public.similarity($2, search_key) DESC, code
          LIMIT $6",
    )
    .bind(at)
    .bind(q)
    .bind(field)
    .bind(level)
    .bind(agency)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(code, name, field, level, online_level, version)| ProcedureSummary {
                code,
                name,
                field,
                level,
                online_level,
                version,
            },
        )
        .collect())
}

type VersionRow = (
    String,
    i32,
    String,
    String,
    String,
    String,
    Date,
    Value,
    Value,
);

/// The version of `code` in force on `at`, if any.
pub async fn version_at(
    pool: &PgPool,
    code: &str,
    at: Date,
) -> Result<Option<ProcedureVersion>, sqlx::Error> {
    let row: Option<VersionRow> = sqlx::query_as(
        "SELECT code, version, name, field, level, online_level, effective_from, time_limit, body
           FROM procedure_version
          WHERE code = $1 AND effective_from <= $2 AND (effective_until IS NULL OR effective_until >= $2)
          ORDER BY effective_from DESC LIMIT 1",
    )
    .bind(code)
    .bind(at)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(code, version, name, field, level, online_level, effective_from, time_limit, body)| {
            ProcedureVersion {
                code,
                version,
                name,
                field,
                level,
                online_level,
                effective_from,
                time_limit,
                body,
            }
        },
    ))
}

/// The number the next version of `code` gets (1 for a new procedure).
pub async fn next_version(pool: &PgPool, code: &str) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT coalesce(max(version), 0) + 1 FROM procedure_version WHERE code = $1",
    )
    .bind(code)
    .fetch_one(pool)
    .await
}

/// Every stored version, as published, by code and version.
pub async fn entries(pool: &PgPool) -> Result<Vec<ProcedureEntry>, sqlx::Error> {
    let bodies: Vec<Value> =
        sqlx::query_scalar("SELECT body FROM procedure_version ORDER BY code, version")
            .fetch_all(pool)
            .await?;
    documents::entries(bodies)
}

/// Publishes one version, audited; `false` when that version is already stored.
pub async fn publish(
    tx: &mut PgConnection,
    p: &ProcedureEntry,
    actor: &Actor,
) -> Result<bool, sqlx::Error> {
    let body = documents::body(p)?;
    let exists: Option<Value> =
        sqlx::query_scalar("SELECT body FROM procedure_version WHERE code = $1 AND version = $2")
            .bind(&p.code)
            .bind(p.version as i32)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_some() {
        return Ok(false);
    }
    sqlx::query("INSERT INTO procedure (code) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(&p.code)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO procedure_version (code, version, name, field, level, online_level, effective_from, effective_until,
                                        decision_number, decision_date, time_limit, body, search_key, agencies, published_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&p.code)
    .bind(p.version as i32)
    .bind(&p.name)
    .bind(&p.field)
    .bind(p.level.as_str())
    .bind(documents::body(&p.online_level)?.as_str().map(str::to_string))
    .bind(p.effective_from())
    .bind(p.effective_until())
    .bind(p.decision.as_ref().map(|d| d.number.clone()))
    .bind(p.decision.as_ref().map(|d| d.date))
    .bind(documents::body(&p.time_limit)?)
    .bind(&body)
    .bind(fold(&p.name))
    .bind(agencies_named(p))
    .bind(&actor.sub)
    .execute(&mut *tx)
    .await?;
    audit::record(
        tx,
        actor,
        "procedure.publish",
        &format!("{} v{}", p.code, p.version),
        None,
        Some(&body),
    )
    .await?;
    Ok(true)
}
