//! The dossier facts (`dossier_fact`, `dossier_status_fact`): one row per received dossier,
//! written once whatever the number of deliveries, then following the dossier; counted per day
//! and agency for the daily counts.

use crate::domain::dossier::{DossierFacts, Ending, Wait};
use crate::domain::facts::DailyRow;
use motcua_calendar::Timeliness;
use motcua_events::{DossierReceived, DossierStatusChanged};
use sqlx::{FromRow, PgConnection, PgPool};
use time::{Date, OffsetDateTime};

/// The columns [`FactRow`] reads.
pub const FACT_COLUMNS: &str =
    "dossier_code, receiving_agency, procedure_code, field, level, channel, received_at,
    due_at, ending, finished_at, timeliness, waits, paused_minutes";

/// A stored fact row.
#[derive(FromRow)]
pub struct FactRow {
    dossier_code: String,
    receiving_agency: String,
    procedure_code: String,
    field: String,
    level: String,
    channel: String,
    received_at: OffsetDateTime,
    due_at: OffsetDateTime,
    ending: Option<String>,
    finished_at: Option<OffsetDateTime>,
    timeliness: Option<String>,
    waits: serde_json::Value,
    paused_minutes: i64,
}

impl FactRow {
    /// The facts, parsed; a stored value reporting cannot read is an error, never a default.
    pub fn facts(self) -> Result<DossierFacts, sqlx::Error> {
        let bad = |what: &str| sqlx::Error::Decode(format!("dossier_fact.{what}").into());
        let ending = match self.ending.as_deref() {
            Some(e) => Some(Ending::parse(e).ok_or_else(|| bad("ending"))?),
            None => None,
        };
        let timeliness = match self.timeliness {
            Some(t) => Some(Timeliness::parse(&t).ok_or_else(|| bad("timeliness"))?),
            None => None,
        };
        let waits: Vec<Wait> = serde_json::from_value(self.waits).map_err(|_| bad("waits"))?;
        Ok(DossierFacts {
            code: self.dossier_code,
            agency: self.receiving_agency,
            procedure_code: self.procedure_code,
            field: self.field,
            level: self.level,
            channel: self.channel,
            received_at: self.received_at,
            due_at: self.due_at,
            ending,
            finished_at: self.finished_at,
            timeliness,
            waits,
            paused_minutes: self.paused_minutes,
        })
    }
}

/// Records received dossiers' facts (counted once, on their local day), in one statement;
/// returns those recorded now (a dossier already known is left as it is).
pub async fn record_all<'a>(
    tx: &mut PgConnection,
    received: &[&'a DossierReceived],
) -> Result<Vec<&'a DossierReceived>, sqlx::Error> {
    if received.is_empty() {
        return Ok(Vec::new());
    }
    let text = |f: fn(&DossierReceived) -> &str| received.iter().map(|e| f(e)).collect::<Vec<_>>();
    let recorded: Vec<String> = sqlx::query_scalar(
        "INSERT INTO dossier_fact (dossier_code, procedure_code, receiving_agency, channel, received_at, received_day,
                                   due_at, due_initial, field, level, submitted_by, paper_components)
         SELECT code, procedure_code, agency, channel, received_at, day, due_at, due_at, field, level, by, paper
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::date[],
                       $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::bool[])
             AS x(code, procedure_code, agency, channel, received_at, day, due_at, field, level, by, paper)
         ON CONFLICT (dossier_code) DO NOTHING RETURNING dossier_code",
    )
    .bind(text(|e| &e.dossier_code))
    .bind(text(|e| &e.procedure_code))
    .bind(text(|e| &e.receiving_agency))
    .bind(text(|e| &e.channel))
    .bind(received.iter().map(|e| e.received_at).collect::<Vec<_>>())
    .bind(
        received
            .iter()
            .map(|e| crate::domain::facts::received_day(e.received_at))
            .collect::<Vec<_>>(),
    )
    .bind(received.iter().map(|e| e.due_at).collect::<Vec<_>>())
    .bind(text(|e| &e.field))
    .bind(text(|e| &e.level))
    .bind(text(|e| &e.submitted_by))
    .bind(received.iter().map(|e| e.paper_components).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    let recorded: std::collections::HashSet<String> = recorded.into_iter().collect();
    Ok(received
        .iter()
        .copied()
        .filter(|e| recorded.contains(&e.dossier_code))
        .collect())
}

/// The receiving agency of a dossier, if reporting knows it (read before locking, to fetch
/// its calendar outside the transaction).
pub async fn agency_of(pool: &PgPool, code: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT receiving_agency FROM dossier_fact WHERE dossier_code = $1")
        .bind(code)
        .fetch_optional(pool)
        .await
}

/// Locks a dossier's facts for a change.
pub async fn lock(tx: &mut PgConnection, code: &str) -> Result<Option<DossierFacts>, sqlx::Error> {
    let sql = format!("SELECT {FACT_COLUMNS} FROM dossier_fact WHERE dossier_code = $1 FOR UPDATE");
    let row: Option<FactRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
    row.map(FactRow::facts).transpose()
}

/// Writes the facts a status change moved, and the status itself in the history.
pub async fn follow(
    tx: &mut PgConnection,
    f: &DossierFacts,
    ev: &DossierStatusChanged,
    event_id: uuid::Uuid,
) -> Result<(), sqlx::Error> {
    let waits = serde_json::to_value(&f.waits).unwrap_or_default();
    sqlx::query(
        "UPDATE dossier_fact
            SET status = $2, status_code = $3, due_at = $4, updated_at = $5,
                supplement_requested = supplement_requested OR $2 = 'supplement_requested',
                returned_at = CASE WHEN $2 = 'result_returned' THEN $5 ELSE returned_at END,
                resolved_at = CASE WHEN $6 = 'resolved' THEN $7 ELSE resolved_at END,
                ending = $6, finished_at = $7, timeliness = $8, waits = $9, paused_minutes = $10
          WHERE dossier_code = $1",
    )
    .bind(&ev.dossier_code)
    .bind(&ev.to_status)
    .bind(ev.status_code)
    .bind(f.due_at)
    .bind(ev.at)
    .bind(f.ending.map(Ending::as_str))
    .bind(f.finished_at)
    .bind(f.timeliness.map(Timeliness::as_str))
    .bind(waits)
    .bind(f.paused_minutes)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO dossier_status_fact (event_id, dossier_code, at, from_status, to_status, status_code)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(event_id)
    .bind(&ev.dossier_code)
    .bind(ev.at)
    .bind(&ev.from_status)
    .bind(&ev.to_status)
    .bind(ev.status_code)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records the one apology and re-appointment (form 04) on the dossier; `false` when
/// reporting does not know the dossier yet.
pub async fn reappointed(
    tx: &mut PgConnection,
    code: &str,
    at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE dossier_fact SET reappointed_at = coalesce(reappointed_at, $2) WHERE dossier_code = $1",
    )
    .bind(code)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records which agency holds the dossier now (from workflow's deadline alerts).
pub async fn held_by(tx: &mut PgConnection, code: &str, agency: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE dossier_fact SET holding_agency = $2 WHERE dossier_code = $1")
        .bind(code)
        .bind(agency)
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
