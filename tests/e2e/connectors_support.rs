//! Helpers of the connector tests (issue 11): the reference sector systems (`tests/sector/`,
//! binary `sector-system`) run as their own processes with their JSON lines collected,
//! dossiers of the birth group submitted with electronic files, and a bare receiver that
//! captures motcua's webhook deliveries byte for byte.

use crate::workflow_support::*;
use axum::body::Bytes;
use axum::http::HeaderMap;
use base64::Engine;
use motcua_config::ServiceName::{Intake, Workflow};
use motcua_e2e::{TestSystem, eventually, get, post};
use serde_json::{Value, json};
use sha2::Digest;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

/// The agency and sector of a reference system's role (`data/catalogue-demo.json`).
pub(crate) fn account_of(role: &str) -> (&'static str, &'static str) {
    match role {
        "civil_status" => (JUSTICE, "justice"),
        "residence" => (POLICE, "police"),
        "social_insurance" => (INSURANCE, "social_insurance"),
        "land" => (LAND, "land"),
        "tax" => (TAX, "tax"),
        other => panic!("no reference system plays {other}"),
    }
}

/// The token `sub` of the reference system playing `role`.
pub(crate) fn sub_of(role: &str) -> String {
    format!("{role}-system")
}

/// A reference sector system running as its own process.
pub(crate) struct SectorProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Arc<Mutex<Vec<Value>>>,
    /// Its stdout was read to the end.
    closed: Arc<AtomicBool>,
    /// Its role.
    pub(crate) role: String,
}

impl SectorProcess {
    /// Starts `sector-system --role role --mode mode extra…` against `sys` with the role's
    /// account, and waits until it is connected (stream) or subscribed (webhook).
    pub(crate) async fn start(sys: &TestSystem, role: &str, mode: &str, extra: &[&str]) -> Self {
        let (agency, sector) = account_of(role);
        let token = sys.sector_token(&sub_of(role), agency, Some(sector));
        let mut child = Command::new(env!("CARGO_BIN_EXE_sector-system"))
            .args(["--role", role, "--mode", mode])
            .args(["--workflow-grpc", &sys.grpc(Workflow)])
            .args(["--workflow-rest", &sys.url(Workflow, "")])
            .args(["--intake-rest", &sys.url(Intake, "")])
            .args(extra)
            .env("SECTOR_TOKEN", token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("sector-system starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (sink, closed) = (lines.clone(), Arc::new(AtomicBool::new(false)));
        let (tag, at_end) = (role.to_string(), closed.clone());
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                eprintln!("[{tag}] {line}");
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
            at_end.store(true, Ordering::SeqCst);
        });
        let p = SectorProcess {
            stdin: child.stdin.take(),
            child,
            lines,
            closed,
            role: role.to_string(),
        };
        let ready = if mode == "webhook" {
            "subscribed"
        } else {
            "connected"
        };
        p.wait_for(ready, |_| true).await;
        p
    }

    /// Every line printed so far whose `event` is `event`.
    pub(crate) fn lines(&self, event: &str) -> Vec<Value> {
        let all = self.lines.lock().unwrap();
        all.iter()
            .filter(|l| l["event"] == event)
            .cloned()
            .collect()
    }

    /// Waits (30 s at most) for a line `event` that `pred` accepts.
    pub(crate) async fn wait_for(&self, event: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let seen = eventually(Duration::from_secs(30), || {
            let found = self.lines(event).into_iter().find(|l| pred(l));
            async move { found }
        })
        .await;
        seen.unwrap_or_else(|| panic!("{}: no {event} line came", self.role))
    }

    /// Waits (60 s at most) until `n` lines `event` were printed; answers them.
    pub(crate) async fn wait_count(&self, event: &str, n: usize) -> Vec<Value> {
        let seen = eventually(Duration::from_secs(60), || {
            let lines = self.lines(event);
            async move { (lines.len() >= n).then_some(lines) }
        })
        .await;
        seen.unwrap_or_else(|| {
            panic!(
                "{}: {} {event} lines, not {n}",
                self.role,
                self.lines(event).len()
            )
        })
    }

    /// The `completed` lines about `dossier_code`.
    pub(crate) fn completed_of(&self, dossier_code: &str) -> Vec<Value> {
        let mut c = self.lines("completed");
        c.retain(|l| l["dossier_code"] == dossier_code);
        c
    }

    /// Writes a control line (`refuse`, `accept`) to its stdin.
    pub(crate) async fn tell(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("piped stdin");
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    }

