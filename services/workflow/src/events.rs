//! How workflow follows the dossier: a received dossier opens a case (planned from the
//! procedure's template); intake's later events pause, resume or close it.

use crate::cases::{self, NewTask};
use crate::plan::{self, TemplateStep};
use crate::{AppState, advance};
use motcua_problem::{Problem, codes};
use motcua_proto::common::v1::Event;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// Applies one event; returns whether it was new (not a duplicate delivery).
pub(crate) async fn apply(s: &AppState, event: &Event) -> Result<bool, Problem> {
    let event_id = Uuid::parse_str(&event.id)
        .map_err(|_| Problem::new(&codes::INVALID_EVENT, "event id is not a UUID"))?;
    if event.r#type == motcua_events::DOSSIER_RECEIVED {
        return open_case(s, event, event_id).await;
    }
    let mut tx = s.pool.begin().await?;
    let first = motcua_outbox::inbox_claim(&mut tx, event).await?;
    if first {
        follow_dossier(&mut tx, event).await?;
    }
    tx.commit().await?;
    Ok(first)
}

fn payload<T: serde::de::DeserializeOwned>(event: &Event) -> Result<T, Problem> {
    serde_json::from_str(&event.payload_json).map_err(|e| {
        Problem::new(
            &codes::INVALID_EVENT,
            format!("payload of {}: {e}", event.r#type),
        )
    })
}

async fn open_case(s: &AppState, event: &Event, event_id: Uuid) -> Result<bool, Problem> {
    let already: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM inbox_event WHERE event_id = $1)")
            .bind(event_id)
            .fetch_one(&s.pool)
            .await?;
    if already {
        return Ok(false);
    }
    let ev: motcua_events::DossierReceived = payload(event)?;
    let now = s.platform.clock.now();
    // Plan from the version the dossier was checked against (in force on the receipt date).
    let day = ev
        .received_at
        .to_offset(motcua_calendar::PROVINCE_OFFSET)
        .date();
    let procedure = s.catalogue.procedure(&ev.procedure_code, day).await?;
    let steps = procedure
        .as_ref()
        .map(|p| p.steps.clone())
        .unwrap_or_default();
    let mut kinds: HashMap<String, bool> = HashMap::new();
    let mut template = Vec::with_capacity(steps.len());
    for st in steps {
        let one_stop = match kinds.get(&st.agency) {
            Some(k) => *k,
            None => {
                let k = s
                    .catalogue
                    .agency(&st.agency)
                    .await?
                    .is_some_and(|a| a.is_one_stop());
                kinds.insert(st.agency.clone(), k);
                k
            }
        };
        template.push(TemplateStep {
            name: st.name,
            agency: st.agency,
            sector: st.sector,
            budget_minutes: st.budget.as_minutes(),
            parallel_group: st.parallel_group.unwrap_or_default(),
            at_one_stop: one_stop,
        });
    }
    let whole = procedure
        .as_ref()
        .map(|p| motcua_catalogue_model::time_limit_budget(&p.time_limit).as_minutes())
        .unwrap_or(0);
    let planned = plan::plan(&template, &ev.receiving_agency, whole);
    let mut dues = Vec::new();
    for t in cases::first_block(&planned) {
        let cal = s.catalogue.calendar(&t.step.agency).await?;
        let due = cal.add(
            now,
            motcua_calendar::WorkingDuration::minutes(t.step.budget_minutes),
        );
        dues.push((t.position, due.at));
    }
    let current: Vec<String> = cases::first_block(&planned)
        .iter()
        .map(|t| t.step.name.clone())
        .collect();
    let new_tasks: Vec<NewTask> = cases::planned_with_deadlines(planned, &dues);
    let mut tx = s.pool.begin().await?;
    if !motcua_outbox::inbox_claim(&mut tx, event).await? {
        return Ok(false);
    }
    let trace = motcua_telemetry::propagation::current_trace_id();
    if let Some(case_id) = cases::open(&mut tx, event_id, &ev, now, trace, &new_tasks).await? {
        advance::announce(
            &mut tx,
            motcua_events::CASE_OPENED,
            case_id,
            &ev.dossier_code,
            now,
            current,
        )
        .await?;
        tracing::info!(dossier = %ev.dossier_code, tasks = new_tasks.len(), "case opened");
    }
    tx.commit().await?;
    s.relay_wake.notify_one();
    Ok(true)
}

/// Intake's later events: the case waits, resumes or ends with the dossier.
async fn follow_dossier(tx: &mut PgConnection, event: &Event) -> Result<(), Problem> {
    use motcua_events as e;
    let change: e::DossierStatusChanged = match event.r#type.as_str() {
        e::DOSSIER_SUPPLEMENT_REQUESTED
        | e::DOSSIER_SUPPLEMENTED
        | e::DOSSIER_FINANCIAL_OBLIGATION_REQUESTED
        | e::DOSSIER_PAYMENT_CONFIRMED
        | e::DOSSIER_REFUSED
        | e::DOSSIER_WITHDRAWN
        | e::DOSSIER_STOPPED
        | e::DOSSIER_RESULT_RETURNED => payload(event)?,
        _ => return Ok(()),
    };
    let code = &change.dossier_code;
    match event.r#type.as_str() {
        // The case waits with the dossier: for the applicant's supplement or for payment.
        e::DOSSIER_SUPPLEMENT_REQUESTED | e::DOSSIER_FINANCIAL_OBLIGATION_REQUESTED => {
            sqlx::query("UPDATE dossier_case SET state = 'paused' WHERE dossier_code = $1 AND state = 'open'")
                .bind(code)
                .execute(&mut *tx)
                .await?;
        }
        e::DOSSIER_SUPPLEMENTED | e::DOSSIER_PAYMENT_CONFIRMED => {
            sqlx::query("UPDATE dossier_case SET state = 'open', due_at = $2 WHERE dossier_code = $1 AND state = 'paused'")
                .bind(code)
                .bind(change.due_at)
                .execute(&mut *tx)
                .await?;
        }
        e::DOSSIER_RESULT_RETURNED => {
            sqlx::query(
                "UPDATE task SET state = 'done', completed_at = $2, outcome = 'done'
                  WHERE dossier_code = $1 AND kind = 'return' AND state <> 'done'",
            )
            .bind(code)
            .bind(change.at)
            .execute(&mut *tx)
            .await?;
            close(tx, code, "result_returned", change.at).await?;
        }
        _ => close(tx, code, &change.to_status, change.at).await?,
    }
    Ok(())
}

async fn close(
    tx: &mut PgConnection,
    code: &str,
    reason: &str,
    at: time::OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE task SET state = 'cancelled' WHERE dossier_code = $1 AND state IN ('pending', 'open', 'claimed')")
        .bind(code)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE dossier_case SET state = 'closed', closed_reason = $2, closed_at = $3 WHERE dossier_code = $1")
        .bind(code)
        .bind(reason)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
