//! The gRPC sector connector in the running system (issue 11): a civil-status (justice) system's
//! account receives the justice step of a birth group dossier on its stream, acknowledges it
//! (which claims it), resumes after cuts with only what it had not acknowledged, reads the
//! dossier and a file in chunks that join to the recorded SHA-256, and finishes the step once
//! per request id; accounts of another sector or agency never see it and may not act on it.

use crate::skeleton::sqlx_conn;
use crate::workflow_support::{JUSTICE, LAND, OS, at, officer, task_of};
use base64::Engine;
use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::{TestSystem, authed, post};
use motcua_proto::connector::v1 as pb;
use motcua_proto::connector::v1::sector_connector_client::SectorConnectorClient;
use serde_json::json;
use sha2::Digest;
use std::time::Duration;
use time::macros::datetime;
use tonic::transport::Channel;
use tonic::{Code, Streaming};
use tonic_types::StatusExt;

/// The justice system's account.
const ACCOUNT: &str = "hotich-long-an";
/// The certificate's size: more than one 64 KiB chunk.
const CERTIFICATE_BYTES: usize = 70_000;

type Client = SectorConnectorClient<Channel>;

async fn client(sys: &TestSystem) -> Client {
    SectorConnectorClient::connect(sys.grpc(Workflow))
        .await
        .expect("connect to workflow's gRPC")
}

fn hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The birth certificate of dossier `key` (over one chunk).
fn certificate(key: &str) -> Vec<u8> {
    let mut c = format!("%PDF-1.7 giay chung sinh {key} ").into_bytes();
    c.resize(CERTIFICATE_BYTES, b'.');
    c
}

/// Submits a birth group dossier (`DEMO.LT.63-1`: birth registration at justice, sector
/// `justice`, first) with two electronic components; returns its code.
async fn submit(sys: &TestSystem, key: &str) -> String {
    let file = |name: &str, content: &[u8]| {
        json!({"name": name, "media_type": "application/pdf", "size": content.len(),
               "sha256": hex(content),
               "content_base64": base64::engine::general_purpose::STANDARD.encode(content)})
    };
    let body = json!({
        "procedure_code": "DEMO.LT.63-1", "receiving_agency": OS, "channel": "counter",
        "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234"},
        "components": [
            {"code": "TK01", "form": "electronic", "files": [file("to-khai.pdf", b"%PDF-1.7 to khai")]},
            {"code": "GCSDT", "form": "electronic", "files": [file("giay-chung-sinh.pdf", &certificate(key))]}
        ]
    });
    let (status, d) = post(sys, Intake, "/api/v1/dossiers", &officer(sys), key, body).await;
    assert_eq!(status, 201, "{d}");
    d["code"].as_str().unwrap().to_string()
}

async fn open(c: &mut Client, token: &str, window: u32) -> Streaming<pb::SectorTask> {
    c.stream_tasks(authed(pb::StreamTasksRequest { window }, token))
        .await
        .expect("stream opened")
        .into_inner()
}

/// The next step on the stream (within 15 s).
async fn next(s: &mut Streaming<pb::SectorTask>) -> pb::SectorTask {
    tokio::time::timeout(Duration::from_secs(15), s.message())
        .await
        .expect("a step within 15 s")
        .expect("the stream ended in error")
        .expect("the stream ended")
}

/// Nothing more arrives on the stream for a while (several of the test system's polls).
async fn quiet(s: &mut Streaming<pb::SectorTask>) {
    let more = tokio::time::timeout(Duration::from_millis(1500), s.message()).await;
    assert!(more.is_err(), "nothing more expected: {more:?}");
}

async fn ack(c: &mut Client, token: &str, id: &str) -> Result<pb::SectorTask, tonic::Status> {
    let req = pb::AckTaskRequest { task_id: id.into() };
    c.ack_task(authed(req, token)).await.map(|r| r.into_inner())
}

