//! Telemetry for every service: structured logs with `tracing`, spans exported over OTLP when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and W3C trace context (`traceparent`) plus
//! `x-request-id` carried across every REST and gRPC hop, so one dossier's journey through
//! intake, workflow and reporting is one trace.

pub mod propagation;
pub mod request_id;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::OnceLock;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How to set telemetry up.
#[derive(Debug, Clone)]
pub struct TelemetryConfig {
    /// `service.name` resource attribute (e.g. `motcua` or `motcua-intake`).
    pub service_name: String,
    /// Log filter directives (`RUST_LOG` syntax).
    pub filter: String,
    /// JSON logs instead of human-readable text.
    pub json: bool,
    /// OTLP/gRPC collector endpoint; `None` keeps spans in process (ids are still generated
    /// and propagated).
    pub otlp_endpoint: Option<String>,
}

/// Keeps the tracer provider alive; [`TelemetryGuard::shutdown`] flushes pending spans.
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Flushes and stops span export (call once, at the end of `main`).
    pub fn shutdown(self) {
        if let Some(p) = self.provider {
            let _ = p.shutdown();
        }
    }
}

static INSTALLED: OnceLock<()> = OnceLock::new();

/// Installs the global subscriber. Only the first call in a process installs anything (tests
/// call it from many places); later calls return a guard that owns nothing.
pub fn init(config: &TelemetryConfig) -> anyhow::Result<TelemetryGuard> {
    if INSTALLED.get().is_some() {
        return Ok(TelemetryGuard { provider: None });
    }
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(config.service_name.clone())
        .build();
    let mut builder = SdkTracerProvider::builder().with_resource(resource);
    if let Some(endpoint) = &config.otlp_endpoint {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.clone())
            .build()?;
        builder = builder.with_batch_exporter(exporter);
    }
    let provider = builder.build();
    let tracer = provider.tracer("motcua");
    // The log filter applies to log output only: the OpenTelemetry layer always sees the
    // request spans, so trace context propagates even when logs are set to `warn`.
    let otel = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    let filter = EnvFilter::try_new(&config.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = if config.json {
        tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .boxed()
    } else {
        tracing_subscriber::fmt::layer().compact().boxed()
    };
    let installed = tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel)
        .try_init()
        .is_ok();
    let _ = INSTALLED.set(());
    Ok(TelemetryGuard {
        provider: installed.then_some(provider),
    })
}

/// Masks a personal identification number (CCCD) for logs: only the last 4 digits remain.
/// Personal ID numbers are never logged in full (`shared/domain.md` §8).
pub fn mask_personal_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let keep = chars.len().min(4);
    let hidden = chars.len() - keep;
    let mut out = "*".repeat(hidden);
    out.extend(&chars[hidden..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_ids_keep_only_the_last_four_digits() {
        assert_eq!(mask_personal_id("080203001234"), "********1234");
        assert_eq!(mask_personal_id("12"), "12");
    }
}
