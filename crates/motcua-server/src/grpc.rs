//! The gRPC side of a service: health and reflection next to the service's own services, and
//! a layer that gives every call a request id and a span continuing the caller's trace.

use crate::Platform;
use motcua_config::ServiceName;
use motcua_telemetry::{propagation, request_id};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;
use tonic::transport::Server;
use tonic::transport::server::Router;
use tracing::Instrument;

/// Wraps every gRPC call: request id scope, trace span, metrics.
#[derive(Clone, Copy, Debug)]
pub struct GrpcContextLayer(pub ServiceName);

impl<S> tower::Layer<S> for GrpcContextLayer {
    type Service = GrpcContext<S>;
    fn layer(&self, inner: S) -> Self::Service {
        GrpcContext {
            inner,
            service: self.0,
        }
    }
}

/// The service produced by [`GrpcContextLayer`].
#[derive(Clone, Debug)]
pub struct GrpcContext<S> {
    inner: S,
    service: ServiceName,
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
        propagation::set_parent_from_headers(&span, req.headers());
        let fut = self.inner.call(req);
        let service = self.service;
        Box::pin(async move {
            let started = Instant::now();
            let res = request_id::scope(id, fut.instrument(span)).await;
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

pub(crate) async fn server(
    name: ServiceName,
    routes: tonic::service::Routes,
    grpc_names: &[&'static str],
    _platform: &Platform,
) -> anyhow::Result<Router<tower::layer::util::Stack<GrpcContextLayer, tower::layer::util::Identity>>>
{
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
    Ok(Server::builder()
        .layer(GrpcContextLayer(name))
        .add_routes(routes))
}
