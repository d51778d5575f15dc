//! Reading records back (đọc nhật ký): the stored row, its canonical fields for re-hashing,
//! and the public form the inspector's history export shows.

use crate::canonical::{self, Fields};
use serde::Serialize;

/// One stored audit record, as the history export shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Position in its service's chain (1, 2, … without gaps).
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
pub(crate) const COLUMNS: &str = "seq, at, actor, actor_roles, actor_agency, action, target, \
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

/// The records of one target in the connection's schema, oldest first — what the inspector's
/// history export shows of that service.
pub async fn of_target(
    conn: &mut sqlx::PgConnection,
    target: &str,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_record WHERE target = $1 ORDER BY seq"
    )))
    .bind(target)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Row::into_record).collect())
}
