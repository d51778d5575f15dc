//! Intake's gRPC face: other services read dossiers (service accounts only).

use crate::{AppState, store};
use motcua_auth::{Role, require_grpc};
use motcua_problem::Problem;
use motcua_proto::intake::v1 as pb;
use motcua_proto::intake::v1::intake_service_server::{IntakeService, IntakeServiceServer};
use motcua_proto::timestamp::to_proto;
use tonic::{Request, Response, Status};

pub(crate) fn routes(state: AppState) -> tonic::service::Routes {
    let interceptor = state.platform.verifier.grpc_interceptor();
    tonic::service::Routes::new(IntakeServiceServer::with_interceptor(
        Intake(state),
        interceptor,
    ))
}

struct Intake(AppState);

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
