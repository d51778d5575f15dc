//! The gRPC side of a service: health and reflection next to the service's own services, and
//! a layer that gives every call a request id and a span continuing the caller's trace.
//!
//! Call metrics name the method only when it is one this server serves (read from the proto
//! descriptors), else `unmatched`: a path is whatever the caller sends, and each new label
//! value is a series kept for ever.

use crate::Platform;
use motcua_config::ServiceName;
use motcua_telemetry::{client_addr, propagation, request_id};
use prost::Message;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;
use tonic::transport::Server;
use tonic::transport::server::Router;
use tracing::Instrument;

/// Wraps every gRPC call: request id scope, trace span, metrics.
#[derive(Clone, Debug)]
pub struct GrpcContextLayer {
    service: ServiceName,
    known: Arc<HashSet<String>>,
}

impl GrpcContextLayer {
    /// The layer of `service`, whose served methods are the paths in `known`
    /// (`/package.Service/Method`).
    pub fn new(service: ServiceName, known: HashSet<String>) -> Self {
        Self {
            service,
            known: Arc::new(known),
        }
    }
}

impl<S> tower::Layer<S> for GrpcContextLayer {
    type Service = GrpcContext<S>;
    fn layer(&self, inner: S) -> Self::Service {
        GrpcContext {
            inner,
            service: self.service,
            known: self.known.clone(),
        }
    }
}

/// The service produced by [`GrpcContextLayer`].
#[derive(Clone, Debug)]
pub struct GrpcContext<S> {
    inner: S,
    service: ServiceName,
    known: Arc<HashSet<String>>,
}

/// Every method path (`/package.Service/Method`) of the services named in `names`, read from
/// the encoded descriptor sets `sets`.
pub(crate) fn method_paths(sets: &[&[u8]], names: &[&str]) -> HashSet<String> {
    let mut out = HashSet::new();
    for set in sets {
        let Ok(set) = prost_types::FileDescriptorSet::decode(*set) else {
            tracing::warn!("a gRPC descriptor set does not decode; its methods are unmatched");
            continue;
        };
        for file in set.file {
            let package = file.package();
            for service in &file.service {
                let full = match package {
                    "" => service.name().to_string(),
                    p => format!("{p}.{}", service.name()),
                };
                if names.contains(&full.as_str()) {
                    out.extend(
                        service
                            .method
                            .iter()
                            .map(|m| format!("/{full}/{}", m.name())),
                    );
                }
            }
        }
    }
    out
}

impl<S, B> tower::Service<http::Request<B>> for GrpcContext<S>
where
    S: tower::Service<http::Request<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let id = crate::http_layer::accept_request_id(req.headers().get(request_id::X_REQUEST_ID));
        let path = req.uri().path().to_string();
        let span =
            tracing::info_span!("grpc", service = %self.service, path = %path, request_id = %id);
        let path = match self.known.contains(&path) {
            true => path,
            false => "unmatched".to_string(),
        };
        propagation::set_parent_from_headers(&span, req.headers());
        // The calling service's address, for the audit trail.
        let peer = req
            .extensions()
            .get::<tonic::transport::server::TcpConnectInfo>()
            .and_then(|c| c.remote_addr())
            .map(|a| a.ip().to_canonical());
        let fut = self.inner.call(req);
        let service = self.service;
        Box::pin(async move {
            let started = Instant::now();
            let fut = fut.instrument(span);
            let res = match peer {
                Some(addr) => request_id::scope(id, client_addr::scope(addr, fut)).await,
                None => request_id::scope(id, fut).await,
            };
            metrics::histogram!(
                "grpc_request_duration_seconds",
                "service" => service.as_str(),
                "path" => path
            )
            .record(started.elapsed().as_secs_f64());
            res
        })
    }
}

/// The services every gRPC server has besides its own: health and both reflection versions.
pub(crate) const PLATFORM_SERVICES: [&str; 3] = [
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];

/// Every method path of the services named `names` (motcua's own, health, reflection).
pub(crate) fn served_paths(names: &[&str]) -> HashSet<String> {
    method_paths(
        &[
            motcua_proto::FILE_DESCRIPTOR_SET,
            tonic_health::pb::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
        ],
        names,
    )
}

/// The layers of a service's gRPC server: the gate inside the request context.
type Layers = tower::layer::util::Stack<
    crate::gate::GrpcGateLayer,
    tower::layer::util::Stack<GrpcContextLayer, tower::layer::util::Identity>,
>;

pub(crate) async fn server(
    name: ServiceName,
    routes: tonic::service::Routes,
    grpc_names: &[&'static str],
    platform: &Platform,
) -> anyhow::Result<Router<Layers>> {
    let (reporter, health) = tonic_health::server::health_reporter();
    for n in grpc_names {
        reporter
            .set_service_status(*n, tonic_health::ServingStatus::Serving)
            .await;
    }
    reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    // Both reflection versions: v1, and v1alpha that many clients (grpcurl, Python grpcio) use.
    // Only this server's own services are advertised (the descriptor set holds them all).
    let reflection = || {
        let mut b = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(motcua_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .with_service_name("grpc.health.v1.Health");
        for n in grpc_names {
            b = b.with_service_name(*n);
        }
        b
    };
    let routes = routes
        .add_service(health)
        .add_service(reflection().build_v1()?)
        .add_service(reflection().build_v1alpha()?);
    let mut served: Vec<&str> = grpc_names.to_vec();
    served.extend(PLATFORM_SERVICES);
    let known = served_paths(&served);
    let gate = crate::gate::GrpcGateLayer::new(
        crate::gate::service_of(name),
        platform.verifier.clone(),
        known.clone(),
    );
    Ok(Server::builder()
        .layer(GrpcContextLayer::new(name, known))
        .layer(gate)
        .add_routes(routes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_methods_are_those_of_the_served_services_only() {
        let known = method_paths(
            &[
                motcua_proto::FILE_DESCRIPTOR_SET,
                tonic_health::pb::FILE_DESCRIPTOR_SET,
            ],
            &["motcua.common.v1.EventReceiver", "grpc.health.v1.Health"],
        );
        assert!(known.contains("/grpc.health.v1.Health/Check"), "{known:?}");
        assert!(
            known.contains("/motcua.common.v1.EventReceiver/DeliverEvents"),
            "{known:?}"
        );
        assert!(
            !known.iter().any(|p| p.starts_with("/motcua.intake.")),
            "a service not served is not known: {known:?}"
        );
    }
}
