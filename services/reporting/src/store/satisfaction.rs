//! Ratings and feedback (`dossier_rating`, `feedback`), and the counts the service index reads.

use crate::domain::satisfaction::Scores;
use crate::domain::service_index::IndexInputs;
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a rating needs to know of the dossier: who submitted it, whether its result was
/// handed back, who rated it already.
pub async fn ratable(
    tx: &mut PgConnection,
    code: &str,
) -> Result<Option<(String, Option<OffsetDateTime>, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.submitted_by, f.returned_at, r.rated_by FROM dossier_fact f
           LEFT JOIN dossier_rating r ON r.dossier_code = f.dossier_code
          WHERE f.dossier_code = $1 FOR UPDATE OF f",
    )
    .bind(code)
    .fetch_optional(&mut *tx)
    .await
}

/// Records a rating.
pub async fn rate(
    tx: &mut PgConnection,
    code: &str,
    by: &str,
    at: OffsetDateTime,
    s: &Scores,
    comment: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dossier_rating (dossier_code, rated_by, rated_at, access, procedure, officials, result,
                                     feedback_handling, unsatisfied, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(code)
    .bind(by)
    .bind(at)
    .bind(s.access)
    .bind(s.procedure)
    .bind(s.officials)
    .bind(s.result)
    .bind(s.feedback_handling)
    .bind(s.unsatisfied())
    .bind(comment)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A feedback (phản ánh, kiến nghị) as stored.
#[derive(Debug, Clone, Serialize, FromRow, ToSchema)]
pub struct Feedback {
    /// Its id.
    pub id: Uuid,
    /// The agency it concerns.
    pub agency: String,
    /// The dossier it is about, if any.
    pub dossier_code: Option<String>,
    /// Who filed it.
    pub filed_by: String,
    /// What it says.
    pub content: String,
    /// How to reach the filer.
    pub contact: Option<String>,
    /// Received.
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    /// To be answered by (ten working days).
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub answer_due: OffsetDateTime,
    /// The answer.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When.
    #[serde(with = "motcua_calendar::province_time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<OffsetDateTime>,
    /// The filer's verdict on the answer.
    pub satisfied: Option<bool>,
}

const FEEDBACK: &str =
    "id, agency, dossier_code, filed_by, content, contact, received_at, answer_due, answer,
    answered_by, answered_at, satisfied";

/// Stores new feedback.
pub async fn file(tx: &mut PgConnection, f: &Feedback) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO feedback (id, agency, dossier_code, filed_by, content, contact, received_at, answer_due)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(f.id)
    .bind(&f.agency)
    .bind(&f.dossier_code)
    .bind(&f.filed_by)
    .bind(&f.content)
    .bind(&f.contact)
    .bind(f.received_at)
    .bind(f.answer_due)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Locks one feedback.
pub async fn lock(tx: &mut PgConnection, id: Uuid) -> Result<Option<Feedback>, sqlx::Error> {
    let sql = format!("SELECT {FEEDBACK} FROM feedback WHERE id = $1 FOR UPDATE");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
}

/// Records the agency's answer.
pub async fn answer(
    tx: &mut PgConnection,
    id: Uuid,
    by: &str,
    at: OffsetDateTime,
    text: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE feedback SET answer = $2, answered_by = $3, answered_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(text)
    .bind(by)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records the filer's verdict on the answer.
pub async fn judge(tx: &mut PgConnection, id: Uuid, satisfied: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE feedback SET satisfied = $2 WHERE id = $1")
        .bind(id)
        .bind(satisfied)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Feedback to `agency` (or all; only unanswered when `open_only`), newest first, at most `limit`.
pub async fn list(
    pool: &PgPool,
    agency: Option<&str>,
    open_only: bool,
    limit: i64,
) -> Result<Vec<Feedback>, sqlx::Error> {
    let sql = format!(
        "SELECT {FEEDBACK} FROM feedback
          WHERE ($1::text IS NULL OR agency = $1) AND (NOT $2 OR answered_at IS NULL)
          ORDER BY received_at DESC, id LIMIT $3"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(agency)
        .bind(open_only)
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// The counts of the service index between `from` and `to` (instants, `to` excluded).
pub async fn index_inputs(
    pool: &PgPool,
    (from, to): (OffsetDateTime, OffsetDateTime),
    agency: Option<&str>,
) -> Result<IndexInputs, sqlx::Error> {
    let (received, received_online, received_digitised, resolved, resolved_in_time): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT count(*) FILTER (WHERE received_at >= $1 AND received_at < $2),
                    count(*) FILTER (WHERE received_at >= $1 AND received_at < $2 AND channel = 'online'),
                    count(*) FILTER (WHERE received_at >= $1 AND received_at < $2 AND NOT paper_components),
                    count(*) FILTER (WHERE finished_at >= $1 AND finished_at < $2),
                    count(*) FILTER (WHERE finished_at >= $1 AND finished_at < $2 AND timeliness IN ('early', 'on_time'))
               FROM dossier_fact
              WHERE (received_at < $2 AND (finished_at IS NULL OR finished_at >= $1))
                AND ($3::text IS NULL OR receiving_agency = $3)",
        )
        .bind(from)
        .bind(to)
        .bind(agency)
        .fetch_one(pool)
        .await?;
    let (returned, returned_unsatisfied): (i64, i64) = sqlx::query_as(
        "SELECT count(*),
                count(*) FILTER (WHERE r.unsatisfied OR EXISTS (SELECT 1 FROM feedback b WHERE b.dossier_code = f.dossier_code))
           FROM dossier_fact f LEFT JOIN dossier_rating r ON r.dossier_code = f.dossier_code
          WHERE f.returned_at >= $1 AND f.returned_at < $2 AND ($3::text IS NULL OR f.receiving_agency = $3)",
    )
    .bind(from)
    .bind(to)
    .bind(agency)
    .fetch_one(pool)
    .await?;
    let (feedback, feedback_on_time, feedback_unsatisfied): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE answered_at <= answer_due), count(*) FILTER (WHERE satisfied = false)
           FROM feedback WHERE received_at >= $1 AND received_at < $2 AND ($3::text IS NULL OR agency = $3)",
    )
    .bind(from)
    .bind(to)
    .bind(agency)
    .fetch_one(pool)
    .await?;
    Ok(IndexInputs {
        received,
        received_online,
        received_digitised,
        resolved,
        resolved_in_time,
        returned,
        returned_unsatisfied,
        feedback,
        feedback_on_time,
        feedback_unsatisfied,
    })
}
