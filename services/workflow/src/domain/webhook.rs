//! What sector systems are told by webhook (sự kiện gửi hệ thống chuyên ngành), and who is
//! told: the step events a change carries (a step reached its agency, finished, came near its
//! deadline or past it, had its deadline moved, was cancelled or moved to a successor agency),
//! each as the exact JSON body that is signed and sent, and the subscriptions it matches —
//! the event type subscribed, the step's agency (an admin's subscription: every agency) and,
//! for a subscription with a sector, the step's sector. Pure: the store reads the steps after
//! the change, in its transaction, and writes the deliveries there.

use super::update::{Announcement, TaskUpdate};
use motcua_calendar::local_rfc3339 as rfc3339;
use motcua_events as e;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

/// An event type offered to subscribers (the `type` of a delivery's body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A step reached its agency (its block started): `task.created`.
    TaskCreated,
    /// A step finished (done, returned for supplement, refused): `task.completed`.
    TaskCompleted,
    /// A step came within the near-due margin of its deadline: `task.near_due`.
    TaskNearDue,
    /// A step passed its deadline: `task.overdue`.
    TaskOverdue,
    /// A step's deadline moved by the applicant's wait: `task.deadline_moved`.
    TaskDeadlineMoved,
    /// The dossier ended before a step at its agency was done: `task.cancelled`.
    TaskCancelled,
    /// A retired agency's step moved to its successor: `task.reassigned`.
    TaskReassigned,
}

impl EventType {
    /// Every type a subscription may name.
    pub const ALL: [EventType; 7] = [
        Self::TaskCreated,
        Self::TaskCompleted,
        Self::TaskNearDue,
        Self::TaskOverdue,
        Self::TaskDeadlineMoved,
        Self::TaskCancelled,
        Self::TaskReassigned,
    ];

    /// The name in bodies and subscriptions.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TaskCreated => "task.created",
            Self::TaskCompleted => e::TASK_COMPLETED,
            Self::TaskNearDue => e::TASK_NEAR_DUE,
            Self::TaskOverdue => e::TASK_OVERDUE,
            Self::TaskDeadlineMoved => e::TASK_DEADLINE_MOVED,
            Self::TaskCancelled => "task.cancelled",
            Self::TaskReassigned => e::TASK_REASSIGNED,
        }
    }

    /// The type named `s`, if offered.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// An event a change offers, before its step is read.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// Its type.
    pub event_type: EventType,
    /// The step it is about.
    pub task_id: Uuid,
    /// When it happened, when the change says (else the change's instant).
    at: Option<OffsetDateTime>,
    /// Fields the change carries beyond the step (outcome, who, the deadline before).
    extra: Map<String, Value>,
}

impl Offer {
    fn new(event_type: EventType, task_id: Uuid, at: Option<OffsetDateTime>) -> Self {
        Self {
            event_type,
            task_id,
            at,
            extra: Map::new(),
        }
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }
}

fn task_of(id: &str) -> Option<Uuid> {
    Uuid::parse_str(id).ok()
}

fn offer_of(a: &Announcement) -> Option<Offer> {
    match a {
        Announcement::Step(t, p) if *t == e::TASK_COMPLETED => Some(
            Offer::new(EventType::TaskCompleted, task_of(&p.task_id)?, Some(p.at))
                .with("outcome", json!(p.outcome))
                .with("completed_at", json!(rfc3339(p.at)))
                .with("completed_by", json!(p.by))
                .with("timeliness", json!(p.timeliness)),
        ),
        Announcement::Step(t, p) if *t == e::TASK_REASSIGNED => Some(
            Offer::new(EventType::TaskReassigned, task_of(&p.task_id)?, Some(p.at))
                .with("from_agency", json!(p.from_agency)),
        ),
        Announcement::DeadlineMoved(p) => Some(
            Offer::new(EventType::TaskDeadlineMoved, task_of(&p.task_id)?, None)
                .with("due_before", json!(rfc3339(p.due_before)))
                .with("reason", json!(p.reason))
                .with("working_minutes", json!(p.working_minutes)),
        ),
        Announcement::Alert(t, p) => {
            let kind = match *t {
                e::TASK_NEAR_DUE => EventType::TaskNearDue,
                e::TASK_OVERDUE => EventType::TaskOverdue,
                _ => return None,
            };
            Some(Offer::new(
                kind,
                task_of(p.task_id.as_deref()?)?,
                Some(p.at),
            ))
        }
        _ => None,
    }
}

