//! Cases (dossier_case): loading and locking them as domain types, opening them, and writing
//! everything a decision decided — the case, its steps, the control slip and the events — in
//! the caller's transaction.

use crate::domain::case::{Case, CaseState};
use crate::domain::update::{Announcement, CaseUpdate};
use crate::store::{handovers, tasks};
use sqlx::{FromRow, PgConnection};
use time::OffsetDateTime;
use uuid::Uuid;

const COLUMNS: &str =
    "id, dossier_code, procedure_code, receiving_agency, state, received_at, due_at, forward_at,
    forward_due, forwarded_at, paused_at, main_clock_paused_at, completed_at";

/// A case row as stored.
#[derive(Debug, Clone, FromRow)]
struct CaseRow {
    id: Uuid,
    dossier_code: String,
    procedure_code: String,
    receiving_agency: String,
    state: String,
    received_at: OffsetDateTime,
    due_at: OffsetDateTime,
    forward_at: Option<OffsetDateTime>,
    forward_due: Option<OffsetDateTime>,
    forwarded_at: Option<OffsetDateTime>,
    paused_at: Option<OffsetDateTime>,
    main_clock_paused_at: Option<OffsetDateTime>,
    completed_at: Option<OffsetDateTime>,
}

impl TryFrom<CaseRow> for Case {
    type Error = sqlx::Error;
    fn try_from(r: CaseRow) -> Result<Self, sqlx::Error> {
        Ok(Case {
            state: CaseState::parse(&r.state).ok_or_else(|| {
                sqlx::Error::Decode(format!("stored case state {:?} unknown", r.state).into())
            })?,
            id: r.id,
            dossier_code: r.dossier_code,
            procedure_code: r.procedure_code,
            receiving_agency: r.receiving_agency,
            received_at: r.received_at,
            due_at: r.due_at,
            forward_at: r.forward_at,
            forward_due: r.forward_due,
            forwarded_at: r.forwarded_at,
            paused_at: r.paused_at,
            main_clock_paused_at: r.main_clock_paused_at,
            completed_at: r.completed_at,
        })
    }
}

/// How a case is looked up.
enum Key<'a> {
    Dossier(&'a str),
    Id(Uuid),
}

async fn select(
    conn: &mut PgConnection,
    key: Key<'_>,
    lock: &str,
) -> Result<Option<Case>, sqlx::Error> {
    let filter = match key {
        Key::Dossier(_) => "dossier_code = $1",
        Key::Id(_) => "id = $1::uuid",
    };
    let q = sqlx::query_as::<_, CaseRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM dossier_case WHERE {filter} {lock}"
    )));
    let q = match key {
        Key::Dossier(code) => q.bind(code.to_string()),
        Key::Id(id) => q.bind(id.to_string()),
    };
    let row = q.fetch_optional(&mut *conn).await?;
    row.map(Case::try_from).transpose()
}

/// The case of a dossier.
pub async fn by_dossier(conn: &mut PgConnection, code: &str) -> Result<Option<Case>, sqlx::Error> {
    select(conn, Key::Dossier(code), "").await
}

/// A case by id.
pub async fn get(conn: &mut PgConnection, id: Uuid) -> Result<Option<Case>, sqlx::Error> {
    select(conn, Key::Id(id), "").await
}

/// A case by id, locked.
pub async fn lock(tx: &mut PgConnection, id: Uuid) -> Result<Option<Case>, sqlx::Error> {
    select(tx, Key::Id(id), "FOR UPDATE").await
}

/// A case by id, locked unless another transaction holds it (workers skip busy cases).
pub async fn try_lock(tx: &mut PgConnection, id: Uuid) -> Result<Option<Case>, sqlx::Error> {
    select(tx, Key::Id(id), "FOR UPDATE SKIP LOCKED").await
}

