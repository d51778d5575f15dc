//! Reporting's background loop: the event lag (độ trễ sự kiện). Every fact arrives as an event
//! from intake or workflow and is applied when delivered (`events.rs`); what a reader must also
//! know is how far behind those deliveries are. The age of the oldest event each producer has
//! not yet delivered to reporting is read from the producer's own outbox (so a stopped relay or
//! a dead producer still shows), exported as `motcua_reporting_event_lag_seconds{source}` and
//! shown in `/readyz`.

use crate::state::AppState;
use motcua_config::ServiceName;
use motcua_server::Worker;
use serde_json::{Map, Value, json};
use std::time::Duration;

/// The services whose events reporting consumes.
pub const SOURCES: [ServiceName; 2] = [ServiceName::Intake, ServiceName::Workflow];

/// The background loops `motcua` runs for reporting, by name.
pub(crate) fn all(state: &AppState) -> Vec<(&'static str, Worker)> {
    let s = state.clone();
    vec![("event-lag", Box::pin(lag_loop(s)))]
}

async fn lag_loop(s: AppState) {
    let every = s.platform.settings.worker_poll.min(Duration::from_secs(5));
    let shutdown = s.platform.shutdown.clone();
    loop {
        measure_lag(&s).await;
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Measures each source's lag once: the gauge and the readiness detail.
pub(crate) async fn measure_lag(s: &AppState) {
    let mut lags = Map::new();
    for source in SOURCES {
        let name = source.as_str();
        let lag = motcua_outbox::oldest_pending_seconds(
            &s.pool,
            name,
            motcua_events::destination::REPORTING,
        )
        .await;
        match lag {
            Ok(seconds) => {
                metrics::gauge!("motcua_reporting_event_lag_seconds", "source" => name)
                    .set(seconds);
                lags.insert(name.to_string(), json!(seconds));
            }
            Err(e) => {
                tracing::warn!(source = name, error = %e, "event lag unreadable");
                lags.insert(name.to_string(), Value::Null);
            }
        }
    }
    s.readiness.set(json!({ "event_lag_seconds": lags }));
}
