//! The bytes a record's hash covers (dạng chuẩn để băm): every field, length-prefixed so no two
//! different records share their bytes, after the previous record's hash. Written once here and
//! used by both `append` and `verify`, so the two can never disagree.
//!
//! The chain a record belongs to is deliberately not hashed, and the formula (`motcua-audit/1`)
//! is the one records had before a schema kept several chains. Records written then have no
//! chain in their hash; leaving it out lets them become chain 0 as they are, with no second
//! formula to choose by version and no rewrite of stored hashes. Nothing is lost: a record's
//! chain is attested by the chain that verifies it — its `prev_hash` is its predecessor's hash
//! in that chain and its successor carries its hash — so a record moved to another chain
//! leaves a gap or a broken link in the chain it left and an extra or mismatched record in the
//! one it joined, and `verify` names it in both. Which chain holds a record means nothing
//! else (it only spreads the head locks), so there is nothing further to protect.

use sha2::{Digest, Sha256};

/// The hash before the first record of a chain.
pub(crate) const GENESIS: [u8; 32] = [0; 32];

/// The fields of one record as they are hashed (and stored).
pub(crate) struct Fields<'a> {
    pub seq: i64,
    /// Microseconds since the Unix epoch (PostgreSQL keeps no finer time).
    pub at_micros: i64,
    pub actor: &'a str,
    pub roles: &'a [String],
    pub agency: Option<&'a str>,
    pub action: &'a str,
    pub target: &'a str,
    pub request_id: Option<&'a str>,
    pub source: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// sha256(prev || canonical bytes of `f`).
pub(crate) fn hash(prev: &[u8], f: &Fields<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"motcua-audit/1");
    put_bytes(&mut h, prev);
    h.update(f.seq.to_be_bytes());
    h.update(f.at_micros.to_be_bytes());
    put_str(&mut h, f.actor);
    h.update((f.roles.len() as u64).to_be_bytes());
    for r in f.roles {
        put_str(&mut h, r);
    }
    put_opt(&mut h, f.agency);
    put_str(&mut h, f.action);
    put_str(&mut h, f.target);
    for opt in [f.request_id, f.source, f.before, f.after] {
        put_opt(&mut h, opt);
    }
    h.finalize().into()
}

fn put_bytes(h: &mut Sha256, b: &[u8]) {
    h.update((b.len() as u64).to_be_bytes());
    h.update(b);
}

fn put_str(h: &mut Sha256, s: &str) {
    put_bytes(h, s.as_bytes());
}

fn put_opt(h: &mut Sha256, s: Option<&str>) {
    match s {
        None => h.update([0u8]),
        Some(s) => {
            h.update([1u8]);
            put_str(h, s);
        }
    }
}

/// Lower-case hex of `b`.
pub(crate) fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

/// Microseconds since the epoch of `at` (finer digits dropped, as PostgreSQL drops them).
pub(crate) fn micros(at: time::OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(roles: &'a [String], before: Option<&'a str>) -> Fields<'a> {
        Fields {
            seq: 1,
            at_micros: 5,
            actor: "u",
            roles,
            agency: None,
            action: "a",
            target: "t",
            request_id: None,
            source: None,
            before,
            after: None,
        }
    }

    #[test]
    fn every_field_and_the_previous_hash_change_the_hash() {
        let roles = vec!["admin".to_string()];
        let base = hash(&GENESIS, &fields(&roles, None));
        assert_ne!(base, hash(&[1; 32], &fields(&roles, None)));
        assert_ne!(base, hash(&GENESIS, &fields(&roles, Some(""))));
        assert_ne!(base, hash(&GENESIS, &fields(&[], None)));
        assert_eq!(base, hash(&GENESIS, &fields(&roles, None)));
    }

    /// Records written before the chains were partitioned must still verify: the formula may
    /// not change (computed independently, with Python's hashlib, from the layout above).
    #[test]
    fn the_formula_is_the_one_single_chain_records_were_written_with() {
        let roles = vec!["admin".to_string()];
        assert_eq!(
            hex(&hash(&GENESIS, &fields(&roles, None))),
            "0c79d498c047ca30ebd07ab3713614f2ee868b75715f314f598565fc7a6ea0f5"
        );
    }

    #[test]
    fn hex_is_lower_case_and_two_digits_a_byte() {
        assert_eq!(hex(&[0, 0xab, 7]), "00ab07");
    }
}
