//! The REST contract's shared part (hợp đồng giao diện): completes a service's OpenAPI document
//! with what every operation has in common, from one place, so that a generated client can type
//! every error and no handler can forget one.
//!
//! For each operation under `/api/` it adds the problem+json responses the platform itself can
//! answer — `401`/`403` when the operation is authenticated, `413`/`415`/`422` when it takes a
//! body, `422` for query or path parameters, `404` for a path parameter, `500` and `503` always
//! (the database, a peer, the request's time limit, the concurrency limit) — and
//! lists on every error response the stable problem codes it may carry (`x-problem-codes`, and
//! in its description): the platform's codes plus every registry code the handler names in its
//! own description. Every response gets a description (OpenAPI requires one).

use motcua_problem::codes::{self, ProblemCode};
use serde_json::{Map, Value, json};

/// The operations' HTTP methods in an OpenAPI path item.
const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Completes `doc` (a serialized OpenAPI 3.1 document) in place.
pub fn complete(doc: &mut Value) {
    add_problem_schemas(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(method) {
                complete_operation(path, op);
            }
        }
    }
}

/// What an operation takes, which decides the errors the platform can answer for it.
struct Shape {
    authenticated: bool,
    body: bool,
    query: bool,
    path: bool,
    idempotent: bool,
}

impl Shape {
    fn of(op: &Value) -> Self {
        let params = op.get("parameters").and_then(Value::as_array);
        let has_param = |place: &str| {
            params.is_some_and(|ps| ps.iter().any(|p| p.get("in") == Some(&json!(place))))
        };
        let authenticated = op
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|reqs| {
                reqs.iter()
                    .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
            });
        Self {
            authenticated,
            body: op.get("requestBody").is_some(),
            query: has_param("query"),
            path: has_param("path"),
            idempotent: params.is_some_and(|ps| {
                ps.iter()
                    .any(|p| p.get("name") == Some(&json!("Idempotency-Key")))
            }),
        }
    }

    /// The platform's own errors for an operation of this shape: status and codes.
    fn platform_errors(&self) -> Vec<(u16, Vec<&'static ProblemCode>)> {
        let mut errors: Vec<(u16, Vec<&'static ProblemCode>)> = Vec::new();
        let mut add = |status: u16, found: &[&'static ProblemCode]| match errors
            .iter_mut()
            .find(|(s, _)| *s == status)
        {
            Some((_, list)) => list.extend_from_slice(found),
            None => errors.push((status, found.to_vec())),
        };
        if self.authenticated {
            add(401, &[&codes::UNAUTHORIZED]);
            add(403, &[&codes::ROLE_NOT_ALLOWED, &codes::AGENCY_NOT_ALLOWED]);
        }
        if self.body {
            add(413, &[&codes::BODY_TOO_LARGE]);
            add(415, &[&codes::UNSUPPORTED_MEDIA_TYPE]);
            add(422, &[&codes::INVALID_BODY, &codes::INVALID_TEXT]);
        }
        if self.query {
            add(422, &[&codes::INVALID_QUERY]);
        }
        if self.idempotent {
            add(409, &[&codes::IDEMPOTENCY_KEY_EXPIRED]);
        }
        if self.path {
            add(422, &[&codes::INVALID_PATH]);
            add(404, &[&codes::NOT_FOUND]);
        }
        add(500, &[&codes::INTERNAL_ERROR]);
        add(
            503,
            &[
                &codes::DATABASE_UNAVAILABLE,
                &codes::DATABASE_TIMEOUT,
                &codes::TRANSACTION_CONFLICT,
                &codes::PEER_UNAVAILABLE,
                &codes::REQUEST_TIMEOUT,
                &codes::OVERLOADED,
            ],
        );
        errors
    }
}

fn complete_operation(path: &str, op: &mut Value) {
    let shape = Shape::of(op);
    describe_idempotency_key(op);
    let Some(responses) = op
        .as_object_mut()
        .map(|o| o.entry("responses").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if path.starts_with("/api/") {
        for (status, platform) in shape.platform_errors() {
            let response = responses
                .entry(status.to_string())
                .or_insert_with(|| json!({}));
            document_error(status, response, &platform);
        }
        // Statuses a handler declared itself (409, 429, …) get the problem body and codes too.
        for (status, response) in responses.iter_mut() {
            match status.parse::<u16>() {
                Ok(s) if s >= 400 && response.get("x-problem-codes").is_none() => {
                    document_error(s, response, &[])
                }
                _ => {}
            }
        }
    }
    for response in responses.values_mut() {
        describe_raw_content(response);
    }
    for (status, response) in responses.iter_mut() {
        if let Some(r) = response.as_object_mut()
            && !r.contains_key("description")
        {
            let reason = status
                .parse::<u16>()
                .ok()
                .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Response");
            r.insert("description".into(), json!(reason));
        }
    }
}

/// A non-JSON body documented without a schema (a spreadsheet, say) is raw bytes of its media
/// type: OpenAPI 3.1 says so with a string schema and `contentMediaType`. A JSON body without a
/// schema stays without one, for the contract test to find.
fn describe_raw_content(response: &mut Value) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    for (media, entry) in content.iter_mut() {
        if !media.ends_with("json")
            && let Some(e) = entry.as_object_mut()
            && !e.contains_key("schema")
        {
            e.insert(
                "schema".into(),
                json!({"type": "string", "contentMediaType": media}),
            );
        }
    }
}

/// The `Idempotency-Key` header's rule, the same on every operation that takes one (what
/// `motcua_idempotency` accepts): 1–200 printable ASCII characters, not only spaces.
fn describe_idempotency_key(op: &mut Value) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for p in params {
        if p.get("in") == Some(&json!("header")) && p.get("name") == Some(&json!("Idempotency-Key"))
        {
            p["schema"] = json!({
                "type": "string", "minLength": 1, "maxLength": 200,
                "pattern": "^[ -~]*[!-~][ -~]*$"
            });
        }
    }
}

