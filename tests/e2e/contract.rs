//! The REST contract holds on every route of every service: each operation documents the
//! errors it can answer (problem+json, with registry codes of the right status) and a typed
//! body for each success, declares each parameter where the handler reads it, and asks for a
//! token exactly where `shared/api.md` does not say *public*; and what a route really answers to a caller without a token, to a
//! caller without the role, to a malformed body and to an unknown resource is a status its
//! document lists, with a problem+json body.

use motcua_config::ServiceName;
use motcua_e2e::TestSystem;
use motcua_problem::codes;
use serde_json::Value;
use time::macros::datetime;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// The operations that answer without a token: those `shared/api.md` marks *public*.
const PUBLIC: [&str; 9] = [
    "GET /api/v1/procedures",
    "GET /api/v1/procedures/{code}",
    "GET /api/v1/agencies",
    "GET /api/v1/agencies/{code}",
    "GET /api/v1/calendar/{year}",
    "GET /api/v1/calendar/deadline",
    "GET /api/v1/listings/{one_stop}",
    "GET /api/v1/public/dossiers/{code}",
    // Authenticated by the gateway's signature, not a token (docs/payments.md).
    "POST /api/v1/payments/callback",
];

/// Every `/api/` operation of a document: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if path.starts_with("/api/")
                && let Some(op) = item.get(m)
            {
                ops.push((path.clone(), m.to_string(), op.clone()));
            }
        }
    }
    ops
}

fn has_param(op: &Value, place: &str) -> bool {
    op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == place))
}

/// The statuses an operation of this shape must document, whatever its handler does.
fn required_errors(op: &Value) -> Vec<&'static str> {
    let mut s = vec!["500", "503"];
    if op["security"].as_array().is_some_and(|a| !a.is_empty()) {
        s.extend(["401", "403"]);
    }
    if op.get("requestBody").is_some() {
        s.extend(["413", "415", "422"]);
    }
    if has_param(op, "query") {
        s.push("422");
    }
    if has_param(op, "path") {
        s.extend(["404", "422"]);
    }
    s
}

/// Is the named component a described object, not a free-form one?
fn described(doc: &Value, schema: &Value) -> bool {
    let Some(name) = schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    else {
        return false;
    };
    let s = &doc["components"]["schemas"][name];
    ["properties", "allOf", "oneOf"]
        .iter()
        .any(|k| s.get(k).is_some())
}

/// What is wrong with one operation's place in the contract: its parameters and its token.
fn shape_defects(op_name: &str, path: &str, op: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let placeholder = format!("{{{}}}", p["name"].as_str().unwrap_or_default());
        if (p["in"] == "path") != path.contains(&placeholder) {
            out.push(format!(
                "{op_name}: parameter {} declared in {}",
                p["name"], p["in"]
            ));
        }
    }
    let public = op["security"].as_array().is_none_or(|a| a.is_empty());
    if public != PUBLIC.contains(&op_name) {
        out.push(format!(
            "{op_name}: public is {public}, api.md says otherwise"
        ));
    }
    out
}

/// What is wrong with one operation's responses, if anything.
fn static_defects(doc: &Value, label: &str, op: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let responses = op["responses"].as_object().cloned().unwrap_or_default();
    for status in required_errors(op) {
        if !responses.contains_key(status) {
            out.push(format!("{label}: {status} not documented"));
        }
    }
    for (status, r) in &responses {
        if r["description"].as_str().is_none_or(str::is_empty) {
            out.push(format!("{label} {status}: no description"));
        }
        let code: u16 = status.parse().unwrap_or(0);
        if code >= 400 {
            if r["content"]["application/problem+json"]["schema"]["$ref"]
                != "#/components/schemas/Problem"
            {
                out.push(format!("{label} {status}: not the Problem schema"));
            }
            let listed = r["x-problem-codes"].as_array().cloned().unwrap_or_default();
            if listed.is_empty() {
                out.push(format!("{label} {status}: no problem codes"));
            }
            for c in listed {
                let declared = codes::problem(c.as_str().unwrap_or_default());
                if declared.is_none_or(|d| d.status != code) {
                    out.push(format!("{label} {status}: code {c} is not a {status} code"));
                }
            }
        } else if (200..300).contains(&code) {
            for (media, content) in r["content"].as_object().cloned().unwrap_or_default() {
                let schema = &content["schema"];
                let typed = match media.ends_with("json") {
                    true => described(doc, schema),
                    false => schema.get("type").is_some(),
                };
                if !typed {
                    out.push(format!("{label} {status} {media}: untyped body"));
                }
            }
        }
    }
    out
}

