//! The processing control slip (phiếu kiểm soát quá trình giải quyết, Circular 03/2025 form
//! 06): one row per handover.

use crate::domain::update::NewHandover;
use motcua_calendar::Timeliness;
use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;

/// Appends one row.
pub async fn insert(
    tx: &mut PgConnection,
    dossier_code: &str,
    h: &NewHandover,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO handover (dossier_code, task_id, at, from_agency, from_person, to_agency, to_person,
                               step_name, step_deadline, result, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(dossier_code)
    .bind(h.task_id)
    .bind(h.at)
    .bind(&h.from.0)
    .bind(&h.from.1)
    .bind(&h.to.0)
    .bind(&h.to.1)
    .bind(&h.step_name)
    .bind(h.step_deadline)
    .bind(h.result.map(Timeliness::as_str))
    .bind(h.reason.as_str())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One row as stored.
#[derive(Debug, Clone, FromRow)]
pub struct HandoverRow {
    /// When.
    pub at: OffsetDateTime,
    /// From agency.
    pub from_agency: String,
    /// From person.
    pub from_person: Option<String>,
    /// To agency.
    pub to_agency: String,
    /// To person.
    pub to_person: Option<String>,
    /// The step.
    pub step_name: String,
    /// Its deadline.
    pub step_deadline: Option<OffsetDateTime>,
    /// Early / on time / late.
    pub result: Option<String>,
    /// Why the row exists.
    pub reason: String,
}

/// A dossier's slip, in order.
pub async fn of_dossier(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Vec<HandoverRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT at, from_agency, from_person, to_agency, to_person, step_name, step_deadline, result, reason
           FROM handover WHERE dossier_code = $1 ORDER BY id",
    )
    .bind(code)
    .fetch_all(&mut *conn)
    .await
}
