//! Reporting's gRPC face: the event receiver and the daily counts.

use crate::{AppState, received};
use motcua_auth::{Role, require_grpc};
use motcua_problem::Problem;
use motcua_proto::common::v1::event_receiver_server::{EventReceiver, EventReceiverServer};
use motcua_proto::common::v1::{DeliverEventRequest, DeliverEventResponse};
use motcua_proto::reporting::v1 as pb;
use motcua_proto::reporting::v1::reporting_service_server::{
    ReportingService, ReportingServiceServer,
};
use tonic::{Request, Response, Status};

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
        require_grpc(&req, &[Role::Service])?;
        let event = req
            .into_inner()
            .event
            .ok_or_else(|| Status::invalid_argument("event is required"))?;
        let mut tx = self.0.pool.begin().await.map_err(Problem::from)?;
        let first = motcua_outbox::inbox_claim(&mut tx, &event)
            .await
            .map_err(Problem::from)?;
        let bad = |e: serde_json::Error| {
            Status::invalid_argument(format!("payload of {}: {e}", event.r#type))
        };
        if first {
            match event.r#type.as_str() {
                motcua_events::DOSSIER_RECEIVED => {
                    let payload: motcua_events::DossierReceived =
                        serde_json::from_str(&event.payload_json).map_err(bad)?;
                    received::record(&mut tx, &payload)
                        .await
                        .map_err(Problem::from)?;
                }
                motcua_events::CASE_COMPLETED => {
                    let payload: motcua_events::CaseChanged =
                        serde_json::from_str(&event.payload_json).map_err(bad)?;
                    received::resolved(&mut tx, &payload)
                        .await
                        .map_err(Problem::from)?;
                }
                t if t.starts_with("dossier.") => {
                    let payload: motcua_events::DossierStatusChanged =
                        serde_json::from_str(&event.payload_json).map_err(bad)?;
                    received::follow(&mut tx, &payload)
                        .await
                        .map_err(Problem::from)?;
                }
                _ => {}
            }
        }
        tx.commit().await.map_err(Problem::from)?;
        Ok(Response::new(DeliverEventResponse { applied: first }))
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
        let from = received::parse_day("from", &r.from)?;
        let to = received::parse_day("to", &r.to)?;
        let agency = (!r.agency.is_empty()).then_some(r.agency.as_str());
        let rows = received::daily(&self.0.pool, from, to, agency)
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
