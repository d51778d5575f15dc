//! Cases (dossier_case): loading and locking them as domain types, opening them, and writing
//! everything a decision decided — the case, its steps, the control slip, the events, the
//! sector systems' webhook deliveries and the audit record — in the caller's transaction.

use crate::domain::audit;
use crate::domain::case::{Case, CaseState};
use crate::domain::update::{Announcement, CaseUpdate};
use crate::store::{deliveries, handovers, tasks};
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

/// A case to open with what its row records beyond the plan.
pub struct Opening<'a> {
    /// The planned case.
    pub case: &'a Case,
    /// The procedure version it was planned from.
    pub procedure_version: i32,
    /// Whether the appointment is provisional.
    pub due_provisional: bool,
    /// The `dossier.received` event that opened it.
    pub opened_by: Uuid,
    /// Whether paper components travel with it.
    pub paper: bool,
    /// The trace of the request that received the dossier.
    pub trace_id: Option<String>,
}

/// Inserts a run of planned cases (state `open`), in one statement; for each, whether it was inserted now (a
/// dossier that already has its case keeps it).
pub async fn insert_all(
    tx: &mut PgConnection,
    o: &[Opening<'_>],
) -> Result<Vec<bool>, sqlx::Error> {
    let text = |f: for<'x> fn(&'x Opening<'_>) -> &'x str| o.iter().map(f).collect::<Vec<_>>();
    let inserted: Vec<String> = sqlx::query_scalar(
        "INSERT INTO dossier_case (id, dossier_code, procedure_code, procedure_version, receiving_agency, state, opened_at,
                                   received_at, due_at, due_provisional, opened_by_event, trace_id, forward_at, forward_due, paper)
         SELECT id, code, procedure_code, version, agency, 'open', received_at, received_at, due_at, provisional,
                opened_by, trace_id, forward_at, forward_due, paper
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int4[], $5::text[], $6::timestamptz[],
                       $7::timestamptz[], $8::bool[], $9::uuid[], $10::text[], $11::timestamptz[],
                       $12::timestamptz[], $13::bool[])
             AS x(id, code, procedure_code, version, agency, received_at, due_at, provisional, opened_by,
                  trace_id, forward_at, forward_due, paper)
         ON CONFLICT (dossier_code) DO NOTHING RETURNING dossier_code",
    )
    .bind(o.iter().map(|x| x.case.id).collect::<Vec<_>>())
    .bind(text(|x| &x.case.dossier_code))
    .bind(text(|x| &x.case.procedure_code))
    .bind(o.iter().map(|x| x.procedure_version).collect::<Vec<_>>())
    .bind(text(|x| &x.case.receiving_agency))
    .bind(o.iter().map(|x| x.case.received_at).collect::<Vec<_>>())
    .bind(o.iter().map(|x| x.case.due_at).collect::<Vec<_>>())
    .bind(o.iter().map(|x| x.due_provisional).collect::<Vec<_>>())
    .bind(o.iter().map(|x| x.opened_by).collect::<Vec<_>>())
    .bind(o.iter().map(|x| x.trace_id.as_deref()).collect::<Vec<_>>())
    .bind(o.iter().map(|x| x.case.forward_at).collect::<Vec<_>>())
    .bind(o.iter().map(|x| x.case.forward_due).collect::<Vec<_>>())
    .bind(o.iter().map(|x| x.paper).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    let inserted: std::collections::HashSet<String> = inserted.into_iter().collect();
    Ok(o.iter()
        .map(|x| inserted.contains(&x.case.dossier_code))
        .collect())
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

/// Writes everything `u` decided at `now`, in `tx`, with its audit record (appended last: it
/// holds the chain's head until the transaction ends).
pub async fn apply(
    tx: &mut PgConnection,
    u: &CaseUpdate,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    write(tx, u, now).await?;
    motcua_audit::append(tx, &[audit::entry(u, now)]).await
}

/// Writes everything `u` decided at `now`, in `tx`, without its audit record (the caller
/// appends [`audit::entry`] with the others of its transaction).
pub async fn write(
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
    // Sector systems' webhooks, in the same transaction: a change and its deliveries commit
    // or roll back together.
    deliveries::fan_out(tx, &u.tasks, &u.announcements, now).await?;
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
