//! Workflow's gRPC face: the event receiver (intake's outbox) and case reads for the other
//! services (the agencies on a dossier's path, what the public lookup shows as its step); the
//! sector systems' connector is served here too (`connector.rs`).

use crate::connector::Connector;
use crate::state::AppState;
use crate::{events, store};
use motcua_auth::{Role, require_grpc};
use motcua_problem::{Problem, codes};
use motcua_proto::common::v1::event_receiver_server::{EventReceiver, EventReceiverServer};
use motcua_proto::common::v1::{
    DeliverEventRequest, DeliverEventResponse, DeliverEventsRequest, DeliverEventsResponse,
};
use motcua_proto::connector::v1::sector_connector_server::SectorConnectorServer;
use motcua_proto::timestamp::to_proto;
use motcua_proto::workflow::v1 as pb;
use motcua_proto::workflow::v1::workflow_service_server::{WorkflowService, WorkflowServiceServer};
use tonic::{Request, Response, Status};

pub(crate) fn routes(state: AppState) -> tonic::service::Routes {
    let interceptor = state.platform.verifier.grpc_interceptor();
    tonic::service::Routes::new(WorkflowServiceServer::with_interceptor(
        Workflow(state.clone()),
        interceptor.clone(),
    ))
    .add_service(EventReceiverServer::with_interceptor(
        Workflow(state.clone()),
        interceptor.clone(),
    ))
    .add_service(SectorConnectorServer::with_interceptor(
        Connector(state),
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

#[tonic::async_trait]
impl WorkflowService for Workflow {
    async fn get_case(
        &self,
        req: Request<pb::GetCaseRequest>,
    ) -> Result<Response<pb::Case>, Status> {
        require_grpc(&req, &[Role::Service, Role::Inspector, Role::Admin])?;
        let code = req.into_inner().dossier_code;
        let mut conn = self.0.pool.acquire().await.map_err(Problem::from)?;
        let c = store::cases::by_dossier(&mut conn, &code)
            .await
            .map_err(Problem::from)?
            .ok_or_else(|| {
                Problem::new(
                    &codes::CASE_NOT_FOUND,
                    format!("no case for dossier {code}"),
                )
            })?;
        let (current_agencies, path_agencies) = store::cases::agencies(&mut conn, c.id)
            .await
            .map_err(Problem::from)?;
        let tasks = store::tasks::of_case(&mut conn, c.id)
            .await
            .map_err(Problem::from)?;
        let current_steps = tasks
            .iter()
            .filter(|t| t.state.is_running())
            .map(|t| t.name.clone())
            .collect();
        Ok(Response::new(pb::Case {
            id: c.id.to_string(),
            dossier_code: c.dossier_code,
            procedure_code: c.procedure_code,
            state: c.state.as_str().to_string(),
            opened_at: Some(to_proto(c.received_at)),
            due_at: Some(to_proto(c.due_at)),
            trace_id: store::cases::trace_id(&mut conn, c.id)
                .await
                .map_err(Problem::from)?
                .unwrap_or_default(),
            current_steps,
            current_agencies,
            path_agencies,
        }))
    }

    async fn get_handovers(
        &self,
        req: Request<pb::GetCaseRequest>,
    ) -> Result<Response<pb::Handovers>, Status> {
        require_grpc(&req, &[Role::Service, Role::Inspector, Role::Admin])?;
        let code = req.into_inner().dossier_code;
        let mut conn = self.0.pool.acquire().await.map_err(Problem::from)?;
        store::cases::by_dossier(&mut conn, &code)
            .await
            .map_err(Problem::from)?
            .ok_or_else(|| crate::state::case_not_found(&code))?;
        let rows = store::handovers::of_dossier(&mut conn, &code)
            .await
            .map_err(Problem::from)?;
        let items = rows
            .into_iter()
            .map(|h| pb::Handover {
                at: Some(to_proto(h.at)),
                from_agency: h.from_agency,
                from_person: h.from_person.unwrap_or_default(),
                to_agency: h.to_agency,
                to_person: h.to_person.unwrap_or_default(),
                step_name: h.step_name,
                step_deadline: h.step_deadline.map(to_proto),
                result: h.result.unwrap_or_default(),
                reason: h.reason,
            })
            .collect();
        Ok(Response::new(pb::Handovers { items }))
    }
}
