//! Background work of intake: stopping dossiers whose supplement window passed unanswered
//! (thông báo dừng giải quyết). Safe with several replicas: each dossier is taken with
//! `FOR UPDATE SKIP LOCKED` and decided again under the lock, so it is stopped exactly once.

use crate::domain::actions;
use crate::state::AppState;
use crate::store;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs the supplement-expiry check every `every` until shutdown.
pub(crate) async fn supplement_expiry(s: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        match expire_once(&s).await {
            Ok(n) if n > 0 => {
                tracing::info!(stopped = n, "dossiers stopped: supplement window passed")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "supplement expiry check failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Stops every dossier whose supplement deadline has passed; returns how many.
pub(crate) async fn expire_once(s: &AppState) -> Result<usize, motcua_problem::Problem> {
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
        store::dossiers::apply(&mut tx, &update, None, &s.outreach).await?;
        tx.commit().await?;
        stopped += 1;
    }
    if stopped > 0 {
        s.relay_wake.notify_one();
    }
    Ok(stopped)
}
