//! A dossier's complete history over REST (hồ sơ lưu vết, for inspection): what intake holds
//! (the dossier with its status history), workflow's control slip (every handover), and the
//! audit records of all four services about the dossier, each service's with the heads of the
//! chains holding them at the time of the export — one document an inspector keeps.

use crate::state::{AppState, not_found};
use crate::store;
use crate::views::{DossierView, Loaded};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_audit::{AuditRecord, ChainHead};
use motcua_auth::{Caller, Role};
use motcua_calendar::local_rfc3339 as rfc3339;
use motcua_problem::{ApiPath, ApiResult, Problem, codes};
use motcua_proto::audit::v1 as audit;
use motcua_proto::timestamp::from_proto;
use motcua_proto::workflow::v1 as wf;
use motcua_server::TrailSnapshot;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(history),
    components(schemas(DossierHistory, HandoverEntry, ServiceTrail, AuditRecord, ChainHead))
)]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/dossiers/{code}/history", get(history))
}

/// One handover of the dossier (một lần bàn giao, a row of the control slip, form 06).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HandoverEntry {
    /// When it was handed over (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    at: String,
    /// The agency handing it over (bên giao).
    from_agency: String,
    /// The person handing it over (token subject), when one did.
    from_person: Option<String>,
    /// The agency receiving it (bên nhận).
    to_agency: String,
    /// The person receiving it, when known.
    to_person: Option<String>,
    /// The step handed over.
    step_name: String,
    /// That step's deadline (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    step_deadline: Option<String>,
    /// early | on_time | late (of the step handed over), when the step finished.
    result: Option<String>,
    /// forward | handover | return_for_supplement | supplemented | succession | refusal
    reason: String,
}

/// One service's audit records of the dossier (nhật ký của một dịch vụ).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ServiceTrail {
    /// catalogue | intake | workflow | reporting
    service: String,
    /// The `seq` of the head at export time of the chain holding the latest record (0: no
    /// record); kept from the single-chain export, `heads` has every chain involved.
    head_seq: i64,
    /// That head's hash (64 hex digits), null when the service has no record of the dossier.
    head_hash: Option<String>,
    /// The head at export time of each chain holding one of the records, in chain order:
    /// `motcua audit verify --heads` later shows each chain still ends in (or goes on from) it.
    heads: Vec<ChainHead>,
    /// The service's records whose target is the dossier, oldest first.
    records: Vec<AuditRecord>,
}

/// A dossier's complete history (lưu vết hồ sơ) across the services, as exported.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DossierHistory {
    /// The dossier code (mã hồ sơ).
    dossier_code: String,
    /// When the export was made (RFC 3339, +07:00).
    #[schema(format = DateTime)]
    exported_at: String,
    /// Who made it (token subject).
    exported_by: String,
    /// The dossier as intake holds it, with its status history (`history`, oldest first).
    dossier: DossierView,
    /// Every handover of the control slip, oldest first; empty before forwarding.
    handovers: Vec<HandoverEntry>,
    /// The audit records of each service (intake, catalogue, workflow, reporting, in that
    /// order), each oldest first, with the heads of their chains at export time.
    audit: Vec<ServiceTrail>,
}

/// Exports a dossier's complete history as one document (inspectors, admins): the dossier with
/// its status history, every handover (workflow's control slip), and every audit record about
/// it in the four services, each list oldest first, with the heads of the chains holding them
/// at export time. Read-only: the export changes nothing.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/history", tag = "dossiers",
    params(("code" = String, Path, description = "dossier code", example = "000.25.80.H80-261127-0001")),
    responses((status = 200, body = DossierHistory, description = "the dossier's complete history"),
        (status = 403, description = "role_not_allowed: not an inspector or admin"),
        (status = 404, description = "dossier_not_found: no dossier with this code"),
        (status = 503, description = "peer_unavailable: a service's part of the history could not be read (nothing \
            partial is answered)")),
    security(("bearer" = [])))]
