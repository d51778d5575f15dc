//! Verifying a webhook delivery (Standard Webhooks): the one function a receiver needs, quoted
//! verbatim by the integrator guide (docs/connectors.md § Verifying a signature), so it stays
//! self-contained: `hmac`, `sha2` and `base64` only.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// True when `timestamp` (the `webhook-timestamp` header, Unix seconds) is within five minutes
/// of `now` (Unix seconds) and one of the space-separated `v1,<base64>` signatures of `header`
/// (the `webhook-signature` header) is the HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed with
/// the base64-decoded part of `secret` after `whsec_`. `body` is the request's exact bytes.
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    body: &[u8],
    header: &str,
    now: i64,
) -> bool {
    let Ok(sent) = timestamp.parse::<i64>() else {
        return false;
    };
    if (now - sent).abs() > 5 * 60 {
        return false; // too old (a replay) or from the future
    }
    let secret = secret.strip_prefix("whsec_").unwrap_or(secret);
    let Ok(key) = STANDARD.decode(secret) else {
        return false;
    };
    header
        .split(' ')
        .filter_map(|signature| signature.strip_prefix("v1,"))
        .filter_map(|signature| STANDARD.decode(signature).ok())
        .any(|signature| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
                return false;
            };
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body);
            mac.verify_slice(&signature).is_ok() // constant-time comparison
        })
}
