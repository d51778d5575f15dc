//! Background work of intake: stopping dossiers whose supplement window passed unanswered
//! (thông báo dừng giải quyết), and expiring payment orders not paid in time (lệnh thanh toán
//! hết hạn). Safe with several replicas: each dossier is taken with `FOR UPDATE SKIP LOCKED` and
//! decided again under the lock, so it is stopped exactly once; orders are expired by one
//! guarded statement that skips the rows another replica holds.

use crate::domain::{actions, payment};
use crate::state::AppState;
use crate::store;
use motcua_problem::Problem;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs `round` every `period` until shutdown, logging how many it did (`what`) or its failure.
async fn every<F, Fut>(what: &'static str, period: Duration, shutdown: CancellationToken, round: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<usize, Problem>>,
{
    loop {
        match round().await {
            Ok(n) if n > 0 => tracing::info!(count = n, "{what}"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "{what}: check failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(period) => {}
        }
    }
}

/// Runs the supplement-expiry check every `period` until shutdown.
pub(crate) async fn supplement_expiry(s: AppState, period: Duration, shutdown: CancellationToken) {
    let what = "dossiers stopped: supplement window passed";
    every(what, period, shutdown, || expire_once(&s)).await
}

/// Stops every dossier whose supplement deadline has passed; returns how many.
pub(crate) async fn expire_once(s: &AppState) -> Result<usize, Problem> {
    let now = s.now();
    let mut stopped = 0;
    for code in store::supplements::expired(&s.pool, now, 100).await? {
        let mut tx = s.pool.begin().await?;
        let Some(d) = store::dossiers::try_lock(&mut tx, &code).await? else {
            continue;
        };
        let Some(request) = store::supplements::open(&mut tx, &code).await? else {
            continue;
        };
        let Some(update) = actions::decide_expiry(&d, &request, now) else {
            continue;
        };
        if s.commit_by_service(tx, &update).await? {
            stopped += 1;
        }
    }
    Ok(stopped)
}

/// Runs the payment-order expiry every `period` until shutdown.
pub(crate) async fn payment_expiry(s: AppState, period: Duration, shutdown: CancellationToken) {
    let what = "payment orders expired: not paid in time";
    every(what, period, shutdown, || expire_orders_once(&s)).await
}

/// Expires the pending payment orders whose time passed (a round of at most 100), each with
/// its audit record; returns how many.
pub(crate) async fn expire_orders_once(s: &AppState) -> Result<usize, Problem> {
    let now = s.now();
    let mut tx = s.pool.begin().await?;
    let expired = store::payments::expire_due(&mut tx, now, 100).await?;
    if expired.is_empty() {
        return Ok(0);
    }
    let by = motcua_audit::Actor::service("intake");
    let entries: Vec<_> = expired
        .iter()
        .map(|o| {
            let before = Some(payment::OrderStatus::Pending);
            payment::order_entry(o, &by, "expire_payment_order", before, now)
        })
        .collect();
    motcua_audit::append(&mut tx, &entries).await?;
    tx.commit().await?;
    Ok(expired.len())
}
