//! A stand-in SMS provider: `POST /sms` with `{to, text, reference}` and the provider's key as a
//! bearer token; it keeps each message and can refuse the next calls on demand.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Inbox {
    key: String,
    messages: Arc<Mutex<Vec<Value>>>,
    fail_next: Arc<Mutex<u32>>,
}

/// A running provider.
pub struct SmsStub {
    /// Its send endpoint (`MOTCUA_SMS_URL`).
    pub url: String,
    inbox: Inbox,
}

impl SmsStub {
    /// Starts a provider that accepts the API `key`.
    pub async fn start(key: &str) -> Self {
        let inbox = Inbox {
            key: key.into(),
            ..Default::default()
        };
        let app = axum::Router::new()
            .route("/sms", axum::routing::post(send))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/sms", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, inbox }
    }

    /// Every message taken, in order: `{to, text, reference}`.
    pub fn messages(&self) -> Vec<Value> {
        self.inbox.messages.lock().unwrap().clone()
    }

    /// The next `n` sends answer `503`.
    pub fn fail_next(&self, n: u32) {
        *self.inbox.fail_next.lock().unwrap() = n;
    }
}

async fn send(
    State(inbox): State<Inbox>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> StatusCode {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {}", inbox.key))
    {
        return StatusCode::UNAUTHORIZED;
    }
    {
        let mut fail = inbox.fail_next.lock().unwrap();
        if *fail > 0 {
            *fail -= 1;
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    }
    inbox.messages.lock().unwrap().push(body.0);
    StatusCode::ACCEPTED
}
