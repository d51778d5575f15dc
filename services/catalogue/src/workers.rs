//! The catalogue's background loops: re-reading the stored calendar every minute, so replicas
//! converge after a `PUT /api/v1/calendar/{year}` on any one of them. Safe with several
//! replicas: it only reads.

use crate::state::AppState;
use motcua_server::Worker;
use std::time::Duration;

/// How often the stored calendar is re-read.
const CALENDAR_REFRESH: Duration = Duration::from_secs(60);

/// The background loops `motcua` runs for the catalogue, by name.
pub(crate) fn all(state: &AppState) -> Vec<(&'static str, Worker)> {
    vec![(
        "calendar-refresh",
        Box::pin(calendar_refresh(state.clone())),
    )]
}

/// Reloads the calendar every [`CALENDAR_REFRESH`] until shutdown.
async fn calendar_refresh(s: AppState) {
    let shutdown = s.platform.shutdown.clone();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(CALENDAR_REFRESH) => {}
        }
        if let Err(e) = s.calendar.reload(&s.pool).await {
            tracing::warn!(error = %e, "calendar reload failed");
        }
    }
}
