//! Webhook subscriptions (webhook_subscription): writing, listing, deleting and rotating them,
//! and the live ones an event may go to. A deleted subscription stays as a row (its deliveries
//! refer to it) but is never listed, matched or delivered to again.

use crate::domain::subscription::{NewSubscription, Secret, SubscriptionView};
use crate::domain::webhook::{EventType, Subscriber};
use sqlx::{FromRow, PgConnection};
use std::time::Duration;
use time::OffsetDateTime;
use uuid::Uuid;

/// A subscription row as listed.
#[derive(Debug, FromRow)]
struct Row {
    id: Uuid,
    owner_sub: String,
    owner_agency: Option<String>,
    owner_sector: Option<String>,
    url: String,
    event_types: Vec<String>,
    created_at: OffsetDateTime,
}

impl TryFrom<Row> for SubscriptionView {
    type Error = sqlx::Error;
    fn try_from(r: Row) -> Result<Self, sqlx::Error> {
        if let Some(t) = r.event_types.iter().find(|t| EventType::parse(t).is_none()) {
            return Err(sqlx::Error::Decode(
                format!("stored event type {t:?} unknown").into(),
            ));
        }
        Ok(SubscriptionView {
            id: r.id,
            url: r.url,
            event_types: r.event_types,
            agency: r.owner_agency,
            sector: r.owner_sector,
            owner: r.owner_sub,
            created_at: r.created_at,
        })
    }
}

const COLUMNS: &str = "id, owner_sub, owner_agency, owner_sector, url, event_types, created_at";

/// Writes a new subscription.
pub async fn insert(tx: &mut PgConnection, s: &NewSubscription) -> Result<(), sqlx::Error> {
    let types: Vec<&str> = s.event_types.iter().map(|t| t.as_str()).collect();
    sqlx::query(
        "INSERT INTO webhook_subscription (id, owner_sub, owner_agency, owner_sector, url, event_types, secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(s.id)
    .bind(&s.owner_sub)
    .bind(&s.agency)
    .bind(&s.sector)
    .bind(&s.url)
    .bind(&types)
    .bind(s.secret.stored())
    .bind(s.created_at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One page (plus one row) of live subscriptions after `after`, oldest first: `owner`'s, or
/// every one when `None` (an admin).
pub async fn page(
    conn: &mut PgConnection,
    owner: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SubscriptionView>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhook_subscription
          WHERE deleted_at IS NULL AND ($1::text IS NULL OR owner_sub = $1)
            AND ($2::uuid IS NULL OR id > $2)
          ORDER BY id LIMIT $3"
    )))
    .bind(owner)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(SubscriptionView::try_from).collect()
}

/// A live subscription, locked in `tx` until it ends (a delete and a rotation do not cross).
pub async fn lock(
    tx: &mut PgConnection,
    id: Uuid,
) -> Result<Option<SubscriptionView>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM webhook_subscription WHERE id = $1 AND deleted_at IS NULL FOR UPDATE"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    row.map(SubscriptionView::try_from).transpose()
}

/// Ends a subscription at `at`: no more deliveries (pending ones are never claimed again).
pub async fn delete(
    tx: &mut PgConnection,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_subscription SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Replaces the secret by `secret`; the one it replaces still signs for `overlap` (real time,
/// as the dispatcher schedules). Returns until when.
pub async fn rotate(
    tx: &mut PgConnection,
    id: Uuid,
    secret: &Secret,
    overlap: Duration,
) -> Result<OffsetDateTime, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE webhook_subscription
            SET previous_secret = secret, previous_valid_until = now() + make_interval(secs => $3), secret = $2
          WHERE id = $1 AND deleted_at IS NULL
         RETURNING previous_valid_until",
    )
    .bind(id)
    .bind(secret.stored())
    .bind(overlap.as_secs_f64())
    .fetch_one(&mut *tx)
    .await
}

/// A live subscription as matching reads it.
#[derive(FromRow)]
struct SubscriberRow {
    id: Uuid,
    owner_agency: Option<String>,
    owner_sector: Option<String>,
    event_types: Vec<String>,
}

/// The live subscriptions to any of `types` (the matching itself is
/// [`crate::domain::webhook::matches`]).
pub async fn live_for(
    conn: &mut PgConnection,
    types: &[&str],
) -> Result<Vec<Subscriber>, sqlx::Error> {
    let rows: Vec<SubscriberRow> = sqlx::query_as(
        "SELECT id, owner_agency, owner_sector, event_types FROM webhook_subscription
          WHERE deleted_at IS NULL AND event_types && $1::text[]",
    )
    .bind(types)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Subscriber {
            id: r.id,
            agency: r.owner_agency,
            sector: r.owner_sector,
            event_types: r.event_types,
        })
        .collect())
}
