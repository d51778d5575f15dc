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
    /// Used before and completed, but its answer was purged after the retention period.
    Expired,
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
        Some((_, Some(_), None)) => Some(Idempotency::Expired),
        Some(_) => None,
    })
}

/// Claims a batch of distinct keys in one statement (inserted in key order, so two batches
/// sharing keys queue rather than deadlock); `true` for each key claimed now. A key not
/// claimed is looked at by [`claim`] (it was used before, or is being used concurrently).
pub(crate) async fn claim_all<'a>(
    tx: &mut PgConnection,
    keys: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> Result<Vec<bool>, sqlx::Error> {
    let (mut callers, mut names, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
    for (c, k, h) in keys {
        callers.push(c);
        names.push(k);
        hashes.push(h);
    }
    let claimed: Vec<(String, String)> = sqlx::query_as(
        "INSERT INTO idempotency_key (caller, key, request_hash)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ORDER BY 1, 2
         ON CONFLICT DO NOTHING RETURNING caller, key",
    )
    .bind(&callers)
    .bind(&names)
    .bind(&hashes)
    .fetch_all(&mut *tx)
    .await?;
    let claimed: std::collections::HashSet<(String, String)> = claimed.into_iter().collect();
    Ok(callers
        .iter()
        .zip(&names)
        .map(|(c, k)| claimed.contains(&(c.to_string(), k.to_string())))
        .collect())
}

/// Stores the responses of a batch of claimed keys in one statement.
pub(crate) async fn complete_all<'a>(
    tx: &mut PgConnection,
    done: impl Iterator<Item = (&'a str, &'a str, u16, &'a serde_json::Value)>,
) -> Result<(), sqlx::Error> {
    let (mut callers, mut names, mut statuses, mut bodies) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (c, k, s, b) in done {
        callers.push(c);
        names.push(k);
        statuses.push(i16::try_from(s).unwrap_or(200));
        bodies.push(b.clone());
    }
    sqlx::query(
        "UPDATE idempotency_key k SET status = v.status, response = v.response
           FROM unnest($1::text[], $2::text[], $3::int2[], $4::jsonb[]) AS v(caller, key, status, response)
          WHERE k.caller = v.caller AND k.key = v.key",
    )
    .bind(&callers)
    .bind(&names)
    .bind(&statuses)
    .bind(&bodies)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Forgets the answers of keys claimed before `before`, at most `limit` of them; `None` when
/// the schema has no key table (a service that takes no keys).
pub(crate) async fn purge(
    conn: &mut PgConnection,
    before: time::OffsetDateTime,
    limit: i64,
) -> Result<Option<u64>, sqlx::Error> {
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('idempotency_key') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if !exists {
        return Ok(None);
    }
    let done = sqlx::query(
        "UPDATE idempotency_key SET response = NULL
          WHERE (caller, key) IN (SELECT caller, key FROM idempotency_key
                                   WHERE created_at < $1 AND response IS NOT NULL LIMIT $2)",
    )
    .bind(before)
    .bind(limit)
    .execute(&mut *conn)
    .await?;
    Ok(Some(done.rows_affected()))
}
