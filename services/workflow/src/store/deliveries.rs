//! Webhook deliveries (webhook_delivery): written in the transaction of the change they report
//! (one per matching subscription and event, the exact body kept), claimed by the dispatcher
//! with a lease (`FOR UPDATE SKIP LOCKED`; only the oldest undelivered, not dead delivery of
//! each subscription and dossier), their outcomes, dead letters and their replay. Every time
//! here is the database's `now()`: real time, never the service's test clock.

use crate::domain::delivery::{AfterFailure, DeadLetter};
use crate::domain::update::{Announcement, TaskUpdate};
use crate::domain::webhook::{self, Step};
use crate::store::subscriptions;
use sqlx::{FromRow, PgConnection, PgPool};
use std::collections::HashMap;
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// A step row as events show it.
#[derive(FromRow)]
struct StepRow {
    id: Uuid,
    dossier_code: String,
    procedure_code: String,
    name: String,
    agency: String,
    sector: Option<String>,
    block: i32,
    state: String,
    opened_at: Option<OffsetDateTime>,
    due_at: Option<OffsetDateTime>,
    budget_minutes: i64,
}

async fn steps(conn: &mut PgConnection, ids: &[Uuid]) -> Result<HashMap<Uuid, Step>, sqlx::Error> {
    let rows: Vec<StepRow> = sqlx::query_as(
        "SELECT t.id, t.dossier_code, c.procedure_code, t.name, t.agency, t.sector, t.block, t.state,
                t.opened_at, t.due_at, t.budget_minutes
           FROM task t JOIN dossier_case c ON c.id = t.case_id WHERE t.id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let step = Step {
                id: r.id,
                dossier_code: r.dossier_code,
                procedure_code: r.procedure_code,
                name: r.name,
                agency: r.agency,
                sector: r.sector,
                block: r.block,
                state: r.state,
                opened_at: r.opened_at,
                due_at: r.due_at,
                budget_minutes: r.budget_minutes,
            };
            (r.id, step)
        })
        .collect())
}

