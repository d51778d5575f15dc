//! Per-request plumbing on REST: a request id (taken from `x-request-id` or new), a span that
//! continues the caller's trace (`traceparent`), request metrics, and the id echoed back.
//!
//! A metric's labels come from a known, small set — the matched route template or `unmatched`,
//! a standard method or `other` — because every new label value is a series the process keeps
//! for ever: labelled with what clients send, `/metrics` and memory grow without bound.

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use motcua_config::ServiceName;
use motcua_telemetry::{client_addr, propagation, request_id};
use std::time::Instant;
use tracing::Instrument;

/// Valid incoming ids are kept (printable ASCII, at most 128 chars); others are replaced.
pub(crate) fn accept_request_id(v: Option<&HeaderValue>) -> String {
    v.and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| (0x21..0x7f).contains(&b)))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The methods a metric may name; any other is `other`.
const STANDARD_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

/// The method as a metric label: a standard method, or `other`.
pub(crate) fn method_label(method: &axum::http::Method) -> &'static str {
    STANDARD_METHODS
        .iter()
        .find(|m| **m == method.as_str())
        .copied()
        .unwrap_or("other")
}

/// The route as a metric label: the template axum matched (`/api/v1/dossiers/{code}`), or
/// `unmatched` when no route did.
pub(crate) fn route_label(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into())
}

pub(crate) async fn around(
    State(service): State<ServiceName>,
    req: Request,
    next: Next,
) -> Response {
    let id = accept_request_id(req.headers().get(request_id::X_REQUEST_ID));
    let route = route_label(&req);
    let method = method_label(req.method());
    let span = tracing::info_span!(
        "http",
        service = %service,
        method = %req.method(),
        route = %route,
        request_id = %id,
        status = tracing::field::Empty,
    );
    propagation::set_parent_from_headers(&span, req.headers());
    let started = Instant::now();
    let client = crate::client_addr::of_request(req.extensions(), req.headers());
    let run = next.run(req).instrument(span.clone());
    let mut res = match client {
        Some(addr) => request_id::scope(id.clone(), client_addr::scope(addr, run)).await,
        None => request_id::scope(id.clone(), run).await,
    };
    let status = res.status().as_u16();
    span.record("status", status);
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(request_id::X_REQUEST_ID, v);
    }
    let labels = [
        ("service", service.as_str().to_string()),
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..3])
        .record(started.elapsed().as_secs_f64());
    if status >= 500 {
        tracing::warn!(parent: &span, status, "request failed");
    }
    res
}
