//! `Idempotency-Key` on creating POSTs (khóa chống lặp): the same key with the same request
//! replays the original response; the same key with a different request is `422
//! idempotency_key_reused`. Keys are scoped to the caller; the request hash covers the method,
//! the path and the body. The key is claimed in the transaction that does the work, so
//! concurrent retries queue on its primary key and the second sees the first's response.
//!
//! Table: [`TABLE_DDL`], which each service that takes keys copies into its migrations.

mod stored;

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_problem::{FieldError, Problem, codes};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use stored::Idempotency;

/// The table a service needs (copy into its migrations).
pub const TABLE_DDL: &str = include_str!("table.sql");
/// What the first step of a creating request found.
#[derive(Debug)]
pub enum Precheck {
    /// An earlier use of the key completed: answer with it.
    Replay(Answer),
    /// Go ahead, with the key (if one was given) to claim in the transaction.
    Proceed(Option<IdempotencyKey>),
}

/// A request's idempotency key.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
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

/// The answer to a creating request: made now, or replayed from an earlier use of its key.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// Body.
    pub body: serde_json::Value,
    /// Replayed from an earlier use of the key (`idempotent-replayed: true`).
    pub replayed: bool,
}

impl Answer {
    /// A fresh answer.
    pub fn new(status: StatusCode, body: serde_json::Value) -> Self {
        Self {
            status,
            body,
            replayed: false,
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        if self.replayed {
            return (
                self.status,
                [("idempotent-replayed", "true")],
                Json(self.body),
            )
                .into_response();
        }
        (self.status, Json(self.body)).into_response()
    }
}

fn replay(status: u16, body: serde_json::Value) -> Answer {
    Answer {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        body,
        replayed: true,
    }
}

impl IdempotencyKey {
    /// Reads the header of `POST path`. `required`: a missing key is `422
    /// idempotency_key_required`.
    pub fn from_request(
        caller: &str,
        headers: &HeaderMap,
        path: &str,
        body: &[u8],
        required: bool,
    ) -> Result<Option<Self>, Problem> {
        let Some(raw) = headers.get("idempotency-key") else {
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
        // A key sent but unusable is refused, never ignored: the client counts on it.
        let Some(key) = usable_key(raw.as_bytes()) else {
            return Err(Problem::new(
                &codes::IDEMPOTENCY_KEY_REQUIRED,
                "send an Idempotency-Key header (1-200 characters)",
            )
            .with_errors(vec![FieldError::new(
                "Idempotency-Key",
                &codes::INVALID_VALUE,
                "1-200 printable ASCII characters, not only spaces",
            )]));
        };
        let mut h = Sha256::new();
        h.update(b"POST ");
        h.update(path.as_bytes());
        h.update(b"\n");
        h.update(body);
        Ok(Some(Self {
            caller: caller.to_string(),
            key: key.to_string(),
            hash: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        }))
    }

    /// The first step of a creating request: its key (when given, or `422` when `required` and
    /// missing), and the stored answer when an earlier use of the key completed.
    pub async fn precheck_request(
        pool: &PgPool,
        caller: &str,
        headers: &HeaderMap,
        path: &str,
        body: &[u8],
        required: bool,
    ) -> Result<Precheck, Problem> {
        let key = Self::from_request(caller, headers, path, body, required)?;
        if let Some(k) = &key
            && let Some(answer) = k.precheck(pool).await?
        {
            return Ok(Precheck::Replay(answer));
        }
        Ok(Precheck::Proceed(key))
    }

    /// A key given outside HTTP (a gRPC request's field), scoped like a header's.
    pub fn new(caller: &str, key: &str, path: &str, body: &[u8]) -> Option<Self> {
        let mut headers = HeaderMap::new();
        headers.insert("idempotency-key", key.parse().ok()?);
        Self::from_request(caller, &headers, path, body, false)
            .ok()
            .flatten()
    }

    /// Whether `other` is the same key of the same caller (whatever the body).
    pub fn same_key(&self, other: &Self) -> bool {
        self.caller == other.caller && self.key == other.key
    }

    /// Before doing any work: the stored answer of a completed earlier use, if any.
    pub async fn precheck(&self, pool: &PgPool) -> Result<Option<Answer>, Problem> {
        let mut conn = pool.acquire().await?;
        match stored::lookup(&mut conn, &self.caller, &self.key, &self.hash).await? {
            Some(Idempotency::Replay { status, body }) => Ok(Some(replay(status, body))),
            Some(Idempotency::Reused) => Err(key_reused()),
            Some(Idempotency::Expired) => Err(key_expired()),
            _ => Ok(None),
        }
    }

    /// In the transaction that does the work: claims the key (concurrent uses queue here), or
    /// returns the response an earlier use stored.
    pub async fn claim(&self, tx: &mut PgConnection) -> Result<Option<Answer>, Problem> {
        match stored::claim(tx, &self.caller, &self.key, &self.hash).await? {
            Idempotency::Claimed => Ok(None),
            Idempotency::Replay { status, body } => Ok(Some(replay(status, body))),
            Idempotency::Reused => Err(key_reused()),
            Idempotency::Expired => Err(key_expired()),
        }
    }

    /// Claims every key of a batch (distinct keys) in one statement, in the transaction that
    /// does the batch's work; one entry per key, in order: `None` claimed, `Some` the answer an
    /// earlier use stored. A key used before with another request fails the whole call (`422
    /// idempotency_key_reused`), as [`claim`](Self::claim) does for one key.
    pub async fn claim_all(
        keys: &[&IdempotencyKey],
        tx: &mut PgConnection,
    ) -> Result<Vec<Option<Answer>>, Problem> {
        let claimed = stored::claim_all(
            tx,
            keys.iter()
                .map(|k| (k.caller.as_str(), k.key.as_str(), k.hash.as_str())),
        )
        .await?;
        let mut out = Vec::with_capacity(keys.len());
        for (k, fresh) in keys.iter().zip(claimed) {
            out.push(match fresh {
                true => None,
                false => k.claim(tx).await?,
            });
        }
        Ok(out)
    }

    /// Stores the answers of a batch's keys in one statement, in the same transaction.
    pub async fn complete_all(
        done: &[(&IdempotencyKey, &Answer)],
        tx: &mut PgConnection,
    ) -> Result<(), Problem> {
        stored::complete_all(
            tx,
            done.iter().map(|(k, a)| {
                (
                    k.caller.as_str(),
                    k.key.as_str(),
                    a.status.as_u16(),
                    &a.body,
                )
            }),
        )
        .await?;
        Ok(())
    }

    /// Stores the answer, in the same transaction.
    pub async fn complete(&self, tx: &mut PgConnection, answer: &Answer) -> Result<(), Problem> {
        Self::complete_all(&[(self, answer)], tx).await
    }
}

/// Forgets the stored answers of keys claimed before `before` (at most `limit` per call): they
/// may hold personal data (a receipt names its applicant), kept no longer than a client could
/// still be retrying. The keys themselves stay, so a retry after that is refused (`409
/// idempotency_key_expired`) instead of doing the work twice. Returns how many answers were
/// forgotten; `None` when the schema takes no keys.
pub async fn purge(
    conn: &mut PgConnection,
    before: time::OffsetDateTime,
    limit: i64,
) -> Result<Option<u64>, sqlx::Error> {
    stored::purge(conn, before, limit).await
}

fn key_expired() -> Problem {
    Problem::new(
        &codes::IDEMPOTENCY_KEY_EXPIRED,
        "this Idempotency-Key was used long ago and its answer is no longer kept: the request \
         was done once; read the resource it created instead of sending it again",
    )
}

/// The key in an `Idempotency-Key` header's bytes: 1–200 printable ASCII characters (the
/// documented pattern), surrounding spaces trimmed, not only spaces.
fn usable_key(raw: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(raw).ok()?;
    let printable = text.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let key = text.trim();
    (printable && !key.is_empty() && text.len() <= 200).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_1_to_200_printable_ascii_characters_trimmed() {
        assert_eq!(usable_key(b"  demo-1 "), Some("demo-1"));
        assert_eq!(usable_key(&[b'k'; 200]).map(str::len), Some(200));
        for bad in [&b""[..], b"   ", &[b'k'; 201], "khóa".as_bytes(), b"a\tb"] {
            assert_eq!(usable_key(bad), None, "{bad:?}");
        }
    }
}
