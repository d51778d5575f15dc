//! A [`Problem`] on gRPC (lỗi qua gRPC): a `tonic::Status` whose `grpc-status-details-bin`
//! trailer is a serialized `google.rpc.Status`, the error model grpc-go, grpc-python and grpcurl
//! decode, so a sector system in any language reads our stable code instead of a bare INTERNAL.
//!
//! The details hold an `ErrorInfo` (reason = the problem code, domain [`ERROR_DOMAIN`],
//! metadata = HTTP status, title and extra members) and, when fields are at fault, a
//! `BadRequest` with one `FieldViolation` per field error (reason = the field code). Extra
//! members of field error `i` travel in the `ErrorInfo` metadata as `errors_<i>_<member>`.
//! [`Problem::from_status`] reads the same details back when one motcua service relays a peer's
//! error. `docs/errors.md` ("Errors on gRPC") is the integrator's description of this encoding.

use crate::{BODY_MEMBERS, FieldError, Problem, codes};
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use tonic::Code;
use tonic_types::{BadRequest, ErrorDetail, ErrorInfo, FieldViolation, StatusExt};

/// `ErrorInfo.domain` of every motcua error: the reasons are the codes of our registry, so a
/// client checks the domain before switching on the reason. Details of another domain are not
/// ours and are read as a plain status.
pub const ERROR_DOMAIN: &str = "motcua";

/// Metadata key of the HTTP status (decimal, e.g. `"422"`).
const STATUS_KEY: &str = "status";
/// Metadata key of the Vietnamese title.
const TITLE_KEY: &str = "title";
/// Metadata key listing (comma-separated, sorted) the keys whose value is JSON text rather
/// than a plain string, so a number `3` and a string `"3"` (or a procedure code `"1.001193"`)
/// come back as they left.
const JSON_MEMBERS_KEY: &str = "json_members";
/// Prefix of the metadata keys that carry a field error's extra members: `errors_<i>_<member>`.
const FIELD_PREFIX: &str = "errors_";

impl From<Problem> for tonic::Status {
    fn from(p: Problem) -> Self {
        let mut details = vec![ErrorDetail::ErrorInfo(error_info(&p))];
        if !p.errors.is_empty() {
            details.push(ErrorDetail::BadRequest(BadRequest::new(
                p.errors.iter().map(violation).collect::<Vec<_>>(),
            )));
        }
        tonic::Status::with_error_details_vec(
            grpc_code(p.status),
            format!("{}: {}", p.code, p.detail),
            details,
        )
    }
}

/// The gRPC code a problem's HTTP status is answered with.
fn grpc_code(status: StatusCode) -> Code {
    match status.as_u16() {
        400 | 422 => Code::InvalidArgument,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 => Code::NotFound,
        409 => Code::FailedPrecondition,
        429 => Code::ResourceExhausted,
        503 => Code::Unavailable,
        _ => Code::Internal,
    }
}

/// The `ErrorInfo` of a problem: its code, status, title, extras and its field errors' extras.
fn error_info(p: &Problem) -> ErrorInfo {
    let mut metadata = Metadata::default();
    metadata.put_text(STATUS_KEY, p.status.as_u16().to_string());
    metadata.put_text(TITLE_KEY, p.title.to_string());
    // The same extras as the JSON body: one named like a body member is not sent there either.
    for (k, v) in &p.extra {
        if !BODY_MEMBERS.contains(&k.as_str()) && k != JSON_MEMBERS_KEY {
            metadata.put(k.clone(), v);
        }
    }
    for (i, e) in p.errors.iter().enumerate() {
        for (k, v) in &e.extra {
            metadata.put(format!("{FIELD_PREFIX}{i}_{k}"), v);
        }
    }
    ErrorInfo::new(p.code, ERROR_DOMAIN, metadata.finish())
}

/// `ErrorInfo.metadata` being built: string values as they are, others as JSON text, listed
/// under [`JSON_MEMBERS_KEY`].
#[derive(Default)]
struct Metadata {
    map: HashMap<String, String>,
    json: BTreeSet<String>,
}

impl Metadata {
    fn put_text(&mut self, key: &str, value: String) {
        self.map.insert(key.to_string(), value);
    }

    fn put(&mut self, key: String, value: &Value) {
        match value {
            Value::String(s) => {
                self.map.insert(key, s.clone());
            }
            other => {
                self.map.insert(key.clone(), other.to_string());
                self.json.insert(key);
            }
        }
    }

