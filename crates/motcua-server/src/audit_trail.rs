//! The audit trail's gRPC face (`motcua.audit.v1.AuditTrail`), written once here and served by
//! every service beside health and reflection: the records of one target in the service's own
//! chain (`motcua-audit`), with the chain's head when they were read — what intake's history
//! export gathers from the four services. Only services (role `service`) may call it.

use motcua_auth::{Role, require_grpc};
use motcua_problem::Problem;
use motcua_proto::audit::v1 as pb;
use motcua_proto::audit::v1::audit_trail_server::{AuditTrail, AuditTrailServer};
use sqlx::PgPool;
use tonic::{Request, Response, Status};

/// The gRPC service's full name (reported by health, shown by reflection).
pub(crate) const SERVICE_NAME: &str = "motcua.audit.v1.AuditTrail";

/// The service on `pool` (the service's own schema), its callers verified by `verifier`.
pub(crate) fn service(
    pool: PgPool,
    verifier: &motcua_auth::JwtVerifier,
) -> tonic::service::interceptor::InterceptedService<
    AuditTrailServer<Trail>,
    impl tonic::service::Interceptor + Clone + Send + Sync + 'static,
> {
    AuditTrailServer::with_interceptor(Trail(pool), verifier.grpc_interceptor())
}

/// The audit trail of one service schema.
pub(crate) struct Trail(PgPool);

/// A target's records in one service schema, with that chain's head when they were read.
#[derive(Debug, Clone)]
pub struct TrailSnapshot {
    /// The target's records, oldest first (chain order).
    pub records: Vec<motcua_audit::AuditRecord>,
    /// The `seq` of the chain's last record; 0 when the chain is empty.
    pub head_seq: i64,
    /// That record's hash (64 hex digits); empty when the chain is empty.
    pub head_hash: String,
}

/// The records of `target` in the schema `pool` points at and the chain's head, read in one
/// snapshot (what `AuditTrail.Records` answers; intake reads its own chain with it).
pub async fn audit_snapshot(pool: &PgPool, target: &str) -> Result<TrailSnapshot, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let records = motcua_audit::of_target(&mut tx, target).await?;
    let (head_seq, hash): (i64, Vec<u8>) = sqlx::query_as("SELECT seq, hash FROM audit_head")
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or_default();
    tx.commit().await?;
    let head_hash = match head_seq {
        0 => String::new(),
        _ => hash.iter().map(|b| format!("{b:02x}")).collect(),
    };
    Ok(TrailSnapshot {
        records,
        head_seq,
        head_hash,
    })
}

fn record(r: motcua_audit::AuditRecord) -> pb::Record {
    let at = time::OffsetDateTime::parse(&r.at, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(motcua_proto::timestamp::to_proto);
    let json = |v: Option<serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_default();
    pb::Record {
        seq: r.seq,
        at,
        actor: r.actor,
        roles: r.roles,
        agency: r.agency.unwrap_or_default(),
        action: r.action,
        target: r.target,
        request_id: r.request_id.unwrap_or_default(),
        source: r.source.unwrap_or_default(),
        before_json: json(r.before),
        after_json: json(r.after),
        hash: r.hash,
    }
}

#[tonic::async_trait]
impl AuditTrail for Trail {
    async fn records(
        &self,
        req: Request<pb::RecordsRequest>,
    ) -> Result<Response<pb::RecordsResponse>, Status> {
        require_grpc(&req, &[Role::Service])?;
        let target = req.into_inner().target;
        if target.is_empty() {
            return Err(Problem::required("target").into());
        }
        let t = audit_snapshot(&self.0, &target)
            .await
            .map_err(Problem::from)?;
        Ok(Response::new(pb::RecordsResponse {
            records: t.records.into_iter().map(record).collect(),
            head_hash: t.head_hash,
            head_seq: t.head_seq,
        }))
    }
}
