//! Steps (task): loading them as domain types, and each step change a decision makes.

use crate::domain::case::{Task, TaskState};
use crate::domain::plan::TaskKind;
use crate::domain::update::TaskUpdate;
use motcua_calendar::{Timeliness, WorkingDuration};
use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;
use uuid::Uuid;

/// The columns of a task row, in [`TaskRow`]'s order.
pub const COLUMNS: &str = "id, case_id, dossier_code, position, block, name, agency, sector, kind, budget_minutes, state,
    claimed_by, opened_at, due_at, paused_at, paused_minutes, pauses_main_clock, completed_at, timeliness, lateness_minutes,
    supplement_requested_at";

/// A task row as stored.
#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    id: Uuid,
    case_id: Uuid,
    dossier_code: String,
    position: i32,
    block: i32,
    name: String,
    agency: String,
    sector: Option<String>,
    kind: String,
    budget_minutes: i64,
    state: String,
    claimed_by: Option<String>,
    opened_at: Option<OffsetDateTime>,
    due_at: Option<OffsetDateTime>,
    paused_at: Option<OffsetDateTime>,
    paused_minutes: i64,
    pauses_main_clock: bool,
    completed_at: Option<OffsetDateTime>,
    timeliness: Option<String>,
    lateness_minutes: Option<i64>,
    supplement_requested_at: Option<OffsetDateTime>,
}

fn decode(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored {what} {value:?} unknown").into())
}

fn timeliness_of(s: &str) -> Result<Timeliness, sqlx::Error> {
    Timeliness::parse(s).ok_or_else(|| decode("timeliness", s))
}

impl TryFrom<TaskRow> for Task {
    type Error = sqlx::Error;
    fn try_from(r: TaskRow) -> Result<Self, sqlx::Error> {
        Ok(Task {
            kind: TaskKind::parse(&r.kind).ok_or_else(|| decode("task kind", &r.kind))?,
            state: TaskState::parse(&r.state).ok_or_else(|| decode("task state", &r.state))?,
            timeliness: r.timeliness.as_deref().map(timeliness_of).transpose()?,
            budget: WorkingDuration::minutes(r.budget_minutes),
            id: r.id,
            case_id: r.case_id,
            dossier_code: r.dossier_code,
            position: r.position,
            block: r.block,
            name: r.name,
            agency: r.agency,
            sector: r.sector,
            claimed_by: r.claimed_by,
            opened_at: r.opened_at,
            due_at: r.due_at,
            paused_at: r.paused_at,
            paused_minutes: r.paused_minutes,
            pauses_main_clock: r.pauses_main_clock,
            completed_at: r.completed_at,
            lateness_minutes: r.lateness_minutes,
            supplement_requested_at: r.supplement_requested_at,
        })
    }
}

/// Parses rows.
pub fn parse(rows: Vec<TaskRow>) -> Result<Vec<Task>, sqlx::Error> {
    rows.into_iter().map(Task::try_from).collect()
}

/// The tasks of a case, in template order (in the transaction that holds the case's lock).
pub async fn of_case(conn: &mut PgConnection, case_id: Uuid) -> Result<Vec<Task>, sqlx::Error> {
    let rows: Vec<TaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM task WHERE case_id = $1 ORDER BY position"
    )))
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    parse(rows)
}

/// The case a task belongs to.
pub async fn case_of(conn: &mut PgConnection, id: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT case_id FROM task WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
}

