//! Near-due and overdue marks (deadline_alert): once each per step or dossier, held by the
//! primary key, so several workers never mark or announce twice; and the candidates to check.

use crate::domain::alerts::AlertKind;
use crate::domain::case::{Case, Task};
use crate::store::tasks::{COLUMNS, TaskRow};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// A candidate step with the marks it has, in one row.
#[derive(sqlx::FromRow)]
struct Candidate {
    #[sqlx(flatten)]
    task: TaskRow,
    marks: Vec<String>,
}

/// Running steps whose clock runs and whose deadline is before `horizon`, with the marks they
/// have (`agency`: only that agency's; `unmarked`: only those not yet marked overdue).
pub async fn task_candidates(
    conn: &mut PgConnection,
    horizon: OffsetDateTime,
    agency: Option<&str>,
    unmarked: bool,
    limit: i64,
) -> Result<Vec<(Task, Vec<AlertKind>)>, sqlx::Error> {
    let cols = COLUMNS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<Candidate> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {cols},
                coalesce(array_agg(a.kind) FILTER (WHERE a.kind IS NOT NULL), '{{}}') AS marks
           FROM task t
           LEFT JOIN deadline_alert a ON a.subject_kind = 'task' AND a.subject_id = t.id
          WHERE t.state IN ('open', 'claimed') AND t.paused_at IS NULL AND t.due_at <= $1
            AND ($2::text IS NULL OR t.agency = $2)
          GROUP BY t.id
         HAVING NOT $4 OR NOT bool_or(a.kind IS NOT DISTINCT FROM 'overdue')
          ORDER BY t.due_at LIMIT $3"
    )))
    .bind(horizon)
    .bind(agency)
    .bind(limit)
    .bind(unmarked)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let marks = r.marks.iter().filter_map(|k| AlertKind::parse(k)).collect();
        out.push((Task::try_from(r.task)?, marks));
    }
    Ok(out)
}

/// The marks a step or case has.
pub async fn marks(
    conn: &mut PgConnection,
    subject_kind: &str,
    id: Uuid,
) -> Result<Vec<AlertKind>, sqlx::Error> {
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM deadline_alert WHERE subject_kind = $1 AND subject_id = $2",
    )
    .bind(subject_kind)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(kinds.iter().filter_map(|k| AlertKind::parse(k)).collect())
}

/// Open, forwarded cases whose main clock runs and whose appointment is before `horizon`, that
/// may still need a mark: not yet overdue, or overdue without an apology and not yet marked
/// late without one.
pub async fn case_candidates(
    conn: &mut PgConnection,
    horizon: OffsetDateTime,
    limit: i64,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.dossier_code FROM dossier_case c
          WHERE c.state = 'open' AND c.forwarded_at IS NOT NULL AND c.main_clock_paused_at IS NULL AND c.due_at <= $1
            AND (NOT EXISTS (SELECT 1 FROM deadline_alert a WHERE a.subject_kind = 'case' AND a.subject_id = c.id AND a.kind = 'overdue')
                 OR (NOT EXISTS (SELECT 1 FROM deadline_alert a WHERE a.subject_kind = 'case' AND a.subject_id = c.id
                                  AND a.kind = 'late_without_apology')
                     AND NOT EXISTS (SELECT 1 FROM extension x WHERE x.dossier_code = c.dossier_code)))
          ORDER BY c.due_at LIMIT $2",
    )
    .bind(horizon)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// Marks `kind` on a step or case; `false` when it was marked already (by this or another
/// worker: then nothing is announced).
#[allow(clippy::too_many_arguments)]
pub async fn mark(
    tx: &mut PgConnection,
    subject_kind: &str,
    id: Uuid,
    kind: AlertKind,
    dossier_code: &str,
    agency: &str,
    deadline: OffsetDateTime,
    at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO deadline_alert (subject_kind, subject_id, kind, dossier_code, agency, deadline, marked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(subject_kind)
    .bind(id)
    .bind(kind.as_str())
    .bind(dossier_code)
    .bind(agency)
    .bind(deadline)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Open cases (not waiting, main clock running) due within `horizon`, for the overdue list:
/// those received by `agency` or with a running step there (every one when `None`).
pub async fn cases_due(
    conn: &mut PgConnection,
    horizon: OffsetDateTime,
    agency: Option<&str>,
    limit: i64,
) -> Result<Vec<Case>, sqlx::Error> {
    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT c.dossier_code FROM dossier_case c
          WHERE c.state = 'open' AND c.forwarded_at IS NOT NULL AND c.main_clock_paused_at IS NULL AND c.due_at <= $1
            AND ($2::text IS NULL OR c.receiving_agency = $2
                 OR EXISTS (SELECT 1 FROM task t WHERE t.case_id = c.id AND t.agency = $2 AND t.state IN ('open', 'claimed')))
          ORDER BY c.due_at LIMIT $3",
    )
    .bind(horizon)
    .bind(agency)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        if let Some(c) = crate::store::cases::by_dossier(conn, &code).await? {
            out.push(c);
        }
    }
    Ok(out)
}