    fn finish(mut self) -> HashMap<String, String> {
        if !self.json.is_empty() {
            let list: Vec<String> = self.json.into_iter().collect();
            self.map
                .insert(JSON_MEMBERS_KEY.to_string(), list.join(","));
        }
        self.map
    }
}

/// One field error as a `FieldViolation`: path, message, and the field code as `reason`.
fn violation(e: &FieldError) -> FieldViolation {
    let mut v = FieldViolation::new(e.field.clone(), e.message.clone());
    v.reason = e.code.clone();
    v
}

impl Problem {
    /// Rebuilds a problem from a gRPC status received from a peer, keeping its code, detail,
    /// field errors and extras when the peer was a motcua service (an `ErrorInfo` of our
    /// domain). A reason the registry does not know is a peer failure; a status without our
    /// details is mapped by its gRPC code.
    pub fn from_status(status: &tonic::Status) -> Self {
        from_details(status).unwrap_or_else(|| from_code(status))
    }
}

/// The problem our details describe, if the status carries them.
fn from_details(status: &tonic::Status) -> Option<Problem> {
    let details = status.check_error_details().ok()?;
    let info = details.error_info().filter(|i| i.domain == ERROR_DOMAIN)?;
    let code = codes::problem(&info.reason).unwrap_or_else(|| {
        tracing::warn!(reason = %info.reason, "a peer answered a code the registry does not know");
        &codes::PEER_UNAVAILABLE
    });
    let prefix = format!("{}: ", info.reason);
    let detail = status
        .message()
        .strip_prefix(&prefix)
        .unwrap_or(status.message());
    let mut p = Problem::new(code, detail);
    p.errors = details
        .bad_request()
        .map(|b| {
            b.field_violations
                .iter()
                .map(|v| FieldError::relayed(v.field.clone(), &v.reason, v.description.clone()))
                .collect()
        })
        .unwrap_or_default();
    let json: BTreeSet<&str> = info
        .metadata
        .get(JSON_MEMBERS_KEY)
        .map(|l| l.split(',').collect())
        .unwrap_or_default();
    for (key, text) in &info.metadata {
        if [STATUS_KEY, TITLE_KEY, JSON_MEMBERS_KEY].contains(&key.as_str()) {
            continue;
        }
        let value = metadata_value(text, json.contains(key.as_str()));
        match field_member(key).filter(|(i, _)| *i < p.errors.len()) {
            Some((i, member)) => p.errors[i].extra.insert(member.to_string(), value),
            None => p.extra.insert(key.clone(), value),
        };
    }
    Some(p)
}

/// A metadata value back as JSON: JSON text when it was listed as such, else a string.
fn metadata_value(text: &str, is_json: bool) -> Value {
    is_json
        .then(|| serde_json::from_str(text).ok())
        .flatten()
        .unwrap_or_else(|| Value::String(text.to_string()))
}

/// `errors_<i>_<member>` split into the field error's index and the member's name.
fn field_member(key: &str) -> Option<(usize, &str)> {
    let (index, member) = key.strip_prefix(FIELD_PREFIX)?.split_once('_')?;
    let i = index.parse().ok()?;
    (!member.is_empty()).then_some((i, member))
}