/// The events a change offers, in the order subscribers get them: what its announcements say
/// (a step finished before the next one opens), then the steps opened and cancelled.
pub fn offers(tasks: &[TaskUpdate], announcements: &[Announcement]) -> Vec<Offer> {
    let mut out: Vec<Offer> = announcements.iter().filter_map(offer_of).collect();
    for t in tasks {
        match t {
            TaskUpdate::Open { id, at, .. } => {
                out.push(Offer::new(EventType::TaskCreated, *id, Some(*at)))
            }
            TaskUpdate::Cancel { id } => out.push(Offer::new(EventType::TaskCancelled, *id, None)),
            _ => {}
        }
    }
    out
}

/// A step as events show it, read after the change in its transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step.
    pub id: Uuid,
    /// Its dossier (the order of deliveries is per dossier).
    pub dossier_code: String,
    /// The procedure of the dossier.
    pub procedure_code: String,
    /// The step's name.
    pub name: String,
    /// The agency holding it.
    pub agency: String,
    /// Its sector, when the template names one.
    pub sector: Option<String>,
    /// Its block (steps of one block run in parallel).
    pub block: i32,
    /// Its state now.
    pub state: String,
    /// When it reached its agency.
    pub opened_at: Option<OffsetDateTime>,
    /// Its deadline.
    pub due_at: Option<OffsetDateTime>,
    /// Its working-time budget in minutes.
    pub budget_minutes: i64,
}

/// One event ready to deliver: the exact body, and what subscriptions are matched on.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Its type.
    pub event_type: EventType,
    /// Its dossier.
    pub dossier_code: String,
    /// The step's agency.
    pub agency: String,
    /// The step's sector.
    pub sector: Option<String>,
    /// `{"type", "timestamp", "data"}`: the bytes signed and sent.
    pub body: String,
}

/// The event `o` becomes with its step read after the change made at `now`; `None` for a
/// cancelled step that never reached its agency (no one there was told of it).
pub fn event(o: &Offer, step: &Step, now: OffsetDateTime) -> Option<Event> {
    if o.event_type == EventType::TaskCancelled && step.opened_at.is_none() {
        return None;
    }
    let mut data = Map::new();
    data.insert("task_id".into(), json!(step.id));
    data.insert("dossier_code".into(), json!(step.dossier_code));
    data.insert("name".into(), json!(step.name));
    data.insert("agency".into(), json!(step.agency));
    data.insert("sector".into(), json!(step.sector));
    data.insert("due_at".into(), json!(step.due_at.map(rfc3339)));
    if o.event_type == EventType::TaskCreated {
        data.insert("procedure_code".into(), json!(step.procedure_code));
        data.insert("block".into(), json!(step.block));
        data.insert("state".into(), json!(step.state));
        data.insert("opened_at".into(), json!(step.opened_at.map(rfc3339)));
        data.insert("budget_minutes".into(), json!(step.budget_minutes));
    }
    data.extend(o.extra.clone());
    let body = json!({
        "type": o.event_type.as_str(),
        "timestamp": rfc3339(o.at.unwrap_or(now)),
        "data": data,
    });
    Some(Event {
        event_type: o.event_type,
        dossier_code: step.dossier_code.clone(),
        agency: step.agency.clone(),
        sector: step.sector.clone(),
        body: body.to_string(),
    })
}

/// A live subscription, as matching needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscriber {
    /// The subscription.
    pub id: Uuid,
    /// Its owner's agency; `None`: an admin's, every agency.
    pub agency: Option<String>,
    /// Its owner's sector; `None`: every sector of the agency.
    pub sector: Option<String>,
    /// The event types it subscribed to.
    pub event_types: Vec<String>,
}

/// Whether `s` gets `ev`: the type subscribed, the step at its agency (or an admin's
/// subscription), and in its sector when it has one.
pub fn matches(s: &Subscriber, ev: &Event) -> bool {
    s.event_types.iter().any(|t| t == ev.event_type.as_str())
        && s.agency.as_ref().is_none_or(|a| *a == ev.agency)
        && s.sector
            .as_ref()
            .is_none_or(|x| ev.sector.as_ref() == Some(x))
}

/// The deliveries to make, in order: (subscription, index of the event), events in their
/// order, so a dossier's deliveries to one subscription keep the order of its changes.
pub fn deliveries(events: &[Event], subs: &[Subscriber]) -> Vec<(Uuid, usize)> {
    let mut out = Vec::new();
    for (i, ev) in events.iter().enumerate() {
        out.extend(subs.iter().filter(|s| matches(s, ev)).map(|s| (s.id, i)));
    }
    out
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
