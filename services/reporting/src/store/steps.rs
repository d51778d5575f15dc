//! Step facts (`step_fact`): one row per workflow step that finished, moved or was alerted, so
//! lateness is attributed to the agency whose step it was.

use motcua_events::{DeadlineAlert, StepChanged, StepDeadlineMoved};
use sqlx::PgConnection;
use uuid::Uuid;

/// Records a step's finish (or its move to a successor agency).
pub async fn changed(tx: &mut PgConnection, ev: &StepChanged) -> Result<(), sqlx::Error> {
    let id = Uuid::parse_str(&ev.task_id)
        .map_err(|_| sqlx::Error::Decode("task_id is not a UUID".into()))?;
    let finished = ev.outcome != "reassigned";
    sqlx::query(
        "INSERT INTO step_fact (task_id, dossier_code, step, agency, deadline, outcome, completed_at, timeliness, lateness_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (task_id) DO UPDATE
            SET agency = excluded.agency, deadline = coalesce(excluded.deadline, step_fact.deadline),
                outcome = coalesce(excluded.outcome, step_fact.outcome),
                completed_at = coalesce(excluded.completed_at, step_fact.completed_at),
                timeliness = coalesce(excluded.timeliness, step_fact.timeliness),
                lateness_minutes = coalesce(excluded.lateness_minutes, step_fact.lateness_minutes)",
    )
    .bind(id)
    .bind(&ev.dossier_code)
    .bind(&ev.step)
    .bind(&ev.agency)
    .bind(ev.deadline)
    .bind(finished.then_some(ev.outcome.as_str()))
    .bind(finished.then_some(ev.at))
    .bind(&ev.timeliness)
    .bind(ev.lateness_minutes)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records a step's deadline alert (`near_due` or `overdue`); an overdue mark is not
/// replaced by a later near-due one.
pub async fn alerted(
    tx: &mut PgConnection,
    task_id: Uuid,
    a: &DeadlineAlert,
    overdue: bool,
) -> Result<(), sqlx::Error> {
    let kind = if overdue { "overdue" } else { "near_due" };
    sqlx::query(
        "INSERT INTO step_fact (task_id, dossier_code, step, agency, deadline, alert, alerted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (task_id) DO UPDATE
            SET deadline = excluded.deadline,
                alert = CASE WHEN step_fact.alert = 'overdue' THEN 'overdue' ELSE excluded.alert END,
                alerted_at = excluded.alerted_at",
    )
    .bind(task_id)
    .bind(&a.dossier_code)
    .bind(a.step.as_deref().unwrap_or_default())
    .bind(&a.agency)
    .bind(a.deadline)
    .bind(kind)
    .bind(a.at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records a step's deadline moved by the applicant's wait (a later alert is judged on it).
pub async fn moved(tx: &mut PgConnection, ev: &StepDeadlineMoved) -> Result<(), sqlx::Error> {
    let id = Uuid::parse_str(&ev.task_id)
        .map_err(|_| sqlx::Error::Decode("task_id is not a UUID".into()))?;
    sqlx::query(
        "INSERT INTO step_fact (task_id, dossier_code, step, agency, deadline) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (task_id) DO UPDATE SET deadline = excluded.deadline",
    )
    .bind(id)
    .bind(&ev.dossier_code)
    .bind(&ev.step)
    .bind(&ev.agency)
    .bind(ev.due_after)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
