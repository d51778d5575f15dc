//! The authorization matrix (`motcua_auth::matrix`, `docs/security.md`) is what the running
//! system does: every REST route of every service (the table checked against each served
//! `/openapi.json`, both ways) is called with no token, with each role, and with callers of
//! another agency; every gRPC method with no token, each role and a service's token. A role the
//! table does not allow is `403 role_not_allowed` (gRPC `PERMISSION_DENIED`), no token on a
//! route that needs one `401` (`UNAUTHENTICATED`), an allowed role never either; another
//! agency's caller gets what the table's *another agency* says — for a dossier, exactly the
//! answer of a code that does not exist.
//!
//! One real dossier (received at the demo ward's counter, its step at the justice office), one
//! real task and one real feedback fill the path parameters. Bodies are `{}` for the roles (an
//! allowed role gets a `422`, nothing changes) and valid for the other agencies (the object
//! check must refuse them: nothing changes either).

use crate::workflow_support::{JUSTICE, OS, POLICE, birth_at_counter, task_of};
use motcua_auth::matrix::{self, Access, Foreign, RestRoute, Service};
use motcua_config::ServiceName;
use motcua_e2e::{TestSystem, assert_declared, post};
use serde_json::{Value, json};
use time::macros::datetime;

/// Every role of `api.md`, with the agency its caller acts for on the dossier's path.
const ROLES: [(&str, Option<&str>); 9] = [
    ("citizen", None),
    ("portal", None),
    ("one_stop_officer", Some(OS)),
    ("specialist", Some(JUSTICE)),
    ("agency_head", Some(JUSTICE)),
    ("sector_system", Some(JUSTICE)),
    ("catalogue_admin", None),
    ("inspector", None),
    ("admin", None),
];

/// The real objects the path parameters name.
struct Objects {
    dossier: String,
    task: String,
    feedback: String,
}

/// `route`'s path with its parameters filled with real objects.
fn concrete(route: &RestRoute, o: &Objects, dossier: &str) -> String {
    let code = match route.path {
        p if p.starts_with("/api/v1/procedures/") => "1.001193",
        p if p.starts_with("/api/v1/agencies/") => OS,
        _ => dossier,
    };
    let id = match route.path.starts_with("/api/v1/feedback/") {
        true => o.feedback.as_str(),
        false => o.task.as_str(),
    };
    let path = route
        .path
        .replace("{code}", code)
        .replace("{id}", id)
        .replace("{year}", "2026")
        .replace("{one_stop}", OS);
    match route.method {
        "GET" => format!("{path}?from=2026-11-01&to=2026-11-30&agency={OS}"),
        _ => path,
    }
}

/// A body the handler accepts, so that only the object check can refuse it.
fn valid_body(path: &str) -> Value {
    let tail = path.rsplit('/').next().unwrap_or_default();
    match tail {
        "supplement-requests" => json!({"items": [{"component_code": "GCS", "reason": "mờ"}]}),
        "supplements" => json!({"components": [{"code": "GCS", "form": "paper"}]}),
        "refusal" => json!({"reasons": ["không thuộc thẩm quyền"]}),
        "withdrawal" => json!({"reason": "không còn nhu cầu"}),
        "financial-obligation" => json!({"items": [{"name": "Lệ phí", "amount_vnd": 10000}]}),
        "payment" => json!({"reference": "BL-1"}),
        "result-return" => json!({"channel": "counter"}),
        "extensions" => {
            json!({"reason": "chờ xác minh", "new_appointment": "2026-12-30T09:00:00+07:00"})
        }
        "complete" => json!({"outcome": "done"}),
        "answer" => json!({"answer": "đã tiếp thu"}),
        "rating" => {
            json!({"access": 5, "procedure": 5, "officials": 5, "result": 5, "feedback_handling": 5})
        }
        _ => json!({}),
    }
}

/// Sends `method path` to `service` with `token` and `body`; status and problem body.
async fn send(
    sys: &TestSystem,
    service: ServiceName,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = sys
        .http
        .request(method.clone(), sys.url(service, path))
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
    if method != reqwest::Method::GET {
        req = req.json(body);
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(Value::Null);
    assert_declared(status, &body);
    (status, body)
}

/// The table's routes a service serves, checked against its `/openapi.json` both ways (the test
/// clock's routes are served to tests but not documented).
async fn routes_of(sys: &TestSystem, name: ServiceName) -> Vec<&'static RestRoute> {
    let service = Service::parse(name.as_str()).expect("a service of the table");
    let doc = sys.openapi(name).await;
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            let method = method.to_uppercase();
            assert!(
                matrix::rest(service, &method, path).is_some(),
                "{name} documents {method} {path}, which is not in motcua_auth::matrix::REST"
            );
            documented.push(format!("{method} {path}"));
        }
    }
    let routes: Vec<_> = matrix::REST
        .iter()
        .filter(|r| r.service == service || r.service == Service::Every)
        .collect();
    for r in &routes {
        let here = format!("{} {}", r.method, r.path);
        assert!(
            documented.contains(&here) || r.path == "/api/v1/admin/test-clock",
            "the table has {here} on {name}, which its /openapi.json does not document"
        );
    }
    routes
}

