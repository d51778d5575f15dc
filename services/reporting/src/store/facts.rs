//! The dossier facts (`dossier_fact`): one row per received dossier, written once whatever
//! the number of deliveries, then following the dossier's status; counted per day and agency.

use crate::domain::facts::DailyRow;
use motcua_events::{CaseChanged, DossierReceived, DossierStatusChanged};
use sqlx::{PgConnection, PgPool};
use time::Date;

/// Records a received dossier once, counted on `day`; `false` when it was recorded already.
pub async fn record(
    tx: &mut PgConnection,
    ev: &DossierReceived,
    day: Date,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO dossier_fact (dossier_code, procedure_code, receiving_agency, channel, received_at, received_day, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dossier_code) DO NOTHING",
    )
    .bind(&ev.dossier_code)
    .bind(&ev.procedure_code)
    .bind(&ev.receiving_agency)
    .bind(&ev.channel)
    .bind(ev.received_at)
    .bind(day)
    .bind(ev.due_at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Follows a dossier's status change (`dossier.*` after receipt).
pub async fn follow(tx: &mut PgConnection, ev: &DossierStatusChanged) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE dossier_fact
            SET status = $2, status_code = $3, due_at = $4, updated_at = $5,
                supplement_requested = supplement_requested OR $2 = 'supplement_requested',
                returned_at = CASE WHEN $2 = 'result_returned' THEN $5 ELSE returned_at END
          WHERE dossier_code = $1",
    )
    .bind(&ev.dossier_code)
    .bind(&ev.to_status)
    .bind(ev.status_code)
    .bind(ev.due_at)
    .bind(ev.at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records that processing finished (`case.completed`): the result is at the one-stop.
pub async fn resolved(tx: &mut PgConnection, ev: &CaseChanged) -> Result<(), sqlx::Error> {
    // Only the time: the status follows intake's events, which arrive in order per dossier.
    sqlx::query(
        "UPDATE dossier_fact SET resolved_at = coalesce(resolved_at, $2) WHERE dossier_code = $1",
    )
    .bind(&ev.dossier_code)
    .bind(ev.at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Counts per day and receiving agency from `from` to `to` inclusive, oldest first.
pub async fn daily(
    pool: &PgPool,
    from: Date,
    to: Date,
    agency: Option<&str>,
) -> Result<Vec<DailyRow>, sqlx::Error> {
    let rows: Vec<(Date, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT received_day AS day, receiving_agency AS agency, count(*) AS received,
                count(*) FILTER (WHERE channel = 'online') AS online,
                count(*) FILTER (WHERE channel <> 'online') AS direct_postal
           FROM dossier_fact
          WHERE received_day BETWEEN $1 AND $2 AND ($3::text IS NULL OR receiving_agency = $3)
          GROUP BY received_day, receiving_agency
          ORDER BY received_day, receiving_agency",
    )
    .bind(from)
    .bind(to)
    .bind(agency)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(day, agency, received, online, direct_postal)| DailyRow {
            day,
            agency,
            received,
            online,
            direct_postal,
        })
        .collect())
}
