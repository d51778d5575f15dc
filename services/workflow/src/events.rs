//! The events workflow consumes (sự kiện từ intake): a received dossier opens its case (and is
//! forwarded at once unless received after the cut-off); the dossier's later changes make the
//! case wait, resume (moving every waiting step's deadline), follow a new appointment, or end.
//! Each is applied with its inbox row in one transaction: a redelivery changes nothing.

use crate::domain::audit;
use crate::domain::follow::{self, change_of};
use crate::domain::opening::{self, Received};
use crate::domain::progress;
use crate::state::AppState;
use crate::store;
use motcua_audit::Actor;
use motcua_calendar::PROVINCE_OFFSET;
use motcua_problem::{Problem, codes};
use motcua_proto::common::v1::Event;
use motcua_proto::common::v1::EventOutcome;
use std::collections::HashSet;
use tracing::Instrument;
use uuid::Uuid;

fn payload<T: serde::de::DeserializeOwned>(event: &Event) -> Result<T, Problem> {
    serde_json::from_str(&event.payload_json).map_err(|e| {
        Problem::new(
            &codes::INVALID_EVENT,
            format!("payload of {}: {e}", event.r#type),
        )
    })
}

/// Applies a batch (`DeliverEvents`) in its order. Runs of receipts (`dossier.received`, most
/// of the traffic) open their cases in one transaction; other events one at a time, as
/// [`apply`] does; an event refused holds back its dossier's later ones.
pub(crate) async fn apply_all(s: &AppState, events: Vec<Event>) -> Vec<EventOutcome> {
    motcua_outbox::apply_runs(
        events,
        motcua_events::DOSSIER_RECEIVED,
        |run| async move { open_cases(s, &run).await },
        |e| async move { apply(s, &e).await },
    )
    .await
}

/// Applies one event; returns whether it was new (not a duplicate delivery).
pub(crate) async fn apply(s: &AppState, event: &Event) -> Result<bool, Problem> {
    let event_id = Uuid::parse_str(&event.id)
        .map_err(|_| Problem::new(&codes::INVALID_EVENT, "event id is not a UUID"))?;
    if event.r#type == motcua_events::DOSSIER_RECEIVED {
        return open_case(s, event, event_id).await;
    }
    let change: Option<(motcua_events::DossierStatusChanged, follow::DossierChange)> =
        match event.r#type.starts_with("dossier.") {
            true => {
                let p: motcua_events::DossierStatusChanged = payload(event)?;
                change_of(&event.r#type, &p.to_status, p.due_at).map(|c| (p, c))
            }
            false => None,
        };
    let Some((p, change)) = change else {
        let mut tx = s.pool.begin().await?;
        let first = motcua_outbox::inbox_claim(&mut tx, event).await?;
        tx.commit().await?;
        return Ok(first);
    };
    let (case, tasks) = match s.load(&p.dossier_code).await {
        Ok(found) => found,
        Err(e) if e.code == codes::CASE_NOT_FOUND.code => return claim_only(s, event).await,
        Err(e) => return Err(e),
    };
    let cals = s.calendars_of(&case, &tasks).await?;
    let mut tx = s.pool.begin().await?;
    if !motcua_outbox::inbox_claim(&mut tx, event).await? {
        return Ok(false);
    }
    let case = store::cases::lock(&mut tx, case.id)
        .await?
        .ok_or_else(Problem::internal)?;
    let tasks = store::tasks::of_case(&mut tx, case.id).await?;
    let by = Actor::service(sender(event));
    if let Some(u) = follow::follow(&case, &tasks, &change, p.at, &cals, by) {
        store::cases::apply(&mut tx, &u, s.now()).await?;
    }
    tx.commit().await?;
    s.committed();
    Ok(true)
}

/// The service whose event it is (intake's, unless the envelope names another).
fn sender(event: &Event) -> &str {
    match event.source.as_str() {
        "" => "intake",
        s => s,
    }
}

async fn claim_only(s: &AppState, event: &Event) -> Result<bool, Problem> {
    let mut tx = s.pool.begin().await?;
    let first = motcua_outbox::inbox_claim(&mut tx, event).await?;
    tx.commit().await?;
    Ok(first)
}

/// A received dossier's case as planned before any write (the catalogue is read here, never
/// under a lock).
struct PlannedCase {
    event: motcua_events::DossierReceived,
    event_id: Uuid,
    case: crate::domain::case::Case,
    tasks: Vec<crate::domain::case::Task>,
    calendars: crate::domain::clock::Calendars,
}

