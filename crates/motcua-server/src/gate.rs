//! The gate (cổng phân quyền): every REST route and gRPC method of a service passes it before
//! its handler, and it decides from one place — `motcua_auth::matrix` — who may call it. No
//! token (or one that does not verify) on a route that needs one is `401 unauthorized` (gRPC
//! `UNAUTHENTICATED`); a role the table does not allow is `403 role_not_allowed` (gRPC
//! `PERMISSION_DENIED`), the same problem `Caller::require_any` gives; a route the table does
//! not know is refused (fail closed) and logged. What the handler checks afterwards is the
//! object: the agency, the dossier's path.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_auth::matrix::{self, Access, Service};
use motcua_auth::{Caller, JwtVerifier};
use motcua_config::ServiceName;
use motcua_problem::{Problem, codes};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The table's name of a service.
pub(crate) fn service_of(name: ServiceName) -> Service {
    match name {
        ServiceName::Catalogue => Service::Catalogue,
        ServiceName::Intake => Service::Intake,
        ServiceName::Workflow => Service::Workflow,
        ServiceName::Reporting => Service::Reporting,
    }
}

/// What a route missing from the table answers: refused, as a role not allowed.
fn not_in_table(what: &str) -> Problem {
    tracing::error!(
        route = what,
        "route missing from the authorization matrix: refused"
    );
    Problem::new(
        &codes::ROLE_NOT_ALLOWED,
        "this route is not in the authorization matrix",
    )
}

/// Decides `access` for the `Authorization` header `header`: the caller when one is needed
/// and allowed, `None` on a public route, else the problem to answer.
fn decide(
    verifier: &JwtVerifier,
    access: Access,
    header: Option<&http::HeaderValue>,
) -> Result<Option<Caller>, Problem> {
    if access == Access::Public {
        return Ok(None);
    }
    let header = header
        .map(|v| v.to_str())
        .transpose()
        .map_err(|_| Problem::unauthorized("authorization header is not ASCII"))?;
    let caller = verifier.verify_header(header)?;
    access.check(&caller)?;
    Ok(Some(caller))
}

/// What the REST gate knows: whose routes, and how to verify tokens.
#[derive(Clone)]
pub(crate) struct RestGate {
    pub(crate) service: Service,
    pub(crate) verifier: JwtVerifier,
}

/// The REST gate, a route layer (it runs only for a matched route, so `MatchedPath` is there).
pub(crate) async fn rest(State(g): State<RestGate>, mut req: Request, next: Next) -> Response {
    let template = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let route = template
        .as_deref()
        .and_then(|t| matrix::rest(g.service, req.method().as_str(), t));
    let Some(route) = route else {
        // A known route tried with a method it does not have: 405 with the methods it has
        // (what the router would answer), never the handler.
        let allowed = template
            .as_deref()
            .map(|t| matrix::methods(g.service, t))
            .unwrap_or_default();
        if !allowed.is_empty() {
            let mut res = http::StatusCode::METHOD_NOT_ALLOWED.into_response();
            if let Ok(v) = allowed.join(",").parse() {
                res.headers_mut().insert(http::header::ALLOW, v);
            }
            return res;
        }
        let what = format!("{} {}", req.method(), template.as_deref().unwrap_or("?"));
        return not_in_table(&what).into_response();
    };
    match decide(
        &g.verifier,
        route.access,
        req.headers().get(http::header::AUTHORIZATION),
    ) {
        Ok(caller) => {
            let sector_system = caller
                .as_ref()
                .filter(|c| c.has(motcua_auth::Role::SectorSystem))
                .cloned();
            if let Some(c) = caller {
                req.extensions_mut().insert(c);
            }
            let method = req.method().clone();
            let res = next.run(req).await;
            if let Some(c) = sector_system {
                record_sector_call(&c, &method, template.as_deref(), res.status());
            }
            res
        }
        Err(p) => p.into_response(),
    }
}

/// Every REST call of a sector system's account is recorded with the account (its changes are
/// also in the audit trail, its gRPC calls all are): one log line per call, reads included, so
/// the province sees what each connected system read and when.
fn record_sector_call(
    c: &Caller,
    method: &http::Method,
    route: Option<&str>,
    status: http::StatusCode,
) {
    tracing::info!(
        account = %c.sub,
        agency = c.agency.as_deref().unwrap_or(""),
        sector = c.sector.as_deref().unwrap_or(""),
        method = %method,
        route = route.unwrap_or("?"),
        status = status.as_u16(),
        "sector system call"
    );
}