fn done(id: &str, request_id: &str) -> pb::CompleteTaskRequest {
    pb::CompleteTaskRequest {
        task_id: id.into(),
        request_id: request_id.into(),
        outcome: "done".into(),
        note: "Đã ghi sổ hộ tịch".into(),
        documents_json: r#"[{"kind":"trich_luc_khai_sinh","number":"123/2026"}]"#.into(),
        ..Default::default()
    }
}

/// The stable code of a refusal (its ErrorInfo reason), with its gRPC code.
fn refusal<T: std::fmt::Debug>(r: Result<T, tonic::Status>) -> (Code, String) {
    let s = r.expect_err("a refusal");
    let reason = s.get_error_details().error_info().map(|i| i.reason.clone());
    (s.code(), reason.unwrap_or_default())
}

/// The steps of dossiers `a`, `b`, `c` arrive in order with increasing offers; `a` is
/// acknowledged (and so claimed); after each cut only what was not acknowledged comes back.
async fn stream_ack_and_resume(sys: &TestSystem, c: &mut Client, token: &str) -> pb::SectorTask {
    // A stream opened before any dossier is woken by the first one's step.
    let mut stream = open(c, token, 0).await;
    let a = submit(sys, "cg-a").await;
    let ta = next(&mut stream).await;
    assert_eq!(
        (
            ta.dossier_code.as_str(),
            ta.procedure_code.as_str(),
            ta.agency.as_str()
        ),
        (a.as_str(), "DEMO.LT.63-1", JUSTICE)
    );
    assert_eq!(
        (ta.sector.as_str(), ta.state.as_str(), ta.block),
        ("justice", "open", 0)
    );
    assert!(
        ta.offer > 0 && ta.due_at.is_some() && ta.budget_minutes > 0,
        "{ta:?}"
    );
    at(sys, datetime!(2026-11-27 09:05 +07:00));
    let b = submit(sys, "cg-b").await;
    let tb = next(&mut stream).await;
    at(sys, datetime!(2026-11-27 09:10 +07:00));
    let c_code = submit(sys, "cg-c").await;
    let tc = next(&mut stream).await;
    assert_eq!(
        (tb.dossier_code.as_str(), tc.dossier_code.as_str()),
        (b.as_str(), c_code.as_str())
    );
    assert!(ta.offer < tb.offer && tb.offer < tc.offer);

    let acked = ack(c, token, &ta.id).await.expect("ack");
    assert_eq!(
        (acked.state.as_str(), acked.claimed_by.as_str()),
        ("claimed", ACCOUNT)
    );
    assert_eq!(acked.offer, ta.offer);
    drop(stream);

    // Cut after receiving b and c unacknowledged: both again, in order, with their offers.
    let mut stream = open(c, token, 0).await;
    let again = (next(&mut stream).await, next(&mut stream).await);
    assert_eq!(
        (again.0.id.as_str(), again.0.offer),
        (tb.id.as_str(), tb.offer)
    );
    assert_eq!(again.1.id, tc.id);
    quiet(&mut stream).await;
    let first = ack(c, token, &tb.id).await.expect("ack b");
    assert_eq!(ack(c, token, &tb.id).await.expect("ack b again"), first);
    drop(stream);

    // A window of one, after acknowledging b: only c.
    let mut stream = open(c, token, 1).await;
    assert_eq!(next(&mut stream).await.id, tc.id);
    quiet(&mut stream).await;
    acked
}

