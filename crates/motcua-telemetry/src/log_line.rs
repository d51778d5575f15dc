//! Every log line written inside a trace carries its OpenTelemetry trace id, and inside a
//! request its `x-request-id`: top-level `"trace_id"` and `"request_id"` fields in JSON; in
//! text, `trace_id=…` at the end of the line (the request span's own fields, printed just
//! before, already show `request_id`). An operator goes from a log line to the whole trace
//! in the collector, and from a caller's complaint (`x-request-id`) to every line of that
//! request, in every service, without reading nested span fields.
//!
//! The trace id is read from the span's OpenTelemetry context when the line is written, so a
//! parent set after the span was created (`traceparent` from the caller, or from an outbox
//! row) is the one shown.

use opentelemetry::trace::TraceContextExt;
use std::fmt::{self, Write as _};
use std::sync::{Arc, OnceLock};
use tracing::dispatcher::WeakDispatch;
use tracing::{Dispatch, Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::layer::Layer;
use tracing_subscriber::registry::LookupSpan;

/// The subscriber a [`WithTraceIds`] formatter reads span contexts from. It is itself a layer
/// of that subscriber: told the dispatcher when it is registered (a formatter is not).
#[derive(Clone, Default)]
pub struct DispatchSlot(Arc<OnceLock<WeakDispatch>>);

impl<S: Subscriber> Layer<S> for DispatchSlot {
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        let _ = self.0.set(subscriber.downgrade());
    }
}

/// Wraps an event formatter (JSON or text) and adds the trace id (and in JSON the request id).
pub struct WithTraceIds<F> {
    inner: F,
    json: bool,
    dispatch: DispatchSlot,
}

impl<F> WithTraceIds<F> {
    /// Wraps `inner`, whose lines are JSON objects when `json`, else text.
    pub fn new(inner: F, json: bool, dispatch: DispatchSlot) -> Self {
        Self {
            inner,
            json,
            dispatch,
        }
    }

    /// The trace id of the nearest span around the event that OpenTelemetry knows (spans
    /// below its level filter have no context of their own).
    fn trace_id<S, N>(&self, ctx: &FmtContext<'_, S, N>) -> Option<String>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
    {
        let dispatch = self.dispatch.0.get()?.upgrade()?;
        ctx.event_scope()?.find_map(|span| {
            let cx = tracing_opentelemetry::get_otel_context(&span.id(), &dispatch)?;
            let sc = cx.span().span_context().clone();
            sc.is_valid().then(|| sc.trace_id().to_string())
        })
    }
}

impl<S, N, F> FormatEvent<S, N> for WithTraceIds<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let ids = Ids {
            trace_id: self.trace_id(ctx),
            // Text lines show the request span's fields, `request_id` among them.
            request_id: crate::request_id::current().filter(|_| self.json),
        };
        if ids.trace_id.is_none() && ids.request_id.is_none() {
            return self.inner.format_event(ctx, writer, event);
        }
        let mut line = String::new();
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        writer.write_str(&ids.splice(&line, self.json))
    }
}

/// The ids one line carries.
struct Ids {
    trace_id: Option<String>,
    request_id: Option<String>,
}

impl Ids {
    /// `line` with the ids added: first fields of a JSON object, last fields of a text line.
    fn splice(&self, line: &str, json: bool) -> String {
        let fields = [
            ("trace_id", &self.trace_id),
            ("request_id", &self.request_id),
        ];
        let present = fields
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (*k, v)));
        if json {
            let Some(rest) = line.strip_prefix('{') else {
                return line.to_string();
            };
            let mut out = String::from("{");
            for (k, v) in present {
                let _ = write!(out, "\"{k}\":{},", json_string(v));
            }
            if rest.starts_with('}') {
                out.pop();
            }
            out.push_str(rest);
            out
        } else {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            let mut out = body.to_string();
            for (k, v) in present {
                let _ = write!(out, " {k}={v}");
            }
            out.push_str(end);
            out
        }
    }
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{propagation, request_id};
    use opentelemetry::trace::TracerProvider as _;
    use std::sync::Mutex;

    /// Log output captured in memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn last_line(&self) -> String {
            let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
            text.lines().last().unwrap_or_default().to_string()
        }
    }

    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    /// Logs one line inside a request span continuing `TRACEPARENT`, as the REST layer does.
    async fn log_in_a_request(json: bool) -> String {
        let out = Captured::default();
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let writer = out.clone();
        let dispatch = crate::subscriber(json, "info", provider.tracer("test"), move || {
            writer.clone()
        });
        let _default = tracing::dispatcher::set_default(&dispatch);
        let span = tracing::info_span!("http", request_id = "req-7");
        propagation::set_parent_from_traceparent(&span, TRACEPARENT);
        request_id::scope("req-7".into(), async {
            let _in = span.enter();
            tracing::info!(code = "000.25.80.H80-250101-0001", "dossier received");
        })
        .await;
        out.last_line()
    }

    #[tokio::test]
    async fn a_json_log_line_in_a_request_carries_its_trace_and_request_ids() {
        let line = log_in_a_request(true).await;
        assert!(line.starts_with('{'), "{line}");
        let trace_field = format!("\"trace_id\":\"{TRACE_ID}\"");
        assert!(line.contains(&trace_field), "{line}");
        assert!(line.contains("\"request_id\":\"req-7\""), "{line}");
        assert!(line.contains("dossier received"), "{line}");
    }

    #[tokio::test]
    async fn a_text_log_line_in_a_request_ends_with_its_request_and_trace_ids() {
        let line = log_in_a_request(false).await;
        assert!(line.contains("dossier received"), "{line}");
        assert!(
            line.ends_with(&format!(" request_id=\"req-7\" trace_id={TRACE_ID}")),
            "{line}"
        );
    }

    #[test]
    fn a_root_span_logs_the_trace_id_it_propagates() {
        let out = Captured::default();
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
        let writer = out.clone();
        let dispatch = crate::subscriber(true, "info", provider.tracer("test"), move || {
            writer.clone()
        });
        tracing::dispatcher::with_default(&dispatch, || {
            let span = tracing::info_span!("worker");
            let _in = span.enter();
            let propagated = propagation::current_trace_id().unwrap();
            tracing::info!("batch forwarded");
            let line = out.last_line();
            assert!(
                line.contains(&format!("\"trace_id\":\"{propagated}\"")),
                "{line}"
            );
            assert!(!line.contains("request_id"), "{line}");
        });
    }

    #[test]
    fn ids_are_spliced_into_json_as_escaped_fields() {
        let ids = Ids {
            trace_id: None,
            request_id: Some("a\"b".into()),
        };
        assert_eq!(
            ids.splice("{\"msg\":\"x\"}\n", true),
            "{\"request_id\":\"a\\\"b\",\"msg\":\"x\"}\n"
        );
        assert_eq!(ids.splice("{}", true), "{\"request_id\":\"a\\\"b\"}");
    }
}
