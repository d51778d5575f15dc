//! Transactional outbox (hộp thư đi) and idempotent inbox (hộp thư đến).
//!
//! A producer calls [`record`] inside the transaction that makes the change, so the change and
//! the event commit together or not at all. A [`Relay`] (a background worker of the producer)
//! delivers each pending event to each destination's `EventReceiver` over gRPC, at least once:
//! rows are claimed with `FOR UPDATE SKIP LOCKED`, so several replicas never deliver the same
//! row at the same time, and a failed delivery is retried with exponential backoff. Events
//! about one subject (one dossier) reach a destination in the order they were recorded: a
//! delivery is not attempted while an earlier one for the same subject and destination is
//! pending. Different subjects are delivered concurrently; another motcua service gets all of
//! its due events in one `DeliverEvents` call, applied by the receiver with [`apply_runs`] (in
//! order, a refused event holding back only its subject). A destination outside motcua (the
//! national portal) is reached over HTTP ([`HttpPush`]) with bounded attempts: a delivery that
//! spends them becomes a dead letter ([`DEAD_LETTER_DDL`]) and stops holding back its subject.
//! Receivers call [`inbox_claim`] in the transaction that applies the event: a duplicate
//! delivery finds the event id already there and changes nothing.
//!
//! Tables: see [`PRODUCER_DDL`] and [`RECEIVER_DDL`], which each service copies into its own
//! migrations.

mod claim;
mod deliver;
pub mod pacing;
mod receive;
mod relay;
mod senders;
mod watch;

pub use claim::CLAIM_SQL;
pub use deliver::{BatchAttempt, Deliver, HttpPush};
pub use receive::{apply_holding, apply_in_order, apply_runs, context, taken};
pub use relay::{Relay, RelayDestination, backoff_seconds};
pub use senders::{accept_from, check as check_senders};
pub use watch::watch;

use motcua_proto::common::v1::Event;
use motcua_telemetry::{propagation, request_id};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

/// Tables a producing service needs (copy into its migrations).
pub const PRODUCER_DDL: &str = include_str!("producer.sql");
/// Dead letters for destinations with bounded attempts (a later migration of a producer).
pub const DEAD_LETTER_DDL: &str = include_str!("dead_letters.sql");
/// The index the relay's claim reads (a later migration of a producer, after
/// [`DEAD_LETTER_DDL`]).
pub const DUE_INDEX_DDL: &str = include_str!("due_index.sql");
/// Table a receiving service needs (copy into its migrations).
pub const RECEIVER_DDL: &str = include_str!("receiver.sql");

/// An event to announce.
#[derive(Debug, Clone)]
pub struct NewEvent<'a, P: serde::Serialize> {
    /// Dotted type, e.g. `dossier.received`.
    pub event_type: &'a str,
    /// What it is about, e.g. a dossier code.
    pub subject: &'a str,
    /// The payload (one of `motcua_events`' types).
    pub payload: &'a P,
    /// When it happened (the service clock).
    pub occurred_at: OffsetDateTime,
}

/// The trace and request an event belongs to, stored with it so its delivery continues them.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// W3C `traceparent` of the span that recorded it.
    pub traceparent: Option<String>,
    /// The request id of the request that caused it.
    pub request_id: Option<String>,
}

impl Origin {
    /// The current span's trace and the current request id.
    pub fn current() -> Self {
        Self {
            traceparent: propagation::current_traceparent(),
            request_id: request_id::current(),
        }
    }
}

/// Records `event` for delivery to each of `destinations`, in the caller's transaction. The
/// current trace context and request id are stored with it so the delivery continues the
/// same trace. A payload that cannot be serialised is an error (nothing is recorded), never
/// a `null` event.
pub async fn record<P: serde::Serialize>(
    tx: &mut PgConnection,
    event: NewEvent<'_, P>,
    destinations: &[&str],
) -> Result<Uuid, sqlx::Error> {
    let ids = record_all(tx, &[(event, Origin::current())], destinations).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| sqlx::Error::Protocol("no event recorded".into()))
}

