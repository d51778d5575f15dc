//! A producer's view of its own outbox (what is stuck, what is dead), read every few seconds
//! and shown where an operator looks: `motcua_outbox_oldest_pending_seconds{source,destination}`
//! and `motcua_outbox_dead_letters{source,destination}` in `/metrics`, and the same numbers in
//! the service's `/readyz` detail under `outbox`. Read from the tables, so a stopped relay shows.

use motcua_server::ReadinessDetail;
use serde_json::{Map, json};
use sqlx::PgPool;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Measures `source`'s outbox (schema `source`) for each of `destinations` every `every`.
pub async fn watch(
    pool: PgPool,
    source: &'static str,
    destinations: Vec<&'static str>,
    readiness: ReadinessDetail,
    every: Duration,
    shutdown: CancellationToken,
) {
    loop {
        let mut detail = Map::new();
        for d in &destinations {
            let lag = crate::oldest_pending_seconds(&pool, source, d).await;
            let dead = crate::dead_letters(&pool, source, d).await;
            match (lag, dead) {
                (Ok(lag), Ok(dead)) => {
                    let labels = [
                        ("source", source.to_string()),
                        ("destination", d.to_string()),
                    ];
                    metrics::gauge!("motcua_outbox_oldest_pending_seconds", &labels).set(lag);
                    metrics::gauge!("motcua_outbox_dead_letters", &labels).set(dead as f64);
                    detail.insert(
                        d.to_string(),
                        json!({ "oldest_pending_seconds": lag, "dead_letters": dead }),
                    );
                }
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(source, destination = d, error = %e, "outbox unreadable")
                }
            }
        }
        readiness.set_part("outbox", serde_json::Value::Object(detail));
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
