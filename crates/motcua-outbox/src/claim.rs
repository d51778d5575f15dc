//! A relay round's claim (lấy việc giao): the due deliveries of each destination, oldest first,
//! leased to the round with `FOR UPDATE SKIP LOCKED` so another replica skips them, and read in
//! order from the front of `outbox_delivery_due` ([`crate::DUE_INDEX_DDL`]) so a claim costs the
//! same with a backlog of tens of thousands as with none.

use motcua_proto::common::v1::Event;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};
use time::OffsetDateTime;
use uuid::Uuid;

/// How long a round's claim keeps other replicas off its deliveries: short enough that the
/// deliveries of a relay that died are taken up again soon.
pub const LEASE_SECONDS: i64 = 30;

/// The statement a round claims one destination's due deliveries with (`$1` how many, `$2`
/// the destination, `$3` the lease in seconds); public so a test can read its plan. A delivery
/// is due when it is its subject's first pending one, asked as a correlated `min` (a subplan
/// per candidate that looks up its own subject) rather than `NOT EXISTS`: with the statistics
/// of a table that was small minutes ago, the planner turned `NOT EXISTS` into an anti-join
/// that read every pending row of the destination for each candidate (1.3 s per claim at
/// 18,000 pending).
pub const CLAIM_SQL: &str = "WITH due AS (
            SELECT d.event_id, d.destination FROM outbox_delivery d
             WHERE d.destination = $2 AND d.delivered_at IS NULL AND d.dead_at IS NULL
               AND d.next_attempt_at <= now()
               AND d.seq = (
                   SELECT min(p.seq) FROM outbox_delivery p
                    WHERE p.destination = d.destination AND p.subject = d.subject
                      AND p.delivered_at IS NULL AND p.dead_at IS NULL)
             ORDER BY d.seq
             LIMIT $1
               FOR UPDATE OF d SKIP LOCKED)
         UPDATE outbox_delivery d SET next_attempt_at = now() + make_interval(secs => $3)
           FROM due JOIN outbox_event e ON e.id = due.event_id
          WHERE d.event_id = due.event_id AND d.destination = due.destination
         RETURNING d.seq, d.event_id, d.destination, d.attempts, e.event_type, e.subject,
                   e.payload, e.occurred_at, e.traceparent, e.request_id";

/// A delivery leased to this round, with its event as the destination receives it.
pub(crate) struct Pending {
    pub(crate) event_id: Uuid,
    pub(crate) destination: String,
    pub(crate) attempts: i32,
    pub(crate) event: Event,
}

/// Up to `batch` due deliveries for each of `destinations` of `source`'s outbox, in the order
/// they were recorded. A delivery is due when nothing earlier of its subject waits for the
/// same destination (events of one dossier arrive in order).
pub(crate) async fn due(
    pool: &PgPool,
    source: &str,
    destinations: impl Iterator<Item = &str>,
    batch: i64,
) -> Result<Vec<Pending>, sqlx::Error> {
    let mut rows = Vec::new();
    for destination in destinations {
        rows.append(&mut claim_for(pool, destination, batch).await?);
    }
    rows.sort_by_key(|r| r.try_get::<i64, _>("seq").unwrap_or_default());
    rows.into_iter().map(|r| pending(&r, source)).collect()
}

fn pending(r: &PgRow, source: &str) -> Result<Pending, sqlx::Error> {
    let event_id: Uuid = r.try_get("event_id")?;
    let occurred: OffsetDateTime = r.try_get("occurred_at")?;
    let payload: serde_json::Value = r.try_get("payload")?;
    let traceparent: Option<String> = r.try_get("traceparent")?;
    let request_id: Option<String> = r.try_get("request_id")?;
    Ok(Pending {
        event_id,
        destination: r.try_get("destination")?,
        attempts: r.try_get("attempts")?,
        event: Event {
            id: event_id.to_string(),
            r#type: r.try_get("event_type")?,
            source: source.to_string(),
            subject: r.try_get("subject")?,
            occurred_at: Some(motcua_proto::timestamp::to_proto(occurred)),
            payload_json: payload.to_string(),
            traceparent: traceparent.unwrap_or_default(),
            request_id: request_id.unwrap_or_default(),
        },
    })
}

async fn claim_for(
    pool: &PgPool,
    destination: &str,
    batch: i64,
) -> Result<Vec<PgRow>, sqlx::Error> {
    sqlx::query(CLAIM_SQL)
        .bind(batch)
        .bind(destination)
        .bind(LEASE_SECONDS as f64)
        // Planned afresh each round, never from a plan cached on the connection: a plan made while
        // the table was small (a service's first rounds) could anti-join by scanning, and once a
        // burst had left tens of thousands pending, one claim ran for tens of seconds.
        .persistent(false)
        .fetch_all(pool)
        .await
}