/// Inserts a new case; `false` when the dossier already has one.
pub async fn insert(
    tx: &mut PgConnection,
    c: &Case,
    procedure_version: i32,
    due_provisional: bool,
    opened_by: Uuid,
    paper: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO dossier_case (id, dossier_code, procedure_code, procedure_version, receiving_agency, state, opened_at,
                                   received_at, due_at, due_provisional, opened_by_event, trace_id, forward_at, forward_due, paper)
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (dossier_code) DO NOTHING",
    )
    .bind(c.id)
    .bind(&c.dossier_code)
    .bind(&c.procedure_code)
    .bind(procedure_version)
    .bind(&c.receiving_agency)
    .bind(c.received_at)
    .bind(c.due_at)
    .bind(due_provisional)
    .bind(opened_by)
    .bind(motcua_telemetry::propagation::current_trace_id())
    .bind(c.forward_at)
    .bind(c.forward_due)
    .bind(paper)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records one event for its destinations, in `tx`.
pub async fn announce(
    tx: &mut PgConnection,
    subject: &str,
    a: &Announcement,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let (event_type, dest) = (a.event_type(), a.destinations());
    macro_rules! record {
        ($p:expr) => {
            motcua_outbox::record(
                tx,
                motcua_outbox::NewEvent {
                    event_type,
                    subject,
                    payload: $p,
                    occurred_at: at,
                },
                dest,
            )
            .await?
        };
    }
    match a {
        Announcement::Opened(p) | Announcement::Completed(p) => record!(p),
        Announcement::MainClock(p) => record!(p),
        Announcement::Extended(p) => record!(p),
        Announcement::Alert(_, p) => record!(p),
        Announcement::DeadlineMoved(p) => record!(p),
        Announcement::Step(_, p) => record!(p),
    };
    Ok(())
}

/// Writes everything `u` decided at `now`, in `tx`.
pub async fn apply(
    tx: &mut PgConnection,
    u: &CaseUpdate,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE dossier_case SET
            state = coalesce($2, state),
            forwarded_at = coalesce($3, forwarded_at),
            forward_due = coalesce($12, forward_due),
            paused_at = CASE WHEN $4 THEN $5 ELSE paused_at END,
            main_clock_paused_at = CASE WHEN $6 THEN $7 ELSE main_clock_paused_at END,
            due_at = coalesce($8, due_at),
            completed_at = coalesce($9, completed_at),
            closed_reason = coalesce($10, closed_reason),
            closed_at = coalesce($11, closed_at)
          WHERE id = $1",
    )
    .bind(u.case_id)
    .bind(u.state.map(CaseState::as_str))
    .bind(u.forwarded_at)
    .bind(u.paused_at.is_some())
    .bind(u.paused_at.flatten())
    .bind(u.main_clock_paused_at.is_some())
    .bind(u.main_clock_paused_at.flatten())
    .bind(u.due_at)
    .bind(u.completed_at)
    .bind(u.closed.as_ref().map(|c| c.0.as_str()))
    .bind(u.closed.as_ref().map(|c| c.1))
    .bind(u.forward_due)
    .execute(&mut *tx)
    .await?;
    for t in &u.tasks {
        tasks::apply(tx, t, u.pause_reason.unwrap_or("wait")).await?;
    }
    for h in &u.handovers {
        handovers::insert(tx, &u.dossier_code, h).await?;
    }
    for a in &u.announcements {
        announce(tx, &u.dossier_code, a, now).await?;
    }
    Ok(())
}

/// Agencies holding a running step now, and every agency with a step (the dossier's path).
pub async fn agencies(
    conn: &mut PgConnection,
    case_id: Uuid,
) -> Result<(Vec<String>, Vec<String>), sqlx::Error> {
    sqlx::query_as(
        "SELECT coalesce(array_agg(DISTINCT agency) FILTER (WHERE state IN ('open', 'claimed')), '{}'),
                coalesce(array_agg(DISTINCT agency), '{}')
           FROM task WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_one(&mut *conn)
    .await
}

/// Cases to forward now (received after the cut-off, the next working day come).
pub async fn due_for_forwarding(
    conn: &mut PgConnection,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM dossier_case WHERE forwarded_at IS NULL AND state = 'open' AND forward_at <= $1 ORDER BY forward_at LIMIT $2")
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
}

/// The trace id of the request that created the dossier.
pub async fn trace_id(conn: &mut PgConnection, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT trace_id FROM dossier_case WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
}
