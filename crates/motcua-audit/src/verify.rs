//! Checking the chains (kiểm tra chuỗi nhật ký): read in (chain, `seq`) order from one
//! consistent snapshot, each chain's records must start at 1 without gaps, each must carry the
//! previous one's hash and hash to its own, and the chain's head must be its last record; a
//! record in a chain that has no head was written around them. The first record that breaks a
//! chain is named with its chain and the reason: edited (its hash no longer recomputes),
//! deleted (a gap before it), reordered or moved in from another chain (it does not follow the
//! record before it), or a truncated tail (the head is ahead).

use crate::canonical::{self, GENESIS};
use crate::record::{COLUMNS, Row};
use sqlx::Connection;
use std::collections::BTreeMap;

/// Records read per round, so a long chain is checked in bounded memory.
const BATCH: i64 = 5_000;

/// The outcome of checking every chain of one schema.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailReport {
    /// Each chain's outcome, in chain order: every chain with a head, and any chain holding
    /// records without one.
    pub chains: Vec<ChainReport>,
}

impl TrailReport {
    /// True when no record breaks any chain.
    pub fn is_ok(&self) -> bool {
        self.chains.iter().all(ChainReport::is_ok)
    }

    /// Records read, over all chains.
    pub fn records(&self) -> u64 {
        self.chains.iter().map(|c| c.records).sum()
    }

    /// The first bad record of each broken chain, in chain order.
    pub fn broken(&self) -> impl Iterator<Item = &BadRecord> {
        self.chains.iter().filter_map(|c| c.first_bad.as_ref())
    }
}

/// The outcome of checking one chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainReport {
    /// The chain.
    pub chain: i16,
    /// Records read.
    pub records: u64,
    /// The head's `seq`: the last record's when the chain is sound.
    pub head_seq: i64,
    /// The head's hash (hex): the last record's hash when the chain is sound.
    pub head: String,
    /// The first record that breaks the chain, if any.
    pub first_bad: Option<BadRecord>,
}

impl ChainReport {
    /// True when no record breaks the chain.
    pub fn is_ok(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// The first record that breaks a chain, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRecord {
    /// The chain it breaks.
    pub chain: i16,
    /// Its `seq` (for a truncated tail: the first missing one).
    pub seq: i64,
    /// Its action (empty when the record is missing).
    pub action: String,
    /// Its target (empty when the record is missing).
    pub target: String,
    /// Why it breaks the chain.
    pub reason: String,
}

impl std::fmt::Display for BadRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (chain, seq) = (self.chain, self.seq);
        if self.action.is_empty() && self.target.is_empty() {
            write!(f, "chain {chain} record {seq} {}", self.reason)
        } else {
            let (action, target) = (&self.action, &self.target);
            write!(
                f,
                "chain {chain} record {seq} ({action} {target}) {}",
                self.reason
            )
        }
    }
}

/// Checks every chain of the connection's schema, in one read-only snapshot (appends made
/// meanwhile are not seen, so they cannot look like a broken chain). One pass over the records
/// in key order, whatever the number of chains.
pub async fn verify(conn: &mut sqlx::PgConnection) -> Result<TrailReport, sqlx::Error> {
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let heads: Vec<(i16, i64, Vec<u8>)> =
        sqlx::query_as("SELECT chain, seq, hash FROM audit_head ORDER BY chain")
            .fetch_all(&mut *tx)
            .await?;
    let mut heads: BTreeMap<i16, (i64, Vec<u8>)> =
        heads.into_iter().map(|(c, s, h)| (c, (s, h))).collect();
    let mut chains = Vec::new();
    let mut walk: Option<Walk> = None;
    let mut after = (i16::MIN, i64::MIN);
    loop {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_record WHERE (chain, seq) > ($1, $2)
              ORDER BY chain, seq LIMIT {BATCH}"
        )))
        .bind(after.0)
        .bind(after.1)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after = (last.chain, last.seq);
        for row in &rows {
            if walk.as_ref().is_some_and(|w| w.chain != row.chain) {
                chains.extend(walk.take().map(|w| w.finish(&mut heads)));
            }
            walk.get_or_insert_with(|| Walk::new(row.chain)).step(row);
        }
    }
    tx.commit().await?;
    chains.extend(walk.map(|w| w.finish(&mut heads)));
    // Chains with a head and no record.
    let empty: Vec<i16> = heads.keys().copied().collect();
    chains.extend(empty.into_iter().map(|c| Walk::new(c).finish(&mut heads)));
    chains.sort_by_key(|c| c.chain);
    Ok(TrailReport { chains })
}

