//! Background work of intake: stopping dossiers whose supplement window passed unanswered
//! (thông báo dừng giải quyết). Safe with several replicas: each dossier is taken with
//! `FOR UPDATE SKIP LOCKED` and re-checked under the lock, so it is stopped exactly once.

use crate::AppState;
use crate::domain::status::DossierStatus;
use crate::domain::transition::{self, Action};
use crate::dossiers::{local, rfc3339};
use crate::lifecycle::{Change, record};
use crate::store;
use serde_json::json;
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
    let now = s.platform.clock.now();
    let mut stopped = 0;
    for code in store::expired_supplement_requests(&s.pool, now, 100).await? {
        let mut tx = s.pool.begin().await?;
        let Some(d) = store::try_lock_dossier(&mut tx, &code).await? else {
            continue;
        };
        let Some(req) = store::supplement_request(&s.pool, &code).await? else {
            continue;
        };
        let status = DossierStatus::parse(&d.status);
        if req.answered_at.is_some() || req.expired_at.is_some() || req.deadline_at > now {
            continue;
        }
        let Some(Ok(to)) = status.map(|st| transition::apply(st, Action::ExpireSupplement, None))
        else {
            continue;
        };
        store::close_supplement_request(&mut tx, &code, now).await?;
        let detail = json!({
            "reason": "supplement_deadline_passed",
            "supplement_deadline": rfc3339(local(req.deadline_at)),
        });
        store::add_document(&mut tx, &code, "stop_notice", now, "system", &detail).await?;
        record(
            &mut tx,
            &Change {
                dossier: &d,
                action: Action::ExpireSupplement,
                to,
                actor: "system",
                at: now,
                due_at: d.due_at,
                due_provisional: d.due_provisional,
                clock_paused_at: None,
                resume_status: None,
                detail,
                event_type: Some(motcua_events::DOSSIER_STOPPED),
            },
        )
        .await?;
        tx.commit().await?;
        stopped += 1;
    }
    if stopped > 0 {
        s.relay_wake.notify_one();
    }
    Ok(stopped)
}
