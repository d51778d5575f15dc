//! A dossier's complete history as an inspector exports it (issue 13): the dossier as intake
//! holds it, every handover, and the audit records of the services about it — each naming its
//! actor with roles and agency, the request, and chained by hash — while a one-stop officer is
//! refused and an unknown code is not found.

use crate::workflow_support::*;
use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::{TestSystem, eventually, get, post};
use serde_json::Value;
use std::time::Duration;
use time::macros::datetime;

/// The export of `code` as `token` reads it.
async fn export(sys: &TestSystem, code: &str, token: &str) -> (u16, Value) {
    get(
        sys,
        Intake,
        &format!("/api/v1/dossiers/{code}/history"),
        token,
    )
    .await
}

/// The trail of `service` in an export.
fn trail<'a>(doc: &'a Value, service: &str) -> &'a Value {
    doc["audit"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["service"] == service))
        .unwrap_or_else(|| panic!("no {service} trail in {doc}"))
}

/// The actions of a trail's records, in order.
fn actions(t: &Value) -> Vec<String> {
    t["records"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x["action"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// A record of `action` in a trail.
fn record<'a>(t: &'a Value, action: &str) -> &'a Value {
    t["records"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["action"] == action))
        .unwrap_or_else(|| panic!("no {action} record in {t}"))
}

/// Submits a birth registration, claims and finishes the justice step, and returns its code.
async fn processed_dossier(sys: &TestSystem) -> String {
    let code = birth_at_counter(sys, "hist-1").await;
    let task = task_of(sys, &code, JUSTICE).await;
    let claim = format!("/api/v1/tasks/{}/claim", task["id"].as_str().unwrap());
    let (status, t) = post(
        sys,
        Workflow,
        &claim,
        &specialist(sys, JUSTICE),
        "claim",
        serde_json::json!({}),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    finish(sys, &code, JUSTICE).await;
    wait_status(sys, &code, 9).await;
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_exports_a_dossiers_complete_history_across_the_services() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let code = processed_dossier(&sys).await;
    let inspector = sys.token(&["inspector"], None, "inspector-1");
    // Reporting follows by events: wait until its facts of the dossier are recorded too.
    let doc = eventually(Duration::from_secs(15), || async {
        let (status, doc) = export(&sys, &code, &inspector).await;
        assert_eq!(status, 200, "{doc}");
        (!actions(trail(&doc, "reporting")).is_empty()).then_some(doc)
    })
    .await
    .expect("reporting's records of the dossier in the export");
    assert_eq!(doc["dossier_code"], code.as_str());
    assert_eq!(doc["exported_by"], "inspector-1");
    // The intake record, with its status history.
    assert_eq!(doc["dossier"]["code"], code.as_str());
    let statuses: Vec<&str> = doc["dossier"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["to_status"].as_str())
        .collect();
    assert!(
        statuses.contains(&"received") && statuses.contains(&"processed"),
        "{statuses:?}"
    );
    // Every handover of the control slip, oldest first.
    let reasons: Vec<&str> = doc["handovers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["reason"].as_str())
        .collect();
    assert_eq!(reasons, ["forward", "handover"], "{}", doc["handovers"]);
    // Audit records of every service, in a fixed order, with the heads of their chains.
    let services: Vec<&str> = doc["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["service"].as_str())
        .collect();
    assert_eq!(services, ["intake", "catalogue", "workflow", "reporting"]);
    for service in ["intake", "workflow", "reporting"] {
        let t = trail(&doc, service);
        assert_eq!(
            t["head_hash"].as_str().map(str::len),
            Some(64),
            "{service}: {t}"
        );
        // Each record's chain has its head in the export.
        let chains: Vec<i64> = t["heads"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["chain"].as_i64())
            .collect();
        for r in t["records"].as_array().unwrap() {
            assert_eq!(r["target"], code.as_str(), "{r}");
            assert_eq!(r["hash"].as_str().map(str::len), Some(64), "{r}");
            let chain = r["chain"].as_i64().unwrap();
            assert!(
                chains.contains(&chain),
                "{service}: no head of chain {chain}: {t}"
            );
        }
    }
    assert!(
        !actions(trail(&doc, "intake")).is_empty(),
        "{}",
        trail(&doc, "intake")
    );
    let workflow = trail(&doc, "workflow");
    // The worker's near-due marks (a 6-hour step is near its deadline at once) are its own.
    let (marks, changes): (Vec<String>, Vec<String>) = actions(workflow)
        .into_iter()
        .partition(|a| a.ends_with("near_due") || a.ends_with("overdue"));
    assert_eq!(
        changes,
        [
            "case.opened",
            "case.forwarded",
            "task.claimed",
            "task.completed"
        ],
        "{workflow}"
    );
    for m in marks {
        assert_eq!(record(workflow, &m)["actor"], "svc:workflow", "{workflow}");
    }
    assert_eq!(record(workflow, "case.opened")["actor"], "svc:intake");
    let done = record(workflow, "task.completed");
    assert_eq!(done["actor"], format!("specialist@{JUSTICE}").as_str());
    assert_eq!(done["roles"], serde_json::json!(["specialist"]));
    assert_eq!(done["agency"], JUSTICE);
    assert!(done["request_id"].is_string(), "{done}");
    assert_eq!(done["before"]["steps"][0]["state"], "claimed", "{done}");
    assert_eq!(done["after"]["steps"][0]["outcome"], "done", "{done}");
    assert_eq!(
        done["after"]["handovers"][0]["reason"], "handover",
        "{done}"
    );
    // Never the applicant's personal ID or phone in an audit record.
    let trails = doc["audit"].to_string();
    assert!(
        !trails.contains("080203001234") && !trails.contains("0912345678"),
        "{trails}"
    );

    let (status, p) = export(&sys, &code, &officer(&sys)).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (403, Some("role_not_allowed")),
        "{p}"
    );
    let (status, p) = export(&sys, "000.25.80.H80-261127-9999", &inspector).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (404, Some("dossier_not_found")),
        "{p}"
    );
    sys.stop().await.unwrap();
}