/// Inserts a case's planned tasks.
pub async fn insert(tx: &mut PgConnection, tasks: &[Task]) -> Result<(), sqlx::Error> {
    if tasks.is_empty() {
        return Ok(());
    }
    let col = |f: &dyn Fn(&Task) -> Option<String>| tasks.iter().map(f).collect::<Vec<_>>();
    let done = |t: &Task, v: &str| t.completed_at.map(|_| v.to_string());
    sqlx::query(
        "INSERT INTO task (id, case_id, dossier_code, position, block, name, agency, sector, kind, budget_minutes,
                           state, opened_at, due_at, completed_at, completed_by, outcome, pauses_main_clock)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int4[], $5::int4[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::int8[], $11::text[],
                              $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::text[],
                              $16::text[], $17::bool[])",
    )
    .bind(tasks.iter().map(|t| t.id).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.case_id).collect::<Vec<_>>())
    .bind(col(&|t| Some(t.dossier_code.clone())))
    .bind(tasks.iter().map(|t| t.position).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.block).collect::<Vec<_>>())
    .bind(col(&|t| Some(t.name.clone())))
    .bind(col(&|t| Some(t.agency.clone())))
    .bind(tasks.iter().map(|t| t.sector.clone()).collect::<Vec<_>>())
    .bind(col(&|t| Some(t.kind.as_str().to_string())))
    .bind(tasks.iter().map(|t| t.budget.as_minutes()).collect::<Vec<_>>())
    .bind(col(&|t| Some(t.state.as_str().to_string())))
    .bind(tasks.iter().map(|t| t.opened_at).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.due_at).collect::<Vec<_>>())
    .bind(tasks.iter().map(|t| t.completed_at).collect::<Vec<_>>())
    .bind(col(&|t| done(t, "intake")))
    .bind(col(&|t| done(t, "done")))
    .bind(tasks.iter().map(|t| t.pauses_main_clock).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Writes one step change (`reason`: why the steps' clocks stopped, for a resume).
pub async fn apply(tx: &mut PgConnection, u: &TaskUpdate, reason: &str) -> Result<(), sqlx::Error> {
    match u {
        TaskUpdate::Open { id, at, due_at } => {
            sqlx::query(
                "UPDATE task SET state = 'open', opened_at = $2, due_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(at)
            .bind(due_at)
            .execute(&mut *tx)
            .await?;
        }
        TaskUpdate::Claim { id, by, at } => {
            sqlx::query(
                "UPDATE task SET state = 'claimed', claimed_by = $2, claimed_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(by)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        TaskUpdate::Finish {
            id,
            by,
            at,
            outcome,
            note,
            timeliness,
            lateness_minutes,
        } => {
            sqlx::query(
                "UPDATE task SET state = 'done', claimed_by = coalesce(claimed_by, $2), completed_at = $3, completed_by = $2,
                                 outcome = $4, note = $5, timeliness = $6, lateness_minutes = $7, paused_at = NULL
                  WHERE id = $1",
            )
            .bind(id).bind(by).bind(at).bind(outcome).bind(note.to_string()).bind(timeliness.map(Timeliness::as_str)).bind(lateness_minutes)
            .execute(&mut *tx)
            .await?;
        }
        TaskUpdate::Pause { id, at } => {
            sqlx::query("UPDATE task SET paused_at = $2 WHERE id = $1")
                .bind(id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        TaskUpdate::Resume(m) => {
            sqlx::query("UPDATE task SET paused_at = NULL, due_at = $2, paused_minutes = paused_minutes + $3 WHERE id = $1")
                .bind(m.task_id).bind(m.due_after).bind(m.waited.as_minutes()).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO step_pause (task_id, paused_at, resumed_at, working_minutes, due_before, due_after, reason)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(m.task_id).bind(m.paused_at).bind(m.resumed_at).bind(m.waited.as_minutes()).bind(m.due_before).bind(m.due_after).bind(reason)
            .execute(&mut *tx)
            .await?;
        }
        TaskUpdate::SupplementWait { id, since, by } => {
            sqlx::query(
                "UPDATE task SET supplement_requested_at = $2, claimed_by = coalesce(claimed_by, $3),
                                 state = CASE WHEN $3 IS NOT NULL AND state = 'open' THEN 'claimed' ELSE state END
                  WHERE id = $1",
            )
            .bind(id)
            .bind(since)
            .bind(by)
            .execute(&mut *tx)
            .await?;
        }
        TaskUpdate::Cancel { id } => {
            sqlx::query("UPDATE task SET state = 'cancelled', paused_at = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        TaskUpdate::Reassign { id, agency } => {
            sqlx::query("UPDATE task SET agency = $2, claimed_by = NULL, state = CASE WHEN state = 'claimed' THEN 'open' ELSE state END WHERE id = $1")
                .bind(id).bind(agency).execute(&mut *tx).await?;
        }
    }
    Ok(())
}

/// One page (plus one row) of an agency's inbox, soonest deadline first.
pub async fn inbox(
    conn: &mut PgConnection,
    f: &crate::domain::inbox::InboxFilter,
) -> Result<Vec<Task>, sqlx::Error> {
    let states: Vec<String> = f.states.iter().map(|s| s.to_string()).collect();
    let rows: Vec<TaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM task
          WHERE agency = $1 AND state = ANY($2)
            AND ($3::text IS NULL OR sector = $3)
            AND ($4::text IS NULL OR name = $4)
            AND ($5::timestamptz IS NULL OR due_at < $5)
            AND ($6::timestamptz IS NULL OR (coalesce(due_at, $8), id) > ($6, $7))
          ORDER BY coalesce(due_at, $8), id
          LIMIT $9"
    )))
    .bind(&f.agency)
    .bind(&states)
    .bind(&f.sector)
    .bind(&f.step)
    .bind(f.due_before)
    .bind(f.after.map(|a| a.0))
    .bind(f.after.map(|a| a.1).unwrap_or_default())
    .bind(crate::domain::inbox::NO_DEADLINE)
    .bind(f.limit + 1)
    .fetch_all(&mut *conn)
    .await?;
    parse(rows)
}

/// Agencies holding unfinished steps (succession checks them).
pub async fn unfinished_agencies(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT DISTINCT agency FROM task WHERE state IN ('pending', 'open', 'claimed') ORDER BY agency")
        .fetch_all(&mut *conn)
        .await
}

/// Cases with unfinished steps at `agency`.
pub async fn cases_with_unfinished_at(
    conn: &mut PgConnection,
    agency: &str,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT DISTINCT case_id FROM task WHERE agency = $1 AND state IN ('pending', 'open', 'claimed')")
        .bind(agency)
        .fetch_all(&mut *conn)
        .await
}