/// The state of a walk along one chain.
struct Walk {
    chain: i16,
    records: u64,
    /// The seq the next record must have.
    expected: i64,
    /// The hash the next record must carry as its previous hash.
    prev: Vec<u8>,
    /// The chain's first record, named when the chain has no head.
    first: Option<(i64, String, String)>,
    bad: Option<BadRecord>,
}

impl Walk {
    fn new(chain: i16) -> Walk {
        Walk {
            chain,
            records: 0,
            expected: 1,
            prev: GENESIS.to_vec(),
            first: None,
            bad: None,
        }
    }

    fn step(&mut self, row: &Row) {
        self.records += 1;
        if self.first.is_none() {
            self.first = Some((row.seq, row.action.clone(), row.target.clone()));
        }
        if self.bad.is_some() {
            return;
        }
        let reason = if row.seq != self.expected {
            Some(match row.seq > self.expected {
                true => format!(
                    "follows a gap: record {} is missing (deleted)",
                    self.expected
                ),
                false => "is out of place (reordered)".to_string(),
            })
        } else if row.prev_hash != self.prev {
            Some("does not follow the record before it: previous hash differs (reordered, moved from another chain, or a record before it was deleted)".to_string())
        } else if row.recomputed(&row.prev_hash)[..] != row.hash[..] {
            Some("was edited: its hash no longer matches its contents".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            self.bad = Some(BadRecord {
                chain: self.chain,
                seq: row.seq,
                action: row.action.clone(),
                target: row.target.clone(),
                reason,
            });
        }
        self.expected = row.seq + 1;
        self.prev = row.hash.clone();
    }

    /// The chain's report, its head taken out of `heads`; a chain without a head is broken at
    /// its first record.
    fn finish(mut self, heads: &mut BTreeMap<i16, (i64, Vec<u8>)>) -> ChainReport {
        let Some((head_seq, head_hash)) = heads.remove(&self.chain) else {
            let (seq, action, target) = self.first.take().unwrap_or_default();
            let reason = "is in a chain that has no head (written around the chains)".to_string();
            return ChainReport {
                chain: self.chain,
                records: self.records,
                head_seq: 0,
                head: String::new(),
                first_bad: Some(BadRecord {
                    chain: self.chain,
                    seq,
                    action,
                    target,
                    reason,
                }),
            };
        };
        if self.bad.is_none() {
            self.bad = self.check_head(head_seq, &head_hash);
        }
        ChainReport {
            chain: self.chain,
            records: self.records,
            head_seq,
            head: canonical::hex(&head_hash),
            first_bad: self.bad,
        }
    }

    /// After a sound walk: the head must be the last record read.
    fn check_head(&self, head_seq: i64, head_hash: &[u8]) -> Option<BadRecord> {
        let last = self.expected - 1;
        let missing = |seq: i64, reason: String| BadRecord {
            chain: self.chain,
            seq,
            action: String::new(),
            target: String::new(),
            reason,
        };
        if head_seq > last {
            Some(missing(
                last + 1,
                format!(
                    "is missing: the head is at {head_seq} but the last record is {last} (tail deleted)"
                ),
            ))
        } else if head_seq < last {
            Some(missing(
                head_seq + 1,
                format!("is beyond the head ({head_seq}): written around the chain"),
            ))
        } else if head_hash != self.prev {
            Some(missing(
                last,
                "differs from the head's hash (the last record was replaced)".to_string(),
            ))
        } else {
            None
        }
    }
}
