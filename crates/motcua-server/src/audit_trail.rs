//! The audit trail's gRPC face (`motcua.audit.v1.AuditTrail`), written once here and served by
//! every service beside health and reflection: the records of one target in the service's own
//! chains (`motcua-audit`), with the heads of the chains holding them when they were read — what
//! intake's history export gathers from the four services. Only services (role `service`) may
//! call it.

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

/// A target's records in one service schema, with the heads of their chains when they were
/// read.
#[derive(Debug, Clone)]
pub struct TrailSnapshot {
    /// The target's records, oldest first (by `at`, then chain and `seq`).
    pub records: Vec<motcua_audit::AuditRecord>,
    /// The head of each chain holding one of the records, in chain order; empty when none.
    pub heads: Vec<motcua_audit::ChainHead>,
}

impl TrailSnapshot {
    /// The head of the chain holding the latest record, for readers of the single-chain trail
    /// (`head_seq`, `head_hash`): `(0, "")` when the target has no record.
    pub fn latest_head(&self) -> (i64, String) {
        self.records
            .last()
            .and_then(|r| self.heads.iter().find(|h| h.chain == r.chain))
            .map(|h| (h.seq, h.hash.clone()))
            .unwrap_or_default()
    }
}

/// The records of `target` in the schema `pool` points at and the heads of their chains, read
/// in one snapshot (what `AuditTrail.Records` answers; intake reads its own trail with it).
pub async fn audit_snapshot(pool: &PgPool, target: &str) -> Result<TrailSnapshot, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let records = motcua_audit::of_target(&mut tx, target).await?;
    let mut heads = motcua_audit::heads(&mut tx).await?;
    tx.commit().await?;
    heads.retain(|h| records.iter().any(|r| r.chain == h.chain));
    Ok(TrailSnapshot { records, heads })
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
        chain: i32::from(r.chain),
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
        let (head_seq, head_hash) = t.latest_head();
        let heads = t.heads.into_iter().map(|h| pb::ChainHead {
            chain: i32::from(h.chain),
            seq: h.seq,
            hash: h.hash,
        });
        Ok(Response::new(pb::RecordsResponse {
            records: t.records.into_iter().map(record).collect(),
            head_hash,
            head_seq,
            heads: heads.collect(),
        }))
    }
}
