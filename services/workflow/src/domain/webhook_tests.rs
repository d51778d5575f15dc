//! Tests of which step events a change offers sector systems, what their bodies say, and which
//! subscriptions get them.

use super::super::case::{Task, TaskState};
use super::super::fixtures::*;
use super::super::progress;
use super::*;
use serde_json::Value;
use time::macros::datetime;

fn step_of(t: &Task, state: &str) -> Step {
    Step {
        id: t.id,
        dossier_code: t.dossier_code.clone(),
        procedure_code: "DEMO".into(),
        name: t.name.clone(),
        agency: t.agency.clone(),
        sector: Some("justice".into()),
        block: t.block,
        state: state.into(),
        opened_at: t.opened_at,
        due_at: t.due_at,
        budget_minutes: t.budget.as_minutes(),
    }
}

fn sub(agency: Option<&str>, sector: Option<&str>, types: &[&str]) -> Subscriber {
    Subscriber {
        id: Uuid::new_v4(),
        agency: agency.map(Into::into),
        sector: sector.map(Into::into),
        event_types: types.iter().map(|t| t.to_string()).collect(),
    }
}

fn body(e: &Event) -> Value {
    serde_json::from_str(&e.body).unwrap()
}

#[test]
fn finishing_a_step_offers_its_completion_before_the_next_steps_creation() {
    let c = case(datetime!(2026-12-04 17:00 +7));
    let mut first = task(1, 1, JUSTICE, 8, TaskState::Claimed);
    first.claimed_by = Some(format!("s@{JUSTICE}"));
    let tasks = vec![first.clone(), task(2, 2, POLICE, 8, TaskState::Pending)];
    let now = datetime!(2026-11-27 10:00 +7);
    let who = specialist(JUSTICE);
    let u = progress::complete(&c, &tasks, first.id, &who, json!({}), now, &cals()).unwrap();
    let offered = offers(&u.tasks, &u.announcements);
    let kinds: Vec<_> = offered.iter().map(|o| (o.event_type, o.task_id)).collect();
    assert_eq!(
        kinds,
        [
            (EventType::TaskCompleted, first.id),
            (EventType::TaskCreated, tasks[1].id)
        ]
    );
    let done = event(&offered[0], &step_of(&first, "done"), now).unwrap();
    let b = body(&done);
    assert_eq!(b["type"], "task.completed");
    assert_eq!(b["timestamp"], "2026-11-27T10:00:00+07:00");
    for (k, v) in [
        ("outcome", json!("done")),
        ("completed_by", json!(who.sub)),
        ("completed_at", json!("2026-11-27T10:00:00+07:00")),
        ("timeliness", json!("early")),
        ("agency", json!(JUSTICE)),
        ("sector", json!("justice")),
        ("dossier_code", json!(c.dossier_code)),
        ("task_id", json!(first.id)),
    ] {
        assert_eq!(b["data"][k], v, "{k}");
    }
}

#[test]
fn a_created_step_carries_its_deadline_budget_and_procedure_in_local_time() {
    let t = task(1, 1, JUSTICE, 8, TaskState::Open);
    let o = Offer::new(EventType::TaskCreated, t.id, t.opened_at);
    let e = event(&o, &step_of(&t, "open"), datetime!(2026-11-28 00:00 UTC)).unwrap();
    let b = body(&e);
    assert_eq!(b["timestamp"], "2026-11-27T09:00:00+07:00");
    let d = &b["data"];
    for k in [
        "task_id",
        "dossier_code",
        "procedure_code",
        "name",
        "agency",
        "sector",
        "block",
        "state",
        "opened_at",
        "due_at",
        "budget_minutes",
    ] {
        assert!(d.get(k).is_some(), "{k} missing: {d}");
    }
    assert_eq!(d["due_at"], "2026-11-30T09:00:00+07:00");
    assert_eq!(
        (d["budget_minutes"].clone(), d["state"].clone()),
        (json!(480), json!("open"))
    );
    assert_eq!(e.dossier_code, t.dossier_code);
}

#[test]
fn a_step_cancelled_before_it_reached_its_agency_tells_nobody() {
    let pending = task(2, 2, POLICE, 8, TaskState::Pending);
    let running = task(1, 1, JUSTICE, 8, TaskState::Open);
    let o = offers(
        &[
            TaskUpdate::Cancel { id: pending.id },
            TaskUpdate::Cancel { id: running.id },
        ],
        &[],
    );
    let now = datetime!(2026-11-27 11:00 +7);
    assert_eq!(event(&o[0], &step_of(&pending, "cancelled"), now), None);
    let e = event(&o[1], &step_of(&running, "cancelled"), now).unwrap();
    assert_eq!(body(&e)["type"], "task.cancelled");
    assert_eq!(body(&e)["timestamp"], "2026-11-27T11:00:00+07:00");
}

#[test]
fn alerts_of_steps_are_offered_and_those_of_dossiers_are_not() {
    let t = task(1, 1, JUSTICE, 8, TaskState::Open);
    let alert = |task_id: Option<String>| e::DeadlineAlert {
        dossier_code: t.dossier_code.clone(),
        task_id,
        step: Some(t.name.clone()),
        agency: JUSTICE.into(),
        deadline: t.due_at.unwrap(),
        at: datetime!(2026-11-30 08:00 +7),
    };
    let a = [
        Announcement::Alert(e::TASK_OVERDUE, alert(Some(t.id.to_string()))),
        Announcement::Alert(e::CASE_OVERDUE, alert(None)),
        Announcement::Alert(e::TASK_NEAR_DUE, alert(Some(t.id.to_string()))),
    ];
    let o = offers(&[], &a);
    let kinds: Vec<_> = o.iter().map(|o| o.event_type.as_str()).collect();
    assert_eq!(kinds, ["task.overdue", "task.near_due"]);
}

#[test]
fn subscriptions_match_by_type_agency_and_sector() {
    let t = task(1, 1, JUSTICE, 8, TaskState::Open);
    let o = Offer::new(EventType::TaskCreated, t.id, t.opened_at);
    let ev = event(&o, &step_of(&t, "open"), RECEIVED).unwrap();
    let cases = [
        (sub(Some(JUSTICE), None, &["task.created"]), true),
        (sub(Some(JUSTICE), Some("justice"), &["task.created"]), true),
        (sub(Some(JUSTICE), Some("land"), &["task.created"]), false),
        (sub(Some(POLICE), None, &["task.created"]), false),
        (sub(None, None, &["task.created"]), true),
        (sub(Some(JUSTICE), None, &["task.completed"]), false),
    ];
    for (i, (s, expected)) in cases.iter().enumerate() {
        assert_eq!(matches(s, &ev), *expected, "case {i}");
    }
    let mut no_sector = ev.clone();
    no_sector.sector = None;
    assert!(
        !matches(&cases[1].0, &no_sector),
        "a sector subscription needs the step's sector"
    );
    let subs: Vec<Subscriber> = cases.iter().map(|(s, _)| s.clone()).collect();
    let d = deliveries(&[ev.clone(), ev], &subs);
    assert_eq!(d.len(), 6, "three subscriptions, two events");
    assert_eq!((d[0].1, d[2].1, d[3].1), (0, 0, 1), "events in order");
}

#[test]
fn every_offered_type_parses_back_and_others_do_not() {
    for t in EventType::ALL {
        assert_eq!(EventType::parse(t.as_str()), Some(t));
    }
    assert_eq!(EventType::parse("dossier.received"), None);
    assert_eq!(EventType::parse("case.overdue"), None);
}