/// The dossier and its certificate, read by the account that has its step.
async fn read_dossier_and_file(c: &mut Client, token: &str, code: &str) {
    let req = pb::GetDossierRequest { code: code.into() };
    let d = c
        .get_dossier(authed(req, token))
        .await
        .expect("dossier")
        .into_inner();
    let applicant = d.applicant.expect("applicant");
    assert_eq!(
        (applicant.full_name.as_str(), applicant.id_number.as_str()),
        ("Nguyễn Văn An", "080203001234")
    );
    let codes: Vec<&str> = d.components.iter().map(|x| x.code.as_str()).collect();
    assert_eq!(codes, ["TK01", "GCSDT"]);
    let listed = d.components[1].files[0].clone();
    assert_eq!(
        (listed.size, listed.sha256.clone()),
        (CERTIFICATE_BYTES as u64, hex(&certificate("cg-a")))
    );

    let req = pb::GetFileRequest {
        dossier_code: code.into(),
        file_id: listed.id.clone(),
    };
    let mut chunks = c
        .get_file(authed(req, token))
        .await
        .expect("file")
        .into_inner();
    let (mut joined, mut count, mut described) = (Vec::new(), 0, None);
    while let Some(chunk) = chunks.message().await.expect("a sound chunk") {
        assert!(chunk.data.len() <= 64 * 1024, "a chunk over 64 KiB");
        assert_eq!(chunk.offset as usize, joined.len());
        if count == 0 {
            described = chunk.file.clone();
        } else {
            assert!(
                chunk.file.is_none(),
                "only the first chunk describes the file"
            );
        }
        joined.extend_from_slice(&chunk.data);
        count += 1;
    }
    assert!(count >= 2, "{count} chunks");
    assert_eq!(described, Some(listed.clone()));
    assert_eq!(
        hex(&joined),
        listed.sha256,
        "the chunks join to the recorded digest"
    );

    let missing = pb::GetFileRequest {
        dossier_code: code.into(),
        file_id: "9-9".into(),
    };
    let got = c.get_file(authed(missing, token)).await;
    assert_eq!(refusal(got), (Code::NotFound, "file_not_found".into()));
}

/// The step finished once per request id: a retry answers the same, the same id for another
/// completion is refused, a malformed one names its fields.
async fn complete_once(c: &mut Client, token: &str, claimed: &pb::SectorTask) {
    let first = c
        .complete_task(authed(done(&claimed.id, "done-a"), token))
        .await;
    let first = first.expect("completed").into_inner();
    assert_eq!(
        (first.state.as_str(), first.claimed_by.as_str()),
        ("done", ACCOUNT)
    );
    let retry = c
        .complete_task(authed(done(&claimed.id, "done-a"), token))
        .await;
    assert_eq!(retry.expect("retry").into_inner(), first);
    let mut other = done(&claimed.id, "done-a");
    other.outcome = "refuse".into();
    other.reasons = vec!["Không đủ điều kiện".into()];
    let got = c.complete_task(authed(other, token)).await;
    assert_eq!(
        refusal(got),
        (Code::InvalidArgument, "idempotency_key_reused".into())
    );
    let mut bad = done(&claimed.id, "done-b");
    bad.documents_json = r#"{"not": "an array"}"#.into();
    let got = c
        .complete_task(authed(bad, token))
        .await
        .expect_err("refused");
    let fields: Vec<String> = got
        .get_error_details()
        .bad_request()
        .map_or(Vec::new(), |b| {
            b.field_violations.iter().map(|v| v.field.clone()).collect()
        });
    assert_eq!(
        (got.code(), fields),
        (Code::InvalidArgument, vec!["documents_json".to_string()])
    );
}

/// A stored file whose content no longer matches its recorded digest is refused, not sent.
async fn damaged_file_is_never_sent(sys: &TestSystem, c: &mut Client, token: &str, code: &str) {
    sqlx::query("UPDATE intake.file_blob SET content = 'tampered' WHERE sha256 = $1")
        .bind(hex(b"%PDF-1.7 to khai"))
        .execute(&mut sqlx_conn(sys).await)
        .await
        .unwrap();
    let req = pb::GetFileRequest {
        dossier_code: code.into(),
        file_id: "0-0".into(),
    };
    let got = match c.get_file(authed(req, token)).await {
        Ok(r) => r.into_inner().message().await.map(|m| m.map(|c| c.data)),
        Err(e) => Err(e),
    };
    assert_eq!(
        refusal(got),
        (Code::Internal, "file_integrity_failed".into())
    );
}

