//! `Idempotency-Key` on creating POSTs: the same key with the same request replays the
//! original response; the same key with a different request is `422 idempotency_key_reused`.
//! Keys are scoped to the caller; the request hash covers the method, the path and the body.

use crate::domain::files::hex;
use crate::store::idempotency::{self as stored, Idempotency};
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_problem::{FieldError, Problem, codes};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

/// A request's idempotency key.
#[derive(Debug, Clone)]
pub(crate) struct IdempotencyKey {
    caller: String,
    key: String,
    hash: String,
}

fn key_reused() -> Problem {
    Problem::new(
        &codes::IDEMPOTENCY_KEY_REUSED,
        "this Idempotency-Key was used with a different request",
    )
    .with_errors(vec![FieldError::new(
        "Idempotency-Key",
        &codes::IDEMPOTENCY_KEY_REUSED_FIELD,
        "use a new key for a new request",
    )])
}

fn replay(status: u16, body: serde_json::Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [("idempotent-replayed", "true")], Json(body)).into_response()
}

impl IdempotencyKey {
    /// Reads the header of `POST path`. `required`: a missing key is `422
    /// idempotency_key_required`.
    pub(crate) fn from_request(
        caller: &str,
        headers: &HeaderMap,
        path: &str,
        body: &[u8],
        required: bool,
    ) -> Result<Option<Self>, Problem> {
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 200);
        let Some(key) = key else {
            if required {
                return Err(Problem::new(
                    &codes::IDEMPOTENCY_KEY_REQUIRED,
                    "send an Idempotency-Key header (1-200 characters)",
                )
                .with_errors(vec![FieldError::new(
                    "Idempotency-Key",
                    &codes::REQUIRED,
                    "header required on creating POSTs",
                )]));
            }
            return Ok(None);
        };
        let mut h = Sha256::new();
        h.update(b"POST ");
        h.update(path.as_bytes());
        h.update(b"\n");
        h.update(body);
        Ok(Some(Self {
            caller: caller.to_string(),
            key: key.to_string(),
            hash: hex(&h.finalize()),
        }))
    }

    /// Before doing any work: the stored response of a completed earlier use, if any.
    pub(crate) async fn precheck(&self, pool: &PgPool) -> Result<Option<Response>, Problem> {
        let mut conn = pool.acquire().await?;
        match stored::lookup(&mut conn, &self.caller, &self.key, &self.hash).await? {
            Some(Idempotency::Replay { status, body }) => Ok(Some(replay(status, body))),
            Some(Idempotency::Reused) => Err(key_reused()),
            _ => Ok(None),
        }
    }

    /// In the transaction that does the work: claims the key (concurrent uses queue here), or
    /// returns the response an earlier use stored.
    pub(crate) async fn claim(&self, tx: &mut PgConnection) -> Result<Option<Response>, Problem> {
        match stored::claim(tx, &self.caller, &self.key, &self.hash).await? {
            Idempotency::Claimed => Ok(None),
            Idempotency::Replay { status, body } => Ok(Some(replay(status, body))),
            Idempotency::Reused => Err(key_reused()),
        }
    }

    /// Stores the response, in the same transaction.
    pub(crate) async fn complete(
        &self,
        tx: &mut PgConnection,
        status: u16,
        body: &serde_json::Value,
    ) -> Result<(), Problem> {
        stored::complete(tx, &self.caller, &self.key, status, body).await?;
        Ok(())
    }
}
