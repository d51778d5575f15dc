//! The endpoints every service shares, on every service.

use motcua_config::ServiceName;
use motcua_e2e::TestSystem;
use time::macros::datetime;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

async fn channel(sys: &TestSystem, name: ServiceName) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(sys.grpc(name))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_service_answers_health_readiness_metrics_openapi_and_grpc_reflection() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    for name in ServiceName::ALL {
        for path in ["/healthz", "/readyz"] {
            let res = sys.http.get(sys.url(name, path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{name} {path}");
        }
        let metrics = sys.text(name, "/metrics").await;
        assert!(metrics.contains("http_requests_total"), "{name} metrics");
        let doc: serde_json::Value = sys.openapi(name).await;
        assert!(doc["paths"]["/healthz"].is_object(), "{name} openapi");
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        assert!(
            paths
                .iter()
                .all(|p| p.starts_with('/') && !p.starts_with("//")),
            "{name}: {paths:?}"
        );
        assert!(
            paths.iter().any(|p| p.starts_with("/api/v1/")),
            "{name}: {paths:?}"
        );
        assert!(
            doc["components"]["securitySchemes"]["bearer"].is_object(),
            "{name}: bearer scheme"
        );
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3."),
            "{name} openapi version"
        );
        let res = sys
            .http
            .get(sys.url(name, "/no/such/path"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(res.headers()["content-type"], "application/problem+json");

        let mut health = HealthClient::new(channel(&sys, name).await);
        let status = health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .unwrap()
            .into_inner()
            .status;
        assert_eq!(status, 1, "{name} gRPC health SERVING");

        let mut reflection = ServerReflectionClient::new(channel(&sys, name).await);
        let req = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut stream = reflection
            .server_reflection_info(tokio_stream::iter(vec![req]))
            .await
            .unwrap()
            .into_inner();
        let Some(Ok(msg)) = futures_util::StreamExt::next(&mut stream).await else {
            panic!("no reflection answer")
        };
        let Some(MessageResponse::ListServicesResponse(list)) = msg.message_response else {
            panic!("not a list")
        };
        let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
        let own = format!("motcua.{}.v1.", name.as_str());
        assert!(
            names.iter().any(|n| n.starts_with(&own)),
            "{name}: {names:?}"
        );
        assert!(
            names.iter().any(|n| n == "grpc.health.v1.Health"),
            "{name}: {names:?}"
        );
    }
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_test_clock_moves_time_for_every_service() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let admin = sys.token(&["admin"], None, "admin-1");
    let res: serde_json::Value = sys
        .http
        .put(sys.url(ServiceName::Catalogue, "/api/v1/admin/test-clock"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"now": "2026-11-30T08:00:00+07:00"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["now"], "2026-11-30T08:00:00+07:00");
    // Intake now receives on Monday 30/11.
    let officer = sys.token(&["one_stop_officer"], Some("000.25.80.H80"), "officer-1");
    let body: serde_json::Value = sys
        .http
        .post(sys.url(ServiceName::Intake, "/api/v1/dossiers"))
        .bearer_auth(&officer)
        .header("Idempotency-Key", "clock-1")
        .json(&motcua_e2e::birth_registration("counter"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], "000.25.80.H80-261130-0001");
    sys.stop().await.unwrap();
}
