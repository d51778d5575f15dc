//! Telemetry for every service: structured logs with `tracing`, spans exported over OTLP when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and W3C trace context (`traceparent`) plus
//! `x-request-id` carried across every REST and gRPC hop, so one dossier's journey through
//! intake, workflow and reporting is one trace. Every log line inside a trace carries its
//! trace id and request id ([`log_line`]).

pub mod client_addr;
pub mod log_line;
pub mod propagation;
pub mod request_id;

use log_line::{DispatchSlot, WithTraceIds};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::OnceLock;
use tracing_subscriber::fmt::MakeWriter;
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
    init_with_writer(config, std::io::stdout)
}

/// [`init`] with log lines written to `writer` instead of standard output: the end-to-end
/// tests capture every line to prove no personal number is ever logged.
pub fn init_with_writer<W>(config: &TelemetryConfig, writer: W) -> anyhow::Result<TelemetryGuard>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
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
    let dispatch = subscriber(
        config.json,
        &config.filter,
        provider.tracer("motcua"),
        writer,
    );
    let installed = dispatch.try_init().is_ok();
    let _ = INSTALLED.set(());
    Ok(TelemetryGuard {
        provider: installed.then_some(provider),
    })
}

/// The subscriber: log lines (JSON or text, with trace and request ids, filtered by
/// `filter`) written to `writer`, and spans handed to OpenTelemetry through `tracer`.
fn subscriber<W>(
    json: bool,
    filter: &str,
    tracer: opentelemetry_sdk::trace::SdkTracer,
    writer: W,
) -> tracing::Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // The log filter applies to log output only: the OpenTelemetry layer always sees the
    // request spans, so trace context propagates even when logs are set to `warn`.
    let otel = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let slot = DispatchSlot::default();
    let fmt = if json {
        let format = tracing_subscriber::fmt::format()
            .json()
            .with_current_span(true);
        tracing_subscriber::fmt::layer()
            .json()
            .event_format(WithTraceIds::new(format, true, slot.clone()))
            .with_writer(writer)
            .boxed()
    } else {
        // Plain text: a line that carries ids is formatted into a buffer, without colours;
        // every line is plain so that they all look alike.
        let format = tracing_subscriber::fmt::format().compact();
        tracing_subscriber::fmt::layer()
            .event_format(WithTraceIds::new(format, false, slot.clone()))
            .with_ansi(false)
            .with_writer(writer)
            .boxed()
    };
    tracing::Dispatch::new(
        tracing_subscriber::registry()
            .with(fmt.with_filter(filter))
            .with(otel)
            .with(slot),
    )
}
