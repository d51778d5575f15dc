//! Sending notices (gửi thông báo): a background worker that claims due notices with
//! `FOR UPDATE SKIP LOCKED` (two replicas never send one notice at the same time), sends each
//! by e-mail or SMS, and records the outcome. A failure is retried with backoff until the
//! configured attempts are spent (`failed`); a channel with no transport configured is
//! recorded as `unsent`. A crash between the provider's acceptance and the status update can
//! send a notice again. One person's notices on one channel go in the order they were
//! recorded: a notice waits while an earlier one to the same address is pending (ids are
//! time-ordered UUIDv7), so a receipt retried never arrives after the supplement request.
//! The e-mail's Message-ID and the SMS `reference` are the notice id, so
//! the provider and the reader can tell a repeat.

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use motcua_config::NoticeConfig;
use sqlx::{PgPool, Row};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends the notices of one service's table.
#[derive(Clone)]
pub struct Sender {
    pool: PgPool,
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, lettre::message::Mailbox)>,
    sms: Option<(reqwest::Client, String, Option<String>)>,
    max_attempts: i32,
    poll: Duration,
}

struct Due {
    id: Uuid,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    attempts: i32,
}

enum Outcome {
    Sent,
    Retry(String),
    /// Will never succeed (bad address, no transport).
    GiveUp(&'static str, String),
}

impl Sender {
    /// A sender for the table in `pool`, polling every `poll`.
    pub fn new(pool: PgPool, config: &NoticeConfig, poll: Duration) -> anyhow::Result<Self> {
        let smtp = match &config.smtp_addr {
            None => None,
            Some(addr) => {
                let (host, port) = addr
                    .rsplit_once(':')
                    .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
                    .ok_or_else(|| {
                        anyhow::anyhow!("MOTCUA_SMTP_ADDR {addr:?}: expected host:port")
                    })?;
                let from = config
                    .smtp_from
                    .parse()
                    .map_err(|e| anyhow::anyhow!("MOTCUA_SMTP_FROM {:?}: {e}", config.smtp_from))?;
                let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(port)
                    .timeout(Some(SEND_TIMEOUT))
                    .build();
                Some((transport, from))
            }
        };
        let sms = config.sms_url.as_ref().map(|url| {
            let client = reqwest::Client::builder()
                .timeout(SEND_TIMEOUT)
                .build()
                .unwrap_or_default();
            (client, url.clone(), config.sms_api_key.clone())
        });
        Ok(Self {
            pool,
            smtp,
            sms,
            max_attempts: i32::try_from(config.max_attempts.max(1)).unwrap_or(i32::MAX),
            poll,
        })
    }

    /// Runs until `shutdown`; a batch in progress is finished first.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let sent = match self.send_due().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "notice batch failed");
                    0
                }
            };
            if sent >= 50 {
                continue;
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    /// Claims up to 50 due notices and attempts each once; returns how many were attempted.
    pub async fn send_due(&self) -> Result<usize, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT id, channel, recipient, subject, body, attempts FROM notice n
              WHERE status = 'pending' AND next_attempt_at <= now()
                AND NOT EXISTS (
                    SELECT 1 FROM notice p
                     WHERE p.recipient = n.recipient AND p.channel = n.channel
                       AND p.status = 'pending' AND p.id < n.id)
              ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED",
        )
        .fetch_all(&mut *tx)
        .await?;
        let n = rows.len();
        for r in rows {
            let due = Due {
                id: r.try_get("id")?,
                channel: r.try_get("channel")?,
                recipient: r.try_get("recipient")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                attempts: r.try_get("attempts")?,
            };
            let outcome = self.send(&due).await;
            self.record(&mut tx, &due, outcome).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    async fn record(
        &self,
        tx: &mut sqlx::PgConnection,
        due: &Due,
        outcome: Outcome,
    ) -> Result<(), sqlx::Error> {
        let (status, error, retry_in) = match outcome {
            Outcome::Sent => ("sent", None, 0),
            Outcome::GiveUp(status, e) => (status, Some(e), 0),
            Outcome::Retry(e) if due.attempts + 1 >= self.max_attempts => ("failed", Some(e), 0),
            Outcome::Retry(e) => (
                "pending",
                Some(e),
                motcua_outbox::backoff_seconds(due.attempts),
            ),
        };
        match &error {
            // Not configured is a choice of the installation, not a fault to warn about.
            Some(e) if status == "unsent" => {
                tracing::debug!(notice = %due.id, channel = %due.channel, error = %e, "notice not sent")
            }
            Some(e) => {
                tracing::warn!(notice = %due.id, channel = %due.channel, status, error = %e, "notice not sent")
            }
            None => {}
        }
        sqlx::query(
            "UPDATE notice SET status = $2, attempts = attempts + 1, last_error = $3,
                    sent_at = CASE WHEN $2 = 'sent' THEN now() END,
                    next_attempt_at = now() + make_interval(secs => $4)
              WHERE id = $1",
        )
        .bind(due.id)
        .bind(status)
        .bind(error)
        .bind(retry_in as f64)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    async fn send(&self, due: &Due) -> Outcome {
        match due.channel.as_str() {
            "email" => self.email(due).await,
            "sms" => self.sms(due).await,
            other => Outcome::GiveUp("failed", format!("unknown channel {other}")),
        }
    }

    async fn email(&self, due: &Due) -> Outcome {
        let Some((transport, from)) = &self.smtp else {
            return Outcome::GiveUp("unsent", "no SMTP relay configured".into());
        };
        let to = match due.recipient.parse() {
            Ok(to) => to,
            Err(e) => return Outcome::GiveUp("failed", format!("recipient address: {e}")),
        };
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&due.subject)
            .message_id(Some(format!("<{}@motcua>", due.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(due.body.clone());
        let message = match message {
            Ok(m) => m,
            Err(e) => return Outcome::GiveUp("failed", format!("message: {e}")),
        };
        match transport.send(message).await {
            Ok(_) => Outcome::Sent,
            Err(e) if e.is_permanent() => Outcome::GiveUp("failed", format!("smtp: {e}")),
            Err(e) => Outcome::Retry(format!("smtp: {e}")),
        }
    }

    async fn sms(&self, due: &Due) -> Outcome {
        let Some((client, url, key)) = &self.sms else {
            return Outcome::GiveUp("unsent", "no SMS provider configured".into());
        };
        let mut req = client.post(url).json(&serde_json::json!({
            "to": due.recipient,
            "text": due.body,
            "reference": due.id,
        }));
        if let Some(key) = key {
            req = req.bearer_auth(key);
        }
        match req.send().await {
            Ok(r) if r.status().is_success() => Outcome::Sent,
            Ok(r) if r.status().is_client_error() && r.status().as_u16() != 429 => {
                Outcome::GiveUp("failed", format!("sms provider answered {}", r.status()))
            }
            Ok(r) => Outcome::Retry(format!("sms provider answered {}", r.status())),
            Err(e) => Outcome::Retry(format!("sms provider: {e}")),
        }
    }
}