/// Gives an error response the problem+json body and the codes it may carry: `platform`'s,
/// then every registry code of this status the handler's description names.
fn document_error(status: u16, response: &mut Value, platform: &[&'static ProblemCode]) {
    let Some(r) = response.as_object_mut() else {
        return;
    };
    let own = r
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut found: Vec<&'static str> = Vec::new();
    let named = own
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter_map(codes::problem);
    for code in platform.iter().copied().chain(named) {
        if code.status == status && !found.contains(&code.code) {
            found.push(code.code);
        }
    }
    let list = found
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let description = if own.is_empty() {
        format!("{reason}. Problem codes: {list}.")
    } else {
        format!("{own}. Problem codes: {list}.")
    };
    r.insert("description".into(), json!(description));
    r.insert("x-problem-codes".into(), json!(found));
    let problem = json!({"schema": {"$ref": "#/components/schemas/Problem"}});
    let content = r
        .entry("content")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(content) = content {
        content.remove("application/json");
        content.insert(motcua_problem::PROBLEM_JSON.into(), problem);
    }
}

/// The `Problem` and `FieldError` schemas: what `motcua_problem::Problem::body` writes.
fn add_problem_schemas(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(schemas) = schemas.as_object_mut() else {
        return;
    };
    schemas.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "An error (RFC 9457 problem details) with motcua's stable `code` and the fields at fault. Codes are listed in docs/errors.md.",
            "required": ["type", "title", "status", "detail", "code", "errors"],
            "properties": {
                "type": {"type": "string", "description": "`urn:motcua:problem:` followed by `code`."},
                "title": {"type": "string", "description": "Short Vietnamese title of the code."},
                "status": {"type": "integer", "description": "The HTTP status."},
                "detail": {"type": "string", "description": "What happened in this occurrence."},
                "code": {"type": "string", "description": "Stable snake_case code clients switch on."},
                "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"},
                    "description": "One entry per field at fault (empty when none is)."}
            },
            "additionalProperties": true
        }),
    );
    schemas.insert(
        "FieldError".into(),
        json!({
            "type": "object",
            "description": "One field at fault.",
            "required": ["field", "code", "message"],
            "properties": {
                "field": {"type": "string", "description": "JSON path of the field in the request, or the parameter's or header's name."},
                "code": {"type": "string", "description": "Stable snake_case field error code."},
                "message": {"type": "string", "description": "Human-readable explanation."}
            },
            "additionalProperties": true
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(op: Value) -> Value {
        json!({"openapi": "3.1.0", "paths": {"/api/v1/things/{id}": {"post": op}}})
    }

    #[test]
    fn an_authenticated_operation_with_a_body_and_a_path_gets_every_platform_error() {
        let mut d = doc(json!({
            "parameters": [{"name": "id", "in": "path", "required": true}],
            "requestBody": {"content": {"application/json": {}}},
            "security": [{"bearer": []}],
            "responses": {"200": {"description": "done"},
                "409": {"description": "supplement_already_requested"}}
        }));
        complete(&mut d);
        let r = &d["paths"]["/api/v1/things/{id}"]["post"]["responses"];
        for s in [
            "401", "403", "404", "409", "413", "415", "422", "500", "503",
        ] {
            assert_eq!(
                r[s]["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{s}"
            );
        }
        assert_eq!(
            r["409"]["x-problem-codes"],
            json!(["supplement_already_requested"])
        );
        assert_eq!(
            r["422"]["x-problem-codes"],
            json!(["invalid_body", "invalid_text", "invalid_path"])
        );
        assert_eq!(r["413"]["x-problem-codes"], json!(["body_too_large"]));
        let unavailable = r["503"]["x-problem-codes"].as_array().unwrap();
        for code in ["request_timeout", "overloaded", "database_timeout"] {
            assert!(unavailable.contains(&json!(code)), "{code}");
        }
        assert_eq!(r["200"]["description"], "done");
        assert!(d["components"]["schemas"]["Problem"].is_object());
    }

    #[test]
    fn a_public_operation_has_no_401_and_every_response_a_description() {
        let mut d = json!({"openapi": "3.1.0", "paths": {"/api/v1/things": {"get": {
            "responses": {"200": {}}}}}});
        complete(&mut d);
        let r = &d["paths"]["/api/v1/things"]["get"]["responses"];
        assert!(r.get("401").is_none() && r.get("403").is_none() && r.get("422").is_none());
        assert!(r.get("413").is_none(), "no body, no 413");
        assert_eq!(r["200"]["description"], "OK");
        assert!(r["200"].get("content").is_none());
        assert!(
            r["500"]["description"]
                .as_str()
                .unwrap()
                .contains("internal_error")
        );
    }

    #[test]
    fn a_spreadsheet_without_a_schema_is_raw_bytes_but_json_without_one_stays_untyped() {
        let mut d = json!({"openapi": "3.1.0", "paths": {"/api/v1/report": {"get": {
            "responses": {"200": {"description": "x", "content": {
                "application/json": {},
                "application/vnd.ms-excel": {}}}}}}}});
        complete(&mut d);
        let c = &d["paths"]["/api/v1/report"]["get"]["responses"]["200"]["content"];
        assert!(c["application/json"].get("schema").is_none());
        assert_eq!(
            c["application/vnd.ms-excel"]["schema"],
            json!({"type": "string", "contentMediaType": "application/vnd.ms-excel"})
        );
    }

    #[test]
    fn a_code_of_another_status_named_in_a_description_is_not_listed() {
        let mut d =
            doc(json!({"responses": {"409": {"description": "dossier_not_found or conflict"}}}));
        complete(&mut d);
        let r = &d["paths"]["/api/v1/things/{id}"]["post"]["responses"];
        assert_eq!(r["409"]["x-problem-codes"], json!(["conflict"]));
    }
}
