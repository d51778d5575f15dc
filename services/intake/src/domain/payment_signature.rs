//! The signatures exchanged with the payment gateway (chữ ký số của cổng thanh toán,
//! `docs/payments.md` § Signatures): both the order motcua sends and the notification the
//! gateway sends back are signed over one canonical string — the signed fields sorted by name,
//! each `name=value` with the value percent-encoded byte by byte (UTF-8; only RFC 3986's
//! unreserved `A–Z a–z 0–9 - . _ ~` stay as they are, every other byte is `%XX` in capitals),
//! joined by `&` — as the lowercase hex HMAC-SHA256 keyed with the shared secret. A signature
//! received is compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The secret motcua shares with the gateway (khóa bí mật dùng chung). Its `Debug` never
/// shows it, so it cannot reach a log by accident.
#[derive(Clone)]
pub struct SharedSecret(Vec<u8>);

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSecret(<redacted>)")
    }
}

impl SharedSecret {
    /// The secret as configured (its UTF-8 bytes key the HMAC).
    pub fn new(secret: &str) -> Self {
        Self(secret.as_bytes().to_vec())
    }

    fn mac(&self, canonical: &str) -> Hmac<Sha256> {
        // HMAC takes a key of any length: this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(canonical.as_bytes());
        mac
    }

    /// The signature of `canonical`: HMAC-SHA256 as 64 lowercase hex digits.
    pub fn sign(&self, canonical: &str) -> String {
        self.mac(canonical)
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether `signature` (hex, either case) is the signature of `canonical`; compared in
    /// constant time, so a forger learns nothing from how long the answer took.
    pub fn verifies(&self, canonical: &str, signature: &str) -> bool {
        match hex(signature) {
            Some(bytes) => self.mac(canonical).verify_slice(&bytes).is_ok(),
            None => false,
        }
    }
}

/// The canonical string of `fields` (name, value): sorted by name, values percent-encoded,
/// `name=value` joined by `&`. Fields without a value are left out by the caller.
pub fn canonical(fields: &[(&str, String)]) -> String {
    let mut sorted: Vec<&(&str, String)> = fields.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes every byte of `value` except RFC 3986's unreserved characters.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The bytes of a hex string; `None` when it is not an even number of hex digits.
fn hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of `docs/payments.md`, computed independently (Python's `hmac`).
    const SECRET: &str = "motcua-demo-secret";

    fn order() -> Vec<(&'static str, String)> {
        vec![
            ("merchant_id", "MOTCUA01".into()),
            ("order_id", "0193f7a4-0000-7000-8000-000000000001".into()),
            ("amount", "50000".into()),
            (
                "description",
                "Nộp phí, lệ phí hồ sơ 000.25.80.H80-261127-0001".into(),
            ),
            ("expires_at", "2026-11-30T09:45:00+07:00".into()),
        ]
    }

    #[test]
    fn the_canonical_string_sorts_and_encodes_as_documented() {
        assert_eq!(
            canonical(&order()),
            "amount=50000&description=N%E1%BB%99p%20ph%C3%AD%2C%20l%E1%BB%87%20ph%C3%AD%20h%E1%BB%93%20s%C6%A1%20000.25.80.H80-261127-0001\
             &expires_at=2026-11-30T09%3A45%3A00%2B07%3A00&merchant_id=MOTCUA01\
             &order_id=0193f7a4-0000-7000-8000-000000000001"
        );
        assert_eq!(encode("a+b c&d=e/~"), "a%2Bb%20c%26d%3De%2F~");
    }

    #[test]
    fn the_signature_matches_the_documented_example() {
        let s = SharedSecret::new(SECRET);
        let c = canonical(&order());
        let sig = "cbb90b30f6741bf0b44a53d995af1afd069b8dfdf77e9597cb92b0c07b7abe47";
        assert_eq!(s.sign(&c), sig);
        assert!(s.verifies(&c, sig));
        assert!(s.verifies(&c, &sig.to_uppercase()), "hex in either case");
    }

    #[test]
    fn a_changed_field_a_wrong_key_or_a_malformed_signature_does_not_verify() {
        let s = SharedSecret::new(SECRET);
        let sig = s.sign(&canonical(&order()));
        let mut tampered = order();
        tampered[2].1 = "5000".into();
        assert!(!s.verifies(&canonical(&tampered), &sig));
        assert!(!SharedSecret::new("another-secret").verifies(&canonical(&order()), &sig));
        for bad in ["", "zz", &sig[..63], &format!("{sig}00")] {
            assert!(!s.verifies(&canonical(&order()), bad), "{bad:?}");
        }
        assert!(!format!("{s:?}").contains(SECRET));
    }
}
