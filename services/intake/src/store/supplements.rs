//! Supplement requests (phiếu yêu cầu bổ sung, form 02): at most one per dossier, held by the
//! primary key even under concurrent requests.

use crate::domain::change::NewSupplementRequest;
use crate::domain::supplement::{OpenRequest, SupplementItem};
use sqlx::{FromRow, PgConnection, PgPool};
use time::OffsetDateTime;

/// Whether a supplement was ever requested for the dossier.
pub async fn exists(conn: &mut PgConnection, code: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM supplement_request WHERE dossier_code = $1)")
        .bind(code)
        .fetch_one(&mut *conn)
        .await
}

/// Stores the request; `false` when one already exists.
pub async fn insert(
    tx: &mut PgConnection,
    code: &str,
    at: OffsetDateTime,
    by: &str,
    r: &NewSupplementRequest,
) -> Result<bool, sqlx::Error> {
    let items = serde_json::to_value(&r.items).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let done = sqlx::query(
        "INSERT INTO supplement_request (dossier_code, requested_at, requested_by, items, deadline_at,
                                         deadline_provisional, due_before, requested_by_agency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dossier_code) DO NOTHING",
    )
    .bind(code)
    .bind(at)
    .bind(by)
    .bind(items)
    .bind(r.deadline.at)
    .bind(r.deadline.provisional)
    .bind(r.due_before)
    .bind(&r.agency)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The request still waiting for the applicant, if any.
pub async fn open(conn: &mut PgConnection, code: &str) -> Result<Option<OpenRequest>, sqlx::Error> {
    let row: Option<(serde_json::Value, OffsetDateTime, OffsetDateTime)> = sqlx::query_as(
        "SELECT items, deadline_at, requested_at FROM supplement_request
          WHERE dossier_code = $1 AND answered_at IS NULL AND expired_at IS NULL",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(items, deadline_at, requested_at)| {
        let items: Vec<SupplementItem> =
            serde_json::from_value(items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(OpenRequest {
            items,
            deadline_at,
            requested_at,
        })
    })
    .transpose()
}

/// Marks the request answered, with the appointment after the answer.
pub async fn answer(
    tx: &mut PgConnection,
    code: &str,
    at: OffsetDateTime,
    by: &str,
    due_after: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE supplement_request SET answered_at = $2, answered_by = $3, due_after = $4 WHERE dossier_code = $1")
        .bind(code)
        .bind(at)
        .bind(by)
        .bind(due_after)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Closes an open request when the dossier ends otherwise (refused, withdrawn, stopped), so
/// the expiry worker leaves it alone.
pub async fn close(
    tx: &mut PgConnection,
    code: &str,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE supplement_request SET expired_at = $2 WHERE dossier_code = $1 AND answered_at IS NULL AND expired_at IS NULL")
        .bind(code)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Dossiers whose supplement window has passed unanswered, oldest deadline first.
pub async fn expired(
    pool: &PgPool,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT dossier_code FROM supplement_request
          WHERE answered_at IS NULL AND expired_at IS NULL AND deadline_at <= $1
          ORDER BY deadline_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// A supplement request as the dossier view shows it.
#[derive(Debug, Clone, FromRow)]
pub struct RequestView {
    /// When it was issued.
    pub requested_at: OffsetDateTime,
    /// Who issued it.
    pub requested_by: String,
    /// The agency that asked.
    pub requested_by_agency: Option<String>,
    /// Its items.
    pub items: serde_json::Value,
    /// The applicant's window closes then.
    pub deadline_at: OffsetDateTime,
    /// When the applicant answered.
    pub answered_at: Option<OffsetDateTime>,
    /// When it was closed without an answer.
    pub expired_at: Option<OffsetDateTime>,
}

/// The dossier's supplement request, if any.
pub async fn view(pool: &PgPool, code: &str) -> Result<Option<RequestView>, sqlx::Error> {
    sqlx::query_as::<_, RequestView>(
        "SELECT requested_at, requested_by, requested_by_agency, items, deadline_at, answered_at, expired_at
           FROM supplement_request WHERE dossier_code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await
}
