//! Intake's gRPC face: other services read dossiers (service accounts only), and workflow's
//! events arrive here from its outbox.

use crate::state::AppState;
use crate::{events, store};
use motcua_auth::{Role, require_grpc};
use motcua_problem::Problem;
use motcua_proto::common::v1::event_receiver_server::{EventReceiver, EventReceiverServer};
use motcua_proto::common::v1::{DeliverEventRequest, DeliverEventResponse};
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
        require_grpc(&req, &[Role::Service])?;
        let event = req
            .into_inner()
            .event
            .ok_or_else(|| Status::invalid_argument("event is required"))?;
        let applied = events::apply(&self.0, &event).await?;
        Ok(Response::new(DeliverEventResponse { applied }))
    }
}

#[tonic::async_trait]
impl IntakeService for Intake {
    async fn get_dossier(
        &self,
        req: Request<pb::GetDossierRequest>,
    ) -> Result<Response<pb::Dossier>, Status> {
        require_grpc(&req, &[Role::Service, Role::Inspector, Role::Admin])?;
        let code = req.into_inner().code;
        let d = store::dossiers::get(&self.0.pool, &code)
            .await
            .map_err(Problem::from)?
            .ok_or_else(|| Status::not_found(format!("no dossier {code}")))?;
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