/// Records several events (each with its own origin, e.g. a batch of requests written in one
/// transaction) for delivery to each of `destinations`: two statements whatever their number.
/// Deliveries are queued in the order of `events`, so events of one subject reach each
/// destination in that order.
pub async fn record_all<P: serde::Serialize>(
    tx: &mut PgConnection,
    events: &[(NewEvent<'_, P>, Origin)],
    destinations: &[&str],
) -> Result<Vec<Uuid>, sqlx::Error> {
    let n = events.len();
    let (mut ids, mut types, mut subjects, mut payloads, mut at, mut tps, mut rids) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (e, origin) in events {
        payloads
            .push(serde_json::to_value(e.payload).map_err(|e| sqlx::Error::Encode(Box::new(e)))?);
        ids.push(Uuid::now_v7());
        types.push(e.event_type);
        subjects.push(e.subject);
        at.push(e.occurred_at);
        tps.push(origin.traceparent.clone());
        rids.push(origin.request_id.clone());
    }
    sqlx::query(
        "INSERT INTO outbox_event (id, event_type, subject, payload, occurred_at, traceparent, request_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[],
                              $6::text[], $7::text[])",
    )
    .bind(&ids)
    .bind(&types)
    .bind(&subjects)
    .bind(&payloads)
    .bind(&at)
    .bind(&tps)
    .bind(&rids)
    .execute(&mut *tx)
    .await?;
    if !destinations.is_empty() {
        sqlx::query(
            "INSERT INTO outbox_delivery (event_id, destination, subject)
             SELECT e.id, d.name, e.subject
               FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS e(id, subject, n)
              CROSS JOIN unnest($3::text[]) WITH ORDINALITY AS d(name, m)
              ORDER BY e.n, d.m",
        )
        .bind(&ids)
        .bind(&subjects)
        .bind(destinations)
        .execute(&mut *tx)
        .await?;
    }
    Ok(ids)
}

/// Records a received event id in the receiver's inbox, in the transaction that applies it.
/// Returns `true` the first time, `false` for a duplicate delivery (apply nothing then).
pub async fn inbox_claim(tx: &mut PgConnection, event: &Event) -> Result<bool, sqlx::Error> {
    let claimed = inbox_claim_all(tx, std::slice::from_ref(event)).await?;
    Ok(claimed.first().copied().unwrap_or(false))
}

/// [`inbox_claim`] for a batch, in one statement: for each event, in order, whether this is
/// its first delivery (a repeat of an id within the batch counts as a duplicate).
pub async fn inbox_claim_all(
    tx: &mut PgConnection,
    events: &[Event],
) -> Result<Vec<bool>, sqlx::Error> {
    let mut ids = Vec::with_capacity(events.len());
    for e in events {
        ids.push(Uuid::parse_str(&e.id).map_err(|e| sqlx::Error::Decode(Box::new(e)))?);
    }
    let claimed: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO inbox_event (event_id, event_type, source)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ORDER BY 1
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
    )
    .bind(&ids)
    .bind(events.iter().map(|e| e.r#type.as_str()).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.source.as_str()).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    let mut fresh: std::collections::HashSet<Uuid> = claimed.into_iter().collect();
    Ok(ids.iter().map(|id| fresh.remove(id)).collect())
}

/// How many deliveries to `destination` in `schema`'s outbox are dead letters (attempts spent).
pub async fn dead_letters(
    pool: &sqlx::PgPool,
    schema: &str,
    destination: &str,
) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "SELECT count(*) FROM {}.outbox_delivery WHERE dead_at IS NOT NULL AND destination = $1",
        checked_schema(schema)?
    );
    // The schema name is checked: lowercase letters and underscores only.
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(destination)
        .fetch_one(pool)
        .await
}

/// A delivery that spent its attempts.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct DeadLetter {
    /// The event.
    pub event_id: Uuid,
    /// Its type.
    pub event_type: String,
    /// Its subject (a dossier code).
    pub subject: String,
    /// Attempts made.
    pub attempts: i32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was given up.
    #[serde(with = "time::serde::rfc3339")]
    pub dead_at: OffsetDateTime,
}

/// The dead letters of `destination` in the outbox `pool` sees (its search path), oldest first.
pub async fn list_dead_letters(
    pool: &sqlx::PgPool,
    destination: &str,
) -> Result<Vec<DeadLetter>, sqlx::Error> {
    sqlx::query_as::<_, DeadLetter>(
        "SELECT d.event_id, e.event_type, d.subject, d.attempts, d.last_error, d.dead_at
           FROM outbox_delivery d JOIN outbox_event e ON e.id = d.event_id
          WHERE d.dead_at IS NOT NULL AND d.destination = $1 ORDER BY d.seq",
    )
    .bind(destination)
    .fetch_all(pool)
    .await
}

/// Puts the dead letters of `destination` back in the queue with fresh attempts, in their
/// original order; returns how many. The relay delivers them at its next round.
pub async fn replay_dead_letters(
    pool: &sqlx::PgPool,
    destination: &str,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE outbox_delivery SET dead_at = NULL, attempts = 0, next_attempt_at = now()
          WHERE dead_at IS NOT NULL AND destination = $1",
    )
    .bind(destination)
    .execute(pool)
    .await?
    .rows_affected())
}

fn checked_schema(schema: &str) -> Result<&str, sqlx::Error> {
    if schema.is_empty() || !schema.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(sqlx::Error::Protocol(format!("bad schema name {schema:?}")));
    }
    Ok(schema)
}

/// How far `destination` is behind the producer whose tables live in `schema`: the age in
/// seconds of the oldest event not yet delivered to it (0 when none waits). Read straight
/// from the producer's outbox, so a stopped relay or a dead producer still shows.
pub async fn oldest_pending_seconds(
    pool: &sqlx::PgPool,
    schema: &str,
    destination: &str,
) -> Result<f64, sqlx::Error> {
    let schema = checked_schema(schema)?;
    let sql = format!(
        "SELECT coalesce(extract(epoch FROM now() - min(e.created_at))::float8, 0)
           FROM {schema}.outbox_delivery d JOIN {schema}.outbox_event e ON e.id = d.event_id
          WHERE d.delivered_at IS NULL AND d.dead_at IS NULL AND d.destination = $1"
    );
    // The schema name is checked above: lowercase letters and underscores only.
    let age: f64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(destination)
        .fetch_one(pool)
        .await?;
    Ok(age.max(0.0))
}
