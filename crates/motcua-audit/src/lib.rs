//! The audit trail (nhật ký kiểm tra): every state change of every service writes an
//! append-only record — who (subject, roles, agency), what (action, target, before/after
//! summary), when, the request id and the client's address — in the same transaction as the
//! change. Each service schema holds [`CHAINS`] chains side by side (so that writers of
//! different dossiers do not wait on one head lock): within a chain every record carries the
//! hash of the one before, so `motcua audit verify` ([`verify`]) finds an edited, deleted,
//! reordered or moved record, and triggers refuse UPDATE, DELETE and TRUNCATE to the
//! application's role ([`install`]).

#![warn(missing_docs)]

mod canonical;
mod chain;
mod record;
mod schema;
mod verify;

pub use chain::{CHAINS, chain_of};
pub use record::{AuditRecord, ChainHead, heads, of_target};
pub use schema::install;
pub use verify::{BadRecord, ChainReport, TrailReport, verify};

use canonical::Fields;
use serde::Serialize;

/// Who did it (người thực hiện), as recorded with each change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    /// The token's subject, or `svc:<name>` for a service acting on its own.
    pub sub: String,
    /// The caller's roles, by their snake_case names.
    pub roles: Vec<String>,
    /// The agency the caller acts for, if any.
    pub agency: Option<String>,
}

impl Actor {
    /// The authenticated caller of a request, so the record names the person and their powers.
    pub fn of(caller: &motcua_auth::Caller) -> Actor {
        Actor {
            sub: caller.sub.clone(),
            roles: caller.role_names(),
            agency: caller.agency.clone(),
        }
    }

    /// A service acting on its own (an event applied, a worker's expiry): subject `svc:<name>`,
    /// role `service`, no agency.
    pub fn service(name: &str) -> Actor {
        Actor {
            sub: format!("svc:{name}"),
            roles: vec!["service".to_string()],
            agency: None,
        }
    }
}

/// One audited change (bản ghi nhật ký), as the service hands it to [`append`].
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Who made the change.
    pub actor: Actor,
    /// What was done, e.g. `dossier.received` or `procedure.published`.
    pub action: String,
    /// What it was done to, e.g. a dossier code.
    pub target: String,
    /// When (kept to the microsecond, as PostgreSQL keeps it).
    pub at: time::OffsetDateTime,
    /// A summary of the target before the change (no personal ID number, no phone).
    pub before: Option<serde_json::Value>,
    /// A summary of the target after the change (no personal ID number, no phone).
    pub after: Option<serde_json::Value>,
}

/// Appends `entries` to one chain of the schema the connection's `search_path` points at, in
/// the caller's transaction, so a change and its record commit or roll back together. The
/// request id and client address come from the request being served, if any.
///
/// The chain is [`chain_of`] the first entry's target (a dossier's single-target changes stay
/// in its chain), or, when the transaction already appended, the chain it appended to: a
/// transaction writes to one chain only, so two transactions never lock two heads in opposite
/// orders. It locks that chain's head row until the transaction ends: writers that picked the
/// same chain wait there, the others do not. Call it as late as possible in the transaction
/// (just before commit, after the change's other statements), and once per transaction with all
/// its entries.
pub async fn append(
    tx: &mut sqlx::PgConnection,
    entries: &[AuditEntry],
) -> Result<(), sqlx::Error> {
    let origin = Origin::current();
    let with: Vec<_> = entries.iter().map(|e| (e, &origin)).collect();
    write(tx, &with).await
}

/// The request an entry came from, for a writer that appends the changes of several requests
/// at once (intake's receiving batch), where the task's own request is not theirs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origin {
    /// The request's `x-request-id`.
    pub request_id: Option<String>,
    /// The client's address.
    pub source: Option<String>,
}

impl Origin {
    /// The request being served (`motcua_telemetry` task-locals), if any.
    pub fn current() -> Origin {
        Origin {
            request_id: motcua_telemetry::request_id::current(),
            source: motcua_telemetry::client_addr::current().map(|a| a.to_string()),
        }
    }
}

/// [`append`], each entry with its own request: same lock, same single statement.
pub async fn append_from(
    tx: &mut sqlx::PgConnection,
    entries: &[(AuditEntry, Origin)],
) -> Result<(), sqlx::Error> {
    let with: Vec<_> = entries.iter().map(|(e, o)| (e, o)).collect();
    write(tx, &with).await
}

