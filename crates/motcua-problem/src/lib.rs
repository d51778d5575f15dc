//! One error type for every service (lỗi nghiệp vụ): it becomes an RFC 9457
//! `application/problem+json` response on REST and a `tonic::Status` on gRPC, with a stable
//! snake_case `code`, a Vietnamese `title` and, where fields are at fault, one entry per field.
//!
//! Handlers return `Result<_, Problem>`; bad input never turns into a 500 or a panic.

pub mod codes;
mod extract;
mod grpc;

pub use codes::{FieldCode, ProblemCode};
pub use extract::{ApiJson, ApiPath, ApiQuery, body_too_large, parse_json};
pub use grpc::ERROR_DOMAIN;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

/// Content type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The members of the JSON body that are not extras: an extra of the same name is not sent
/// (neither in the body nor on gRPC), so a handler cannot overwrite `status` or `code`.
const BODY_MEMBERS: [&str; 6] = ["type", "title", "status", "detail", "code", "errors"];

/// One field at fault (lỗi trường dữ liệu): `field` is the JSON path in the request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// JSON path of the field, e.g. `components[1].code`.
    pub field: String,
    /// Stable snake_case code, e.g. `component_unexpected`.
    pub code: String,
    /// Human-readable explanation (Vietnamese or English).
    pub message: String,
    /// Extra machine-readable members, e.g. `component_code`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FieldError {
    /// A field error with a declared code, without extra members.
    pub fn new(
        field: impl Into<String>,
        code: &'static FieldCode,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.code.to_string(),
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// A field error whose code comes as text from a rule crate with no I/O (the catalogue
    /// model's `codes`, cross-checked against the registry by a test). An undeclared code is a
    /// bug of ours: it is logged and answered as `invalid_value`.
    pub fn relayed(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        let declared = codes::field(code).unwrap_or_else(|| {
            tracing::error!(code, "field error code not in the registry");
            &codes::INVALID_VALUE
        });
        Self::new(field, declared, message)
    }

    /// Adds an extra member (for example `component_code`).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }
}

/// A problem detail (RFC 9457) that a handler returns instead of a result. Boxed, so that
/// `Result<T, Problem>` stays small on the happy path.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem(Box<ProblemDetails>);

impl std::ops::Deref for Problem {
    type Target = ProblemDetails;
    fn deref(&self) -> &ProblemDetails {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemDetails {
        &mut self.0
    }
}

/// The members of a [`Problem`].
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemDetails {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code clients switch on (declared in [`codes`]).
    pub code: &'static str,
    /// Short Vietnamese title.
    pub title: &'static str,
    /// What happened in this occurrence.
    pub detail: String,
    /// Fields at fault.
    pub errors: Vec<FieldError>,
    /// Extra top-level members (for example `current_state`).
    pub extra: Map<String, Value>,
    /// Seconds the client should wait before trying again, sent as `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem with a declared code (its status and title come from the registry) and the
    /// detail of this occurrence.
    pub fn new(code: &'static ProblemCode, detail: impl Into<String>) -> Self {
        Self(Box::new(ProblemDetails {
            status: StatusCode::from_u16(code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.code,
            title: code.title,
            detail: detail.into(),
            errors: Vec::new(),
            extra: Map::new(),
            retry_after: None,
        }))
    }

    /// 401: no token, or a token that does not verify.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(&codes::UNAUTHORIZED, detail)
    }

    /// 422 `invalid_argument`: a required member of a gRPC request is absent (proto3 cannot
    /// say "required"); the field error names it.
    pub fn required(field: &str) -> Self {
        Self::new(&codes::INVALID_ARGUMENT, format!("{field} is required"))
            .with_errors(vec![FieldError::new(field, &codes::REQUIRED, "required")])
    }

    /// 429: too many requests.
    pub fn rate_limited(detail: impl Into<String>) -> Self {
        Self::new(&codes::RATE_LIMITED, detail)
    }

    /// 500: a fault of ours. The detail shown to the client is generic; log the cause.
    pub fn internal() -> Self {
        Self::new(
            &codes::INTERNAL_ERROR,
            "an internal error occurred; it has been logged",
        )
    }

    /// Adds field errors.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors.extend(errors);
        self
    }

    /// Tells the client to wait `seconds` (at least 1) before trying again (`Retry-After`).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// Adds one extra top-level member.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    /// The JSON body (RFC 9457 members plus `code`, `errors` and extras).
    pub fn body(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "type".into(),
            Value::String(format!("urn:motcua:problem:{}", self.code)),
        );
        m.insert("title".into(), Value::String(self.title.to_string()));
        m.insert("status".into(), Value::from(self.status.as_u16()));
        m.insert("detail".into(), Value::String(self.detail.clone()));
        m.insert("code".into(), Value::String(self.code.to_string()));
        m.insert(
            "errors".into(),
            serde_json::to_value(&self.errors).unwrap_or(Value::Array(vec![])),
        );
        for (k, v) in &self.extra {
            if !BODY_MEMBERS.contains(&k.as_str()) {
                m.insert(k.clone(), v.clone());
            }
        }
        Value::Object(m)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl std::error::Error for Problem {}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body())).into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        res
    }
}

impl From<sqlx::Error> for Problem {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            // Text PostgreSQL cannot store (a NUL character, invalid encoding): the client's input.
            sqlx::Error::Database(d) if d.code().is_some_and(|c| c == "22021" || c == "22P05") => {
                Problem::new(
                    &codes::INVALID_TEXT,
                    "the request contains characters that cannot be stored (e.g. NUL)",
                )
            }
            // Serialization failure or deadlock: nothing was written; the client may retry.
            sqlx::Error::Database(d) if d.code().is_some_and(|c| c == "40001" || c == "40P01") => {
                tracing::warn!(error = %e, "transaction conflict");
                Problem::new(
                    &codes::TRANSACTION_CONFLICT,
                    "a concurrent change conflicted; retry the request",
                )
            }
            // Cancelled by `statement_timeout` (query_canceled): nothing was written.
            sqlx::Error::Database(d) if d.code().is_some_and(|c| c == "57014") => {
                tracing::warn!(error = %e, "statement cancelled by its time limit");
                Problem::new(
                    &codes::DATABASE_TIMEOUT,
                    "a database statement took too long and was cancelled; retry later",
                )
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::warn!(error = %e, "database unavailable");
                Problem::new(
                    &codes::DATABASE_UNAVAILABLE,
                    "the database is not reachable; retry later",
                )
            }
            _ => {
                tracing::error!(error = %e, "database error");
                Problem::internal()
            }
        }
    }
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, Problem>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_rfc9457_members_code_and_field_errors() {
        let p =
            Problem::new(&codes::COMPONENTS_INVALID, "2 components are invalid").with_errors(vec![
                FieldError::new("components", &codes::COMPONENT_MISSING, "missing")
                    .with("component_code", "GCS"),
            ]);
        let b = p.body();
        assert_eq!(b["status"], 422);
        assert_eq!(b["code"], "components_invalid");
        assert_eq!(b["type"], "urn:motcua:problem:components_invalid");
        assert_eq!(b["errors"][0]["field"], "components");
        assert_eq!(b["errors"][0]["component_code"], "GCS");
    }

    #[test]
    fn a_problem_with_retry_after_sends_the_header() {
        let res = Problem::rate_limited("slow down")
            .retry_after(42)
            .into_response();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "42");
        let res = Problem::internal().into_response();
        assert!(res.headers().get(header::RETRY_AFTER).is_none());
    }
}