/// The operation's URL with every path parameter set to something that does not exist.
fn unknown_target(sys: &TestSystem, name: ServiceName, path: &str) -> String {
    let mut p = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        p.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        let param = &rest[open + 1..close - 1];
        p.push_str(match param {
            "id" => "00000000-0000-7000-8000-000000000000",
            "year" => "2099",
            _ => "KHONG-TON-TAI",
        });
        rest = &rest[close..];
    }
    p.push_str(rest);
    sys.url(name, &p)
}

/// Sends one request and returns an error message if its status is not documented or its
/// error body is not problem+json.
async fn probe(
    label: &str,
    op: &Value,
    req: reqwest::RequestBuilder,
    what: &str,
) -> Option<String> {
    let res = req.send().await.expect("request");
    let status = res.status().as_u16().to_string();
    let problem = res
        .headers()
        .get("content-type")
        .is_some_and(|c| c.as_bytes().starts_with(b"application/problem+json"));
    if op["responses"].get(&status).is_none() {
        return Some(format!("{label} {what}: answered {status}, not documented"));
    }
    if status.starts_with('4') && !problem {
        return Some(format!("{label} {what}: {status} without problem+json"));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_of_every_service_documents_the_errors_it_answers() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let staff = sys.token(
        &[
            "one_stop_officer",
            "specialist",
            "agency_head",
            "catalogue_admin",
            "inspector",
            "admin",
        ],
        Some("000.25.80.H80"),
        "contract-staff",
    );
    let citizen = sys.token(&["citizen"], None, "contract-citizen");
    let mut defects = Vec::new();
    let mut checked = 0;
    for name in ServiceName::ALL {
        let doc: Value = sys.openapi(name).await;
        // Client generators name methods after operation ids: one id, one operation.
        let mut ids = std::collections::HashMap::new();
        for (path, method, op) in operations(&doc) {
            if let Some(id) = op["operationId"].as_str()
                && let Some(first) = ids.insert(id.to_string(), format!("{method} {path}"))
            {
                defects.push(format!(
                    "{name}: operationId {id} of {method} {path} and {first}"
                ));
            }
        }
        for (path, method, op) in operations(&doc) {
            let op_name = format!("{} {path}", method.to_uppercase());
            let label = format!("{name} {op_name}");
            defects.extend(shape_defects(&op_name, &path, &op));
            defects.extend(static_defects(&doc, &label, &op));
            let url = unknown_target(&sys, name, &path);
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let base = || {
                sys.http.request(m.clone(), &url).header(
                    "Idempotency-Key",
                    format!("contract-{checked}-{method}{path}"),
                )
            };
            let authenticated = op["security"].as_array().is_some_and(|a| !a.is_empty());
            let mut probes = vec![
                (base().bearer_auth(&staff), "unknown resource, staff"),
                (base().bearer_auth(&citizen), "citizen"),
            ];
            if authenticated {
                probes.push((base(), "no token"));
            }
            if op.get("requestBody").is_some() {
                let malformed = base()
                    .bearer_auth(&staff)
                    .header("content-type", "application/json")
                    .body("{not json");
                probes.push((malformed, "malformed body"));
                probes.push((base().bearer_auth(&staff).body("x"), "no content type"));
            }
            for (req, what) in probes {
                defects.extend(probe(&label, &op, req, what).await);
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} operations found");
    assert!(
        defects.is_empty(),
        "{} defects:\n{}",
        defects.len(),
        defects.join("\n")
    );
    sys.stop().await.unwrap();
}
