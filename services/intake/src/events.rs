//! The events intake consumes (sự kiện từ workflow): the case opened or completed, the main
//! clock resumed after a step that paused it, an apology and re-appointment. Each is
//! applied in one transaction with its inbox row, so a redelivery changes nothing; an event
//! that no longer fits the dossier (withdrawn meanwhile) is recorded and otherwise ignored.
//! A step done (`task.completed`) changes nothing here; intake passes it on to the national
//! portal as progress, in order with the dossier's own pushes.

use crate::domain::case_events::{self, CaseEvent};
use crate::state::AppState;
use crate::store;
use motcua_problem::{Problem, codes};
use motcua_proto::common::v1::Event;

fn payload<T: serde::de::DeserializeOwned>(event: &Event) -> Result<T, Problem> {
    serde_json::from_str(&event.payload_json).map_err(|e| {
        Problem::new(
            &codes::INVALID_EVENT,
            format!("payload of {}: {e}", event.r#type),
        )
    })
}

/// The events of workflow intake follows, parsed (dossier, event, when); `None` for a type it
/// does not consume.
fn parse(event: &Event) -> Result<Option<(String, CaseEvent, time::OffsetDateTime)>, Problem> {
    use motcua_events as e;
    Ok(Some(match event.r#type.as_str() {
        e::CASE_OPENED | e::CASE_COMPLETED => {
            let p: e::CaseChanged = payload(event)?;
            let c = match event.r#type.as_str() {
                e::CASE_OPENED => CaseEvent::Opened {
                    case_id: p.case_id,
                    current_steps: p.current_steps,
                },
                _ => CaseEvent::Completed { case_id: p.case_id },
            };
            (p.dossier_code, c, p.at)
        }
        e::CASE_MAIN_CLOCK_RESUMED => {
            let p: e::CaseMainClock = payload(event)?;
            let at = p
                .resumed_at
                .ok_or_else(|| Problem::new(&codes::INVALID_EVENT, "resumed_at is required"))?;
            (
                p.dossier_code,
                CaseEvent::MainClockResumed {
                    step: p.step,
                    agency: p.agency,
                    paused_at: p.paused_at,
                },
                at,
            )
        }
        e::CASE_EXTENDED => {
            let p: e::CaseExtended = payload(event)?;
            (
                p.dossier_code,
                CaseEvent::Extended {
                    agency: p.agency,
                    by: p.by,
                    reason: p.reason,
                    due_after: p.due_after,
                },
                p.at,
            )
        }
        _ => return Ok(None),
    }))
}

/// Applies a batch (`DeliverEvents`) in its order, each event as [`apply`] does; an event
/// refused holds back its dossier's later ones.
pub(crate) async fn apply_all(
    s: &AppState,
    events: Vec<Event>,
) -> Vec<motcua_proto::common::v1::EventOutcome> {
    motcua_outbox::apply_in_order(events, |e| async move { apply(s, &e).await }).await
}

/// Applies one event; returns whether it was new (not a duplicate delivery).
pub(crate) async fn apply(s: &AppState, event: &Event) -> Result<bool, Problem> {
    if event.r#type == motcua_events::TASK_COMPLETED {
        return step_done(s, event).await;
    }
    let parsed = parse(event)?;
    let calendar = match &parsed {
        Some((code, _, _)) => match store::dossiers::get(&s.pool, code).await? {
            Some(d) => Some(s.catalogue.calendar(&d.receiving_agency).await?),
            None => None,
        },
        None => None,
    };
    let mut tx = s.pool.begin().await?;
    let first = motcua_outbox::inbox_claim(&mut tx, event).await?;
    if first
        && let Some((code, case_event, at)) = parsed
        && let Some(d) = store::dossiers::lock(&mut tx, &code).await?
        && let Some(calendar) = &calendar
    {
        match case_events::decide(&d, &case_event, at, calendar) {
            Some(update) => {
                store::dossiers::apply(&mut tx, &update, None, &s.outreach).await?;
            }
            None => {
                tracing::info!(dossier = %d.code, status = d.status.as_str(), event = %event.r#type, "event does not apply in this status")
            }
        }
    }
    tx.commit().await?;
    s.relay_wake.notify_one();
    Ok(first)
}

/// A step done in workflow: the national portal's progress push, once per event.
async fn step_done(s: &AppState, event: &Event) -> Result<bool, Problem> {
    let step: motcua_events::StepChanged = payload(event)?;
    let mut tx = s.pool.begin().await?;
    let first = motcua_outbox::inbox_claim(&mut tx, event).await?;
    if first {
        store::outreach::after_step(&mut tx, &s.outreach, &step).await?;
    }
    tx.commit().await?;
    s.relay_wake.notify_one();
    Ok(first)
}