/// Plans the case of a received dossier from the procedure version it was checked against; a
/// version the catalogue does not serve is an error the relay retries.
async fn plan_case(s: &AppState, event: &Event, event_id: Uuid) -> Result<PlannedCase, Problem> {
    let ev: motcua_events::DossierReceived = payload(event)?;
    let day = ev.received_at.to_offset(PROVINCE_OFFSET).date();
    let procedure = s.catalogue.procedure(&ev.procedure_code, day).await?;
    let mut one_stop = HashSet::new();
    let step_agencies: Vec<String> = procedure
        .iter()
        .flat_map(|p| p.steps.iter().map(|st| st.agency.clone()))
        .collect();
    for a in &step_agencies {
        if !one_stop.contains(a)
            && s.catalogue
                .agency(a)
                .await?
                .is_some_and(|x| x.is_one_stop())
        {
            one_stop.insert(a.clone());
        }
    }
    let agencies: Vec<&str> = std::iter::once(ev.receiving_agency.as_str())
        .chain(step_agencies.iter().map(String::as_str))
        .collect();
    let calendars = s.calendars(&agencies).await?;
    let received = Received {
        event: &ev,
        event_id,
        procedure: procedure.as_ref(),
        one_stop: &one_stop,
        calendars: &calendars,
        cutoff: s.rules.forward_cutoff,
    };
    let (case, tasks) = opening::open_case(&received)?;
    Ok(PlannedCase {
        event: ev,
        event_id,
        case,
        tasks,
        calendars,
    })
}

/// Where each case of a run comes from: the span continuing its receipt's trace, and the
/// request id, under which its rows and its events are written.
type Origins = Vec<(tracing::Span, Option<String>)>;

/// Writes planned cases whose events are new (claimed in the inbox): the cases and all their
/// tasks in one statement each, then forwards each at once unless it waits for the next
/// working day, each in its own receipt's trace and request id.
async fn write_cases(
    tx: &mut sqlx::PgConnection,
    planned: &[&PlannedCase],
    origins: Origins,
    now: time::OffsetDateTime,
) -> Result<(), Problem> {
    let openings: Vec<store::cases::Opening<'_>> = planned
        .iter()
        .zip(&origins)
        .map(|(p, (span, _))| store::cases::Opening {
            case: &p.case,
            procedure_version: p.event.procedure_version,
            due_provisional: p.event.due_provisional,
            opened_by: p.event_id,
            paper: p.event.paper_components,
            trace_id: span.in_scope(motcua_telemetry::propagation::current_trace_id),
        })
        .collect();
    let inserted = store::cases::insert_all(tx, &openings).await?;
    let opened: Vec<(&PlannedCase, (tracing::Span, Option<String>))> = planned
        .iter()
        .zip(origins)
        .zip(&inserted)
        .filter_map(|((p, origin), new)| new.then_some((*p, origin)))
        .collect();
    let tasks: Vec<_> = opened
        .iter()
        .flat_map(|(p, _)| p.tasks.iter().cloned())
        .collect();
    store::tasks::insert(tx, &tasks).await?;
    let mut audited = Vec::new();
    for (p, (span, request_id)) in opened {
        let forward = async {
            // Each case's records name the receipt's request behind it.
            let origin = motcua_audit::Origin::current();
            let by = Actor::service("intake");
            let mut entries = vec![audit::opened(&p.case, &p.tasks, by.clone(), now)];
            if p.case.forward_at.is_some_and(|f| f <= now)
                && let Some(u) = progress::forward(&p.case, &p.tasks, now, &p.calendars, by)
            {
                store::cases::write(&mut *tx, &u, now).await?;
                entries.push(audit::entry(&u, now));
            }
            tracing::info!(dossier = %p.event.dossier_code, tasks = p.tasks.len(), "case opened");
            let entries: Vec<_> = entries.into_iter().map(|e| (e, origin.clone())).collect();
            Ok::<_, Problem>(entries)
        }
        .instrument(span);
        audited.extend(match request_id {
            Some(id) => motcua_telemetry::request_id::scope(id, forward).await?,
            None => forward.await?,
        });
    }
    // Last: the audit chain's head is held from here until the commit.
    motcua_audit::append_from(tx, &audited).await?;
    Ok(())
}

/// Opens the case of a received dossier.
async fn open_case(s: &AppState, event: &Event, event_id: Uuid) -> Result<bool, Problem> {
    let planned = plan_case(s, event, event_id).await?;
    let mut tx = s.pool.begin().await?;
    let first = motcua_outbox::inbox_claim(&mut tx, event).await?;
    if first {
        let origin = (
            tracing::Span::current(),
            motcua_telemetry::request_id::current(),
        );
        write_cases(&mut tx, &[&planned], vec![origin], s.now()).await?;
    }
    tx.commit().await?;
    s.committed();
    Ok(first)
}

/// Opens the cases of a run of received dossiers in one transaction (each planned first).
/// Returns, for each, whether it was new.
async fn open_cases(s: &AppState, events: &[Event]) -> Result<Vec<bool>, Problem> {
    let mut planned = Vec::with_capacity(events.len());
    for event in events {
        let id = Uuid::parse_str(&event.id)
            .map_err(|_| Problem::new(&codes::INVALID_EVENT, "event id is not a UUID"))?;
        planned.push(plan_case(s, event, id).await?);
    }
    let now = s.now();
    let mut tx = s.pool.begin().await?;
    let applied = motcua_outbox::inbox_claim_all(&mut tx, events).await?;
    let (mut fresh, mut origins) = (Vec::new(), Vec::new());
    for ((event, p), first) in events.iter().zip(&planned).zip(&applied) {
        if *first {
            origins.push(motcua_outbox::context(event));
            fresh.push(p);
        }
    }
    write_cases(&mut tx, &fresh, origins, now).await?;
    tx.commit().await?;
    s.committed();
    Ok(applied)
}
