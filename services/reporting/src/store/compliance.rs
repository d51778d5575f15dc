//! Compliance facts (`compliance_fact`): each rule violation attempted or detected, once.

use motcua_events::ComplianceRecorded;
use sqlx::PgConnection;
use uuid::Uuid;

/// Records one violation under its event id (a redelivery records nothing more).
pub async fn record(
    tx: &mut PgConnection,
    event_id: Uuid,
    c: &ComplianceRecorded,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO compliance_fact (event_id, kind, at, agency, dossier_code, actor, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(event_id)
    .bind(&c.kind)
    .bind(c.at)
    .bind(&c.agency)
    .bind(&c.dossier_code)
    .bind(&c.actor)
    .bind(&c.detail)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
