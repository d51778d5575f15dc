//! Compliance events (vi phạm quy định): rule violations attempted or detected, for inspectors.

use crate::domain::change::Compliance;
use sqlx::PgConnection;
use time::OffsetDateTime;

/// Records a compliance event in `conn` (the refused action's own transaction, or the
/// transaction of an action that is allowed but flagged).
pub async fn record(
    conn: &mut PgConnection,
    at: OffsetDateTime,
    actor: &str,
    agency: Option<&str>,
    c: &Compliance,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO compliance_event (at, kind, actor, agency, detail, request_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(at)
        .bind(c.kind.as_str())
        .bind(actor)
        .bind(agency)
        .bind(&c.detail)
        .bind(motcua_telemetry::request_id::current())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
