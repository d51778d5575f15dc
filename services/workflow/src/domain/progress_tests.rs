//! Tests of a case moving through its steps: forwarding, the join of a parallel block, the last
//! block completing the case, lateness, the main clock, claims.

use super::super::fixtures::*;
use super::*;
use crate::domain::update::TaskUpdate;
use motcua_calendar::Timeliness;
use time::macros::datetime;

fn opened(u: &CaseUpdate) -> Vec<(Uuid, OffsetDateTime)> {
    u.tasks
        .iter()
        .filter_map(|t| match t {
            TaskUpdate::Open { id, due_at, .. } => Some((*id, *due_at)),
            _ => None,
        })
        .collect()
}

#[test]
fn forwarding_opens_the_first_block_with_deadlines_and_a_judged_row() {
    let mut c = case(datetime!(2026-12-02 09:00 +07:00));
    c.forwarded_at = None;
    let tasks = [
        task(1, 0, JUSTICE, 8, TaskState::Pending),
        task(2, 1, POLICE, 16, TaskState::Pending),
    ];
    let u = forward(
        &c,
        &tasks,
        RECEIVED,
        &cals(),
        motcua_audit::Actor::service("workflow"),
    )
    .unwrap();
    assert_eq!(
        opened(&u),
        [(tasks[0].id, datetime!(2026-11-30 09:00 +07:00))],
        "8 working hours on Justice's calendar"
    );
    assert_eq!(
        (u.handovers[0].reason, u.handovers[0].result),
        (HandoverReason::Forward, Some(Timeliness::OnTime))
    );
    assert!(
        matches!(&u.announcements[0], Announcement::Opened(p) if p.current_steps == ["Bước 1"])
    );
    c.forwarded_at = Some(RECEIVED);
    assert!(
        forward(
            &c,
            &tasks,
            RECEIVED,
            &cals(),
            motcua_audit::Actor::service("workflow")
        )
        .is_none(),
        "never twice"
    );
}

#[test]
fn a_parallel_block_joins_before_the_next_opens_and_the_last_completes_the_case() {
    let c = case(datetime!(2026-12-02 09:00 +07:00));
    let tasks = [
        task(1, 0, JUSTICE, 8, TaskState::Open),
        task(2, 0, POLICE, 8, TaskState::Open),
        task(3, 1, TAX, 8, TaskState::Pending),
    ];
    let now = datetime!(2026-11-27 15:00 +07:00);
    let first = complete(
        &c,
        &tasks,
        tasks[0].id,
        &specialist(JUSTICE),
        serde_json::Value::Null,
        now,
        &cals(),
    )
    .unwrap();
    assert!(opened(&first).is_empty(), "police is still working");
    assert_eq!(
        first.handovers[0].to.0, TAX,
        "handed on to the next block's agency"
    );
    let mut joined = tasks.clone();
    joined[0].state = TaskState::Done;
    let second = complete(
        &c,
        &joined,
        tasks[1].id,
        &specialist(POLICE),
        serde_json::Value::Null,
        now,
        &cals(),
    )
    .unwrap();
    assert_eq!(opened(&second).len(), 1, "the join opens the tax step");
    let mut last = joined.clone();
    last[1].state = TaskState::Done;
    last[2].state = TaskState::Open;
    last[2].due_at = Some(datetime!(2026-11-30 15:00 +07:00));
    let done = complete(
        &c,
        &last,
        tasks[2].id,
        &specialist(TAX),
        serde_json::Value::Null,
        now,
        &cals(),
    )
    .unwrap();
    assert_eq!(
        (done.state, done.handovers[0].to.0.as_str()),
        (Some(CaseState::Completed), OS)
    );
    assert!(
        done.announcements
            .iter()
            .any(|a| matches!(a, Announcement::Completed(_)))
    );
}

#[test]
fn a_step_finished_after_its_deadline_is_late_by_the_working_time_over() {
    let c = case(datetime!(2026-12-02 09:00 +07:00));
    let tasks = [task(1, 0, JUSTICE, 6, TaskState::Open)];
    let u = complete(
        &c,
        &tasks,
        tasks[0].id,
        &specialist(JUSTICE),
        serde_json::Value::Null,
        datetime!(2026-11-30 09:00 +07:00),
        &cals(),
    )
    .unwrap();
    let finish = u.tasks.iter().find_map(|t| match t {
        TaskUpdate::Finish {
            timeliness,
            lateness_minutes,
            ..
        } => Some((*timeliness, *lateness_minutes)),
        _ => None,
    });
    assert_eq!(
        finish,
        Some((Some(Timeliness::Late), Some(120))),
        "Friday 17:00 to Monday 09:00"
    );
}

