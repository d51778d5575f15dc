//! The receiving side of a batch (`DeliverEvents`): the events applied in their recorded
//! order, each in its own trace and request id, an event that fails holding back the later
//! events of its subject (they are not tried, and come again after it).

use motcua_proto::common::v1::{Event, EventOutcome};
use motcua_telemetry::{propagation, request_id};
use std::collections::HashSet;
use std::fmt::Display;
use std::future::Future;
use tracing::Instrument;

/// Applies `events` one after the other with `apply` (which returns whether the event was new)
/// and says what became of each, in order.
pub async fn apply_in_order<F, Fut, E>(events: Vec<Event>, apply: F) -> Vec<EventOutcome>
where
    F: FnMut(Event) -> Fut,
    Fut: Future<Output = Result<bool, E>>,
    E: Display,
{
    apply_holding(events, &mut HashSet::new(), apply).await
}

/// [`apply_in_order`] for one part of a batch: `held` names the subjects an earlier part
/// refused (their events are not tried), and gains the subjects this part refuses.
pub async fn apply_holding<F, Fut, E>(
    events: Vec<Event>,
    held: &mut HashSet<String>,
    mut apply: F,
) -> Vec<EventOutcome>
where
    F: FnMut(Event) -> Fut,
    Fut: Future<Output = Result<bool, E>>,
    E: Display,
{
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        if held.contains(&event.subject) {
            out.push(EventOutcome::default());
            continue;
        }
        let subject = event.subject.clone();
        let (span, rid) = context(&event);
        let applying = apply(event).instrument(span);
        let result = match rid {
            Some(id) => request_id::scope(id, applying).await,
            None => applying.await,
        };
        out.push(match result {
            Ok(applied) => taken(applied),
            Err(e) => {
                held.insert(subject);
                EventOutcome {
                    taken: false,
                    applied: false,
                    error: e.to_string(),
                }
            }
        });
    }
    out
}

