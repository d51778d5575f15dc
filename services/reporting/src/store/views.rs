//! What an inspector reads about one dossier (hồ sơ theo dõi): its facts, every status it went
//! through and its steps, as stored.

use crate::domain::dossier::Wait;
use serde::Serialize;
use sqlx::types::Json;
use sqlx::{FromRow, PgPool};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// One dossier's facts.
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct DossierView {
    /// Dossier code.
    pub dossier_code: String,
    /// Procedure code.
    pub procedure_code: String,
    /// Its field.
    pub field: String,
    /// Its level.
    pub level: String,
    /// Receiving one-stop unit.
    pub receiving_agency: String,
    /// `online`, `counter` or `postal`.
    pub channel: String,
    /// Received.
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    /// The appointment on the receipt.
    #[serde(with = "motcua_calendar::province_time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_initial: Option<OffsetDateTime>,
    /// The appointment as last moved.
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub due_at: OffsetDateTime,
    /// When the one apology re-appointed it.
    #[serde(with = "motcua_calendar::province_time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reappointed_at: Option<OffsetDateTime>,
    /// Latest status.
    pub status: String,
    /// Its national code.
    pub status_code: i16,
    /// `resolved`, `refused`, `withdrawn`, `stopped`.
    pub ending: Option<String>,
    /// When it ended.
    #[serde(with = "motcua_calendar::province_time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
    /// `early`, `on_time` or `late`.
    pub timeliness: Option<String>,
    /// Working minutes the applicant held it.
    pub paused_minutes: i64,
    /// The applicant's waits, oldest first.
    #[schema(value_type = Vec<Wait>)]
    pub waits: Json<Vec<Wait>>,
    /// The agency holding it at the last alert.
    pub holding_agency: Option<String>,
    /// Every status, oldest first.
    #[sqlx(skip)]
    pub history: Vec<StatusEntry>,
    /// Its steps.
    #[sqlx(skip)]
    pub steps: Vec<StepEntry>,
}

/// A status the dossier went through.
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct StatusEntry {
    /// When.
    #[serde(with = "motcua_calendar::province_time")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// From.
    pub from_status: String,
    /// To.
    pub to_status: String,
    /// National code.
    pub status_code: i16,
}

/// A step, for attribution.
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub struct StepEntry {
    /// Step name.
    pub step: String,
    /// Its agency.
    pub agency: String,
    /// Its deadline.
    #[serde(with = "motcua_calendar::province_time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub deadline: Option<OffsetDateTime>,
    /// `done`, `return_for_supplement`, `refuse`.
    pub outcome: Option<String>,
    /// When it finished.
    #[serde(with = "motcua_calendar::province_time::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub completed_at: Option<OffsetDateTime>,
    /// `early`, `on_time`, `late`.
    pub timeliness: Option<String>,
    /// Working minutes late.
    pub lateness_minutes: Option<i64>,
    /// `near_due` or `overdue`, the last alert.
    pub alert: Option<String>,
}

/// The dossier's facts, history and steps; `None` when reporting does not know it.
pub async fn dossier(pool: &PgPool, code: &str) -> Result<Option<DossierView>, sqlx::Error> {
    let found: Option<DossierView> = sqlx::query_as(
        "SELECT dossier_code, procedure_code, field, level, receiving_agency, channel, received_at, due_initial,
                due_at, reappointed_at, status, status_code, ending, finished_at, timeliness, paused_minutes,
                waits, holding_agency
           FROM dossier_fact WHERE dossier_code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await?;
    let Some(mut v) = found else { return Ok(None) };
    v.history = sqlx::query_as(
        "SELECT at, from_status, to_status, status_code FROM dossier_status_fact
          WHERE dossier_code = $1 ORDER BY at, event_id",
    )
    .bind(code)
    .fetch_all(pool)
    .await?;
    v.steps = sqlx::query_as(
        "SELECT step, agency, deadline, outcome, completed_at, timeliness, lateness_minutes, alert
           FROM step_fact WHERE dossier_code = $1 ORDER BY coalesce(completed_at, alerted_at), step",
    )
    .bind(code)
    .fetch_all(pool)
    .await?;
    Ok(Some(v))
}
