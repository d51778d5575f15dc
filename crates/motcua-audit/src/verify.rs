//! Checking a chain (kiểm tra chuỗi nhật ký): records read in `seq` order from one consistent
//! snapshot must start at 1 without gaps, each must carry the previous one's hash and hash to
//! its own, and the head must be the last record. The first record that breaks this is named
//! with the reason: edited (its hash no longer recomputes), deleted (a gap before it), reordered
//! (it does not follow the record before it), or a truncated tail (the head is ahead).

use crate::canonical::{self, GENESIS};
use crate::record::{COLUMNS, Row};
use sqlx::Connection;

/// Records read per round, so a long chain is checked in bounded memory.
const BATCH: i64 = 5_000;

/// The outcome of checking one schema's chain.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainReport {
    /// Records read.
    pub records: u64,
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
        if self.action.is_empty() && self.target.is_empty() {
            write!(f, "record {} {}", self.seq, self.reason)
        } else {
            let (seq, action, target) = (self.seq, &self.action, &self.target);
            write!(f, "record {seq} ({action} {target}) {}", self.reason)
        }
    }
}

/// Checks the whole chain of the connection's schema, in one read-only snapshot (appends made
/// meanwhile are not seen, so they cannot look like a broken chain).
pub async fn verify(conn: &mut sqlx::PgConnection) -> Result<ChainReport, sqlx::Error> {
    let mut tx = conn
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let (head_seq, head_hash): (i64, Vec<u8>) = sqlx::query_as("SELECT seq, hash FROM audit_head")
        .fetch_one(&mut *tx)
        .await?;
    let mut walk = Walk::default();
    let mut after = i64::MIN;
    loop {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_record WHERE seq > $1 ORDER BY seq LIMIT {BATCH}"
        )))
        .bind(after)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for row in &rows {
            walk.step(row);
        }
    }
    tx.commit().await?;
    if walk.bad.is_none() {
        walk.bad = walk.check_head(head_seq, &head_hash);
    }
    Ok(ChainReport {
        records: walk.records,
        head: canonical::hex(&head_hash),
        first_bad: walk.bad,
    })
}

/// The state of a walk along the chain.
struct Walk {
    records: u64,
    /// The seq the next record must have.
    expected: i64,
    /// The hash the next record must carry as its previous hash.
    prev: Vec<u8>,
    bad: Option<BadRecord>,
}

impl Default for Walk {
    fn default() -> Self {
        Self {
            records: 0,
            expected: 1,
            prev: GENESIS.to_vec(),
            bad: None,
        }
    }
}

impl Walk {
    fn step(&mut self, row: &Row) {
        self.records += 1;
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
            Some("does not follow the record before it: previous hash differs (reordered, or a record before it was deleted)".to_string())
        } else if row.recomputed(&row.prev_hash)[..] != row.hash[..] {
            Some("was edited: its hash no longer matches its contents".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            self.bad = Some(BadRecord {
                seq: row.seq,
                action: row.action.clone(),
                target: row.target.clone(),
                reason,
            });
        }
        self.expected = row.seq + 1;
        self.prev = row.hash.clone();
    }

    /// After a sound walk: the head must be the last record read.
    fn check_head(&self, head_seq: i64, head_hash: &[u8]) -> Option<BadRecord> {
        let last = self.expected - 1;
        let missing = |seq: i64, reason: String| BadRecord {
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
