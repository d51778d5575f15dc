//! The stored keys and the responses they produced.

use sqlx::PgConnection;

/// What an idempotency key already holds.
pub(crate) enum Idempotency {
    /// First use: go ahead (the key is now claimed in this transaction).
    Claimed,
    /// Used before with the same body: replay this response.
    Replay {
        /// Its HTTP status.
        status: u16,
        /// Its body.
        body: serde_json::Value,
    },
    /// Used before with a different body.
    Reused,
}

/// Claims `key` for `caller` in the transaction, or reports its earlier use. Concurrent
/// requests with one key queue on the primary key; the second sees the first's response.
pub(crate) async fn claim(
    tx: &mut PgConnection,
    caller: &str,
    key: &str,
    request_hash: &str,
) -> Result<Idempotency, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_key (caller, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(caller)
    .bind(key)
    .bind(request_hash)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Idempotency::Claimed);
    }
    lookup(&mut *tx, caller, key, request_hash)
        .await
        .map(|o| o.unwrap_or(Idempotency::Reused))
}

/// An earlier use of `key`, if it completed.
pub(crate) async fn lookup(
    conn: &mut PgConnection,
    caller: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Idempotency>, sqlx::Error> {
    let row: Option<(String, Option<i16>, Option<serde_json::Value>)> = sqlx::query_as(
        "SELECT request_hash, status, response FROM idempotency_key WHERE caller = $1 AND key = $2",
    )
    .bind(caller)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => None,
        Some((hash, _, _)) if hash != request_hash => Some(Idempotency::Reused),
        Some((_, Some(status), Some(body))) => Some(Idempotency::Replay {
            status: u16::try_from(status).unwrap_or(200),
            body,
        }),
        Some(_) => None,
    })
}

/// Stores the response of the request that claimed `key`.
pub(crate) async fn complete(
    tx: &mut PgConnection,
    caller: &str,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_key SET status = $3, response = $4 WHERE caller = $1 AND key = $2",
    )
    .bind(caller)
    .bind(key)
    .bind(i16::try_from(status).unwrap_or(200))
    .bind(body)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
