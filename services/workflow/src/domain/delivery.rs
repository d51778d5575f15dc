//! One webhook delivery's rules (gửi sự kiện): its Standard Webhooks signature — `v1,` and the
//! base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` with the secret's key bytes, one per valid
//! secret, space-separated while a rotated-out secret still signs — and what a failed attempt
//! leads to: a retry after an exponential backoff with full jitter (so many receivers coming
//! back at once are not hit together), or a dead letter once the attempts are spent. Pure: the
//! random draw comes in as a number.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::time::Duration;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// `v1,<signature>` of `body` sent as delivery `id` at Unix second `timestamp`, with the
/// secret stored as `secret` (base64 of the key; a `whsec_` prefix is ignored); `None` when
/// the secret is not base64.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = B64
        .decode(
            secret
                .strip_prefix(super::subscription::SECRET_PREFIX)
                .unwrap_or(secret),
        )
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per secret that still signs (the current
/// one, then the rotated-out one during its overlap), separated by a space.
pub fn signature_header(secrets: &[&str], id: &str, timestamp: i64, body: &str) -> Option<String> {
    let sigs: Option<Vec<String>> = secrets
        .iter()
        .map(|s| sign(s, id, timestamp, body))
        .collect();
    Some(sigs?.join(" "))
}

/// The delay before the next attempt after `failed` failed attempts (1, 2, …): a uniform draw
/// (`random`) between zero and `base · 2^(failed-1)`, the latter capped at `cap`.
pub fn backoff(failed: u32, base: Duration, cap: Duration, random: u64) -> Duration {
    let exp = failed.saturating_sub(1).min(40);
    let ceiling = base
        .checked_mul(1u32 << exp.min(31))
        .map_or(cap, |d| d.min(cap))
        .min(cap);
    let ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(random % ms.saturating_add(1))
}

/// What a failed attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Tried again after this delay.
    Retry(Duration),
    /// Its attempts are spent: a dead letter, no longer holding back its dossier.
    Dead,
}

/// After the `failed`-th failed attempt of at most `max_attempts`.
pub fn after_failure(
    failed: u32,
    max_attempts: u32,
    base: Duration,
    cap: Duration,
    random: u64,
) -> AfterFailure {
    match failed >= max_attempts {
        true => AfterFailure::Dead,
        false => AfterFailure::Retry(backoff(failed, base, cap, random)),
    }
}

/// Whether a receiver's HTTP status means it took the delivery.
pub fn taken(status: u16) -> bool {
    (200..300).contains(&status)
}

/// A dead delivery, as the operator sees it (`GET /api/v1/dead-letters`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DeadLetter {
    /// The delivery (its `webhook-id`).
    pub id: Uuid,
    /// Its subscription.
    pub subscription_id: Uuid,
    /// Where it was sent.
    pub url: String,
    /// The event type.
    pub event_type: String,
    /// The dossier it is about.
    pub dossier_code: String,
    /// Attempts made.
    pub attempts: i32,
    /// Why the last one failed.
    pub last_error: Option<String>,
    /// When it was given up.
    #[serde(with = "motcua_calendar::province_time")]
    pub dead_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_the_standard_webhooks_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let (id, ts, body) = (
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sign(secret, id, ts, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let stored = secret.trim_start_matches("whsec_");
        assert_eq!(sign(stored, id, ts, body), sign(secret, id, ts, body));
        assert_eq!(sign("not base64!", id, ts, body), None);
    }

    #[test]
    fn during_a_rotation_both_secrets_sign_separated_by_a_space() {
        let (new, old) = (
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        );
        let h = signature_header(
            &[new, old],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        let parts: Vec<&str> = h.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
        assert_eq!(parts[1], "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn backoff_is_a_full_jitter_draw_under_a_doubling_capped_ceiling() {
        let (base, cap) = (Duration::from_secs(1), Duration::from_secs(3600));
        assert_eq!(
            backoff(1, base, cap, u64::MAX - 1),
            Duration::from_millis((u64::MAX - 1) % 1001)
        );
        for failed in 1..=30 {
            let ceiling = (base * 2u32.pow((failed - 1).min(20))).min(cap);
            for random in [0, 1, 999, 123_456_789, u64::MAX] {
                let d = backoff(failed, base, cap, random);
                assert!(d <= ceiling, "{failed}: {d:?} > {ceiling:?}");
            }
            assert_eq!(backoff(failed, base, cap, 0), Duration::ZERO);
        }
        let ms = |d: Duration| d.as_millis() as u64;
        assert_eq!(
            backoff(3, base, cap, ms(Duration::from_secs(4))),
            Duration::from_secs(4)
        );
        assert_eq!(backoff(40, base, cap, ms(cap)), cap, "the cap is reachable");
        assert_eq!(backoff(u32::MAX, base, cap, ms(cap) + 1), Duration::ZERO);
    }

    #[test]
    fn attempts_spent_make_a_dead_letter_and_only_2xx_is_taken() {
        let (b, c) = (Duration::from_millis(50), Duration::from_secs(1));
        assert!(matches!(
            after_failure(1, 3, b, c, 7),
            AfterFailure::Retry(_)
        ));
        assert_eq!(after_failure(3, 3, b, c, 7), AfterFailure::Dead);
        assert!(taken(200) && taken(204) && taken(299));
        assert!(!taken(301) && !taken(404) && !taken(500) && !taken(199));
    }
}
