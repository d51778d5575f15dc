//! Background work of intake: stopping dossiers whose supplement window passed unanswered
//! (thông báo dừng giải quyết), and measuring how far the national portal is behind (its
//! sync lag and dead letters, in `/metrics` and `/readyz`). Safe with several replicas: each dossier is taken with
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

/// Measures the national portal's sync lag every `every` while the portal is configured:
/// `motcua_national_portal_sync_lag_seconds` (age of the oldest push not yet taken) and
/// `motcua_national_portal_dead_letters` (pushes that spent their attempts), also in `/readyz`.
pub(crate) async fn portal_lag(
    pool: sqlx::PgPool,
    readiness: motcua_server::ReadinessDetail,
    configured: bool,
    every: Duration,
    shutdown: CancellationToken,
) {
    if !configured {
        return;
    }
    let portal = store::outreach::NATIONAL_PORTAL;
    loop {
        let lag = motcua_outbox::oldest_pending_seconds(&pool, "intake", portal).await;
        let dead = motcua_outbox::dead_letters(&pool, "intake", portal).await;
        match (lag, dead) {
            (Ok(lag), Ok(dead)) => {
                metrics::gauge!("motcua_national_portal_sync_lag_seconds").set(lag);
                metrics::gauge!("motcua_national_portal_dead_letters").set(dead as f64);
                readiness.set(serde_json::json!({
                    "national_portal": { "sync_lag_seconds": lag, "dead_letters": dead }
                }));
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "national portal sync lag unreadable")
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
