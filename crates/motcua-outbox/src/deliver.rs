//! How one event reaches one destination: another motcua service's `EventReceiver` over gRPC,
//! or a system outside motcua over HTTP ([`HttpPush`]).

use motcua_proto::common::v1::event_receiver_client::EventReceiverClient;
use motcua_proto::common::v1::{DeliverEventRequest, DeliverEventsRequest, Event, EventOutcome};
use motcua_server::PeerChannel;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The outcome of one attempt: `Err` carries what went wrong, stored with the delivery.
pub type Attempt<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// The outcome of one attempt at a batch: one [`EventOutcome`] per event, in order, or why the
/// whole call failed.
pub type BatchAttempt<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<EventOutcome>, String>> + Send + 'a>>;

/// Takes events to a destination.
pub trait Deliver: Send + Sync + std::fmt::Debug {
    /// Attempts the delivery of one event; `Ok` only when the destination has taken it.
    fn deliver(&self, event: Event) -> Attempt<'_>;

    /// Whether the destination takes batches ([`deliver_all`](Self::deliver_all)).
    fn batches(&self) -> bool {
        false
    }

    /// Attempts the delivery of several events (recorded order) in one call. Only called when
    /// [`batches`](Self::batches) says so.
    fn deliver_all(&self, events: Vec<Event>) -> BatchAttempt<'_> {
        let n = events.len();
        Box::pin(async move { Err(format!("this destination takes no batches ({n} events)")) })
    }
}

impl Deliver for EventReceiverClient<PeerChannel> {
    fn deliver(&self, event: Event) -> Attempt<'_> {
        let mut client = self.clone();
        Box::pin(async move {
            let req = DeliverEventRequest { event: Some(event) };
            client
                .deliver_event(req)
                .await
                .map(|_| ())
                .map_err(|s| format!("{:?}: {}", s.code(), s.message()))
        })
    }

    fn batches(&self) -> bool {
        true
    }

    fn deliver_all(&self, events: Vec<Event>) -> BatchAttempt<'_> {
        let mut client = self.clone();
        Box::pin(async move {
            let n = events.len();
            let outcomes = client
                .deliver_events(DeliverEventsRequest { events })
                .await
                .map_err(|s| format!("{:?}: {}", s.code(), s.message()))?
                .into_inner()
                .outcomes;
            if outcomes.len() != n {
                return Err(format!("{} outcomes for {n} events", outcomes.len()));
            }
            Ok(outcomes)
        })
    }
}

/// Pushes events whose payload is already the receiver's document (built by the producer in
/// the transaction of the change) as JSON `POST {base}/{path}`, the path chosen by event type,
/// with a bearer credential and the event id as `Idempotency-Key`. A `2xx` whose JSON body has a
/// non-zero `error_code` (the national portal's convention) is a failure too.
#[derive(Debug, Clone)]
pub struct HttpPush {
    client: reqwest::Client,
    base: String,
    bearer: Option<String>,
    routes: Vec<(&'static str, &'static str)>,
}

impl HttpPush {
    /// A pusher to `base`, each call bounded by `timeout`; `routes` maps event types to paths.
    pub fn new(
        base: &str,
        bearer: Option<String>,
        timeout: Duration,
        routes: Vec<(&'static str, &'static str)>,
    ) -> Self {
        Self {
            client: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .unwrap_or_default(),
            base: base.trim_end_matches('/').to_string(),
            bearer,
            routes,
        }
    }
}

impl Deliver for HttpPush {
    fn deliver(&self, event: Event) -> Attempt<'_> {
        Box::pin(async move {
            let path = self
                .routes
                .iter()
                .find(|(t, _)| *t == event.r#type)
                .map(|(_, p)| *p)
                .ok_or_else(|| format!("no route for event type {}", event.r#type))?;
            let mut req = self
                .client
                .post(format!("{}/{path}", self.base))
                .header("content-type", "application/json")
                .header("idempotency-key", &event.id)
                .body(event.payload_json);
            if let Some(token) = &self.bearer {
                req = req.bearer_auth(token);
            }
            let res = req.send().await.map_err(|e| format!("http: {e}"))?;
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            if !status.is_success() {
                return Err(format!("http {status}: {}", truncate(&body)));
            }
            match serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("error_code").cloned())
            {
                Some(code) if code != "0" && code != 0 => {
                    Err(format!("refused, error_code {code}: {}", truncate(&body)))
                }
                _ => Ok(()),
            }
        })
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(300) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
