//! The events reporting consumes (sự kiện từ intake và workflow): a received dossier becomes
//! its facts and enters the flows; intake's later `dossier.*` changes move its facts, and the
//! flows by exactly the difference; workflow's steps, alerts and extension and intake's
//! compliance events become their own facts. Each is applied with its inbox row in one
//! transaction, so a redelivery (the same event id) changes nothing.

use crate::domain::audit;
use crate::domain::facts::{self, Fact};
use crate::domain::flows::FlowDeltas;
use crate::state::AppState;
use crate::store;
use motcua_events::{DossierReceived, DossierStatusChanged};
use motcua_problem::{Problem, codes};
use motcua_proto::common::v1::Event;
use motcua_proto::common::v1::EventOutcome;
use uuid::Uuid;

/// Applies a batch (`DeliverEvents`) in its order. Runs of receipts (`dossier.received`, most
/// of the traffic) are applied together: one transaction, their flows summed into one update
/// per flow row, so a busy agency's flow row is locked once per batch instead of once per
/// dossier. Other events one at a time, as [`apply`] does; an event refused holds back its
/// dossier's later ones.
pub(crate) async fn apply_all(s: &AppState, events: Vec<Event>) -> Vec<EventOutcome> {
    motcua_outbox::apply_runs(
        events,
        motcua_events::DOSSIER_RECEIVED,
        |run| async move { receive_all(s, &run).await },
        |e| async move { apply(s, &e).await },
    )
    .await
}