/// Each role (and no token) on each route: refused exactly where the table says.
async fn walk_roles(sys: &TestSystem, name: ServiceName, route: &RestRoute, o: &Objects) {
    let path = concrete(route, o, &o.dossier);
    let (status, body) = send(sys, name, route.method, &path, None, &json!({})).await;
    let what = format!("{name} {} {path}", route.method);
    match route.access {
        Access::Public => assert_ne!(status, 401, "{what} is public: {body}"),
        Access::Roles(_) => {
            assert_eq!(
                (status, body["code"].as_str()),
                (401, Some("unauthorized")),
                "{what} without a token"
            )
        }
    }
    for (role, agency) in ROLES {
        let token = sys.token(&[role], agency, &format!("walk-{role}"));
        let (status, body) = send(sys, name, route.method, &path, Some(&token), &json!({})).await;
        let refused = status == 403 && body["code"] == "role_not_allowed";
        let allowed = match route.access {
            Access::Public => true,
            Access::Roles(roles) => roles.iter().any(|r| r.as_str() == role),
        };
        assert_ne!(status, 401, "{what} as {role}: {body}");
        assert_eq!(
            refused, !allowed,
            "{what} as {role} (allowed: {allowed}): {status} {body}"
        );
    }
}

/// Callers with an allowed role acting for another agency (or, for a citizen, another person).
async fn walk_foreign(sys: &TestSystem, name: ServiceName, route: &RestRoute, o: &Objects) {
    let Access::Roles(roles) = route.access else {
        return;
    };
    if route.foreign == Foreign::Same {
        return;
    }
    let path = concrete(route, o, &o.dossier);
    let body = valid_body(route.path);
    for role in roles {
        let agency = match role.as_str() {
            "one_stop_officer" | "specialist" | "agency_head" | "sector_system" => Some(POLICE),
            "citizen" => None,
            _ => continue, // province-wide, or acting for any applicant (the portal)
        };
        let token = sys.token(&[role.as_str()], agency, "someone-else");
        let what = format!("{name} {} {path} as {role} of another agency", route.method);
        let (status, got) = send(sys, name, route.method, &path, Some(&token), &body).await;
        match route.foreign {
            Foreign::NotFound => {
                let unknown = concrete(route, o, "000.25.80.H80-261127-9999");
                let (u_status, u_body) =
                    send(sys, name, route.method, &unknown, Some(&token), &body).await;
                assert_eq!(status, 404, "{what}: {got}");
                assert_eq!(
                    (status, &got["code"]),
                    (u_status, &u_body["code"]),
                    "{what}: as an unknown code"
                );
                let detail = got["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .replace(&o.dossier, "?");
                let u_detail = u_body["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .replace("000.25.80.H80-261127-9999", "?");
                assert_eq!(
                    detail, u_detail,
                    "{what}: the same detail as an unknown code"
                );
            }
            Foreign::AgencyNotAllowed => {
                assert_eq!(
                    (status, got["code"].as_str()),
                    (403, Some("agency_not_allowed")),
                    "{what}"
                )
            }
            Foreign::OwnOnly => {
                assert_eq!(status, 200, "{what}: {got}");
                assert!(
                    !got.to_string().contains(&o.dossier),
                    "{what} lists the dossier: {got}"
                );
            }
            Foreign::Same => {}
        }
    }
}

/// A dossier at the justice office's step, its task, and a feedback to the ward.
async fn objects(sys: &TestSystem) -> Objects {
    let dossier = birth_at_counter(sys, "walk-dossier").await;
    let task = task_of(sys, &dossier, JUSTICE).await["id"]
        .as_str()
        .expect("task id")
        .to_string();
    let citizen = sys.token(&["citizen"], None, "walk-citizen");
    let body = json!({"agency": OS, "content": "Thái độ phục vụ tốt"});
    let (status, f) = post(
        sys,
        ServiceName::Reporting,
        "/api/v1/feedback",
        &citizen,
        "f",
        body,
    )
    .await;
    assert_eq!(status, 201, "{f}");
    let feedback = f["id"].as_str().expect("feedback id").to_string();
    Objects {
        dossier,
        task,
        feedback,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_matrix_says() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let o = objects(&sys).await;
    for name in ServiceName::ALL {
        let routes = routes_of(&sys, name).await;
        for route in &routes {
            walk_roles(&sys, name, route, &o).await;
        }
        for route in &routes {
            walk_foreign(&sys, name, route, &o).await;
        }
    }
    crate::authorization_grpc::walk(&sys).await;
    sys.stop().await.unwrap();
}
