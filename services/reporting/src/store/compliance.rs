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

/// The violations recorded between `from` and `to` (instants, `to` excluded), at `agency` or
/// all: `(kind, agency, at, dossier, actor, detail)`, oldest first.
pub async fn recorded(
    pool: &sqlx::PgPool,
    (from, to): (time::OffsetDateTime, time::OffsetDateTime),
    agency: Option<&str>,
) -> Result<Vec<Recorded>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, coalesce(agency, '') AS agency, at, dossier_code, actor, detail FROM compliance_fact
          WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR agency = $3)
         UNION ALL
         SELECT 'paper_not_digitised', receiving_agency, received_at, dossier_code, submitted_by, '{}'::jsonb
           FROM dossier_fact
          WHERE paper_components AND received_at >= $1 AND received_at < $2 AND ($3::text IS NULL OR receiving_agency = $3)
         UNION ALL
         SELECT 'returned_unresolved', receiving_agency, finished_at, dossier_code, NULL, jsonb_build_object('ending', ending)
           FROM dossier_fact
          WHERE ending IN ('refused', 'stopped') AND finished_at >= $1 AND finished_at < $2
            AND ($3::text IS NULL OR receiving_agency = $3)
         ORDER BY at, dossier_code",
    )
    .bind(from)
    .bind(to)
    .bind(agency)
    .fetch_all(pool)
    .await
}

/// One recorded violation.
#[derive(Debug, sqlx::FromRow)]
pub struct Recorded {
    /// Its kind.
    pub kind: String,
    /// The agency (empty when none was named).
    pub agency: String,
    /// When.
    pub at: time::OffsetDateTime,
    /// The dossier, if one.
    pub dossier_code: Option<String>,
    /// Who.
    pub actor: Option<String>,
    /// What exactly.
    pub detail: serde_json::Value,
}
