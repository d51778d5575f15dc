//! The webhook dispatcher (gửi sự kiện đến hệ thống chuyên ngành), safe with several replicas:
//! claims due deliveries with a lease (`FOR UPDATE SKIP LOCKED`, no transaction open while a
//! receiver is called), only the oldest pending one of each subscription and dossier (a
//! dossier's events arrive in order, different dossiers at once), POSTs each body with its
//! Standard Webhooks headers — the timestamp from the real wall clock, which receivers check,
//! never the service's test clock — and records the outcome: delivered on a `2xx`, else retried
//! with backoff and full jitter, or a dead letter once the attempts are spent. Woken right
//! after a commit that recorded deliveries, else every `worker_poll`. Also the watch that shows
//! the dead letters and the oldest pending delivery in `/metrics` and `/readyz`.

use crate::domain::delivery::{self, AfterFailure};
use crate::store::deliveries::{self, Due};
use motcua_config::WebhookConfig;
use motcua_server::ReadinessDetail;
use serde_json::json;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Deliveries claimed in one round.
const BATCH: i64 = 64;

/// Receivers called at once.
const PARALLEL: usize = 16;

/// Delivers the webhooks recorded in workflow's schema.
#[derive(Clone)]
pub(crate) struct Dispatcher {
    pool: PgPool,
    client: reqwest::Client,
    config: WebhookConfig,
    wake: Arc<Notify>,
    poll: Duration,
}

impl Dispatcher {
    /// A dispatcher on `pool` with `config`, woken by `wake`, polling every `poll` otherwise.
    pub(crate) fn new(
        pool: PgPool,
        config: &WebhookConfig,
        wake: Arc<Notify>,
        poll: Duration,
    ) -> anyhow::Result<Self> {
        // A receiver's redirect is an answer that is not 2xx: deliveries go only where the
        // subscription says.
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            pool,
            client,
            config: config.clone(),
            wake,
            poll,
        })
    }

    /// How long a claim keeps other replicas off a delivery: longer than any call of a round
    /// that may still start (see [`Dispatcher::round`]).
    pub(crate) fn lease(&self) -> Duration {
        self.config.timeout * 2 + Duration::from_secs(15)
    }

    /// Runs rounds until `shutdown`; a round in progress is finished first.
    pub(crate) async fn run(self, shutdown: CancellationToken) {
        loop {
            let claimed = match self.round().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook round failed");
                    0
                }
            };
            if shutdown.is_cancelled() {
                return;
            }
            // A delivered head lets the next delivery of its dossier go at once.
            if claimed > 0 {
                continue;
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    /// Claims due deliveries and attempts each once, receivers concurrently; returns how many
    /// were claimed. No call starts after the lease's end minus the call timeout, so none is
    /// still running when another replica may take the row; what was not tried is given back.
    pub(crate) async fn round(&self) -> Result<usize, sqlx::Error> {
        let lease = self.lease();
        let due = deliveries::claim(&self.pool, BATCH, lease).await?;
        let n = due.len();
        let until =
            tokio::time::Instant::now() + lease - self.config.timeout - Duration::from_secs(5);
        let permits = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
        let mut running = tokio::task::JoinSet::new();
        for d in due {
            let (me, permits) = (self.clone(), permits.clone());
            running.spawn(async move {
                let _permit = permits.acquire_owned().await;
                if tokio::time::Instant::now() >= until {
                    return Ok(Some(d.id));
                }
                me.attempt(&d).await.map(|()| None)
            });
        }
        let mut untried: Vec<Uuid> = Vec::new();
        while let Some(done) = running.join_next().await {
            match done {
                Ok(Ok(Some(id))) => untried.push(id),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "webhook outcome not recorded"),
                Err(e) => tracing::error!(error = %e, "webhook attempt panicked"),
            }
        }
        deliveries::release(&self.pool, &untried).await?;
        Ok(n)
    }

    /// One attempt of `d`, its outcome recorded.
    async fn attempt(&self, d: &Due) -> Result<(), sqlx::Error> {
        match self.send(d).await {
            Ok(()) => deliveries::delivered(&self.pool, d.id).await,
            Err(error) => {
                let failed = u32::try_from(d.attempts).unwrap_or(0).saturating_add(1);
                // Without the system's randomness, some delay rather than none.
                let random = getrandom::u64().unwrap_or(u64::MAX);
                let c = &self.config;
                let after = delivery::after_failure(
                    failed,
                    c.max_attempts,
                    c.retry_base,
                    c.retry_max,
                    random,
                );
                match after {
                    AfterFailure::Dead => tracing::error!(
                        delivery = %d.id, subscription = %d.subscription_id, dossier = %d.dossier_code,
                        attempts = failed, error = %error, "webhook delivery failed for the last time: dead letter"
                    ),
                    AfterFailure::Retry(wait) => tracing::warn!(
                        delivery = %d.id, subscription = %d.subscription_id, attempts = failed,
                        retry_in_ms = wait.as_millis() as u64, error = %error, "webhook delivery failed; will retry"
                    ),
                }
                deliveries::failed(&self.pool, d.id, &error, after).await
            }
        }
    }

    /// POSTs `d` signed with every secret that still signs; `Err` says why it was not taken.
    async fn send(&self, d: &Due) -> Result<(), String> {
        let id = d.id.to_string();
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| format!("system clock before 1970: {e}"))?
            .as_secs() as i64;
        let mut secrets = vec![d.secret.as_str()];
        secrets.extend(d.previous_secret.as_deref());
        let signature = delivery::signature_header(&secrets, &id, timestamp, &d.body)
            .ok_or("the subscription's secret is not base64")?;
        let answer = self
            .client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(d.body.clone())
            .send()
            .await
            .map_err(|e| format!("not delivered: {}", e.without_url()))?;
        let status = answer.status().as_u16();
        match delivery::taken(status) {
            true => Ok(()),
            false => Err(format!("HTTP {status}")),
        }
    }
}

/// Shows the dead webhook deliveries (`motcua_webhook_dead_letters`) and the age of the oldest
/// pending one (`motcua_webhook_oldest_pending_seconds`) in `/metrics`, and the same under
/// `webhooks` in `/readyz`, read every `every` from the tables (a stopped dispatcher shows).
pub(crate) async fn watch(
    pool: PgPool,
    readiness: ReadinessDetail,
    every: Duration,
    shutdown: CancellationToken,
) {
    loop {
        match deliveries::health(&pool).await {
            Ok((dead, oldest)) => {
                metrics::gauge!("motcua_webhook_dead_letters").set(dead as f64);
                metrics::gauge!("motcua_webhook_oldest_pending_seconds").set(oldest);
                readiness.set_part(
                    "webhooks",
                    json!({ "dead_letters": dead, "oldest_pending_seconds": oldest }),
                );
            }
            Err(e) => tracing::warn!(error = %e, "webhook deliveries unreadable"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

#[cfg(test)]
#[path = "dispatcher_tests.rs"]
mod tests;