#[test]
fn the_step_that_pauses_the_main_clock_stops_it_and_moves_the_appointment_when_done() {
    let c = case(datetime!(2026-12-24 17:00 +07:00));
    let mut tasks = [
        task(1, 0, JUSTICE, 8, TaskState::Open),
        task(2, 1, TAX, 24, TaskState::Pending),
        task(3, 2, JUSTICE, 8, TaskState::Pending),
    ];
    tasks[1].pauses_main_clock = true;
    let t0 = datetime!(2026-12-01 09:00 +07:00);
    let u = complete(
        &c,
        &tasks,
        tasks[0].id,
        &specialist(JUSTICE),
        serde_json::Value::Null,
        t0,
        &cals(),
    )
    .unwrap();
    assert_eq!(u.main_clock_paused_at, Some(Some(t0)));
    let mut paused = c.clone();
    paused.main_clock_paused_at = Some(t0);
    tasks[0].state = TaskState::Done;
    tasks[1].state = TaskState::Open;
    tasks[1].due_at = Some(datetime!(2026-12-04 09:00 +07:00));
    let t1 = datetime!(2026-12-03 09:00 +07:00);
    let u = complete(
        &paused,
        &tasks,
        tasks[1].id,
        &specialist(TAX),
        serde_json::Value::Null,
        t1,
        &cals(),
    )
    .unwrap();
    assert_eq!(u.main_clock_paused_at, Some(None));
    assert_eq!(
        u.due_at,
        Some(datetime!(2026-12-28 17:00 +07:00)),
        "two working days later"
    );
}

#[test]
fn a_step_is_claimed_once_at_its_own_agency_and_sector() {
    let mut t = task(1, 0, JUSTICE, 8, TaskState::Open);
    assert!(matches!(
        claim(&t, &specialist(JUSTICE), RECEIVED),
        Ok(Some(TaskUpdate::Claim { .. }))
    ));
    assert_eq!(
        claim(&t, &specialist(POLICE), RECEIVED).unwrap_err().code,
        "agency_not_allowed"
    );
    t.state = TaskState::Claimed;
    t.claimed_by = Some("s@000.30.80.H80".into());
    assert!(
        claim(&t, &specialist(JUSTICE), RECEIVED).unwrap().is_none(),
        "one's own claim again"
    );
    let colleague = caller("other", &[Role::Specialist], JUSTICE);
    assert_eq!(
        claim(&t, &colleague, RECEIVED).unwrap_err().code,
        "task_claimed"
    );
    t.state = TaskState::Open;
    t.sector = Some("land".into());
    let mut system = caller("sys", &[Role::SectorSystem], JUSTICE);
    system.sector = Some("justice".into());
    assert_eq!(
        claim(&t, &system, RECEIVED).unwrap_err().code,
        "agency_not_allowed",
        "another sector"
    );
}

#[test]
fn nothing_is_finished_while_the_case_waits_for_the_applicant() {
    let mut c = case(datetime!(2026-12-02 09:00 +07:00));
    c.state = CaseState::Paused;
    let tasks = [task(1, 0, JUSTICE, 8, TaskState::Open)];
    let err = complete(
        &c,
        &tasks,
        tasks[0].id,
        &specialist(JUSTICE),
        serde_json::Value::Null,
        RECEIVED,
        &cals(),
    )
    .unwrap_err();
    assert_eq!(err.code, "case_not_open");
}

#[test]
fn a_refusal_is_the_steps_outcome_even_when_intakes_event_closed_the_case_first() {
    let mut t = task(1, 0, JUSTICE, 8, TaskState::Claimed);
    assert!(awaits_outcome(&t, true) && awaits_outcome(&t, false));
    t.state = TaskState::Cancelled;
    assert!(awaits_outcome(&t, true), "cancelled by dossier.refused");
    assert!(
        !awaits_outcome(&t, false),
        "a cancelled step gets no other outcome"
    );
    t.state = TaskState::Done;
    assert!(!awaits_outcome(&t, true), "recorded once");
}
