//! Apologies and re-appointments (form 04): one per dossier, held by the primary key.

use crate::domain::extension::Extension;
use sqlx::PgConnection;
use uuid::Uuid;

/// Whether the dossier has one on file.
pub async fn exists(conn: &mut PgConnection, code: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM extension WHERE dossier_code = $1)")
        .bind(code)
        .fetch_one(&mut *conn)
        .await
}

/// Stores it; `false` when one exists already.
pub async fn insert(
    tx: &mut PgConnection,
    code: &str,
    case_id: Uuid,
    e: &Extension,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO extension (dossier_code, case_id, granted_at, granted_by, agency, reason, due_before, due_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dossier_code) DO NOTHING",
    )
    .bind(code)
    .bind(case_id)
    .bind(e.at)
    .bind(&e.by)
    .bind(&e.agency)
    .bind(&e.reason)
    .bind(e.due_before)
    .bind(e.due_after)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
