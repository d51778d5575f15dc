//! The gRPC half of the authorization walk (`authorization_matrix.rs`): every unary method of
//! `motcua_auth::matrix::GRPC` on every service that serves it, called with a raw tonic client
//! and an empty message, without a token, with each role, and with a service's own token.

use motcua_auth::matrix::{self, Access, Service};
use motcua_config::ServiceName;
use motcua_e2e::TestSystem;
use tonic::Code;

/// The roles people carry (`service` is minted by the services only).
const ROLES: [&str; 9] = [
    "citizen",
    "portal",
    "one_stop_officer",
    "specialist",
    "agency_head",
    "sector_system",
    "catalogue_admin",
    "inspector",
    "admin",
];

/// Streaming methods, which an empty unary call cannot exercise (`connector_grpc.rs` calls the
/// connector's stream without a token and with a role the table does not allow).
const STREAMING: [&str; 6] = [
    "/grpc.health.v1.Health/Watch",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "/motcua.connector.v1.SectorConnector/StreamTasks",
    "/motcua.connector.v1.SectorConnector/GetFile",
    "/motcua.intake.v1.IntakeService/GetFile",
];

/// Calls `path` on `endpoint` with an empty message (every field at its default) and `token`.
async fn call(endpoint: &str, path: &str, token: Option<&str>) -> Result<(), tonic::Status> {
    let channel = tonic::transport::Endpoint::from_shared(endpoint.to_string())
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let mut req = tonic::Request::new(());
    if let Some(t) = token
        && let Ok(v) = format!("Bearer {t}").parse()
    {
        req.metadata_mut().insert("authorization", v);
    }
    let path = path.parse().expect("method path");
    let codec = tonic_prost::ProstCodec::<(), ()>::default();
    grpc.unary(req, path, codec).await.map(drop)
}

/// Whether `status` is the gate's refusal of the role (`role_not_allowed` in its ErrorInfo).
fn refused(status: &Result<(), tonic::Status>) -> bool {
    use tonic_types::StatusExt;
    status.as_ref().is_err_and(|s| {
        s.code() == Code::PermissionDenied
            && s.get_error_details()
                .error_info()
                .is_some_and(|e| e.reason == "role_not_allowed")
    })
}

/// One method on one service: no token, each role, the service's token.
async fn walk_method(sys: &TestSystem, name: ServiceName, m: &matrix::GrpcMethod) {
    let endpoint = sys.grpc(name);
    let what = format!("{name} {}", m.path);
    let anonymous = call(&endpoint, m.path, None).await;
    match m.access {
        Access::Public => assert!(
            anonymous.as_ref().is_ok()
                || anonymous
                    .as_ref()
                    .is_err_and(|s| s.code() != Code::Unauthenticated),
            "{what} is public: {anonymous:?}"
        ),
        Access::Roles(_) => assert!(
            anonymous
                .as_ref()
                .is_err_and(|s| s.code() == Code::Unauthenticated),
            "{what} without a token: {anonymous:?}"
        ),
    }
    for role in ROLES {
        let token = sys.token(
            &[role],
            Some(crate::workflow_support::OS),
            &format!("walk-{role}"),
        );
        let got = call(&endpoint, m.path, Some(&token)).await;
        let allowed = m.access.allows(None)
            || matches!(m.access, Access::Roles(rs) if rs.iter().any(|r| r.as_str() == role));
        assert!(
            got.as_ref().is_ok()
                || got
                    .as_ref()
                    .is_err_and(|s| s.code() != Code::Unauthenticated),
            "{what} as {role}: {got:?}"
        );
        assert_eq!(
            refused(&got),
            !allowed,
            "{what} as {role} (allowed: {allowed}): {got:?}"
        );
    }
    let service = sys.service_token(ServiceName::Intake);
    assert!(!service.is_empty(), "no service token to walk with");
    {
        let got = call(&endpoint, m.path, Some(&service)).await;
        let allowed = m.access.allows(None)
            || matches!(m.access, Access::Roles(rs) if rs.contains(&motcua_auth::Role::Service));
        assert!(
            got.as_ref().is_ok()
                || got
                    .as_ref()
                    .is_err_and(|s| s.code() != Code::Unauthenticated),
            "{what} as a service: {got:?}"
        );
        assert_eq!(refused(&got), !allowed, "{what} as a service: {got:?}");
    }
}

/// Every unary method of the table on every service that serves it.
pub(crate) async fn walk(sys: &TestSystem) {
    for name in ServiceName::ALL {
        let service = Service::parse(name.as_str()).expect("a service of the table");
        let methods = matrix::GRPC
            .iter()
            .filter(|m| m.service == service || m.service == Service::Every)
            .filter(|m| !STREAMING.contains(&m.path));
        for m in methods {
            walk_method(sys, name, m).await;
        }
    }
}
