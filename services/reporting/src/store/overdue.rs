//! Candidates for the overdue report: open dossiers not waiting for the applicant whose
//! appointment is near or past, and their alerted steps not finished; judged in `domain`.

use sqlx::{FromRow, PgPool};
use time::OffsetDateTime;

/// An open dossier with its appointment.
#[derive(Debug, FromRow)]
pub struct OpenDossier {
    /// Dossier code.
    pub dossier_code: String,
    /// Procedure.
    pub procedure_code: String,
    /// Receiving agency.
    pub receiving_agency: String,
    /// The agency holding it at the last alert.
    pub holding_agency: Option<String>,
    /// Its appointment.
    pub due_at: OffsetDateTime,
}

/// An alerted step not finished.
#[derive(Debug, FromRow)]
pub struct OpenStep {
    /// Dossier code.
    pub dossier_code: String,
    /// Step name.
    pub step: String,
    /// Its agency.
    pub agency: String,
    /// Its deadline.
    pub deadline: OffsetDateTime,
}

const NOT_WAITING: &str = "f.finished_at IS NULL AND NOT (jsonb_array_length(f.waits) > 0 AND f.waits->-1->>'to' IS NULL)";

/// Open dossiers (at `agency`: received or held there) due before `horizon`, soonest first.
pub async fn dossiers(
    pool: &PgPool,
    horizon: OffsetDateTime,
    agency: Option<&str>,
) -> Result<Vec<OpenDossier>, sqlx::Error> {
    let sql = format!(
        "SELECT dossier_code, procedure_code, receiving_agency, holding_agency, due_at FROM dossier_fact f
          WHERE {NOT_WAITING} AND f.due_at < $1
            AND ($2::text IS NULL OR f.receiving_agency = $2 OR $2 = ANY(string_to_array(f.holding_agency, ',')))
          ORDER BY f.due_at, f.dossier_code LIMIT 10000"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(horizon)
        .bind(agency)
        .fetch_all(pool)
        .await
}

/// Alerted steps (of `agency`) not finished, of open dossiers not waiting, due before `horizon`.
pub async fn steps(
    pool: &PgPool,
    horizon: OffsetDateTime,
    agency: Option<&str>,
) -> Result<Vec<OpenStep>, sqlx::Error> {
    let sql = format!(
        "SELECT s.dossier_code, s.step, s.agency, s.deadline FROM step_fact s
           JOIN dossier_fact f ON f.dossier_code = s.dossier_code
          WHERE s.alert IS NOT NULL AND s.completed_at IS NULL AND s.deadline < $1 AND {NOT_WAITING}
            AND ($2::text IS NULL OR s.agency = $2)
          ORDER BY s.deadline, s.dossier_code LIMIT 10000"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(horizon)
        .bind(agency)
        .fetch_all(pool)
        .await
}
