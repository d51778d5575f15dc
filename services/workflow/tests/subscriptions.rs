//! Workflow's webhook REST face, served for real (the authorization gate, a fresh database):
//! subscribing needs an `Idempotency-Key` and a retry makes no second subscription; the secret
//! is shown once; an invalid subscription names every field at fault; each account lists,
//! deletes and rotates only its own (another's answers as unknown); dead letters are for
//! admins; every change is audited; `/readyz` and `/metrics` show the dead letters.

use motcua_config::{Env, ServiceName, Settings};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use tokio_util::sync::CancellationToken;

const SECRET: &str = "webhook-rest-test-secret-of-enough-length-0123456789";
const JUSTICE: &str = "000.30.80.H80";

struct Served {
    base: String,
    http: reqwest::Client,
    issuer: motcua_auth::TokenIssuer,
    shutdown: CancellationToken,
    service: motcua_server::RunningService,
    db: motcua_testkit::TestDb,
}

async fn serve() -> Served {
    let db = motcua_testkit::TestDb::create().await.unwrap();
    let vars: HashMap<&str, &str> = HashMap::from([
        ("MOTCUA_JWT_ALGORITHM", "HS256"),
        ("MOTCUA_JWT_SECRET", SECRET),
        ("MOTCUA_WORKER_POLL_MS", "100"),
        ("MOTCUA_DB_MAX_CONNECTIONS", "4"),
        // Peers are never called by these routes.
        ("MOTCUA_CATALOGUE_GRPC_URL", "http://127.0.0.1:1"),
        ("MOTCUA_INTAKE_GRPC_URL", "http://127.0.0.1:1"),
        ("MOTCUA_REPORTING_GRPC_URL", "http://127.0.0.1:1"),
    ]);
    let env = Env::from_fn(|k| vars.get(k).map(|v| v.to_string()));
    let settings = Settings::from_env(&env).unwrap();
    let shutdown = CancellationToken::new();
    let platform = motcua_server::platform(settings, shutdown.clone()).unwrap();
    let bind = || async { tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap() };
    let service = motcua_server::launch(
        &motcua_workflow::DEFINITION,
        &platform,
        &db.url,
        bind().await,
        bind().await,
    )
    .await
    .unwrap();
    assert_eq!(service.name, ServiceName::Workflow);
    Served {
        base: format!("http://{}", service.rest_addr),
        http: reqwest::Client::new(),
        issuer: platform.issuer.clone(),
        shutdown,
        service,
        db,
    }
}

impl Served {
    fn token(&self, sub: &str, role: &str, sector: Option<&str>) -> String {
        self.issuer
            .issue(sub, &[role], Some(JUSTICE), sector, 3600)
            .unwrap()
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.service.wait().await.unwrap();
        self.db.drop_database().await.unwrap();
    }
}

