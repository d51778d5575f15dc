//! Which chain an append goes to (chọn chuỗi): each service schema keeps [`CHAINS`] hash chains
//! side by side, each with its own head row, so that writers of different dossiers lock
//! different heads and do not queue behind one another's commits. A transaction's records all
//! go to one chain, picked from a key with a hash that is the same in every process and release.

use sha2::{Digest, Sha256};

/// How many chains a schema keeps (số chuỗi). The head of a chain is locked from an append until
/// its transaction commits, fsync included, so writers contend only when they pick the same
/// chain: with 16, two concurrent writing transactions of one service meet on a head 1 time in
/// 16, and the handful that a service runs at once (intake's writers per agency and day, its
/// relay, workflow's and reporting's event runs) rarely queue. More would cut that little
/// further but lengthen what operators keep and compare (`motcua audit verify --heads` prints one
/// head per chain) and what the history export carries. It may be raised later: `install` adds
/// the missing heads, records already written stay (and verify) in their chains, and a target's
/// records are always read across every chain. Lowering it leaves the higher chains readable
/// and verified, only without new records.
pub const CHAINS: i16 = 16;

/// The chain a key's records go to: the first eight bytes of SHA-256 of the key, big-endian,
/// modulo [`CHAINS`]. Not Rust's `Hash`, whose seed differs per process: a dossier's
/// single-target changes must land in the same chain whichever replica writes them.
pub fn chain_of(key: &str) -> i16 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % CHAINS as u64) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_always_picks_the_same_chain_and_keys_spread_over_all_of_them() {
        let code = "000.25.80.H80-261127-0001";
        assert_eq!(chain_of(code), chain_of(code));
        let used: std::collections::BTreeSet<i16> = (0..400)
            .map(|i| chain_of(&format!("000.25.80.H80-261127-{i:04}")))
            .collect();
        assert_eq!(used.len(), CHAINS as usize, "{used:?}");
        assert!(used.iter().all(|c| (0..CHAINS).contains(c)));
    }

    #[test]
    fn the_pick_is_pinned_to_sha256() {
        // sha256("") starts e3 b0 c4 42 98 fc 1c 14: 0xe3b0c44298fc1c14 % 16 = 4.
        assert_eq!(chain_of(""), 4);
    }
}
