//! Reporting's gRPC face: the event receiver (intake's and workflow's outboxes deliver here)
//! and the daily counts for the other services.

use crate::domain::period::parse_day;
use crate::state::AppState;
use crate::{events, store};
use motcua_auth::{Role, require_grpc};
use motcua_problem::Problem;
use motcua_proto::common::v1::event_receiver_server::{EventReceiver, EventReceiverServer};
use motcua_proto::common::v1::{
    DeliverEventRequest, DeliverEventResponse, DeliverEventsRequest, DeliverEventsResponse,
};
use motcua_proto::reporting::v1 as pb;
use motcua_proto::reporting::v1::reporting_service_server::{
    ReportingService, ReportingServiceServer,
};
use tonic::{Request, Response, Status};

/// The gRPC services reporting serves, behind the token check.
pub(crate) fn routes(state: AppState) -> tonic::service::Routes {
    let interceptor = state.platform.verifier.grpc_interceptor();
    tonic::service::Routes::new(ReportingServiceServer::with_interceptor(
        Reporting(state.clone()),
        interceptor.clone(),
    ))
    .add_service(EventReceiverServer::with_interceptor(
        Reporting(state),
        interceptor,
    ))
}

#[derive(Clone)]
struct Reporting(AppState);

#[tonic::async_trait]
impl EventReceiver for Reporting {
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
impl ReportingService for Reporting {
    async fn daily_received(
        &self,
        req: Request<pb::DailyReceivedRequest>,
    ) -> Result<Response<pb::DailyReceivedResponse>, Status> {
        require_grpc(&req, &[Role::Service, Role::Inspector, Role::Admin])?;
        let r = req.into_inner();
        let from = parse_day("from", &r.from)?;
        let to = parse_day("to", &r.to)?;
        let agency = (!r.agency.is_empty()).then_some(r.agency.as_str());
        let rows = store::facts::daily(&self.0.pool, from, to, agency)
            .await
            .map_err(Problem::from)?;
        Ok(Response::new(pb::DailyReceivedResponse {
            rows: rows
                .into_iter()
                .map(|r| pb::DailyReceivedRow {
                    date: r.day.to_string(),
                    agency: r.agency,
                    received: r.received as u64,
                })
                .collect(),
        }))
    }
}