/// A status without our details (a bare `Status::not_found`, another domain's error, a peer
/// that failed before answering), mapped by its gRPC code.
fn from_code(status: &tonic::Status) -> Problem {
    let message = status.message().to_string();
    match status.code() {
        Code::NotFound => Problem::new(&codes::NOT_FOUND, message),
        Code::InvalidArgument => Problem::new(&codes::INVALID_ARGUMENT, message),
        Code::Unauthenticated => Problem::unauthorized(message),
        Code::PermissionDenied => Problem::new(&codes::FORBIDDEN, message),
        Code::FailedPrecondition | Code::AlreadyExists | Code::Aborted => {
            Problem::new(&codes::CONFLICT, message)
        }
        Code::ResourceExhausted => Problem::rate_limited(message),
        _ => Problem::new(
            &codes::PEER_UNAVAILABLE,
            format!("a service this request depends on failed: {message}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn components_invalid() -> Problem {
        Problem::new(&codes::COMPONENTS_INVALID, "2 components are invalid")
            .with_errors(vec![
                FieldError::new("components", &codes::COMPONENT_MISSING, "missing GCS")
                    .with("component_code", "GCS"),
                FieldError::new(
                    "components[1].code",
                    &codes::COMPONENT_UNEXPECTED,
                    "no CMND",
                )
                .with("component_code", "CMND")
                .with("position", 1),
            ])
            .with("procedure_code", "1.001193")
            .with("current_status_code", 3)
    }

    #[test]
    fn grpc_round_trip_keeps_code_status_and_fields() {
        let p = Problem::new(&codes::SUPPLEMENT_ALREADY_REQUESTED, "only once")
            .with_errors(vec![FieldError::new("items", &codes::DUPLICATE_ITEM, "y")]);
        let status: tonic::Status = p.clone().into();
        assert_eq!(status.code(), tonic::Code::FailedPrecondition);
        let back = Problem::from_status(&status);
        assert_eq!(back.status, StatusCode::CONFLICT);
        assert_eq!(back.code, "supplement_already_requested");
        assert_eq!(back.errors, p.errors);
    }

    #[test]
    fn grpc_round_trip_keeps_detail_extras_and_field_extras_with_their_types() {
        let p = components_invalid();
        let status: tonic::Status = p.clone().into();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "components_invalid: 2 components are invalid"
        );
        assert_eq!(Problem::from_status(&status), p);
    }

    #[test]
    fn details_are_a_google_rpc_status_with_error_info_and_bad_request() {
        let status: tonic::Status = components_invalid().into();
        let details = status.check_error_details().expect("a google.rpc.Status");
        let info = details.error_info().expect("an ErrorInfo");
        assert_eq!(info.reason, "components_invalid");
        assert_eq!(info.domain, "motcua");
        let md = &info.metadata;
        assert_eq!(md["status"], "422");
        assert_eq!(md["title"], codes::COMPONENTS_INVALID.title);
        assert_eq!(md["procedure_code"], "1.001193");
        assert_eq!(md["current_status_code"], "3");
        assert_eq!(md["errors_0_component_code"], "GCS");
        assert_eq!(md["errors_1_position"], "1");
        assert_eq!(md["json_members"], "current_status_code,errors_1_position");
        let v = &details
            .bad_request()
            .expect("a BadRequest")
            .field_violations;
        assert_eq!(v.len(), 2);
        assert_eq!(
            (
                v[1].field.as_str(),
                v[1].reason.as_str(),
                v[1].description.as_str()
            ),
            ("components[1].code", "component_unexpected", "no CMND")
        );
    }

    #[test]
    fn a_problem_without_field_errors_has_no_bad_request() {
        let status: tonic::Status = Problem::internal().into();
        assert_eq!(status.code(), tonic::Code::Internal);
        assert!(status.get_details_bad_request().is_none());
        assert_eq!(
            status.get_details_error_info().map(|i| i.reason),
            Some("internal_error".to_string())
        );
    }

    #[test]
    fn plain_grpc_status_maps_to_a_problem() {
        let p = Problem::from_status(&tonic::Status::not_found("no such procedure"));
        assert_eq!(p.status, StatusCode::NOT_FOUND);
        let p = Problem::from_status(&tonic::Status::unavailable("down"));
        assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn a_peer_code_the_registry_does_not_know_is_a_peer_failure() {
        let status = tonic::Status::with_error_details_vec(
            tonic::Code::FailedPrecondition,
            "made_up: x",
            [ErrorDetail::ErrorInfo(ErrorInfo::new(
                "made_up",
                ERROR_DOMAIN,
                HashMap::new(),
            ))],
        );
        let p = Problem::from_status(&status);
        assert_eq!(p.code, "peer_unavailable");
        assert_eq!(p.detail, "x");
    }

    #[test]
    fn an_error_info_of_another_domain_is_read_as_a_plain_status() {
        let status = tonic::Status::with_error_details_vec(
            tonic::Code::NotFound,
            "gone",
            [ErrorDetail::ErrorInfo(ErrorInfo::new(
                "components_invalid",
                "example.com",
                HashMap::new(),
            ))],
        );
        assert_eq!(Problem::from_status(&status).code, "not_found");
    }

    #[test]
    fn details_that_are_not_a_google_rpc_status_are_read_as_a_plain_status() {
        let status = tonic::Status::with_details(
            tonic::Code::FailedPrecondition,
            "x",
            br#"{"code":"components_invalid"}"#.to_vec().into(),
        );
        assert_eq!(Problem::from_status(&status).code, "conflict");
    }
}
