//! Workflow's gRPC face: the event receiver (from intake's outbox) and case reads.

use crate::{AppState, cases};
use motcua_auth::{Role, require_grpc};
use motcua_problem::Problem;
use motcua_proto::common::v1::event_receiver_server::{EventReceiver, EventReceiverServer};
use motcua_proto::common::v1::{DeliverEventRequest, DeliverEventResponse};
use motcua_proto::timestamp::to_proto;
use motcua_proto::workflow::v1 as pb;
use motcua_proto::workflow::v1::workflow_service_server::{WorkflowService, WorkflowServiceServer};
use tonic::{Request, Response, Status};
use uuid::Uuid;

pub(crate) fn routes(state: AppState) -> tonic::service::Routes {
    let interceptor = state.platform.verifier.grpc_interceptor();
    tonic::service::Routes::new(WorkflowServiceServer::with_interceptor(
        Workflow(state.clone()),
        interceptor.clone(),
    ))
    .add_service(EventReceiverServer::with_interceptor(
        Workflow(state),
        interceptor,
    ))
}

#[derive(Clone)]
struct Workflow(AppState);

#[tonic::async_trait]
impl EventReceiver for Workflow {
    async fn deliver_event(
        &self,
        req: Request<DeliverEventRequest>,
    ) -> Result<Response<DeliverEventResponse>, Status> {
        require_grpc(&req, &[Role::Service])?;
        let event = req
            .into_inner()
            .event
            .ok_or_else(|| Status::invalid_argument("event is required"))?;
        let event_id = Uuid::parse_str(&event.id)
            .map_err(|_| Status::invalid_argument("event id is not a UUID"))?;
        let mut tx = self.0.pool.begin().await.map_err(Problem::from)?;
        let first = motcua_outbox::inbox_claim(&mut tx, &event)
            .await
            .map_err(Problem::from)?;
        if first && event.r#type == motcua_events::DOSSIER_RECEIVED {
            let payload: motcua_events::DossierReceived = serde_json::from_str(&event.payload_json)
                .map_err(|e| {
                    Status::invalid_argument(format!("payload of {}: {e}", event.r#type))
                })?;
            let opened = cases::open(
                &mut tx,
                event_id,
                &payload,
                self.0.platform.clock.now(),
                motcua_telemetry::propagation::current_trace_id(),
            )
            .await
            .map_err(Problem::from)?;
            tracing::info!(dossier = %payload.dossier_code, opened, "case opened");
        }
        tx.commit().await.map_err(Problem::from)?;
        Ok(Response::new(DeliverEventResponse { applied: first }))
    }
}

#[tonic::async_trait]
impl WorkflowService for Workflow {
    async fn get_case(
        &self,
        req: Request<pb::GetCaseRequest>,
    ) -> Result<Response<pb::Case>, Status> {
        require_grpc(&req, &[Role::Service, Role::Inspector, Role::Admin])?;
        let code = req.into_inner().dossier_code;
        let c = cases::find(&self.0.pool, &code)
            .await
            .map_err(Problem::from)?
            .ok_or_else(|| Status::not_found(format!("no case for dossier {code}")))?;
        Ok(Response::new(pb::Case {
            id: c.id.to_string(),
            dossier_code: c.dossier_code,
            procedure_code: c.procedure_code,
            state: c.state,
            opened_at: Some(to_proto(c.opened_at)),
            due_at: Some(to_proto(c.due_at)),
            trace_id: c.trace_id.unwrap_or_default(),
        }))
    }
}
