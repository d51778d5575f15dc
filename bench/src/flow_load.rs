//! The completed-flows load: C counter clients, each with one flow in flight at a time (it
//! submits a birth-group dossier, waits until the one-stop returned its result, then submits
//! the next), and one one-stop officer who keeps reading the register for dossiers whose case
//! is completed (intake status `processed`) and returns their results
//! (`POST /api/v1/dossiers/{code}/result-return`, at the counter). A flow counts when its
//! result-return answers 2xx; its latency runs from the start of its submission to then.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Where the load goes and as whom.
#[derive(Clone)]
pub struct Target {
    /// Intake's REST base URL.
    pub intake: Arc<str>,
    /// The one-stop unit that receives the dossiers and returns the results.
    pub agency: Arc<str>,
    /// Its officer's token.
    pub token: Arc<str>,
    /// The submission's JSON body.
    pub body: Arc<Vec<u8>>,
}

/// The flows of one measurement, as the clients and the officer record them.
#[derive(Default)]
pub struct Book {
    /// Submitted, result not returned yet: code → (submission started, its client's bell).
    pending: HashMap<String, (Instant, oneshot::Sender<()>)>,
    /// Returned before its client had recorded the code: code → when.
    early: HashMap<String, Instant>,
    /// Every returned flow: (when its result-return answered, its latency).
    pub returned: Vec<(Instant, Duration)>,
    /// Submissions not answered `201`.
    pub failed_submissions: usize,
    /// Result-returns not answered 2xx.
    pub failed_returns: usize,
    /// Dossiers submitted (`201`).
    pub submitted: usize,
}

impl Book {
    /// Flows submitted whose result is not returned yet.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

/// The book shared by the clients and the officer.
pub type Shared = Arc<Mutex<Book>>;

/// One counter client until `end`: submit, wait for the result to be returned, again.
pub async fn client(http: reqwest::Client, target: Target, book: Shared, n: usize, end: Instant) {
    let run = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    let url = format!("{}/api/v1/dossiers", target.intake);
    let mut i = 0usize;
    while Instant::now() < end {
        i += 1;
        let t = Instant::now();
        let res = http
            .post(&url)
            .bearer_auth(&*target.token)
            .header("Idempotency-Key", format!("flow-{run}-{n}-{i}"))
            .header("content-type", "application/json")
            .body(target.body.to_vec())
            .send()
            .await;
        let code = match res {
            Ok(r) if r.status().as_u16() == 201 => r
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_string)),
            Ok(r) => {
                let status = r.status();
                eprintln!(
                    "flow submission: HTTP {status}: {}",
                    r.text().await.unwrap_or_default()
                );
                None
            }
            Err(e) => {
                eprintln!("flow submission: {e}");
                None
            }
        };
        let Some(code) = code else {
            if let Ok(mut b) = book.lock() {
                b.failed_submissions += 1;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let (bell, rung) = oneshot::channel();
        let waits = match book.lock() {
            Ok(mut b) => {
                b.submitted += 1;
                match b.early.remove(&code) {
                    Some(at) => {
                        b.returned.push((at, at - t));
                        false
                    }
                    None => {
                        b.pending.insert(code, (t, bell));
                        true
                    }
                }
            }
            Err(_) => return,
        };
        if waits && tokio::time::timeout_at(end.into(), rung).await.is_err() {
            return; // the measurement ended with this flow in flight
        }
    }
}

/// Returns the result of dossier `code` at the counter; answers whether it was taken (2xx).
async fn return_result(http: reqwest::Client, target: Target, code: String) -> (String, bool) {
    let url = format!("{}/api/v1/dossiers/{code}/result-return", target.intake);
    let res = http
        .post(&url)
        .bearer_auth(&*target.token)
        .json(&serde_json::json!({"channel": "counter"}))
        .send()
        .await;
    let ok = match res {
        Ok(r) if r.status().is_success() => true,
        Ok(r) => {
            let status = r.status();
            eprintln!(
                "result-return {code}: HTTP {status}: {}",
                r.text().await.unwrap_or_default()
            );
            false
        }
        Err(e) => {
            eprintln!("result-return {code}: {e}");
            false
        }
    };
    (code, ok)
}

/// Records the outcome of one result-return: the flow is done, and its client may go on.
fn record(book: &Shared, code: String, ok: bool) {
    let now = Instant::now();
    let Ok(mut b) = book.lock() else { return };
    if !ok {
        b.failed_returns += 1;
    } else if let Some((t, bell)) = b.pending.remove(&code) {
        b.returned.push((now, now - t));
        let _ = bell.send(());
    } else {
        b.early.insert(code, now);
    }
}

/// The codes of the agency's dossiers waiting for their result to be returned (the register,
/// status `processed`, newest first, at most 200).
async fn waiting(http: &reqwest::Client, target: &Target) -> Vec<String> {
    let url = format!(
        "{}/api/v1/dossiers?status=processed&agency={}&limit=200",
        target.intake, target.agency
    );
    let page: serde_json::Value = match http.get(&url).bearer_auth(&*target.token).send().await {
        Ok(r) if r.status().is_success() => r.json().await.unwrap_or_default(),
        _ => serde_json::Value::Null,
    };
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|d| d["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The one-stop officer until `stop`: reads the register for processed dossiers (every 50 ms
/// when there was none) and returns their results, eight at a time.
pub async fn officer(http: reqwest::Client, target: Target, book: Shared, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let codes = waiting(&http, &target).await;
        if codes.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        for chunk in codes.chunks(8) {
            let mut returns = tokio::task::JoinSet::new();
            for code in chunk {
                returns.spawn(return_result(http.clone(), target.clone(), code.clone()));
            }
            while let Some(Ok((code, ok))) = returns.join_next().await {
                record(&book, code, ok);
            }
        }
    }
}
