//! The catalogue's audit trail (nhật ký thay đổi): every write records who, what and the
//! before/after values, in the same transaction as the write.

use sqlx::PgConnection;

/// Records one audited change, with the request id it came from.
pub async fn record(
    tx: &mut PgConnection,
    actor: &str,
    action: &str,
    subject: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (actor, action, subject, before, after, request_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(before)
    .bind(after)
    .bind(motcua_telemetry::request_id::current())
    .execute(&mut *tx)
    .await?;
    Ok(())
}