/// Workflow's audit records of the account's calls on dossier `code`, oldest first.
async fn recorded(sys: &TestSystem, code: &str) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT action, actor, after FROM workflow.audit_record WHERE target = $1 AND actor = $2 ORDER BY at, chain, seq",
    )
    .bind(code)
    .bind(ACCOUNT)
    .fetch_all(&mut sqlx_conn(sys).await)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_justice_system_streams_acks_reads_and_completes_its_step_and_resumes_after_cuts() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let token = sys.sector_token(ACCOUNT, JUSTICE, Some("justice"));
    let mut c = client(&sys).await;
    let claimed = stream_ack_and_resume(&sys, &mut c, &token).await;
    let code = claimed.dossier_code.clone();
    read_dossier_and_file(&mut c, &token, &code).await;
    complete_once(&mut c, &token, &claimed).await;

    let actions: Vec<String> = recorded(&sys, &code)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    for want in [
        "connector.task_acked",
        "task.claimed",
        "connector.dossier_read",
        "connector.file_read",
        "task.completed",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} not recorded: {actions:?}"
        );
    }
    let text = format!("{:?}", recorded(&sys, &code).await);
    assert!(
        !text.contains("080203001234"),
        "a personal number in the trail: {text}"
    );
    damaged_file_is_never_sent(&sys, &mut c, &token, &code).await;
    sys.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_of_another_sector_or_agency_never_see_nor_act_on_a_justice_step() {
    let sys = TestSystem::start(datetime!(2026-11-27 09:00 +07:00))
        .await
        .unwrap();
    let mut c = client(&sys).await;
    let code = submit(&sys, "cg-x").await;
    let step = task_of(&sys, &code, JUSTICE).await;
    let id = step["id"].as_str().unwrap().to_string();
    let justice = sys.sector_token(ACCOUNT, JUSTICE, Some("justice"));
    assert_eq!(next(&mut open(&mut c, &justice, 0).await).await.id, id);
    let too_wide = c
        .stream_tasks(authed(pb::StreamTasksRequest { window: 501 }, &justice))
        .await;
    assert_eq!(
        refusal(too_wide),
        (Code::InvalidArgument, "invalid_argument".into())
    );
    let person = crate::workflow_support::specialist(&sys, JUSTICE);
    let got = c
        .stream_tasks(authed(pb::StreamTasksRequest { window: 0 }, &person))
        .await;
    assert_eq!(
        refusal(got),
        (Code::PermissionDenied, "role_not_allowed".into())
    );
    let anonymous = c.stream_tasks(pb::StreamTasksRequest { window: 0 }).await;
    assert_eq!(refusal(anonymous).0, Code::Unauthenticated);

    let land_at_justice = sys.sector_token("land-at-justice", JUSTICE, Some("land"));
    let land_office = sys.sector_token("land-system", LAND, Some("land"));
    for token in [&land_at_justice, &land_office] {
        quiet(&mut open(&mut c, token, 0).await).await;
        let denied = (Code::PermissionDenied, "agency_not_allowed".to_string());
        assert_eq!(refusal(ack(&mut c, token, &id).await), denied);
        let got = c.complete_task(authed(done(&id, "land-1"), token)).await;
        assert_eq!(refusal(got), denied);
        let unknown = (Code::NotFound, "dossier_not_found".to_string());
        for asked in [code.clone(), format!("{OS}-261127-9999")] {
            let got = c
                .get_dossier(authed(pb::GetDossierRequest { code: asked }, token))
                .await;
            assert_eq!(refusal(got), unknown);
        }
        let file = pb::GetFileRequest {
            dossier_code: code.clone(),
            file_id: "1-0".into(),
        };
        assert_eq!(refusal(c.get_file(authed(file, token)).await), unknown);
    }
    // Their refusals changed nothing: the step is still open for the justice system.
    let after = ack(&mut c, &justice, &id).await.expect("ack");
    assert_eq!(after.claimed_by, ACCOUNT);
    sys.stop().await.unwrap();
}
