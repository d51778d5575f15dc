//! Workflow's background work, safe with several replicas: forwarding dossiers received after
//! the cut-off at the start of the next working day (each case taken with `FOR UPDATE SKIP
//! LOCKED`); marking steps and dossiers near-due and overdue once each (the mark's primary key
//! decides which worker announces); moving retired agencies' steps to their successors.

use crate::domain::alerts::{self, AlertKind};
use crate::domain::case::{Case, Task};
use crate::domain::update::Announcement;
use crate::domain::{audit, progress, succession};
use crate::state::AppState;
use crate::store;
use motcua_audit::Actor;
use motcua_calendar::PROVINCE_OFFSET;
use motcua_events as e;
use motcua_problem::Problem;
use std::time::Duration;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

/// How far ahead the deadline scan looks: more than 8 working hours over any weekend and
/// holiday (the margin itself is checked on the calendar).
const HORIZON: time::Duration = time::Duration::days(21);

/// Runs forwarding and the deadline scan every `every`, succession every tenth round, until
/// shutdown.
pub(crate) async fn run(s: AppState, every: Duration, shutdown: CancellationToken) {
    let mut round: u64 = 0;
    loop {
        if let Err(e) = forward_due(&s).await {
            tracing::warn!(error = %e, "forwarding failed");
        }
        if let Err(e) = deadline_scan(&s).await {
            tracing::warn!(error = %e, "deadline scan failed");
        }
        if round.is_multiple_of(10)
            && let Err(e) = succession_once(&s).await
        {
            tracing::warn!(error = %e, "succession check failed");
        }
        round += 1;
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Forwards every case whose forwarding time has come; returns how many.
pub(crate) async fn forward_due(s: &AppState) -> Result<usize, Problem> {
    // In batches, until none is due (the morning after a busy evening: thousands at 07:00).
    let mut forwarded = 0;
    for _ in 0..50 {
        let (batch, done) = forward_batch(s, 100).await?;
        forwarded += done;
        if batch < 100 || done == 0 {
            break;
        }
    }
    Ok(forwarded)
}

/// One batch of [`forward_due`]: how many were due, and how many this worker forwarded.
async fn forward_batch(s: &AppState, size: i64) -> Result<(usize, usize), Problem> {
    let now = s.now();
    let ids = store::cases::due_for_forwarding(&mut *s.pool.acquire().await?, now, size).await?;
    let batch = ids.len();
    let mut forwarded = 0;
    for id in ids {
        // The calendars are asked for before the lock: no remote call while holding it.
        let (case, tasks) = {
            let mut conn = s.pool.acquire().await?;
            let Some(case) = store::cases::get(&mut conn, id).await? else {
                continue;
            };
            let tasks = store::tasks::of_case(&mut conn, id).await?;
            (case, tasks)
        };
        let cals = s.calendars_of(&case, &tasks).await?;
        let mut tx = s.pool.begin().await?;
        let Some(case) = store::cases::try_lock(&mut tx, id).await? else {
            continue;
        };
        let tasks = store::tasks::of_case(&mut tx, id).await?;
        if let Some(u) = progress::forward(&case, &tasks, now, &cals, Actor::service("workflow")) {
            s.write(tx, &u).await?;
            forwarded += 1;
        }
    }
    Ok((batch, forwarded))
}

fn alert(kind: AlertKind, subject_task: bool) -> &'static str {
    match (kind, subject_task) {
        (AlertKind::NearDue, true) => e::TASK_NEAR_DUE,
        (AlertKind::Overdue, true) => e::TASK_OVERDUE,
        (AlertKind::NearDue, false) => e::CASE_NEAR_DUE,
        (AlertKind::Overdue, false) => e::CASE_OVERDUE,
        (AlertKind::LateWithoutApology, _) => e::CASE_LATE_WITHOUT_APOLOGY,
    }
}

/// Marks `kind` once and announces it; `false` when another worker (or an earlier round) did.
async fn mark(
    s: &AppState,
    subject: (&str, uuid::Uuid),
    kind: AlertKind,
    payload: e::DeadlineAlert,
    now: OffsetDateTime,
) -> Result<bool, Problem> {
    let mut tx = s.pool.begin().await?;
    let fresh = store::alerts::mark(
        &mut tx,
        subject.0,
        subject.1,
        kind,
        &payload.dossier_code,
        &payload.agency,
        payload.deadline,
        now,
    )
    .await?;
    if fresh {
        let code = payload.dossier_code.clone();
        let cause = format!("{}:{}:{}", subject.0, subject.1, kind.as_str());
        let notices = alerts::head_notices(kind, &cause, &payload, &s.contacts);
        motcua_notify::record(&mut tx, &notices).await?;
        let event_type = alert(kind, subject.0 == "task");
        let entry = audit::marked(event_type, &payload, now);
        let a = Announcement::Alert(event_type, payload);
        store::cases::announce(&mut tx, &code, &a, now).await?;
        store::deliveries::fan_out(&mut tx, &[], std::slice::from_ref(&a), now).await?;
        motcua_audit::append(&mut tx, &[entry]).await?;
    }
    tx.commit().await?;
    if fresh {
        s.committed();
    }
    Ok(fresh)
}

fn task_alert(t: &Task, now: OffsetDateTime) -> e::DeadlineAlert {
    e::DeadlineAlert {
        dossier_code: t.dossier_code.clone(),
        task_id: Some(t.id.to_string()),
        step: Some(t.name.clone()),
        agency: t.agency.clone(),
        deadline: t.due_at.unwrap_or(now).to_offset(PROVINCE_OFFSET),
        at: now.to_offset(PROVINCE_OFFSET),
    }
}

/// The agencies responsible for a dossier now: those holding a running step, else the
/// receiving one-stop.
pub(crate) fn responsible(case: &Case, tasks: &[Task]) -> String {
    let holders: Vec<&str> = tasks
        .iter()
        .filter(|t| t.state.is_running())
        .map(|t| t.agency.as_str())
        .collect();
    if holders.is_empty() {
        case.receiving_agency.clone()
    } else {
        holders.join(",")
    }
}

/// One round of near-due and overdue marks; returns how many were made by this worker. A
/// connection is held only while reading, never while marking (several scans at once must not
/// exhaust the pool).
pub(crate) async fn deadline_scan(s: &AppState) -> Result<usize, Problem> {
    let now = s.now();
    let candidates = store::alerts::task_candidates(
        &mut *s.pool.acquire().await?,
        now + HORIZON,
        None,
        true,
        500,
    )
    .await?;
    let agencies: Vec<&str> = candidates.iter().map(|(t, _)| t.agency.as_str()).collect();
    let cals = s.calendars(&agencies).await?;
    let mut made = 0;
    for (t, marked) in &candidates {
        for kind in alerts::task_alerts(cals.of(&t.agency), t, now, s.rules.near_due, marked) {
            made += usize::from(mark(s, ("task", t.id), kind, task_alert(t, now), now).await?);
        }
    }
    let cases =
        store::alerts::case_candidates(&mut *s.pool.acquire().await?, now + HORIZON, 500).await?;
    for (id, _) in cases {
        let (case, tasks, marked, apologised) = {
            let mut conn = s.pool.acquire().await?;
            let Some(case) = store::cases::get(&mut conn, id).await? else {
                continue;
            };
            let tasks = store::tasks::of_case(&mut conn, id).await?;
            let marked = store::alerts::marks(&mut conn, "case", id).await?;
            let apologised = store::extensions::exists(&mut conn, &case.dossier_code).await?;
            (case, tasks, marked, apologised)
        };
        let cal = s.catalogue.calendar(&case.receiving_agency).await?;
        for kind in alerts::case_alerts(&cal, &case, now, s.rules.near_due, &marked, apologised) {
            let payload = e::DeadlineAlert {
                dossier_code: case.dossier_code.clone(),
                task_id: None,
                step: None,
                agency: responsible(&case, &tasks),
                deadline: case.due_at.to_offset(PROVINCE_OFFSET),
                at: now.to_offset(PROVINCE_OFFSET),
            };
            made += usize::from(mark(s, ("case", id), kind, payload, now).await?);
        }
    }
    Ok(made)
}

/// Moves the unfinished steps of retired agencies to their successors; returns how many cases.
pub(crate) async fn succession_once(s: &AppState) -> Result<usize, Problem> {
    let now = s.now();
    let today = now.to_offset(PROVINCE_OFFSET).date();
    let agencies = store::tasks::unfinished_agencies(&mut *s.pool.acquire().await?).await?;
    let mut moved = 0;
    for from in agencies {
        let Some(successor) = s.catalogue.agency_on(&from, today).await? else {
            continue;
        };
        if successor.resolved_from.as_deref() != Some(from.as_str()) || successor.code == from {
            continue;
        }
        let at = successor
            .succeeded_on
            .map(|d| d.midnight().assume_offset(PROVINCE_OFFSET))
            .filter(|d| *d <= now)
            .unwrap_or(now);
        let cases =
            store::tasks::cases_with_unfinished_at(&mut *s.pool.acquire().await?, &from).await?;
        for id in cases {
            let (tx, case, tasks) = s.lock(id).await?;
            if let Some(u) = succession::reassign(&case, &tasks, &from, &successor.code, at) {
                s.write(tx, &u).await?;
                moved += 1;
                tracing::info!(dossier = %case.dossier_code, from = %from, to = %successor.code, "steps moved to the successor agency");
            }
        }
    }
    Ok(moved)
}
