//! The register's query: a page of dossiers, newest first.

use crate::domain::register::RegisterFilter;
use sqlx::{FromRow, PgPool};
use time::OffsetDateTime;

/// One line of the register.
#[derive(Debug, Clone, FromRow)]
pub struct RegisterRow {
    /// Dossier code.
    pub code: String,
    /// Procedure code.
    pub procedure_code: String,
    /// Receiving agency.
    pub receiving_agency: String,
    /// Channel.
    pub channel: String,
    /// Status.
    pub status: String,
    /// National status code.
    pub status_code: i16,
    /// Applicant's name.
    pub applicant_name: Option<String>,
    /// Receipt instant.
    pub received_at: OffsetDateTime,
    /// Appointment.
    pub due_at: OffsetDateTime,
}

/// One page plus one row (to know whether another page follows).
pub async fn page(pool: &PgPool, f: &RegisterFilter) -> Result<Vec<RegisterRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT code, procedure_code, receiving_agency, channel, status, status_code,
                applicant ->> 'full_name' AS applicant_name, received_at, due_at
           FROM dossier
          WHERE ($1::text IS NULL OR receiving_agency = $1)
            AND ($2::text IS NULL OR status = $2)
            AND ($3::timestamptz IS NULL OR received_at >= $3)
            AND ($4::timestamptz IS NULL OR received_at < $4)
            AND ($5::timestamptz IS NULL OR (received_at, code) < ($5, $6))
          ORDER BY received_at DESC, code DESC
          LIMIT $7",
    )
    .bind(&f.agency)
    .bind(f.status.map(|s| s.as_str()))
    .bind(f.start)
    .bind(f.end)
    .bind(f.after.as_ref().map(|a| a.0))
    .bind(f.after.as_ref().map(|a| a.1.clone()).unwrap_or_default())
    .bind(f.limit + 1)
    .fetch_all(pool)
    .await
}