/// Applies a batch in its order, runs of events of `batch_type` together with `together`
/// (one transaction: it returns, for each, whether it was new) and the others one at a time
/// with `one`. A run `together` refuses is applied again one at a time, so one bad event
/// cannot refuse its neighbours; an event refused holds back its subject's later ones.
pub async fn apply_runs<T, TFut, O, OFut, E>(
    events: Vec<Event>,
    batch_type: &str,
    mut together: T,
    mut one: O,
) -> Vec<EventOutcome>
where
    T: FnMut(Vec<Event>) -> TFut,
    TFut: Future<Output = Result<Vec<bool>, E>>,
    O: FnMut(Event) -> OFut,
    OFut: Future<Output = Result<bool, E>>,
    E: Display,
{
    let mut held = HashSet::new();
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let run = next_run(&mut events, |e| e.r#type == batch_type);
        // Events of a subject refused earlier in this request are not tried (they keep their
        // place: outcomes go in the request's order).
        let tried: Vec<bool> = run.iter().map(|e| !held.contains(&e.subject)).collect();
        let run: Vec<Event> = run
            .into_iter()
            .zip(&tried)
            .filter_map(|(e, t)| t.then_some(e))
            .collect();
        let mut results = Vec::new();
        if !run.is_empty() {
            results = match together(run.clone()).await {
                Ok(applied) if applied.len() == run.len() => {
                    applied.into_iter().map(taken).collect()
                }
                Ok(_) => apply_holding(run, &mut held, &mut one).await,
                Err(e) => {
                    tracing::warn!(events = run.len(), error = %e, "batch failed; applying its events one at a time");
                    apply_holding(run, &mut held, &mut one).await
                }
            };
        }
        let mut results = results.into_iter();
        for t in tried {
            out.push(match t {
                true => results.next().unwrap_or_default(),
                false => EventOutcome::default(),
            });
        }
        let others = next_run(&mut events, |e| e.r#type != batch_type);
        out.extend(apply_holding(others, &mut held, &mut one).await);
    }
    out
}

fn next_run(
    events: &mut std::iter::Peekable<std::vec::IntoIter<Event>>,
    matching: impl Fn(&Event) -> bool,
) -> Vec<Event> {
    let mut run = Vec::new();
    while let Some(e) = events.next_if(&matching) {
        run.push(e);
    }
    run
}

/// The outcome of an event the receiver has (`applied`: first delivery).
pub fn taken(applied: bool) -> EventOutcome {
    EventOutcome {
        taken: true,
        applied,
        error: String::new(),
    }
}

/// A span continuing `event`'s trace, and its request id, to apply it under.
pub fn context(event: &Event) -> (tracing::Span, Option<String>) {
    let span = tracing::info_span!(
        "outbox.apply",
        event_id = %event.id,
        event_type = %event.r#type,
        source = %event.source
    );
    if !event.traceparent.is_empty() {
        propagation::set_parent_from_traceparent(&span, &event.traceparent);
    }
    let rid = (!event.request_id.is_empty()).then(|| event.request_id.clone());
    (span, rid)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each outcome as (taken, error).
    fn seen(outcomes: &[EventOutcome]) -> Vec<(bool, &str)> {
        outcomes
            .iter()
            .map(|o| (o.taken, o.error.as_str()))
            .collect()
    }

    fn event(ty: &str, subject: &str) -> Event {
        Event {
            id: format!("{ty}-{subject}"),
            r#type: ty.into(),
            subject: subject.into(),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_refused_run_is_applied_one_at_a_time_and_a_refused_event_holds_its_subject() {
        let events = vec![
            event("r", "A"),
            event("r", "B"),
            event("x", "B"),
            event("x", "A"),
            event("r", "C"),
        ];
        let together_calls = std::sync::Mutex::new(Vec::new());
        let outcomes = apply_runs(
            events,
            "r",
            |run| {
                let subjects: Vec<String> = run.iter().map(|e| e.subject.clone()).collect();
                together_calls.lock().unwrap().push(subjects.clone());
                async move {
                    match subjects.iter().any(|s| s == "B") {
                        true => Err("B in the run".to_string()),
                        false => Ok(vec![true; subjects.len()]),
                    }
                }
            },
            |e| async move {
                match e.subject.as_str() {
                    "B" => Err("B refused".to_string()),
                    _ => Ok(true),
                }
            },
        )
        .await;
        let seen = seen(&outcomes);
        assert_eq!(
            seen,
            [
                (true, ""),           // A's receipt, applied alone after the run failed
                (false, "B refused"), // B's receipt
                (false, ""),          // B's next event: held back, not tried
                (true, ""),           // A's next event
                (true, ""),           // C's receipt, in a run of its own
            ]
        );
        assert_eq!(
            *together_calls.lock().unwrap(),
            [vec!["A".to_string(), "B".into()], vec!["C".into()]]
        );
    }

    #[tokio::test]
    async fn a_receipt_of_a_subject_refused_earlier_in_the_request_is_not_tried() {
        let events = vec![event("x", "B"), event("r", "B"), event("r", "C")];
        let together_calls = std::sync::Mutex::new(Vec::new());
        let outcomes = apply_runs(
            events,
            "r",
            |run| {
                let subjects: Vec<String> = run.iter().map(|e| e.subject.clone()).collect();
                together_calls.lock().unwrap().push(subjects.clone());
                async move { Ok::<_, String>(vec![true; subjects.len()]) }
            },
            |e| async move {
                match e.subject.as_str() {
                    "B" => Err("B refused".to_string()),
                    _ => Ok(true),
                }
            },
        )
        .await;
        let seen = seen(&outcomes);
        assert_eq!(seen, [(false, "B refused"), (false, ""), (true, "")]);
        assert_eq!(*together_calls.lock().unwrap(), [vec!["C".to_string()]]);
    }
}
