//! The events intake consumes (sự kiện từ workflow): the case opened or completed. Each is
//! applied in one transaction with its inbox row, so a redelivery changes nothing; an event
//! that no longer fits the dossier (withdrawn meanwhile) is recorded and otherwise ignored.

use crate::domain::case_events::{self, CaseEvent};
use crate::state::AppState;
use crate::store;
use motcua_problem::{Problem, codes};
use motcua_proto::common::v1::Event;

/// The events of workflow intake follows, parsed; `None` for a type it does not consume.
fn parse(event: &Event) -> Result<Option<(String, CaseEvent, time::OffsetDateTime)>, Problem> {
    let case_event = |p: &motcua_events::CaseChanged| match event.r#type.as_str() {
        motcua_events::CASE_OPENED => Some(CaseEvent::Opened {
            case_id: p.case_id.clone(),
            current_steps: p.current_steps.clone(),
        }),
        motcua_events::CASE_COMPLETED => Some(CaseEvent::Completed {
            case_id: p.case_id.clone(),
        }),
        _ => None,
    };
    if ![motcua_events::CASE_OPENED, motcua_events::CASE_COMPLETED].contains(&event.r#type.as_str())
    {
        return Ok(None);
    }
    let payload: motcua_events::CaseChanged =
        serde_json::from_str(&event.payload_json).map_err(|e| {
            Problem::new(
                &codes::INVALID_EVENT,
                format!("payload of {}: {e}", event.r#type),
            )
        })?;
    Ok(case_event(&payload).map(|c| (payload.dossier_code.clone(), c, payload.at)))
}

/// Applies one event; returns whether it was new (not a duplicate delivery).
pub(crate) async fn apply(s: &AppState, event: &Event) -> Result<bool, Problem> {
    let parsed = parse(event)?;
    let mut tx = s.pool.begin().await?;
    let first = motcua_outbox::inbox_claim(&mut tx, event).await?;
    if first
        && let Some((code, case_event, at)) = parsed
        && let Some(d) = store::dossiers::lock(&mut tx, &code).await?
    {
        match case_events::decide(&d, &case_event, at) {
            Some(update) => {
                store::dossiers::apply(&mut tx, &update, None).await?;
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
