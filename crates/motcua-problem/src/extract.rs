//! Request extractors whose rejections are problem+json (axum's own answer in plain text).

use crate::{FieldError, Problem, codes};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Parses a JSON body read as bytes (handlers that also hash the body for an idempotency key):
/// a malformed or mistyped body is a `422 invalid_body` naming the problem.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        Problem::new(&codes::INVALID_BODY, "the request body is not valid").with_errors(vec![
            FieldError::new("body", &codes::INVALID_JSON, e.to_string()),
        ])
    })
}

/// `413 body_too_large`: the body is over the route's limit (however it was read).
pub fn body_too_large() -> Problem {
    Problem::new(
        &codes::BODY_TOO_LARGE,
        "the request body is larger than this endpoint accepts",
    )
}

/// A JSON body; a malformed or mistyped body is a `422 invalid_body` naming the problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
                &codes::UNSUPPORTED_MEDIA_TYPE,
                "send the body as application/json",
            )),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(body_too_large())
            }
            Err(e) => Err(
                Problem::new(&codes::INVALID_BODY, "the request body is not valid").with_errors(
                    vec![FieldError::new("body", &codes::INVALID_JSON, e.body_text())],
                ),
            ),
        }
    }
}

/// Query parameters; bad ones are a `422 invalid_query`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e: QueryRejection| {
                Problem::new(&codes::INVALID_QUERY, "the query parameters are not valid")
                    .with_errors(vec![FieldError::new(
                        "query",
                        &codes::INVALID_QUERY_PARAMETER,
                        e.body_text(),
                    )])
            })
    }
}

/// Path parameters; bad ones are a `422 invalid_path`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|e: PathRejection| {
                Problem::new(&codes::INVALID_PATH, "the path parameters are not valid").with_errors(
                    vec![FieldError::new(
                        "path",
                        &codes::INVALID_PATH_PARAMETER,
                        e.body_text(),
                    )],
                )
            })
    }
}