    /// Kills it at once (SIGKILL: no chance to finish anything), waits for its end and reads
    /// what it printed before to the last line.
    pub(crate) async fn kill(&mut self) {
        self.child.kill().await.expect("kill sector-system");
        let closed = &self.closed;
        let read = eventually(Duration::from_secs(10), || async move {
            closed.load(Ordering::SeqCst).then_some(())
        })
        .await;
        assert!(read.is_some(), "{}: stdout never closed", self.role);
    }
}

/// A file of an electronic component, with its SHA-256, as submitted.
fn file(name: &str, content: &[u8]) -> Value {
    let sha: String = sha2::Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({"name": name, "media_type": "application/pdf", "size": content.len(), "sha256": sha,
           "content_base64": base64::engine::general_purpose::STANDARD.encode(content)})
}

/// Submits a birth + permanent residence + health-insurance group dossier (`DEMO.LT.63-1`,
/// civil status, then residence and insurance in parallel) at the counter, its two components
/// electronic with a file each (one over 64 KiB, so the stream sends it in several chunks);
/// returns its code.
pub(crate) async fn submit_group(sys: &TestSystem, key: &str) -> String {
    let form = format!("%PDF-1.7 to khai lien thong {key}").into_bytes();
    let mut certificate = format!("%PDF-1.7 giay chung sinh {key} ").into_bytes();
    certificate.resize(70_000, b'.');
    let body = json!({
        "procedure_code": "DEMO.LT.63-1", "receiving_agency": OS, "channel": "counter",
        "applicant": {"type": "citizen", "full_name": "Nguyễn Văn An", "id_number": "080203001234"},
        "components": [
            {"code": "TK01", "form": "electronic", "files": [file("to-khai.pdf", &form)]},
            {"code": "GCSDT", "form": "electronic", "files": [file("giay-chung-sinh.pdf", &certificate)]}
        ]
    });
    let (status, d) = post(sys, Intake, "/api/v1/dossiers", &officer(sys), key, body).await;
    assert_eq!(status, 201, "{d}");
    d["code"].as_str().unwrap().to_string()
}

/// The steps of a dossier's case (id, agency, state, claimed_by…), as its one-stop sees them.
pub(crate) async fn steps(sys: &TestSystem, code: &str) -> Vec<Value> {
    case(sys, code).await["tasks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Waits (`limit`) until the case of `code` is completed (its result at the one-stop).
pub(crate) async fn wait_completed(sys: &TestSystem, code: &str, limit: Duration) {
    let done = eventually(limit, || async move {
        (case(sys, code).await["state"] == "completed").then_some(())
    })
    .await;
    assert!(
        done.is_some(),
        "{code} never completed: {}",
        case(sys, code).await
    );
}

/// One delivery as it reached a receiver: its three Standard Webhooks headers and body bytes.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    /// `webhook-id`.
    pub(crate) id: String,
    /// `webhook-timestamp`.
    pub(crate) timestamp: String,
    /// `webhook-signature`.
    pub(crate) signature: String,
    /// The exact body.
    pub(crate) body: Vec<u8>,
}

impl Captured {
    /// The body as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A bare receiver on a random loopback port that answers `204` to every delivery on
/// `/hooks` and keeps it; answers its URL and what it got.
pub(crate) async fn capture() -> (String, Arc<Mutex<Vec<Captured>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let header = |n: &str| headers[n].to_str().unwrap().to_string();
            sink.lock().unwrap().push(Captured {
                id: header("webhook-id"),
                timestamp: header("webhook-timestamp"),
                signature: header("webhook-signature"),
                body: body.to_vec(),
            });
            async { axum::http::StatusCode::NO_CONTENT }
        }),
    );
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

/// Subscribes `token`'s account to `types` at `url`; answers the subscription (with its secret).
pub(crate) async fn subscribe(sys: &TestSystem, token: &str, url: &str, types: &[&str]) -> Value {
    let body = json!({"url": url, "event_types": types});
    let (status, s) = post(sys, Workflow, "/api/v1/subscriptions", token, url, body).await;
    assert_eq!(status, 201, "{s}");
    s
}

/// The dead letters an admin lists.
pub(crate) async fn dead_letters(sys: &TestSystem) -> Vec<Value> {
    let admin = sys.token(&["admin"], None, "admin-1");
    let (status, page) = get(sys, Workflow, "/api/v1/dead-letters", &admin).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}