use reqwest::Method as M;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_created_once_listed_rotated_and_deleted_by_their_owner_only() {
    let s = serve().await;
    let land = s.token("land-1", "sector_system", Some("land"));
    let other = s.token("land-2", "sector_system", Some("land"));
    let admin = s.token("root", "admin", None);
    let body = json!({"url": "https://land.example.vn/hooks", "event_types": ["task.created", "task.cancelled"]});
    let path = "/api/v1/subscriptions";

    let (st, p) = s.call(M::POST, path, &land, None, Some(body.clone())).await;
    assert_eq!(
        (st.as_u16(), p["code"].as_str()),
        (422, Some("idempotency_key_required"))
    );
    let (st, created) = s
        .call(M::POST, path, &land, Some("sub-1"), Some(body.clone()))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(
        (created["agency"].as_str(), created["sector"].as_str()),
        (Some(JUSTICE), Some("land"))
    );
    let (st, again) = s
        .call(M::POST, path, &land, Some("sub-1"), Some(body.clone()))
        .await;
    assert_eq!(
        (st, &again["id"], &again["secret"]),
        (StatusCode::CREATED, &created["id"], &created["secret"])
    );

    let bad = json!({"url": "ftp://x", "event_types": ["task.created", "dossier.received"]});
    let (st, p) = s.call(M::POST, path, &land, Some("sub-2"), Some(bad)).await;
    assert_eq!(
        (st.as_u16(), p["code"].as_str()),
        (422, Some("subscription_invalid"))
    );
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["url", "event_types[1]"]);
    let citizen = s.issuer.issue("c", &["citizen"], None, None, 3600).unwrap();
    let (st, _) = s
        .call(M::POST, path, &citizen, Some("sub-3"), Some(body))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    let (_, mine) = s.call(M::GET, path, &land, None, None).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    assert!(mine["items"][0].get("secret").is_none(), "never listed");
    assert_eq!(mine["next_cursor"], Value::Null);
    let (_, theirs) = s.call(M::GET, path, &other, None, None).await;
    assert_eq!(theirs["items"], json!([]));
    let (_, all) = s.call(M::GET, path, &admin, None, None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    let id = created["id"].as_str().unwrap();
    let one = format!("/api/v1/subscriptions/{id}");
    let (st, p) = s.call(M::DELETE, &one, &other, None, None).await;
    assert_eq!(
        (st.as_u16(), p["code"].as_str()),
        (404, Some("subscription_not_found"))
    );
    let (st, p) = s
        .call(M::POST, &format!("{one}/secret"), &other, None, None)
        .await;
    assert_eq!(
        (st.as_u16(), p["code"].as_str()),
        (404, Some("subscription_not_found"))
    );
    let (st, rotated) = s
        .call(
            M::POST,
            &format!("{one}/secret"),
            &land,
            Some("rot-1"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{rotated}");
    assert_ne!(rotated["secret"], created["secret"]);
    assert!(
        rotated["previous_valid_until"]
            .as_str()
            .unwrap()
            .ends_with("+07:00")
    );
    let (st, _) = s.call(M::DELETE, &one, &land, None, None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = s.call(M::DELETE, &one, &land, None, None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, mine) = s.call(M::GET, path, &land, None, None).await;
    assert_eq!(mine["items"], json!([]));

    let pool = motcua_db::connect(&s.db.url, "workflow", 1).await.unwrap();
    let trail: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, actor FROM audit_record WHERE target = $1 ORDER BY at, chain, seq",
    )
    .bind(format!("subscription:{id}"))
    .fetch_all(&pool)
    .await
    .unwrap();
    let expected = [
        "subscription.created",
        "subscription.secret_rotated",
        "subscription.deleted",
    ];
    assert_eq!(
        trail.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
        expected
    );
    assert!(trail.iter().all(|t| t.1 == "land-1"));
    pool.close().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letters_are_for_admins_and_show_in_readiness_and_metrics() {
    let s = serve().await;
    let admin = s.token("root", "admin", None);
    let head = s.token("head", "agency_head", None);
    let (st, page) = s
        .call(M::GET, "/api/v1/dead-letters", &admin, None, None)
        .await;
    assert_eq!(
        (st, page),
        (StatusCode::OK, json!({"items": [], "next_cursor": null}))
    );
    let (st, _) = s
        .call(M::GET, "/api/v1/dead-letters", &head, None, None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let unknown = format!("/api/v1/dead-letters/{}/replay", uuid::Uuid::now_v7());
    let (st, p) = s.call(M::POST, &unknown, &admin, None, None).await;
    assert_eq!(
        (st.as_u16(), p["code"].as_str()),
        (404, Some("dead_letter_not_found"))
    );
    let (st, p) = s
        .call(
            M::GET,
            "/api/v1/dead-letters?cursor=nope",
            &admin,
            None,
            None,
        )
        .await;
    assert_eq!(
        (st.as_u16(), p["code"].as_str()),
        (422, Some("invalid_query"))
    );

    let doc: Value = s
        .http
        .get(format!("{}/openapi.json", s.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, method, status, code) in [
        (
            "/api/v1/subscriptions",
            "post",
            "422",
            "subscription_invalid",
        ),
        ("/api/v1/subscriptions", "get", "200", ""),
        (
            "/api/v1/subscriptions/{id}",
            "delete",
            "404",
            "subscription_not_found",
        ),
        (
            "/api/v1/subscriptions/{id}/secret",
            "post",
            "404",
            "subscription_not_found",
        ),
        ("/api/v1/dead-letters", "get", "403", "role_not_allowed"),
        (
            "/api/v1/dead-letters/{id}/replay",
            "post",
            "404",
            "dead_letter_not_found",
        ),
    ] {
        let r = &doc["paths"][path][method]["responses"][status];
        assert!(r.is_object(), "{method} {path} {status}");
        if !code.is_empty() {
            assert!(
                r["x-problem-codes"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(code)),
                "{r}"
            );
        }
    }
    let mut shown = false;
    for _ in 0..50 {
        let ready: Value = s
            .http
            .get(format!("{}/readyz", s.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let metrics = s
            .http
            .get(format!("{}/metrics", s.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if ready["detail"]["webhooks"]["dead_letters"] == 0
            && ready["detail"]["outbox"].is_object()
            && metrics.contains("motcua_webhook_dead_letters")
        {
            shown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(shown, "the webhooks' numbers beside the outbox's");
    s.stop().await;
}
