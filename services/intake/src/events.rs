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
use tracing::Instrument;

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

/// Applies a batch (`DeliverEvents`) in its order: runs of `case.opened` (a burst of
/// receipts comes back as one) in one transaction, one commit for the run, the other events
/// one at a time as [`apply`] does; an event refused holds back its dossier's later ones, and a
/// run that fails is applied again one event at a time.
pub(crate) async fn apply_all(
    s: &AppState,
    events: Vec<Event>,
) -> Vec<motcua_proto::common::v1::EventOutcome> {
    motcua_outbox::apply_runs(
        events,
        motcua_events::CASE_OPENED,
        |run| async move { apply_together(s, &run).await },
        |e| async move { apply(s, &e).await },
    )
    .await
}

/// Applies one event; returns whether it was new (not a duplicate delivery).
pub(crate) async fn apply(s: &AppState, event: &Event) -> Result<bool, Problem> {
    if event.r#type == motcua_events::TASK_COMPLETED {
        return step_done(s, event).await;
    }
    apply_together(s, std::slice::from_ref(event))
        .await
        .map(|first| first.first().copied().unwrap_or(false))
}

/// An event parsed, with the receiving agency's calendar its decision needs (fetched before
/// the transaction: no remote call while dossiers are locked).
type Prepared = (
    Option<(String, CaseEvent, time::OffsetDateTime)>,
    Option<std::sync::Arc<motcua_calendar::WorkingCalendar>>,
);

async fn prepare(s: &AppState, events: &[Event]) -> Result<Vec<Prepared>, Problem> {
    let parsed = events.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
    let codes: Vec<&str> = parsed.iter().flatten().map(|p| p.0.as_str()).collect();
    let agencies = store::dossiers::receiving_agencies(&s.pool, &codes).await?;
    let mut out = Vec::with_capacity(parsed.len());
    for p in parsed {
        let calendar = match p.as_ref().and_then(|(code, _, _)| agencies.get(code)) {
            Some(agency) => Some(s.catalogue.calendar(agency).await?),
            None => None,
        };
        out.push((p, calendar));
    }
    Ok(out)
}

/// Applies `events` (none a `task.completed`) in one transaction, each with its inbox row and
/// in its own trace and request id; returns for each whether it was new.
async fn apply_together(s: &AppState, events: &[Event]) -> Result<Vec<bool>, Problem> {
    let prepared = prepare(s, events).await?;
    let mut tx = s.pool.begin().await?;
    if events.len() > 1 {
        // All of the run's dossiers first, in one order, before any audit head: two runs (two
        // replicas) or a run and an officer's change never wait on each other in a circle.
        let codes: Vec<&str> = prepared
            .iter()
            .flat_map(|p| &p.0)
            .map(|p| p.0.as_str())
            .collect();
        store::dossiers::lock_all(&mut tx, &codes).await?;
    }
    // Every event's inbox row in one statement; only first deliveries are applied.
    let firsts = motcua_outbox::inbox_claim_all(&mut tx, events).await?;
    let mut audit = Vec::with_capacity(events.len());
    for ((event, (parsed, calendar)), first) in events.iter().zip(prepared).zip(&firsts) {
        let Some(parsed) = parsed.filter(|_| *first) else {
            continue;
        };
        let (span, rid) = motcua_outbox::context(event);
        let applying = apply_in(&mut tx, s, event, parsed, calendar, &mut audit).instrument(span);
        match rid {
            Some(id) => motcua_telemetry::request_id::scope(id, applying).await?,
            None => applying.await?,
        }
    }
    // The run's audit records last, at once: an audit chain's head is held only from here to
    // the commit, never while the run's dossiers are written (the counter's writer may need it).
    motcua_audit::append_from(&mut tx, &audit).await?;
    tx.commit().await?;
    s.relay_wake.notify_one();
    Ok(firsts)
}

/// Applies one first delivery's decision in the run's transaction; its audit record goes to
/// `audit`, appended with the run's.
async fn apply_in(
    tx: &mut sqlx::PgConnection,
    s: &AppState,
    event: &Event,
    (code, case_event, at): (String, CaseEvent, time::OffsetDateTime),
    calendar: Option<std::sync::Arc<motcua_calendar::WorkingCalendar>>,
    audit: &mut Vec<(motcua_audit::AuditEntry, motcua_audit::Origin)>,
) -> Result<(), Problem> {
    if let Some(d) = store::dossiers::lock(&mut *tx, &code).await?
        && let Some(calendar) = &calendar
    {
        match case_events::decide(&d, &case_event, at, calendar) {
            Some(update) => {
                store::dossiers::apply_then_audit(&mut *tx, &update, None, &s.outreach, audit)
                    .await?;
            }
            None => {
                tracing::info!(dossier = %d.code, status = d.status.as_str(), event = %event.r#type, "event does not apply in this status")
            }
        }
    }
    Ok(())
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
