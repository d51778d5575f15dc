//! Reading records back (đọc nhật ký): the stored row, its canonical fields for re-hashing,
//! the public form the inspector's history export shows, and the chains' heads that export
//! keeps.

use crate::canonical::{self, Fields};
use serde::Serialize;

/// One stored audit record, as the history export shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// The chain of its service that holds it (0 to `CHAINS` − 1; records written before
    /// chains were partitioned are chain 0's).
    pub chain: i16,
    /// Position in its chain (1, 2, … without gaps).
    pub seq: i64,
    /// When the change was made (RFC 3339).
    pub at: String,
    /// The actor's subject (`svc:<name>` for a service acting on its own).
    pub actor: String,
    /// The actor's roles.
    pub roles: Vec<String>,
    /// The agency the actor acted for.
    pub agency: Option<String>,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub target: String,
    /// The request that made the change, if any.
    pub request_id: Option<String>,
    /// The client's address, if the change came from a request.
    pub source: Option<String>,
    /// Summary before the change.
    pub before: Option<serde_json::Value>,
    /// Summary after the change.
    pub after: Option<serde_json::Value>,
    /// The record's hash (hex), chained to the one before.
    pub hash: String,
}

/// A row of `audit_record` as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    pub chain: i16,
    pub seq: i64,
    pub at: time::OffsetDateTime,
    pub actor: String,
    pub actor_roles: Vec<String>,
    pub actor_agency: Option<String>,
    pub action: String,
    pub target: String,
    pub request_id: Option<String>,
    pub source: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// Every column, in the order [`Row`] reads them.
pub(crate) const COLUMNS: &str = "chain, seq, at, actor, actor_roles, actor_agency, action, target, \
     request_id, source, before, after, prev_hash, hash";

impl Row {
    /// The hash the row's fields and `prev` give.
    pub(crate) fn recomputed(&self, prev: &[u8]) -> [u8; 32] {
        canonical::hash(
            prev,
            &Fields {
                seq: self.seq,
                at_micros: canonical::micros(self.at),
                actor: &self.actor,
                roles: &self.actor_roles,
                agency: self.actor_agency.as_deref(),
                action: &self.action,
                target: &self.target,
                request_id: self.request_id.as_deref(),
                source: self.source.as_deref(),
                before: self.before.as_deref(),
                after: self.after.as_deref(),
            },
        )
    }

    fn into_record(self) -> AuditRecord {
        let json = |s: Option<String>| {
            s.map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
        };
        AuditRecord {
            chain: self.chain,
            seq: self.seq,
            at: self
                .at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            actor: self.actor,
            roles: self.actor_roles,
            agency: self.actor_agency,
            action: self.action,
            target: self.target,
            request_id: self.request_id,
            source: self.source,
            before: json(self.before),
            after: json(self.after),
            hash: canonical::hex(&self.hash),
        }
    }
}

/// The records of one target in the connection's schema, across its chains, in time order
/// (`at`, then chain and `seq` among equal times) — what the inspector's history export shows
/// of that service. A transaction's records share one chain, but a dossier's changes made by
/// transactions keyed on another target (a receiving batch, a run of events) are in theirs.
pub async fn of_target(
    conn: &mut sqlx::PgConnection,
    target: &str,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_record WHERE target = $1 ORDER BY at, chain, seq"
    )))
    .bind(target)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Row::into_record).collect())
}

/// The head of one chain (đầu chuỗi): its last record's `seq` and hash. An export that keeps it
/// can later show, with `motcua audit verify --heads`, that the chain still runs through it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ChainHead {
    /// The chain.
    pub chain: i16,
    /// The `seq` of its last record; 0 when the chain is empty.
    pub seq: i64,
    /// That record's hash (64 hex digits; zeros when the chain is empty).
    pub hash: String,
}

/// The head of every chain of the connection's schema, in chain order.
pub async fn heads(conn: &mut sqlx::PgConnection) -> Result<Vec<ChainHead>, sqlx::Error> {
    let rows: Vec<(i16, i64, Vec<u8>)> =
        sqlx::query_as("SELECT chain, seq, hash FROM audit_head ORDER BY chain")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(chain, seq, hash)| ChainHead {
            chain,
            seq,
            hash: canonical::hex(&hash),
        })
        .collect())
}
