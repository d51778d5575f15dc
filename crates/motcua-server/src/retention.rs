//! Personal data kept no longer than needed: every service's stored idempotent answers are
//! forgotten once older than `MOTCUA_IDEMPOTENCY_RETENTION_HOURS` (the keys stay, so a late
//! retry is refused rather than done twice). Several replicas may run it: the statement only
//! clears what is still set.

use motcua_clock::SharedClock;
use sqlx::PgPool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often old answers are looked for.
const EVERY: Duration = Duration::from_secs(600);

/// Answers forgotten per statement (short statements, no long lock on the table).
const BATCH: i64 = 1000;

/// Forgets old answers every ten minutes until `shutdown`; a service without a key table
/// stops at once.
pub(crate) async fn forget_old_answers(
    pool: PgPool,
    clock: SharedClock,
    retention_hours: u32,
    shutdown: CancellationToken,
) {
    let retention = time::Duration::hours(i64::from(retention_hours));
    loop {
        match forget_once(&pool, clock.now() - retention).await {
            Ok(None) => return,
            Ok(Some(n)) if n > 0 => {
                tracing::info!(forgotten = n, "old idempotent answers forgotten")
            }
            Ok(Some(_)) => {}
            Err(e) => tracing::warn!(error = %e, "forgetting old idempotent answers failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}

/// One round: batches until none is left; `None` when the schema takes no keys.
pub(crate) async fn forget_once(
    pool: &PgPool,
    before: time::OffsetDateTime,
) -> Result<Option<u64>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let mut total = 0;
    loop {
        match motcua_idempotency::purge(&mut conn, before, BATCH).await? {
            None => return Ok(None),
            Some(n) => {
                total += n;
                if n < BATCH as u64 {
                    return Ok(Some(total));
                }
            }
        }
    }
}