/// Receipts (one, or a run of a batch) in one transaction: each one's inbox row and facts, then
/// the flows of all of them at once. Returns, for each, whether it was new.
async fn receive_all(s: &AppState, events: &[Event]) -> Result<Vec<bool>, Problem> {
    let mut received = Vec::with_capacity(events.len());
    for event in events {
        match facts::read(&event.r#type, &event.payload_json) {
            Ok(Some(Fact::Received(ev))) => received.push(ev),
            _ => {
                return Err(Problem::new(
                    &codes::INVALID_EVENT,
                    "not a dossier.received payload",
                ));
            }
        }
    }
    let mut tx = s.pool.begin().await?;
    let applied = motcua_outbox::inbox_claim_all(&mut tx, events).await?;
    let fresh: Vec<&DossierReceived> = received
        .iter()
        .zip(&applied)
        .filter_map(|(ev, first)| first.then_some(ev))
        .collect();
    let mut deltas = FlowDeltas::default();
    let recorded = store::facts::record_all(&mut tx, &fresh).await?;
    for ev in &recorded {
        deltas.add(&facts::received(ev), 1);
    }
    store::flows::apply(&mut tx, &deltas).await?;
    let now = s.platform.clock.now();
    let entries: Vec<_> = events
        .iter()
        .zip(&received)
        .zip(&applied)
        .filter(|((_, ev), first)| {
            **first && recorded.iter().any(|r| r.dossier_code == ev.dossier_code)
        })
        .map(|((e, ev), _)| {
            let fact = Fact::Received(ev.clone());
            audit::applied(sender(e), &e.r#type, event_uuid(e), &fact, now)
        })
        .collect();
    motcua_audit::append(&mut tx, &entries).await?;
    tx.commit().await?;
    Ok(applied)
}

/// Applies one event; returns whether it was new (not a duplicate delivery). A payload that
/// does not fit its type is refused (`invalid_event`), and nothing is recorded; a change to a
/// dossier reporting has not received yet is refused for the relay to retry.
pub(crate) async fn apply(s: &AppState, event: &Event) -> Result<bool, Problem> {
    let event_id = Uuid::parse_str(&event.id)
        .map_err(|_| Problem::new(&codes::INVALID_EVENT, "event id is not a UUID"))?;
    let fact = facts::read(&event.r#type, &event.payload_json).map_err(|e| {
        Problem::new(
            &codes::INVALID_EVENT,
            format!("payload of {}: {e}", event.r#type),
        )
    })?;
    match &fact {
        Some(Fact::Followed(ev)) => return follow(s, event, event_id, ev).await,
        Some(Fact::Received(_)) => {
            let applied = receive_all(s, std::slice::from_ref(event)).await?;
            return Ok(applied.first().copied().unwrap_or(false));
        }
        _ => {}
    }
    let mut tx = s.pool.begin().await?;
    if !motcua_outbox::inbox_claim(&mut tx, event).await? {
        return Ok(false);
    }
    let now = s.platform.clock.now();
    let entry = fact
        .as_ref()
        .map(|f| audit::applied(sender(event), &event.r#type, event_id, f, now));
    match fact {
        Some(Fact::Extended(ev)) => {
            if !store::facts::reappointed(&mut tx, &ev.dossier_code, ev.at).await? {
                return Err(not_yet(&ev.dossier_code));
            }
        }
        Some(Fact::Alert { overdue, alert }) => match alert.task_id.as_deref() {
            Some(task) => {
                let id = Uuid::parse_str(task)
                    .map_err(|_| Problem::new(&codes::INVALID_EVENT, "task_id is not a UUID"))?;
                store::steps::alerted(&mut tx, id, &alert, overdue).await?;
            }
            None => store::facts::held_by(&mut tx, &alert.dossier_code, &alert.agency).await?,
        },
        Some(Fact::Step(ev)) => store::steps::changed(&mut tx, &ev).await?,
        Some(Fact::StepMoved(ev)) => store::steps::moved(&mut tx, &ev).await?,
        Some(Fact::Compliance(c)) => store::compliance::record(&mut tx, event_id, &c).await?,
        Some(Fact::Received(_)) | Some(Fact::Followed(_)) | None => {}
    }
    motcua_audit::append(&mut tx, entry.as_slice()).await?;
    tx.commit().await?;
    Ok(true)
}

/// The service whose event it is, as the envelope names it.
fn sender(event: &Event) -> &str {
    match event.source.as_str() {
        "" => "unknown",
        s => s,
    }
}

/// The event's id (checked a UUID by the inbox's claim; nil otherwise).
fn event_uuid(event: &Event) -> Uuid {
    Uuid::parse_str(&event.id).unwrap_or_default()
}

/// Follows a status change: the receiving agency's calendar is fetched before the dossier's
/// facts are locked (no remote call under a lock), then the facts and the flows move together.
async fn follow(
    s: &AppState,
    event: &Event,
    event_id: Uuid,
    ev: &DossierStatusChanged,
) -> Result<bool, Problem> {
    let agency = store::facts::agency_of(&s.pool, &ev.dossier_code)
        .await?
        .ok_or_else(|| not_yet(&ev.dossier_code))?;
    let cal = s.catalogue.calendar(&agency).await?;
    let mut tx = s.pool.begin().await?;
    if !motcua_outbox::inbox_claim(&mut tx, event).await? {
        return Ok(false);
    }
    let before = store::facts::lock(&mut tx, &ev.dossier_code)
        .await?
        .ok_or_else(|| not_yet(&ev.dossier_code))?;
    let mut after = before.clone();
    after.follow(ev, &cal);
    let mut deltas = FlowDeltas::default();
    deltas.add(&after, 1);
    deltas.add(&before, -1);
    store::flows::apply(&mut tx, &deltas).await?;
    store::facts::follow(&mut tx, &after, ev, event_id).await?;
    let now = s.platform.clock.now();
    let entry = audit::followed(sender(event), &event.r#type, &before, &after, now);
    motcua_audit::append(&mut tx, &[entry]).await?;
    tx.commit().await?;
    Ok(true)
}

/// A change to a dossier whose receipt has not reached reporting yet: refused, so the relay
/// retries it after the receipt (intake's and workflow's events travel separately).
fn not_yet(code: &str) -> Problem {
    Problem::new(
        &codes::PEER_UNAVAILABLE,
        format!("dossier {code} is not yet known to reporting; retry"),
    )
}
