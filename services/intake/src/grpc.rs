//! Intake's gRPC face: other services read dossiers (service accounts only).

use crate::domain::status::DossierStatus;
use crate::domain::transition::{self, Action};
use crate::lifecycle::{Change, record};
use crate::{AppState, store};
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
    /// Workflow's events move the dossier: `case.opened` → processing (4), `case.completed` →
    /// processed (9). Idempotent by event id; an event that no longer fits the dossier's status
    /// (e.g. it was withdrawn meanwhile) is recorded in the inbox and otherwise ignored.
    async fn deliver_event(
        &self,
        req: Request<DeliverEventRequest>,
    ) -> Result<Response<DeliverEventResponse>, Status> {
        require_grpc(&req, &[Role::Service])?;
        let event = req
            .into_inner()
            .event
            .ok_or_else(|| Status::invalid_argument("event is required"))?;
        let action = match event.r#type.as_str() {
            motcua_events::CASE_OPENED => Some(Action::Forward),
            motcua_events::CASE_COMPLETED => Some(Action::Complete),
            _ => None,
        };
        let mut tx = self.0.pool.begin().await.map_err(Problem::from)?;
        let first = motcua_outbox::inbox_claim(&mut tx, &event)
            .await
            .map_err(Problem::from)?;
        if first && let Some(action) = action {
            let payload: motcua_events::CaseChanged = serde_json::from_str(&event.payload_json)
                .map_err(|e| {
                    Status::invalid_argument(format!("payload of {}: {e}", event.r#type))
                })?;
            if let Some(d) = store::lock_dossier(&mut tx, &payload.dossier_code)
                .await
                .map_err(Problem::from)?
            {
                let from = DossierStatus::parse(&d.status);
                // Finished while the dossier waits (supplement, payment): remembered, so the
                // dossier goes to processed when the wait ends.
                if action == Action::Complete
                    && matches!(
                        from,
                        Some(
                            DossierStatus::SupplementRequested | DossierStatus::FinancialObligation
                        )
                    )
                {
                    store::mark_case_completed(&mut tx, &d.code, payload.at)
                        .await
                        .map_err(Problem::from)?;
                    let detail = serde_json::json!({"deferred": true, "case_id": payload.case_id});
                    let entry = store::HistoryEntry {
                        at: payload.at,
                        action: "complete",
                        actor: "svc:workflow",
                        from_status: Some(&d.status),
                        to_status: &d.status,
                        detail: &detail,
                    };
                    store::add_history(&mut tx, &d.code, &entry)
                        .await
                        .map_err(Problem::from)?;
                    tx.commit().await.map_err(Problem::from)?;
                    return Ok(Response::new(DeliverEventResponse { applied: true }));
                }
                // Forwarded while waiting for the applicant: the dossier will resume to
                // processing, not to received.
                let forwarded_while_waiting = action == Action::Forward
                    && from == Some(DossierStatus::SupplementRequested)
                    && d.resume_status.as_deref() == Some(DossierStatus::Received.as_str());
                let outcome = if forwarded_while_waiting {
                    Some((
                        DossierStatus::SupplementRequested,
                        Some(DossierStatus::Processing),
                    ))
                } else {
                    from.and_then(|f| transition::next(f, action, None))
                        .map(|to| (to, None))
                };
                match outcome {
                    Some((to, resume_status)) => {
                        let change = Change {
                            dossier: &d,
                            action,
                            to,
                            actor: "svc:workflow",
                            at: payload.at,
                            due_at: d.due_at,
                            due_provisional: d.due_provisional,
                            clock_paused_at: d.clock_paused_at,
                            resume_status,
                            detail: serde_json::json!({"case_id": payload.case_id, "current_steps": payload.current_steps}),
                            // Reporting learns statuses from intake only (one ordered source).
                            event_type: match (action, to) {
                                (Action::Forward, DossierStatus::Processing) => {
                                    Some(motcua_events::DOSSIER_FORWARDED)
                                }
                                (Action::Complete, DossierStatus::Processed) => {
                                    Some(motcua_events::DOSSIER_PROCESSED)
                                }
                                _ => None,
                            },
                        };
                        record(&mut tx, &change).await?;
                        self.0.relay_wake.notify_one();
                    }
                    None => {
                        tracing::info!(dossier = %d.code, status = %d.status, event = %event.r#type, "event does not apply in this status")
                    }
                }
            }
        }
        tx.commit().await.map_err(Problem::from)?;
        Ok(Response::new(DeliverEventResponse { applied: first }))
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
        let d = store::get_dossier(&self.0.pool, &code)
            .await
            .map_err(Problem::from)?
            .ok_or_else(|| Status::not_found(format!("no dossier {code}")))?;
        Ok(Response::new(pb::Dossier {
            code: d.code,
            procedure_code: d.procedure_code,
            receiving_agency: d.receiving_agency,
            channel: d.channel,
            status: d.status,
            status_code: d.status_code as u32,
            received_at: Some(to_proto(d.received_at)),
            due_at: Some(to_proto(d.due_at)),
        }))
    }
}
