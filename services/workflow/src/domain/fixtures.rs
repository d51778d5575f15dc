//! Test fixtures of workflow's decisions: a forwarded case at the demo ward, its steps, callers,
//! the 2025–2026 calendar.

use super::case::{Case, CaseState, Task, TaskState};
use super::clock::Calendars;
use super::plan::TaskKind;
use motcua_auth::{Caller, Role};
use motcua_calendar::{WorkingCalendar, WorkingDuration};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

/// The ward's one-stop unit.
pub const OS: &str = "000.25.80.H80";
/// Justice.
pub const JUSTICE: &str = "000.30.80.H80";
/// Police.
pub const POLICE: &str = "000.31.80.H80";
/// Tax.
pub const TAX: &str = "000.34.80.H80";
/// Friday 27/11/2026 09:00, when the dossier was received and forwarded.
pub const RECEIVED: OffsetDateTime = datetime!(2026-11-27 09:00 +07:00);

/// The province's calendar for every agency.
pub fn cals() -> Calendars {
    Calendars::new(Arc::new(WorkingCalendar::vietnam_default()), HashMap::new())
}

/// A caller.
pub fn caller(sub: &str, roles: &[Role], agency: &str) -> Caller {
    Caller {
        sub: sub.into(),
        roles: roles.to_vec(),
        agency: Some(agency.into()),
        sector: None,
        id_number: None,
    }
}

/// A specialist of `agency`.
pub fn specialist(agency: &str) -> Caller {
    caller(&format!("s@{agency}"), &[Role::Specialist], agency)
}

/// An open, forwarded case received at [`RECEIVED`] with appointment `due`.
pub fn case(due: OffsetDateTime) -> Case {
    Case {
        id: Uuid::from_u128(1),
        dossier_code: "000.25.80.H80-261127-0001".into(),
        procedure_code: "DEMO".into(),
        receiving_agency: OS.into(),
        state: CaseState::Open,
        received_at: RECEIVED,
        due_at: due,
        forward_at: Some(RECEIVED),
        forward_due: Some(datetime!(2026-11-27 17:00 +07:00)),
        forwarded_at: Some(RECEIVED),
        paused_at: None,
        main_clock_paused_at: None,
        completed_at: None,
    }
}

/// Step `n` of block `block` at `agency` with `hours` of budget, in `state`.
pub fn task(n: u128, block: i32, agency: &str, hours: i64, state: TaskState) -> Task {
    let running = state != TaskState::Pending;
    Task {
        id: Uuid::from_u128(100 + n),
        case_id: Uuid::from_u128(1),
        dossier_code: "000.25.80.H80-261127-0001".into(),
        position: i32::try_from(n).unwrap(),
        block,
        name: format!("Bước {n}"),
        agency: agency.into(),
        sector: None,
        kind: TaskKind::Process,
        budget: WorkingDuration::hours(hours),
        state,
        claimed_by: None,
        opened_at: running.then_some(RECEIVED),
        due_at: running.then(|| {
            WorkingCalendar::vietnam_default()
                .add(RECEIVED, WorkingDuration::hours(hours))
                .at
        }),
        paused_at: None,
        paused_minutes: 0,
        pauses_main_clock: false,
        completed_at: None,
        timeliness: None,
        lateness_minutes: None,
        supplement_requested_at: None,
    }
}
