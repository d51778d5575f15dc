//! The gateway's side of the signatures (`docs/payments.md` § Signatures), written from the
//! documentation alone, not from motcua's code, so the end-to-end tests check the contract:
//! the canonical string (fields sorted by name, values percent-encoded except `A–Z a–z 0–9 - .
//! _ ~`, `name=value` joined by `&`) and its HMAC-SHA256 in lowercase hex. `hmac` and `sha2`
//! only.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Percent-encodes every UTF-8 byte of `value` but the unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The canonical string of `fields`.
pub fn canonical(fields: &[(String, String)]) -> String {
    let mut sorted: Vec<_> = fields.iter().collect();
    sorted.sort();
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn mac(secret: &str, canonical: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(canonical.as_bytes());
    mac
}

/// HMAC-SHA256 of `canonical` keyed with `secret`, lowercase hex.
pub fn sign(secret: &str, canonical: &str) -> String {
    mac(secret, canonical)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `signature` (hex) signs `canonical`, compared in constant time.
pub fn verify(secret: &str, canonical: &str, signature: &str) -> bool {
    let bytes: Option<Vec<u8>> = (0..signature.len())
        .step_by(2)
        .map(|i| {
            signature
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    bytes.is_some_and(|b| mac(secret, canonical).verify_slice(&b).is_ok())
}
