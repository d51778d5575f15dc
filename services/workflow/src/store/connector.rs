//! The sector connector's SQL (`connector_offer`): the steps a stream may send an account next
//! (in its scope, offerable, not acknowledged, oldest first), where the steps it sent are now,
//! what it offered and what the account acknowledged.

use crate::domain::case::Task;
use crate::domain::connector::{Scope, Sent};
use crate::store::tasks::{COLUMNS, TaskRow};
use sqlx::{FromRow, PgConnection};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// The condition of a step offerable to account `$1` of agency `$2` (and sector `$3`): the SQL
/// twin of `domain::connector::offerable`, which the caller applies again to what it reads.
const OFFERABLE: &str =
    "t.agency = $2 AND ($3::text IS NULL OR t.sector = $3) AND t.kind = 'process'
    AND (t.state = 'open' OR (t.state = 'claimed' AND t.claimed_by = $1))";

/// A step with its dossier's procedure code, as a stream sends it.
#[derive(Debug, FromRow)]
struct OfferRow {
    #[sqlx(flatten)]
    task: TaskRow,
    procedure_code: String,
}

/// A step to send, with its dossier's procedure.
#[derive(Debug, Clone)]
pub struct Offered {
    /// The step.
    pub task: Task,
    /// Its dossier's procedure code.
    pub procedure_code: String,
}

/// At most `limit` steps offerable to the account of `scope`, not acknowledged by it and not in
/// `sent`, oldest first (by the time they reached the agency, then id).
pub async fn next(
    conn: &mut PgConnection,
    scope: &Scope,
    sent: &[Uuid],
    limit: i64,
) -> Result<Vec<Offered>, sqlx::Error> {
    let columns = COLUMNS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<OfferRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {columns}, c.procedure_code FROM task t JOIN dossier_case c ON c.id = t.case_id
          WHERE {OFFERABLE}
            AND NOT EXISTS (SELECT 1 FROM connector_offer o
                             WHERE o.account = $1 AND o.task_id = t.id AND o.acked_at IS NOT NULL)
            AND NOT (t.id = ANY($4))
          ORDER BY t.opened_at, t.id
          LIMIT $5"
    )))
    .bind(&scope.account)
    .bind(&scope.agency)
    .bind(&scope.sector)
    .bind(sent)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Offered {
                task: Task::try_from(r.task)?,
                procedure_code: r.procedure_code,
            })
        })
        .collect()
}

/// Where each of the steps in `sent` is now for the account of `scope`.
pub async fn settle(
    conn: &mut PgConnection,
    scope: &Scope,
    sent: &[Uuid],
) -> Result<Vec<(Uuid, Sent)>, sqlx::Error> {
    if sent.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Uuid, bool, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.id, o.acked_at IS NOT NULL, {OFFERABLE}
           FROM task t LEFT JOIN connector_offer o ON o.account = $1 AND o.task_id = t.id
          WHERE t.id = ANY($4)"
    )))
    .bind(&scope.account)
    .bind(&scope.agency)
    .bind(&scope.sector)
    .bind(sent)
    .fetch_all(&mut *conn)
    .await?;
    let found: HashMap<Uuid, Sent> = rows
        .into_iter()
        .map(|(id, acked, offerable)| {
            let now = match (acked, offerable) {
                (true, _) => Sent::Acked,
                (false, true) => Sent::Waiting,
                (false, false) => Sent::Gone,
            };
            (id, now)
        })
        .collect();
    Ok(sent
        .iter()
        .map(|id| (*id, found.get(id).copied().unwrap_or(Sent::Gone)))
        .collect())
}

/// Records that `tasks` were offered to `account` at `at` (kept as first offered when offered
/// again); returns each one's position in the account's stream, in order.
pub async fn offer(
    conn: &mut PgConnection,
    account: &str,
    tasks: &[Uuid],
    at: OffsetDateTime,
) -> Result<Vec<i64>, sqlx::Error> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query(
        "INSERT INTO connector_offer (account, task_id, offered_at)
         SELECT $1, id, $3 FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, ord) ORDER BY ord
         ON CONFLICT (account, task_id) DO NOTHING",
    )
    .bind(account)
    .bind(tasks)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT task_id, offer FROM connector_offer WHERE account = $1 AND task_id = ANY($2)",
    )
    .bind(account)
    .bind(tasks)
    .fetch_all(&mut *conn)
    .await?;
    let by_id: HashMap<Uuid, i64> = rows.into_iter().collect();
    Ok(tasks
        .iter()
        .map(|id| by_id.get(id).copied().unwrap_or(0))
        .collect())
}

/// Records `account`'s acknowledgement of `task` at `at`; `false` when it was recorded before
/// (the first acknowledgement stays).
pub async fn ack(
    tx: &mut PgConnection,
    account: &str,
    task: Uuid,
    at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let first: Option<bool> = sqlx::query_scalar(
        "INSERT INTO connector_offer (account, task_id, offered_at, acked_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (account, task_id) DO UPDATE SET acked_at = coalesce(connector_offer.acked_at, $3)
         RETURNING acked_at = $3",
    )
    .bind(account)
    .bind(task)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(first.unwrap_or(false))
}

/// Whether `account` acknowledged `task`.
pub async fn acked(
    conn: &mut PgConnection,
    account: &str,
    task: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM connector_offer
                         WHERE account = $1 AND task_id = $2 AND acked_at IS NOT NULL)",
    )
    .bind(account)
    .bind(task)
    .fetch_one(&mut *conn)
    .await
}

/// The position of `task` in `account`'s stream, when it was offered.
pub async fn position(
    conn: &mut PgConnection,
    account: &str,
    task: Uuid,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT offer FROM connector_offer WHERE account = $1 AND task_id = $2")
        .bind(account)
        .bind(task)
        .fetch_optional(&mut *conn)
        .await
}
