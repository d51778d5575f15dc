//! Intake's gRPC face: other services read dossiers (service accounts only) — for workflow's
//! sector connector, their contents and files too — and workflow's events arrive here from
//! its outbox.

use crate::domain::actions::Decision;
use crate::domain::supplement::SupplementItem;
use crate::state::AppState;
use crate::{actions, events, files, store, supplements};
use futures_util::stream::BoxStream;
use motcua_auth::{Caller, Role, require_grpc};
use motcua_idempotency::{Answer, IdempotencyKey};
use motcua_problem::Problem;
use motcua_proto::common::v1::event_receiver_server::{EventReceiver, EventReceiverServer};
use motcua_proto::common::v1::{
    DeliverEventRequest, DeliverEventResponse, DeliverEventsRequest, DeliverEventsResponse,
};
use motcua_proto::connector::v1 as connector;
use motcua_proto::intake::v1 as pb;
use motcua_proto::intake::v1::intake_service_server::{IntakeService, IntakeServiceServer};
use motcua_proto::timestamp::to_proto;
use tonic::{Request, Response, Status};

pub(crate) fn routes(state: AppState) -> tonic::service::Routes {
    let interceptor = state.platform.verifier.grpc_interceptor();
    tonic::service::Routes::new(IntakeServiceServer::with_interceptor(
        Intake(state.clone()),
        interceptor.clone(),
    ))
    .add_service(EventReceiverServer::with_interceptor(
        Intake(state),
        interceptor,
    ))
}

#[derive(Clone)]
struct Intake(AppState);

#[tonic::async_trait]
impl EventReceiver for Intake {
    /// Workflow's events move the dossier (see `events.rs`). Idempotent by event id.
    async fn deliver_event(
        &self,
        req: Request<DeliverEventRequest>,
    ) -> Result<Response<DeliverEventResponse>, Status> {
        motcua_outbox::accept_from(&req, &req.get_ref().event)?;
        let event = req
            .into_inner()
            .event
            .ok_or_else(|| Problem::required("event"))?;
        let applied = events::apply(&self.0, &event).await?;
        Ok(Response::new(DeliverEventResponse { applied }))
    }

    async fn deliver_events(
        &self,
        req: Request<DeliverEventsRequest>,
    ) -> Result<Response<DeliverEventsResponse>, Status> {
        motcua_outbox::accept_from(&req, &req.get_ref().events)?;
        let outcomes = events::apply_all(&self.0, req.into_inner().events).await;
        Ok(Response::new(DeliverEventsResponse { outcomes }))
    }
}

/// The agency's person as intake's rules see them, and the key their retries share.
fn actor(
    a: Option<pb::AgencyActor>,
    path: &str,
    body: &[u8],
) -> Result<(Caller, Option<IdempotencyKey>), Status> {
    let a = a.ok_or_else(|| Problem::required("actor"))?;
    let caller = Caller {
        sub: a.sub,
        roles: a.roles.iter().filter_map(|r| Role::parse(r)).collect(),
        agency: (!a.agency.is_empty()).then_some(a.agency),
        sector: None,
        id_number: None,
    };
    let key = IdempotencyKey::new(&caller.sub, &a.idempotency_key, path, body);
    Ok((caller, key))
}

fn result(a: Answer) -> Response<pb::DossierActionResult> {
    Response::new(pb::DossierActionResult {
        answer_json: a.body.to_string(),
        replayed: a.replayed,
    })
}

#[tonic::async_trait]
impl IntakeService for Intake {
    type GetFileStream = BoxStream<'static, Result<connector::FileChunk, Status>>;

    async fn get_dossier_contents(
        &self,
        req: Request<pb::GetDossierRequest>,
    ) -> Result<Response<connector::Dossier>, Status> {
        require_grpc(&req, &[Role::Service])?;
        let code = req.into_inner().code;
        if code.is_empty() {
            return Err(Problem::required("code").into());
        }
        let d = store::dossiers::get(&self.0.pool, &code)
            .await
            .map_err(Problem::from)?
            .ok_or_else(|| crate::state::not_found(&code))?;
        let components = store::dossiers::components(&self.0.pool, &code)
            .await
            .map_err(Problem::from)?;
        Ok(Response::new(crate::views::connector_dossier(
            d, components,
        )))
    }

    async fn get_file(
        &self,
        req: Request<connector::GetFileRequest>,
    ) -> Result<Response<Self::GetFileStream>, Status> {
        require_grpc(&req, &[Role::Service])?;
        let r = req.into_inner();
        for (field, value) in [("dossier_code", &r.dossier_code), ("file_id", &r.file_id)] {
            if value.is_empty() {
                return Err(Problem::required(field).into());
            }
        }
        Ok(Response::new(
            files::chunks(&self.0, &r.dossier_code, &r.file_id).await?,
        ))
    }

    async fn request_supplement(
        &self,
        req: Request<pb::RequestSupplementRequest>,
    ) -> Result<Response<pb::DossierActionResult>, Status> {
        require_grpc(&req, &[Role::Service])?;
        let r = req.into_inner();
        let items: Vec<SupplementItem> = r
            .items
            .iter()
            .map(|i| SupplementItem {
                component_code: i.component_code.clone(),
                reason: i.reason.clone(),
                defect: (!i.defect.is_empty()).then(|| i.defect.clone()),
            })
            .collect();
        let body = serde_json::to_vec(&items).map_err(|_| Problem::internal())?;
        let path = format!("/api/v1/dossiers/{}/supplement-requests", r.dossier_code);
        let (caller, key) = actor(r.actor, &path, &body)?;
        Ok(result(
            supplements::request(&self.0, &caller, &r.dossier_code, &items, key.as_ref()).await?,
        ))
    }

    async fn refuse(
        &self,
        req: Request<pb::RefuseRequest>,
    ) -> Result<Response<pb::DossierActionResult>, Status> {
        require_grpc(&req, &[Role::Service])?;
        let r = req.into_inner();
        let body = serde_json::to_vec(&r.reasons).map_err(|_| Problem::internal())?;
        let path = format!("/api/v1/dossiers/{}/refusal", r.dossier_code);
        let (caller, key) = actor(r.actor, &path, &body)?;
        let decision = Decision::Refuse { reasons: r.reasons };
        Ok(result(
            actions::act(&self.0, &caller, &r.dossier_code, &decision, key.as_ref()).await?,
        ))
    }

    async fn get_dossier(
        &self,
        req: Request<pb::GetDossierRequest>,
    ) -> Result<Response<pb::Dossier>, Status> {
        require_grpc(&req, &[Role::Service, Role::Inspector, Role::Admin])?;
        let code = req.into_inner().code;
        let d = store::dossiers::get(&self.0.pool, &code)
            .await
            .map_err(Problem::from)?
            .ok_or_else(|| crate::state::not_found(&code))?;
        Ok(Response::new(pb::Dossier {
            code: d.code,
            procedure_code: d.procedure_code,
            receiving_agency: d.receiving_agency,
            channel: d.channel.as_str().to_string(),
            status: d.status.as_str().to_string(),
            status_code: u32::from(d.status.code().unsigned_abs()),
            received_at: Some(to_proto(d.received_at)),
            due_at: Some(to_proto(d.due.at)),
        }))
    }
}
