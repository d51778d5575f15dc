//! Sector connectors through the running system (issue 11), with the reference sector systems
//! of `tests/sector/` each run as its own process and using only the public API: the birth
//! group done by three of them (two over the stream, one over webhooks), a first land
//! registration by the land registry and the tax authority, a stream cut by a
//! crash resumed with no step lost or done twice, and a land-sector account kept out of a
//! civil-status step (REST and webhooks; gRPC is `connector_grpc.rs`'s).
//! The webhook delivery guarantees are `connectors_webhooks.rs`'s.

use crate::connectors_support::*;
use crate::workflow_support::*;
use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::{TestSystem, get, post};
use std::collections::HashMap;
use std::time::Duration;
use time::macros::datetime;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_birth_group_completes_through_three_reference_sector_systems() {
    // Friday 09:00, a working day before the 15:00 cut-off: forwarded at once.
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let civil = SectorProcess::start(&sys, "civil_status", "stream", &[]).await;
    let residence = SectorProcess::start(&sys, "residence", "webhook", &[]).await;
    let insurance = SectorProcess::start(&sys, "social_insurance", "stream", &[]).await;

    let code = submit_group(&sys, "group-1").await;
    wait_completed(&sys, &code, Duration::from_secs(60)).await;
    wait_status(&sys, &code, 9).await;

    // Each system did exactly its own step, once.
    let steps = steps(&sys, &code).await;
    let agency_of: HashMap<&str, &str> = steps
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t["agency"].as_str().unwrap()))
        .collect();
    for (system, agency) in [
        (&civil, JUSTICE),
        (&residence, POLICE),
        (&insurance, INSURANCE),
    ] {
        let done = system.completed_of(&code);
        assert_eq!(done.len(), 1, "{}: {done:?}", system.role);
        let task = done[0]["task_id"].as_str().unwrap();
        assert_eq!(
            agency_of.get(task),
            Some(&agency),
            "{} did its own step",
            system.role
        );
        let step = steps.iter().find(|t| t["id"] == task).unwrap();
        assert_eq!(
            (step["state"].as_str(), step["claimed_by"].as_str()),
            (Some("done"), Some(sub_of(&system.role).as_str())),
            "the step is recorded as the system's account's"
        );
        assert_eq!(
            system.lines("file_checked").len(),
            2,
            "{} read both files, SHA-256 checked",
            system.role
        );
    }
    assert_eq!(residence.lines("signature_invalid").len(), 0);

    // The control slip: forwarded, handed over to both parallel agencies, back to the one-stop.
    let rows: Vec<(String, String)> = slip(&sys, &code).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["from_agency"].as_str().unwrap().into(),
                r["to_agency"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        (OS, JUSTICE),
        (JUSTICE, POLICE),
        (JUSTICE, INSURANCE),
        (POLICE, OS),
        (INSURANCE, OS),
    ];
    for (from, to) in expected {
        assert!(
            rows.contains(&(from.into(), to.into())),
            "{from} → {to} in {rows:?}"
        );
    }
    assert_eq!(rows.len(), 5, "{rows:?}");
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_land_registration_goes_through_the_land_registry_and_the_tax_authority() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let land = SectorProcess::start(&sys, "land", "webhook", &[]).await;
    let tax = SectorProcess::start(&sys, "tax", "stream", &[]).await;
    let code = submit(&sys, "land-2", "DEMO.DD.001", &["DON15"], true).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    // Three land steps over webhooks, the financial obligation between them over the stream.
    land.wait_count("completed", 3).await;
    assert_eq!(tax.completed_of(&code).len(), 1);
    let steps = steps(&sys, &code).await;
    let by_agency = |agency: &str| -> Vec<(String, String)> {
        steps
            .iter()
            .filter(|t| t["agency"] == agency)
            .map(|t| {
                (
                    t["state"].as_str().unwrap().into(),
                    t["claimed_by"].as_str().unwrap_or("-").into(),
                )
            })
            .collect()
    };
    let land_done = ("done".to_string(), sub_of("land"));
    assert_eq!(
        by_agency(LAND),
        vec![land_done.clone(), land_done.clone(), land_done]
    );
    assert_eq!(by_agency(TAX), vec![("done".to_string(), sub_of("tax"))]);
    let tasks: std::collections::HashSet<String> = land
        .completed_of(&code)
        .iter()
        .map(|l| l["task_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tasks.len(), 3, "each land step done once");
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_cut_mid_way_resumes_with_no_task_lost_or_repeated() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let mut codes = Vec::new();
    for i in 0..6 {
        codes.push(submit_group(&sys, &format!("cut-{i}")).await);
    }
    for code in &codes {
        task_of(&sys, code, JUSTICE).await;
    }
    // Slow work (0.4 s a step), so that the kill lands in the middle of the run.
    let slow = ["--delay-ms", "400", "--window", "4"];
    let mut first = SectorProcess::start(&sys, "civil_status", "stream", &slow).await;
    first.wait_count("completed", 2).await;
    first.kill().await;
    let before = first.lines("completed");
    assert!(
        before.len() < codes.len(),
        "the cut came mid-way: {before:?}"
    );

    let second = SectorProcess::start(&sys, "civil_status", "stream", &slow).await;
    let after = second
        .wait_count("completed", codes.len() - before.len())
        .await;

    // Every step completed exactly once, across both runs, and motcua agrees.
    let mut per_task: HashMap<String, usize> = HashMap::new();
    for line in before.iter().chain(&after) {
        *per_task
            .entry(line["task_id"].as_str().unwrap().into())
            .or_default() += 1;
    }
    assert!(
        per_task.values().all(|n| *n == 1),
        "done twice: {per_task:?}"
    );
    assert_eq!(per_task.len(), codes.len(), "lost: {per_task:?}");
    let done_before: Vec<&str> = before
        .iter()
        .map(|l| l["task_id"].as_str().unwrap())
        .collect();
    let offered_again: Vec<_> = second
        .lines("received")
        .into_iter()
        .filter(|l| done_before.contains(&l["task_id"].as_str().unwrap()))
        .collect();
    assert!(
        offered_again.is_empty(),
        "acknowledged steps sent again: {offered_again:?}"
    );
    for code in &codes {
        let steps = steps(&sys, code).await;
        let justice: Vec<_> = steps.iter().filter(|t| t["agency"] == JUSTICE).collect();
        assert_eq!(justice.len(), 1, "{code}: {steps:?}");
        assert_eq!(
            (
                justice[0]["state"].as_str(),
                justice[0]["claimed_by"].as_str()
            ),
            (Some("done"), Some("civil_status-system")),
            "{code}"
        );
        assert!(per_task.contains_key(justice[0]["id"].as_str().unwrap()));
    }
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_land_sector_account_cannot_see_claim_or_complete_a_civil_status_task() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let land_system = SectorProcess::start(&sys, "land", "webhook", &[]).await;
    let code = submit_group(&sys, "scope-1").await;
    let task = task_of(&sys, &code, JUSTICE).await;
    let id = task["id"].as_str().unwrap();

    // The land registry's account, and an account of the justice office's agency in the land
    // sector: neither sees, claims nor finishes the civil-status step, nor reads the dossier.
    let land = sys.sector_token("land-system", LAND, Some("land"));
    let wrong_sector = sys.sector_token("land-at-justice", JUSTICE, Some("land"));
    // Every call of the account is recorded with it (refused ones included).
    let recorded = r#""account":"land-at-justice""#;
    motcua_e2e::log_capture::mark(recorded);
    for (who, token) in [("land agency", &land), ("land sector", &wrong_sector)] {
        let (status, inbox) = get(&sys, Workflow, "/api/v1/tasks", token).await;
        assert_eq!(status, 200, "{who}: {inbox}");
        assert!(
            inbox["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["id"] != id),
            "{who} sees the civil-status step: {inbox}"
        );
        let (status, p) = post(
            &sys,
            Workflow,
            &format!("/api/v1/tasks/{id}/claim"),
            token,
            "k1",
            serde_json::json!({}),
        )
        .await;
        assert_eq!(
            (status, p["code"].as_str()),
            (403, Some("agency_not_allowed")),
            "{who} claims"
        );
        let done = serde_json::json!({"outcome": "done", "note": "x"});
        let (status, p) = post(
            &sys,
            Workflow,
            &format!("/api/v1/tasks/{id}/complete"),
            token,
            "k2",
            done,
        )
        .await;
        assert_eq!(
            (status, p["code"].as_str()),
            (403, Some("agency_not_allowed")),
            "{who} completes"
        );
    }
    let (status, p) = get(&sys, Intake, &format!("/api/v1/dossiers/{code}"), &land).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (404, Some("dossier_not_found")),
        "{p}"
    );
    let file = format!("/api/v1/dossiers/{code}/files/0-0");
    let (status, _) = get(&sys, Intake, &file, &land).await;
    assert_eq!(status, 404, "the land registry downloads no file of it");
    let justice = task_of(&sys, &code, JUSTICE).await;
    assert_eq!(justice["state"], "open", "nothing of that changed the step");
    assert_eq!(
        motcua_e2e::log_capture::marked(recorded),
        3,
        "the account's inbox, claim and completion are each recorded with it"
    );

    // Webhooks: the land registry's subscription is told of its own steps only. A land dossier
    // submitted after the birth group reaches it; the birth group's step never did.
    let land_code = submit(&sys, "land-1", "DEMO.DD.001", &["DON15"], true).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    land_system
        .wait_for("completed", |l| l["dossier_code"] == land_code)
        .await;
    let about_birth: Vec<_> = land_system
        .lines("received")
        .into_iter()
        .filter(|l| l["dossier_code"] == code || l["agency"] != LAND)
        .collect();
    assert!(
        about_birth.is_empty(),
        "told of another sector's step: {about_birth:?}"
    );
    sys.stop().await.unwrap();
}