/// The gRPC gate of one service: a tower layer on its server.
#[derive(Clone)]
pub struct GrpcGateLayer {
    service: Service,
    verifier: JwtVerifier,
    known: Arc<HashSet<String>>,
}

impl GrpcGateLayer {
    /// The gate of `service`, whose served method paths are `known` (a path the server does not
    /// serve passes, to be answered `UNIMPLEMENTED`: nothing is behind it).
    pub(crate) fn new(service: Service, verifier: JwtVerifier, known: HashSet<String>) -> Self {
        Self {
            service,
            verifier,
            known: Arc::new(known),
        }
    }
}

impl<S> tower::Layer<S> for GrpcGateLayer {
    type Service = GrpcGate<S>;
    fn layer(&self, inner: S) -> Self::Service {
        GrpcGate {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service produced by [`GrpcGateLayer`].
#[derive(Clone)]
pub struct GrpcGate<S> {
    inner: S,
    layer: GrpcGateLayer,
}

impl GrpcGateLayer {
    /// `Ok` when the call to `path` with `header` may go on, else the status to answer.
    fn admit(&self, path: &str, header: Option<&http::HeaderValue>) -> Result<(), tonic::Status> {
        let Some(method) = matrix::grpc(self.service, path) else {
            return match self.known.contains(path) {
                true => Err(not_in_table(path).into()),
                false => Ok(()),
            };
        };
        decide(&self.verifier, method.access, header)
            .map(drop)
            .map_err(tonic::Status::from)
    }
}

impl<S, B, R> tower::Service<http::Request<B>> for GrpcGate<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let header = req.headers().get(http::header::AUTHORIZATION);
        match self.layer.admit(req.uri().path(), header) {
            Ok(()) => Box::pin(self.inner.call(req)),
            Err(status) => Box::pin(std::future::ready(Ok(status.into_http()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every method of every gRPC service a motcua server serves (its own, health, reflection)
    /// is in the table: a new method is refused until it is.
    #[test]
    fn the_table_covers_every_served_grpc_method() {
        let services = [
            (
                Service::Catalogue,
                vec!["motcua.catalogue.v1.CatalogueService"],
            ),
            (
                Service::Intake,
                vec![
                    "motcua.intake.v1.IntakeService",
                    "motcua.common.v1.EventReceiver",
                ],
            ),
            (
                Service::Workflow,
                vec![
                    "motcua.workflow.v1.WorkflowService",
                    "motcua.common.v1.EventReceiver",
                    "motcua.connector.v1.SectorConnector",
                ],
            ),
            (
                Service::Reporting,
                vec![
                    "motcua.reporting.v1.ReportingService",
                    "motcua.common.v1.EventReceiver",
                ],
            ),
        ];
        for (service, mut names) in services {
            names.extend(crate::grpc::PLATFORM_SERVICES);
            names.push("motcua.audit.v1.AuditTrail");
            for path in crate::grpc::served_paths(&names) {
                assert!(
                    matrix::grpc(service, &path).is_some(),
                    "{} serves {path}, which is not in motcua_auth::matrix::GRPC",
                    service.as_str()
                );
            }
        }
    }

    #[test]
    fn the_grpc_table_names_only_methods_that_exist() {
        let mut names: Vec<&str> = crate::grpc::PLATFORM_SERVICES.to_vec();
        names.extend([
            "motcua.catalogue.v1.CatalogueService",
            "motcua.intake.v1.IntakeService",
            "motcua.common.v1.EventReceiver",
            "motcua.workflow.v1.WorkflowService",
            "motcua.reporting.v1.ReportingService",
            "motcua.audit.v1.AuditTrail",
            "motcua.connector.v1.SectorConnector",
        ]);
        let all = crate::grpc::served_paths(&names);
        for m in matrix::GRPC {
            assert!(
                all.contains(m.path),
                "{} is in the table but no service has it",
                m.path
            );
        }
    }
}
