//! Calling another motcua service over gRPC: every call carries a deadline, a short-lived
//! service token, the current `traceparent` and `x-request-id`.

use motcua_auth::{ServiceKeys, ServiceSigner};
use motcua_config::ServiceName;
use motcua_telemetry::{propagation, request_id};
use std::time::Duration;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

/// Adds identity, deadline and trace context to every outgoing call.
#[derive(Clone, Debug)]
pub struct Outbound {
    signer: ServiceSigner,
    timeout: Duration,
}

impl tonic::service::Interceptor for Outbound {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        let token = self.signer.token().map_err(|e| {
            tracing::error!(error = %e, "cannot sign a service token");
            tonic::Status::from(motcua_problem::Problem::internal())
        })?;
        let md = req.metadata_mut();
        if let Ok(v) = format!("Bearer {token}").parse() {
            md.insert("authorization", v);
        }
        if let Some(tp) = propagation::current_traceparent().and_then(|t| t.parse().ok()) {
            md.insert(propagation::TRACEPARENT, tp);
        }
        if let Some(id) = request_id::current().and_then(|t| t.parse().ok()) {
            md.insert(request_id::X_REQUEST_ID, id);
        }
        req.set_timeout(self.timeout);
        Ok(req)
    }
}

/// A channel to a peer service with the [`Outbound`] interceptor.
pub type PeerChannel = InterceptedService<Channel, Outbound>;

/// A lazily-connecting channel to `url` (the peer may start after us); every call carries a
/// token of `caller` signed with its own key from `keys`, and times out after `timeout`.
pub fn connect_peer(
    url: &str,
    caller: ServiceName,
    keys: ServiceKeys,
    timeout: Duration,
) -> anyhow::Result<PeerChannel> {
    let signer = keys.signer(caller.as_str()).ok_or_else(|| {
        motcua_config::StartupError::new(format!(
            "no private key of the {caller} service: put {caller}.key.pem in \
             MOTCUA_SERVICE_KEYS_DIR (`motcua keys generate` writes one per service)"
        ))
    })?;
    let channel = Endpoint::from_shared(url.to_string())?
        .connect_timeout(timeout)
        .timeout(timeout)
        .connect_lazy();
    Ok(InterceptedService::new(
        channel,
        Outbound { signer, timeout },
    ))
}