/// Records, in `tx` (after the change is written), a delivery of each step event the change
/// offers to each live subscription it matches, in the change's order; returns how many.
/// Without a subscription to any of the types, one query and nothing else.
pub async fn fan_out(
    tx: &mut PgConnection,
    tasks: &[TaskUpdate],
    announcements: &[Announcement],
    now: OffsetDateTime,
) -> Result<usize, sqlx::Error> {
    let offers = webhook::offers(tasks, announcements);
    if offers.is_empty() {
        return Ok(0);
    }
    let mut types: Vec<&str> = offers.iter().map(|o| o.event_type.as_str()).collect();
    types.dedup();
    let subs = subscriptions::live_for(tx, &types).await?;
    if subs.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = offers.iter().map(|o| o.task_id).collect();
    let steps = steps(tx, &ids).await?;
    let events: Vec<webhook::Event> = offers
        .iter()
        .filter_map(|o| webhook::event(o, steps.get(&o.task_id)?, now))
        .collect();
    let to = webhook::deliveries(&events, &subs);
    if to.is_empty() {
        return Ok(0);
    }
    let ev = |i: usize| &events[i];
    sqlx::query(
        "INSERT INTO webhook_delivery (id, subscription_id, dossier_code, event_type, body)
         SELECT id, sub, code, kind, body
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
                WITH ORDINALITY AS x(id, sub, code, kind, body, n)
          ORDER BY n",
    )
    .bind(to.iter().map(|_| Uuid::now_v7()).collect::<Vec<_>>())
    .bind(to.iter().map(|(s, _)| *s).collect::<Vec<_>>())
    .bind(
        to.iter()
            .map(|(_, i)| ev(*i).dossier_code.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        to.iter()
            .map(|(_, i)| ev(*i).event_type.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        to.iter()
            .map(|(_, i)| ev(*i).body.as_str())
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    Ok(to.len())
}

/// A delivery claimed for one attempt.
#[derive(Debug, Clone, FromRow)]
pub struct Due {
    /// Its place in the order of deliveries.
    pub seq: i64,
    /// The delivery (`webhook-id`).
    pub id: Uuid,
    /// Its subscription.
    pub subscription_id: Uuid,
    /// Its dossier.
    pub dossier_code: String,
    /// Attempts made before this one.
    pub attempts: i32,
    /// The exact body.
    pub body: String,
    /// Where it goes.
    pub url: String,
    /// The subscription's secret.
    pub secret: String,
    /// The rotated-out secret while it still signs.
    pub previous_secret: Option<String>,
}

/// Claims up to `limit` due deliveries, oldest first, each the oldest undelivered and not dead
/// one of its subscription and dossier, to a live subscription; leased for `lease` (another
/// dispatcher skips them meanwhile, and takes them up after it if this one dies).
pub async fn claim(pool: &PgPool, limit: i64, lease: Duration) -> Result<Vec<Due>, sqlx::Error> {
    let mut due: Vec<Due> = sqlx::query_as(
        "WITH due AS (
            SELECT d.id FROM webhook_delivery d
              JOIN webhook_subscription s ON s.id = d.subscription_id AND s.deleted_at IS NULL
             WHERE d.delivered_at IS NULL AND d.dead_at IS NULL AND d.next_attempt_at <= now()
               AND NOT EXISTS (
                   SELECT 1 FROM webhook_delivery p
                    WHERE p.subscription_id = d.subscription_id AND p.dossier_code = d.dossier_code
                      AND p.delivered_at IS NULL AND p.dead_at IS NULL AND p.seq < d.seq)
             ORDER BY d.seq
             LIMIT $1
               FOR UPDATE OF d SKIP LOCKED)
         UPDATE webhook_delivery d SET next_attempt_at = now() + make_interval(secs => $2)
           FROM due, webhook_subscription s
          WHERE d.id = due.id AND s.id = d.subscription_id
         RETURNING d.seq, d.id, d.subscription_id, d.dossier_code, d.attempts, d.body, s.url, s.secret,
                   CASE WHEN s.previous_valid_until > now() THEN s.previous_secret END AS previous_secret",
    )
    .bind(limit)
    .bind(lease.as_secs_f64())
    .fetch_all(pool)
    .await?;
    due.sort_by_key(|d| d.seq);
    Ok(due)
}

/// The receiver took it.
pub async fn delivered(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_delivery SET delivered_at = now(), attempts = attempts + 1, last_error = NULL
          WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// An attempt failed with `error`: retried after the delay, or dead.
pub async fn failed(
    pool: &PgPool,
    id: Uuid,
    error: &str,
    after: AfterFailure,
) -> Result<(), sqlx::Error> {
    let (dead, delay) = match after {
        AfterFailure::Dead => (true, 0.0),
        AfterFailure::Retry(d) => (false, d.as_secs_f64()),
    };
    sqlx::query(
        "UPDATE webhook_delivery
            SET attempts = attempts + 1, last_error = $2,
                dead_at = CASE WHEN $3 THEN now() END,
                next_attempt_at = CASE WHEN $3 THEN next_attempt_at ELSE now() + make_interval(secs => $4) END
          WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .bind(error)
    .bind(dead)
    .bind(delay)
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives back the lease of deliveries that were not tried.
pub async fn release(pool: &PgPool, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query("UPDATE webhook_delivery SET next_attempt_at = now() WHERE id = ANY($1) AND delivered_at IS NULL")
        .bind(ids)
        .execute(pool)
        .await?;
    Ok(())
}

/// A dead delivery row.
#[derive(FromRow)]
struct DeadRow {
    id: Uuid,
    subscription_id: Uuid,
    url: String,
    event_type: String,
    dossier_code: String,
    attempts: i32,
    last_error: Option<String>,
    dead_at: OffsetDateTime,
}

/// One page (plus one row) of dead deliveries to live subscriptions after `after`, oldest first.
pub async fn dead_letters(
    conn: &mut PgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DeadLetter>, sqlx::Error> {
    let rows: Vec<DeadRow> = sqlx::query_as(
        "SELECT d.id, d.subscription_id, s.url, d.event_type, d.dossier_code, d.attempts, d.last_error, d.dead_at
           FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id AND s.deleted_at IS NULL
          WHERE d.dead_at IS NOT NULL AND ($1::uuid IS NULL OR d.id > $1)
          ORDER BY d.id LIMIT $2",
    )
    .bind(after)
    .bind(limit + 1)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DeadLetter {
            id: r.id,
            subscription_id: r.subscription_id,
            url: r.url,
            event_type: r.event_type,
            dossier_code: r.dossier_code,
            attempts: r.attempts,
            last_error: r.last_error,
            dead_at: r.dead_at,
        })
        .collect())
}

/// A delivery of a live subscription, as a replay finds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Replay {
    /// It was dead and is pending again, attempts reset: its attempts and last error before.
    Replayed(i32, Option<String>),
    /// It was not dead (pending, or delivered when `true`): nothing changed.
    NotDead(bool),
}

/// Makes dead delivery `id` pending again (attempts reset, due now), in `tx`; `None` when
/// there is no such delivery of a live subscription.
pub async fn replay(tx: &mut PgConnection, id: Uuid) -> Result<Option<Replay>, sqlx::Error> {
    let row: Option<(i32, Option<String>, bool, bool)> = sqlx::query_as(
        "SELECT d.attempts, d.last_error, d.dead_at IS NOT NULL, d.delivered_at IS NOT NULL
           FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id AND s.deleted_at IS NULL
          WHERE d.id = $1 FOR UPDATE OF d",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((attempts, last_error, dead, delivered)) = row else {
        return Ok(None);
    };
    if !dead {
        return Ok(Some(Replay::NotDead(delivered)));
    }
    sqlx::query(
        "UPDATE webhook_delivery SET dead_at = NULL, attempts = 0, last_error = NULL, next_attempt_at = now()
          WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(Some(Replay::Replayed(attempts, last_error)))
}

/// How the deliveries stand: dead letters of live subscriptions, and the age in seconds of
/// the oldest delivery still to make (0 when none).
pub async fn health(pool: &PgPool) -> Result<(i64, f64), sqlx::Error> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM webhook_delivery d JOIN webhook_subscription s
                    ON s.id = d.subscription_id AND s.deleted_at IS NULL
                  WHERE d.dead_at IS NOT NULL),
                coalesce((SELECT extract(epoch FROM now() - min(d.created_at))::float8
                            FROM webhook_delivery d JOIN webhook_subscription s
                              ON s.id = d.subscription_id AND s.deleted_at IS NULL
                           WHERE d.delivered_at IS NULL AND d.dead_at IS NULL), 0)",
    )
    .fetch_one(pool)
    .await
}
