//! Payment orders and the gateway's notifications (`payment_order`, `payment_callback`,
//! `docs/payments.md`): an order is paid by a status-guarded update (its transaction id unique),
//! expired by one guarded update that skips rows another replica holds, and every notification
//! is logged before it is acted on.

use crate::domain::actions::Fee;
use crate::domain::payment::{OrderStatus, PaymentOrder};
use crate::domain::payment_callback::Callback;
use sqlx::{FromRow, PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// A payment order row as stored.
#[derive(Debug, FromRow)]
struct OrderRow {
    id: Uuid,
    dossier_code: String,
    amount_vnd: i64,
    items: serde_json::Value,
    status: String,
    obligation_at: OffsetDateTime,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    created_by: String,
    gateway_transaction_id: Option<String>,
    paid_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "id, dossier_code, amount_vnd, items, status, obligation_at, created_at,
    expires_at, created_by, gateway_transaction_id, paid_at";

impl TryFrom<OrderRow> for PaymentOrder {
    type Error = sqlx::Error;
    fn try_from(r: OrderRow) -> Result<Self, sqlx::Error> {
        Ok(PaymentOrder {
            status: OrderStatus::parse(&r.status).ok_or_else(|| {
                sqlx::Error::Decode(format!("stored order status {:?} unknown", r.status).into())
            })?,
            items: serde_json::from_value(r.items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            id: r.id,
            dossier_code: r.dossier_code,
            amount_vnd: r.amount_vnd,
            obligation_at: r.obligation_at,
            created_at: r.created_at,
            expires_at: r.expires_at,
            created_by: r.created_by,
            gateway_transaction_id: r.gateway_transaction_id,
            paid_at: r.paid_at,
        })
    }
}

async fn select(
    conn: &mut PgConnection,
    filter: &str,
    bind: impl ToString,
) -> Result<Vec<PaymentOrder>, sqlx::Error> {
    let rows = sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payment_order WHERE {filter}"
    )))
    .bind(bind.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(PaymentOrder::try_from).collect()
}

/// The items of the dossier's latest financial obligation notice, if it has one.
pub async fn obligation_items(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Option<Vec<Fee>>, sqlx::Error> {
    let body: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT body FROM dossier_document WHERE dossier_code = $1
            AND kind = 'financial_obligation_notice' ORDER BY id DESC LIMIT 1",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    body.map(|b| serde_json::from_value(b["items"].clone()))
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// The dossier's latest pending order, if any.
pub async fn latest_pending(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Option<PaymentOrder>, sqlx::Error> {
    let filter = "dossier_code = $1 AND status = 'pending' ORDER BY created_at DESC LIMIT 1";
    Ok(select(conn, filter, code).await?.pop())
}

/// The dossier's orders, oldest first.
pub async fn list(pool: &PgPool, code: &str) -> Result<Vec<PaymentOrder>, sqlx::Error> {
    let filter = "dossier_code = $1 ORDER BY created_at, id";
    select(&mut *pool.acquire().await?, filter, code).await
}

/// One order.
pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<PaymentOrder>, sqlx::Error> {
    let filter = "id = $1::uuid";
    Ok(select(&mut *pool.acquire().await?, filter, id).await?.pop())
}

/// One order, locked for the rest of the transaction.
pub async fn lock(tx: &mut PgConnection, id: Uuid) -> Result<Option<PaymentOrder>, sqlx::Error> {
    Ok(select(tx, "id = $1::uuid FOR UPDATE", id).await?.pop())
}

/// The order the gateway's transaction pays, if any.
pub async fn paid_by(
    conn: &mut PgConnection,
    transaction_id: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM payment_order WHERE gateway_transaction_id = $1")
        .bind(transaction_id)
        .fetch_optional(&mut *conn)
        .await
}

/// Stores a new order.
pub async fn insert(tx: &mut PgConnection, o: &PaymentOrder) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_order (id, dossier_code, amount_vnd, items, status, obligation_at,
                                    created_at, expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(o.id)
    .bind(&o.dossier_code)
    .bind(o.amount_vnd)
    .bind(serde_json::to_value(&o.items).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
    .bind(o.status.as_str())
    .bind(o.obligation_at)
    .bind(o.created_at)
    .bind(o.expires_at)
    .bind(&o.created_by)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Pays the order with the gateway's transaction, unless it is paid already: `false` then
/// (nothing written). The transaction id is unique: it pays one order only.
pub async fn mark_paid(
    tx: &mut PgConnection,
    id: Uuid,
    transaction_id: &str,
    paid_at: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE payment_order SET status = 'paid', gateway_transaction_id = $2, paid_at = $3,
                                  updated_at = now()
          WHERE id = $1 AND status <> 'paid'",
    )
    .bind(id)
    .bind(transaction_id)
    .bind(paid_at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Fails a pending order: `false` when it was not pending (nothing written).
pub async fn mark_failed(tx: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE payment_order SET status = 'failed', updated_at = now()
          WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes the dossier's failed orders that could still be paid (`expires_at` after `now`): they
/// expire now, so a new order is the only one payable and an obligation is never paid twice. A
/// notification of a payment made before `now` still settles its order (a late gateway).
pub async fn close_failed(
    tx: &mut PgConnection,
    code: &str,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE payment_order SET status = 'expired', expires_at = $2, updated_at = now()
          WHERE dossier_code = $1 AND status = 'failed' AND expires_at > $2",
    )
    .bind(code)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected())
}

/// Expires up to `limit` pending orders whose time passed by `now`, in one statement that
/// skips the rows another transaction holds (another replica, a notification being settled):
/// each order is expired once. Returns them as expired.
pub async fn expire_due(
    tx: &mut PgConnection,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<PaymentOrder>, sqlx::Error> {
    let rows = sqlx::query_as::<_, OrderRow>(sqlx::AssertSqlSafe(format!(
        "UPDATE payment_order SET status = 'expired', updated_at = now()
          WHERE id IN (SELECT id FROM payment_order
                        WHERE status = 'pending' AND expires_at <= $1
                        ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            AND status = 'pending'
        RETURNING {COLUMNS}"
    )))
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    rows.into_iter().map(PaymentOrder::try_from).collect()
}

/// Logs a notification as received, with whether its signature verified; returns its id.
pub async fn log_callback(
    pool: &PgPool,
    at: OffsetDateTime,
    cb: &Callback,
    signature_valid: bool,
) -> Result<i64, sqlx::Error> {
    let outcome = match signature_valid {
        true => "received",
        false => motcua_problem::codes::PAYMENT_SIGNATURE_INVALID.code,
    };
    sqlx::query_scalar(
        "INSERT INTO payment_callback (received_at, order_id, transaction_id, status, amount_vnd,
                                       body, signature_valid, outcome, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(at)
    .bind(&cb.order_id)
    .bind(&cb.transaction_id)
    .bind(cb.status.as_str())
    .bind(cb.amount_vnd)
    .bind(cb.logged())
    .bind(signature_valid)
    .bind(outcome)
    .bind(motcua_telemetry::request_id::current())
    .fetch_one(pool)
    .await
}

/// Records what came of a logged notification.
pub async fn set_outcome(
    conn: &mut PgConnection,
    id: i64,
    outcome: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payment_callback SET outcome = $2 WHERE id = $1")
        .bind(id)
        .bind(outcome)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
#[path = "payments_tests.rs"]
mod tests;
