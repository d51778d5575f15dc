//! The catalogue's audit trail (nhật ký thay đổi): every write records who (subject, roles,
//! agency), what and the before/after values, in the same transaction as the write, on the
//! schema's hash chain (`motcua_audit`).

use motcua_audit::{Actor, AuditEntry};
use sqlx::PgConnection;

/// Records one audited change on the chain, with the request it came from. Called after the
/// write's own statements: the chain's head stays locked until the commit.
pub async fn record(
    tx: &mut PgConnection,
    actor: &Actor,
    action: &str,
    subject: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<(), sqlx::Error> {
    let entry = AuditEntry {
        actor: actor.clone(),
        action: action.to_string(),
        target: subject.to_string(),
        at: time::OffsetDateTime::now_utc(),
        before: before.cloned(),
        after: after.cloned(),
    };
    motcua_audit::append(tx, &[entry]).await
}
