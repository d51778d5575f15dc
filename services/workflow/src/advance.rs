//! Moving a case forward after a task is done: the next block opens with its deadlines, or,
//! after the last processing block, the case is completed and `case.completed` announced.

use crate::AppState;
use crate::tasks::{Task, add_handover};
use motcua_problem::Problem;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// After task `t` was marked done by `person` at `now` (its result `result`).
pub(crate) async fn after_completion(
    s: &AppState,
    tx: &mut PgConnection,
    t: &Task,
    person: &str,
    now: OffsetDateTime,
    result: Option<&str>,
) -> Result<(), Problem> {
    let remaining: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM task WHERE case_id = $1 AND block = $2 AND state IN ('pending', 'open', 'claimed')",
    )
    .bind(t.case_id)
    .bind(t.block)
    .fetch_one(&mut *tx)
    .await?;
    let next_block: Option<i32> = sqlx::query_scalar(
        "SELECT min(block) FROM task WHERE case_id = $1 AND block > $2 AND kind = 'process'",
    )
    .bind(t.case_id)
    .bind(t.block)
    .fetch_one(&mut *tx)
    .await?;
    let (receiving_agency, dossier_code): (String, String) =
        sqlx::query_as("SELECT receiving_agency, dossier_code FROM dossier_case WHERE id = $1")
            .bind(t.case_id)
            .fetch_one(&mut *tx)
            .await?;
    let next: Vec<(Uuid, String, i64, String)> = match next_block {
        Some(b) => sqlx::query_as("SELECT id, agency, budget_minutes, name FROM task WHERE case_id = $1 AND block = $2 ORDER BY position")
            .bind(t.case_id)
            .bind(b)
            .fetch_all(&mut *tx)
            .await?,
        None => Vec::new(),
    };
    // The handover of this step: to the next agencies, or back to the one-stop.
    let recipients: Vec<&str> = if next.is_empty() {
        vec![receiving_agency.as_str()]
    } else {
        next.iter().map(|n| n.1.as_str()).collect()
    };
    for to in recipients {
        add_handover(
            tx,
            &dossier_code,
            Some(t.id),
            now,
            (&t.agency, Some(person)),
            (to, None),
            &t.name,
            t.due_at,
            result,
        )
        .await?;
    }
    if remaining > 0 {
        return Ok(());
    }
    if next.is_empty() {
        sqlx::query("UPDATE dossier_case SET state = 'completed', completed_at = $2 WHERE id = $1")
            .bind(t.case_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        announce(
            tx,
            motcua_events::CASE_COMPLETED,
            t.case_id,
            &dossier_code,
            now,
            Vec::new(),
        )
        .await?;
        return Ok(());
    }
    for (id, agency, budget, _) in &next {
        let cal = s.catalogue.calendar(agency).await?;
        let due = cal
            .add(now, motcua_calendar::WorkingDuration::minutes(*budget))
            .at;
        sqlx::query("UPDATE task SET state = 'open', opened_at = $2, due_at = $3 WHERE id = $1")
            .bind(id)
            .bind(now)
            .bind(due)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Announces a `case.*` event to intake and reporting (transactional outbox).
pub(crate) async fn announce(
    tx: &mut PgConnection,
    event_type: &'static str,
    case_id: Uuid,
    dossier_code: &str,
    at: OffsetDateTime,
    current_steps: Vec<String>,
) -> Result<(), sqlx::Error> {
    let payload = motcua_events::CaseChanged {
        dossier_code: dossier_code.to_string(),
        case_id: case_id.to_string(),
        at: at.to_offset(motcua_calendar::PROVINCE_OFFSET),
        current_steps,
    };
    motcua_outbox::record(
        tx,
        motcua_outbox::NewEvent {
            event_type,
            subject: dossier_code,
            payload: &payload,
            occurred_at: at,
        },
        &[
            motcua_events::destination::INTAKE,
            motcua_events::destination::REPORTING,
        ],
    )
    .await?;
    Ok(())
}
