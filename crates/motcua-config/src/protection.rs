//! The limits that protect a service from its clients (giới hạn bảo vệ máy chủ): how long a
//! REST request may take, how large its body may be — large only on the routes that take
//! uploaded files —, how many requests one service serves at once, and which proxies' word
//! about the client's address is believed. Without them one careless or hostile client can hold
//! every connection, every byte of memory or a lookup quota that belongs to someone else.

use crate::trusted_proxies::TrustedProxies;
use crate::{ConfigError, Env};
use std::time::Duration;

/// The REST server's limits (`docs/configuration.md`, "Server protection").
#[derive(Debug, Clone)]
pub struct Protection {
    /// How long a REST request may take, body included, before it is answered `503
    /// request_timeout` (`MOTCUA_REQUEST_TIMEOUT_MS`, default 30000).
    pub request_timeout: Duration,
    /// The same for a route that takes uploaded files, whose body alone may take long on a
    /// slow line (`MOTCUA_UPLOAD_TIMEOUT_MS`, default 120000).
    pub upload_timeout: Duration,
    /// Largest request body in bytes; more is `413 body_too_large`
    /// (`MOTCUA_BODY_LIMIT_BYTES`, default 1 MiB).
    pub body_limit: usize,
    /// Largest body of a route that takes uploaded files (`MOTCUA_UPLOAD_BODY_LIMIT_BYTES`,
    /// default 64 MiB: a submission's 45 MiB of files, base64-encoded, and its JSON).
    pub upload_body_limit: usize,
    /// REST requests one service serves at once; beyond it a request is answered `503
    /// overloaded` at once (`MOTCUA_MAX_CONCURRENT_REQUESTS`, default 512).
    pub max_concurrent_requests: usize,
    /// Proxies whose `X-Forwarded-For` is believed (`MOTCUA_TRUSTED_PROXIES`, default none).
    pub trusted_proxies: TrustedProxies,
}

impl Protection {
    /// Reads the limits; zero or inconsistent values are refused, naming the variable.
    pub(crate) fn from_env(env: &Env<'_>) -> Result<Self, ConfigError> {
        let p = Self {
            request_timeout: positive_millis(env, "MOTCUA_REQUEST_TIMEOUT_MS", 30_000)?,
            upload_timeout: positive_millis(env, "MOTCUA_UPLOAD_TIMEOUT_MS", 120_000)?,
            body_limit: positive(env, "MOTCUA_BODY_LIMIT_BYTES", 1024 * 1024)?,
            upload_body_limit: positive(env, "MOTCUA_UPLOAD_BODY_LIMIT_BYTES", 64 * 1024 * 1024)?,
            max_concurrent_requests: positive(env, "MOTCUA_MAX_CONCURRENT_REQUESTS", 512)?,
            trusted_proxies: TrustedProxies::parse(
                &env.get("MOTCUA_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|reason| ConfigError {
                var: "MOTCUA_TRUSTED_PROXIES".into(),
                reason,
            })?,
        };
        if p.upload_body_limit < p.body_limit {
            return Err(ConfigError {
                var: "MOTCUA_UPLOAD_BODY_LIMIT_BYTES".into(),
                reason: "must be at least MOTCUA_BODY_LIMIT_BYTES".into(),
            });
        }
        if p.upload_timeout < p.request_timeout {
            return Err(ConfigError {
                var: "MOTCUA_UPLOAD_TIMEOUT_MS".into(),
                reason: "must be at least MOTCUA_REQUEST_TIMEOUT_MS".into(),
            });
        }
        Ok(p)
    }
}

/// A count of at least 1.
fn positive(env: &Env<'_>, var: &str, default: usize) -> Result<usize, ConfigError> {
    match env.parse(var, default)? {
        0 => Err(ConfigError {
            var: var.into(),
            reason: "must be at least 1".into(),
        }),
        n => Ok(n),
    }
}

/// A duration of at least 1 ms.
fn positive_millis(env: &Env<'_>, var: &str, default: u64) -> Result<Duration, ConfigError> {
    positive(env, var, default as usize).map(|ms| Duration::from_millis(ms as u64))
}

/// PostgreSQL's `statement_timeout` for a service's pool (`MOTCUA_DB_STATEMENT_TIMEOUT_MS`,
/// default 30000; `0` for none). Migrations and the operator's commands run without it.
pub(crate) fn statement_timeout(env: &Env<'_>) -> Result<Option<Duration>, ConfigError> {
    let d = env.millis("MOTCUA_DB_STATEMENT_TIMEOUT_MS", Duration::from_secs(30))?;
    Ok((!d.is_zero()).then_some(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<Protection, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Protection::from_env(&Env::from_fn(|k| map.get(k).cloned()))
    }

    #[test]
    fn defaults_are_small_except_for_uploads() {
        let p = read(&[]).unwrap();
        assert_eq!(p.request_timeout, Duration::from_secs(30));
        assert_eq!(p.upload_timeout, Duration::from_secs(120));
        assert_eq!(p.body_limit, 1_048_576);
        assert_eq!(p.upload_body_limit, 67_108_864);
        assert_eq!(p.max_concurrent_requests, 512);
        assert!(p.trusted_proxies.is_empty());
    }

    #[test]
    fn zero_inconsistent_or_malformed_limits_name_their_variable() {
        for (var, value) in [
            ("MOTCUA_REQUEST_TIMEOUT_MS", "0"),
            ("MOTCUA_MAX_CONCURRENT_REQUESTS", "0"),
            ("MOTCUA_UPLOAD_BODY_LIMIT_BYTES", "1000"),
            ("MOTCUA_UPLOAD_TIMEOUT_MS", "1000"),
            ("MOTCUA_TRUSTED_PROXIES", "10.0.0.0/40"),
        ] {
            assert_eq!(read(&[(var, value)]).unwrap_err().var, var, "{var}={value}");
        }
    }
}
