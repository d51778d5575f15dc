//! How workflow delivers signed webhooks to sector systems (`docs/configuration.md`): the retry
//! backoff's base and cap, the attempts before a delivery becomes a dead letter, the deadline
//! of one delivery, and how long a rotated secret still signs.

use crate::{ConfigError, Env};
use std::time::Duration;

/// The webhook dispatcher's settings.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// First retry delay's upper bound (`MOTCUA_WEBHOOK_RETRY_BASE_MS`, default 1000); each
    /// retry doubles it, with full jitter.
    pub retry_base: Duration,
    /// The longest retry delay (`MOTCUA_WEBHOOK_RETRY_MAX_SECS`, default 3600).
    pub retry_max: Duration,
    /// Attempts before a delivery becomes a dead letter (`MOTCUA_WEBHOOK_MAX_ATTEMPTS`, default
    /// 20: with the defaults, a receiver down for an hour still gets every event).
    pub max_attempts: u32,
    /// Deadline of one delivery (`MOTCUA_WEBHOOK_TIMEOUT_SECS`, default 10).
    pub timeout: Duration,
    /// How long a rotated-out secret still signs, beside the new one
    /// (`MOTCUA_WEBHOOK_SECRET_OVERLAP_SECS`, default 86400: 24 hours).
    pub secret_overlap: Duration,
}

impl WebhookConfig {
    /// Reads the webhook settings; a zero attempt count, timeout or backoff is refused by name.
    pub fn from_env(env: &Env<'_>) -> Result<Self, ConfigError> {
        let c = Self {
            retry_base: env.millis("MOTCUA_WEBHOOK_RETRY_BASE_MS", Duration::from_secs(1))?,
            retry_max: Duration::from_secs(env.parse("MOTCUA_WEBHOOK_RETRY_MAX_SECS", 3600)?),
            max_attempts: env.parse("MOTCUA_WEBHOOK_MAX_ATTEMPTS", 20)?,
            timeout: Duration::from_secs(env.parse("MOTCUA_WEBHOOK_TIMEOUT_SECS", 10)?),
            secret_overlap: Duration::from_secs(
                env.parse("MOTCUA_WEBHOOK_SECRET_OVERLAP_SECS", 86_400)?,
            ),
        };
        let positive = [
            ("MOTCUA_WEBHOOK_RETRY_BASE_MS", c.retry_base.is_zero()),
            ("MOTCUA_WEBHOOK_RETRY_MAX_SECS", c.retry_max.is_zero()),
            ("MOTCUA_WEBHOOK_MAX_ATTEMPTS", c.max_attempts == 0),
            ("MOTCUA_WEBHOOK_TIMEOUT_SECS", c.timeout.is_zero()),
        ];
        if let Some((var, _)) = positive.iter().find(|(_, zero)| *zero) {
            return Err(ConfigError {
                var: (*var).into(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_defaults_and_zeroes_are_refused_by_name() {
        let c = WebhookConfig::from_env(&Env::from_fn(|_| None)).unwrap();
        assert_eq!(c.retry_base, Duration::from_secs(1));
        assert_eq!(c.retry_max, Duration::from_secs(3600));
        assert_eq!((c.max_attempts, c.timeout.as_secs()), (20, 10));
        assert_eq!(c.secret_overlap, Duration::from_secs(86_400));
        let e = WebhookConfig::from_env(&Env::from_fn(|k| {
            (k == "MOTCUA_WEBHOOK_MAX_ATTEMPTS").then(|| "0".to_string())
        }))
        .unwrap_err();
        assert_eq!(e.var, "MOTCUA_WEBHOOK_MAX_ATTEMPTS");
        let c = WebhookConfig::from_env(&Env::from_fn(|k| {
            (k == "MOTCUA_WEBHOOK_RETRY_BASE_MS").then(|| "50".to_string())
        }))
        .unwrap();
        assert_eq!(c.retry_base, Duration::from_millis(50));
    }
}