async fn history(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<DossierHistory>> {
    caller.require_any(&[Role::Inspector, Role::Admin])?;
    let dossier = store::dossiers::get(&s.pool, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    let exported_at = s.now();
    let view = DossierView::of(Loaded {
        components: store::dossiers::components(&s.pool, &code).await?,
        supplement: store::supplements::view(&s.pool, &code).await?,
        history: store::dossiers::history(&s.pool, &code).await?,
        notices: motcua_notify::deliveries(&s.pool, &code).await?,
        dossier,
    });
    let own = motcua_server::audit_snapshot(&s.pool, &code).await?;
    let (handovers, others) = tokio::join!(handovers(&s, &code), others(&s, &code));
    let mut audit = vec![trail("intake", own)];
    audit.extend(others?);
    Ok(Json(DossierHistory {
        dossier_code: code,
        exported_at: rfc3339(exported_at),
        exported_by: caller.sub,
        dossier: view,
        handovers: handovers?,
        audit,
    }))
}

/// A peer's part that could not be read: the export fails rather than look complete.
fn peer_failed(service: &str, e: &tonic::Status) -> Problem {
    tracing::warn!(peer = service, error = %e, "history export: a service's part unreadable");
    Problem::new(
        &codes::PEER_UNAVAILABLE,
        format!("{service}'s part of the history could not be read"),
    )
}

/// Workflow's control slip (empty when workflow has no case for the dossier yet).
async fn handovers(s: &AppState, code: &str) -> Result<Vec<HandoverEntry>, Problem> {
    let req = wf::GetCaseRequest {
        dossier_code: code.to_string(),
    };
    let items = match s.workflow.clone().get_handovers(req).await {
        Ok(r) => r.into_inner().items,
        Err(e) if e.code() == tonic::Code::NotFound => Vec::new(),
        Err(e) => return Err(peer_failed("workflow", &e)),
    };
    let local = |t: Option<prost_types::Timestamp>| t.as_ref().and_then(from_proto).map(rfc3339);
    let text = |t: String| (!t.is_empty()).then_some(t);
    Ok(items
        .into_iter()
        .map(|h| HandoverEntry {
            at: local(h.at).unwrap_or_default(),
            from_agency: h.from_agency,
            from_person: text(h.from_person),
            to_agency: h.to_agency,
            to_person: text(h.to_person),
            step_name: h.step_name,
            step_deadline: local(h.step_deadline),
            result: text(h.result),
            reason: h.reason,
        })
        .collect())
}

/// The other services' audit records of the dossier, asked of each at once.
async fn others(s: &AppState, code: &str) -> Result<Vec<ServiceTrail>, Problem> {
    let asks = s.audit_peers.iter().map(|(service, client)| async move {
        let req = audit::RecordsRequest {
            target: code.to_string(),
        };
        let r = client.clone().records(req).await;
        r.map(|r| (*service, r.into_inner()))
            .map_err(|e| peer_failed(service, &e))
    });
    let mut out = Vec::new();
    for answered in futures_util::future::join_all(asks).await {
        let (service, r) = answered?;
        let snapshot = snapshot(r).ok_or_else(|| {
            peer_failed(service, &tonic::Status::data_loss("a chain out of range"))
        })?;
        out.push(trail(service, snapshot));
    }
    Ok(out)
}

/// One service's trail, its records in time order (by chain and `seq` among equal times).
fn trail(service: &str, mut t: TrailSnapshot) -> ServiceTrail {
    let at = |r: &AuditRecord| OffsetDateTime::parse(&r.at, &Rfc3339).ok();
    t.records.sort_by_key(|r| (at(r), r.chain, r.seq));
    let (head_seq, head_hash) = t.latest_head();
    // Instants in the province's time, as every answer gives them.
    for r in &mut t.records {
        if let Some(time) = at(r) {
            r.at = rfc3339(time);
        }
    }
    ServiceTrail {
        service: service.to_string(),
        head_seq,
        head_hash: (!head_hash.is_empty()).then_some(head_hash),
        heads: t.heads,
        records: t.records,
    }
}

/// A peer's answer; `None` when it names a chain no service has (beyond `i16`).
fn snapshot(r: audit::RecordsResponse) -> Option<TrailSnapshot> {
    let heads = r.heads.into_iter().map(|h| {
        Some(ChainHead {
            chain: i16::try_from(h.chain).ok()?,
            seq: h.seq,
            hash: h.hash,
        })
    });
    Some(TrailSnapshot {
        records: r.records.into_iter().map(record).collect::<Option<_>>()?,
        heads: heads.collect::<Option<_>>()?,
    })
}

/// A record as a peer answered it.
fn record(r: audit::Record) -> Option<AuditRecord> {
    let json = |s: String| {
        (!s.is_empty()).then(|| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
    };
    let text = |t: String| (!t.is_empty()).then_some(t);
    Some(AuditRecord {
        chain: i16::try_from(r.chain).ok()?,
        seq: r.seq,
        at: r
            .at
            .as_ref()
            .and_then(from_proto)
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default(),
        actor: r.actor,
        roles: r.roles,
        agency: text(r.agency),
        action: r.action,
        target: r.target,
        request_id: text(r.request_id),
        source: text(r.source),
        before: json(r.before_json),
        after: json(r.after_json),
        hash: r.hash,
    })
}