/// Locks the head of the transaction's chain: the one a previous append of this transaction
/// pinned in the transaction-local setting `motcua.audit_chain` (reset when the transaction
/// ends, rolled back with a savepoint), else `$1`; and pins it.
const LOCK_HEAD: &str =
    "SELECT chain, seq, hash, set_config('motcua.audit_chain', chain::text, true)
       FROM audit_head
      WHERE chain = coalesce(nullif(current_setting('motcua.audit_chain', true), '')::smallint, $1)
        FOR UPDATE";

async fn write(
    tx: &mut sqlx::PgConnection,
    entries: &[(&AuditEntry, &Origin)],
) -> Result<(), sqlx::Error> {
    let Some((first, _)) = entries.first() else {
        return Ok(());
    };
    let (chain, mut seq, mut prev, _): (i16, i64, Vec<u8>, String) = sqlx::query_as(LOCK_HEAD)
        .bind(chain_of(&first.target))
        .fetch_one(&mut *tx)
        .await?;
    let mut rows = Columns {
        chain,
        ..Columns::default()
    };
    for (e, origin) in entries {
        seq += 1;
        let before = e.before.as_ref().map(|v| v.to_string());
        let after = e.after.as_ref().map(|v| v.to_string());
        let at_micros = canonical::micros(e.at);
        let hash = canonical::hash(
            &prev,
            &Fields {
                seq,
                at_micros,
                actor: &e.actor.sub,
                roles: &e.actor.roles,
                agency: e.actor.agency.as_deref(),
                action: &e.action,
                target: &e.target,
                request_id: origin.request_id.as_deref(),
                source: origin.source.as_deref(),
                before: before.as_deref(),
                after: after.as_deref(),
            },
        );
        let hash = hash.to_vec();
        let prev_hash = std::mem::replace(&mut prev, hash.clone());
        rows.push(
            e,
            origin,
            seq,
            at_micros,
            [before, after],
            [prev_hash, hash],
        );
    }
    insert(tx, rows).await?;
    sqlx::query("UPDATE audit_head SET seq = $2, hash = $3 WHERE chain = $1")
        .bind(chain)
        .bind(seq)
        .bind(prev)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The entries of one append, column by column (one statement inserts them all), and their
/// chain.
#[derive(Default)]
struct Columns {
    chain: i16,
    seq: Vec<i64>,
    at: Vec<time::OffsetDateTime>,
    actor: Vec<String>,
    roles: Vec<String>,
    agency: Vec<Option<String>>,
    action: Vec<String>,
    target: Vec<String>,
    request_id: Vec<Option<String>>,
    source: Vec<Option<String>>,
    before: Vec<Option<String>>,
    after: Vec<Option<String>>,
    prev_hash: Vec<Vec<u8>>,
    hash: Vec<Vec<u8>>,
}

impl Columns {
    fn push(
        &mut self,
        e: &AuditEntry,
        origin: &Origin,
        seq: i64,
        at_micros: i64,
        [before, after]: [Option<String>; 2],
        [prev_hash, hash]: [Vec<u8>; 2],
    ) {
        self.seq.push(seq);
        self.at.push(
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_micros) * 1000)
                .unwrap_or(e.at),
        );
        self.actor.push(e.actor.sub.clone());
        self.roles
            .push(serde_json::to_string(&e.actor.roles).unwrap_or_else(|_| "[]".into()));
        self.agency.push(e.actor.agency.clone());
        self.action.push(e.action.clone());
        self.target.push(e.target.clone());
        self.request_id.push(origin.request_id.clone());
        self.source.push(origin.source.clone());
        self.before.push(before);
        self.after.push(after);
        self.prev_hash.push(prev_hash);
        self.hash.push(hash);
    }
}

async fn insert(tx: &mut sqlx::PgConnection, c: Columns) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_record (chain, seq, at, actor, actor_roles, actor_agency, action,
                                   target, request_id, source, before, after, prev_hash, hash)
         SELECT $14, u.seq, u.at, u.actor, ARRAY(SELECT jsonb_array_elements_text(u.roles::jsonb)),
                u.agency, u.action, u.target, u.request_id, u.source, u.before, u.after,
                u.prev_hash, u.hash
         FROM UNNEST($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                     $12::bytea[], $13::bytea[])
              AS u(seq, at, actor, roles, agency, action, target, request_id, source, before,
                   after, prev_hash, hash)",
    )
    .bind(c.seq)
    .bind(c.at)
    .bind(c.actor)
    .bind(c.roles)
    .bind(c.agency)
    .bind(c.action)
    .bind(c.target)
    .bind(c.request_id)
    .bind(c.source)
    .bind(c.before)
    .bind(c.after)
    .bind(c.prev_hash)
    .bind(c.hash)
    .bind(c.chain)
    .execute(tx)
    .await?;
    Ok(())
}
