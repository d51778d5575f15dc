//! Webhook mode: the system serves HTTP, subscribes itself (`POST /api/v1/subscriptions`,
//! keeping the secret shown once in memory), and for each delivery: checks the Standard
//! Webhooks signature and timestamp ([`crate::verify`]; `401` when they do not hold), drops a
//! `webhook-id` it already took (motcua retries until it hears `2xx`, so the same delivery may
//! come twice: processed once in effect), answers `204` at once and does the work after,
//! one queue per dossier so that a dossier's deliveries are processed in the order they came.
//! For `task.created` of its own agency the work is: read the dossier and its files from
//! intake (SHA-256 checked), claim the step, finish it as `done` with an idempotency key.
//!
//! While "down" (`--refuse-for-secs`, `--refuse-first`, or `refuse` on stdin until `accept`)
//! it answers `503` to every delivery without looking at it. With `--late-answers N` it takes
//! the first N deliveries but answers them only after `--late-ms`, past motcua's timeout, so
//! that motcua sends them again (and it must not process them twice).

use crate::rest::Rest;
use crate::verify::verify;
use crate::{Config, say};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// One delivery taken, waiting in its dossier's queue.
struct Delivery {
    webhook_id: String,
    kind: String,
    dossier_code: String,
    data: Value,
}

/// The receiver's state.
struct Receiver {
    config: Config,
    rest: Rest,
    /// The subscription's secret, once `POST /api/v1/subscriptions` answered.
    secret: OnceLock<String>,
    /// Every `webhook-id` taken (in memory here; a real system keeps it with its records).
    seen: Mutex<HashSet<String>>,
    /// One queue (and one worker) per dossier.
    queues: Mutex<HashMap<String, UnboundedSender<Delivery>>>,
    /// Down until this instant.
    down_until: Mutex<Option<Instant>>,
    /// Down for this many more deliveries.
    down_for: AtomicU64,
    /// Down until `accept` on stdin.
    down: AtomicBool,
    /// This many more deliveries taken are answered only after `--late-ms`.
    late: AtomicU64,
}

impl Receiver {
    /// True while the receiver plays "down" (and counts the delivery it refuses).
    fn refusing(&self) -> bool {
        let until = *self.down_until.lock().unwrap_or_else(|e| e.into_inner());
        let counted = self
            .down_for
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        self.down.load(Ordering::SeqCst) || until.is_some_and(|u| Instant::now() < u) || counted
    }

    /// Comes back up (`accept`) or goes down (`refuse`).
    fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
        if !down {
            *self.down_until.lock().unwrap_or_else(|e| e.into_inner()) = None;
            self.down_for.store(0, Ordering::SeqCst);
        }
        say("control", json!({"accepting": !down}));
    }
}

/// Serves the webhook endpoint, subscribes, and runs until the process is stopped.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    say("listening", json!({"addr": addr.to_string()}));
    let receiver = Arc::new(Receiver {
        rest: Rest::new(&config),
        secret: OnceLock::new(),
        seen: Mutex::new(HashSet::new()),
        queues: Mutex::new(HashMap::new()),
        down_until: Mutex::new(
            (config.refuse_for_secs > 0)
                .then(|| Instant::now() + Duration::from_secs(config.refuse_for_secs)),
        ),
        down_for: AtomicU64::new(config.refuse_first),
        down: AtomicBool::new(false),
        late: AtomicU64::new(config.late_answers),
        config,
    });
    let app = Router::new()
        .route("/hooks", post(receive))
        .with_state(receiver.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let controlled = receiver.clone();
    std::thread::spawn(move || control(&controlled));
    let url = format!("http://{addr}/hooks");
    let (id, secret) = receiver
        .rest
        .subscribe(&url, &receiver.config.event_types)
        .await?;
    let _ = receiver.secret.set(secret);
    say(
        "subscribed",
        json!({"id": id, "url": url, "event_types": receiver.config.event_types}),
    );
    server.await??;
    Ok(())
}

/// `refuse` / `accept` lines on stdin (read on a thread of its own: blocking).
fn control(receiver: &Receiver) {
    for line in std::io::stdin().lines() {
        let Ok(line) = line else { return };
        match line.trim() {
            "refuse" => receiver.set_down(true),
            "accept" => receiver.set_down(false),
            _ => {}
        }
    }
}

/// One delivery: `503` while down (or before the secret is known), `401` when the signature
/// or timestamp does not hold, `400` for a body that is not an event, else `204` (a delivery
/// already taken is answered `204` again and not processed again).
async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (id, timestamp, signature) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    if r.refusing() {
        say("refused", json!({"webhook_id": id}));
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let Some(secret) = r.secret.get() else {
        return StatusCode::SERVICE_UNAVAILABLE;
    };
    if !verify(
        secret,
        &id,
        &timestamp,
        &body,
        &signature,
        r.config.now_unix(),
    ) {
        say(
            "signature_invalid",
            json!({"webhook_id": id, "webhook_timestamp": timestamp, "now": r.config.now_unix()}),
        );
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        say("body_invalid", json!({"webhook_id": id}));
        return StatusCode::BAD_REQUEST;
    };
    let kind = event["type"].as_str().unwrap_or_default().to_string();
    let data = event["data"].clone();
    let dossier_code = data["dossier_code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !r
        .seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone())
    {
        say(
            "duplicate",
            json!({"webhook_id": id, "type": kind, "dossier_code": dossier_code}),
        );
        return StatusCode::NO_CONTENT;
    }
    say(
        "received",
        json!({"type": kind, "webhook_id": id, "dossier_code": dossier_code,
               "task_id": data["task_id"], "agency": data["agency"], "sector": data["sector"]}),
    );
    let delivery = Delivery {
        webhook_id: id.clone(),
        kind,
        dossier_code: dossier_code.clone(),
        data,
    };
    if !enqueue(&r, dossier_code, delivery) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    // Taken, but answered too late for motcua (`--late-answers`): it will send it again.
    if r.late
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        say("answering_late", json!({"webhook_id": id}));
        tokio::time::sleep(Duration::from_millis(r.config.late_ms)).await;
    }
    StatusCode::NO_CONTENT
}

/// Puts `delivery` at the end of its dossier's queue (starting the dossier's worker on its
/// first); false only if that worker panicked.
fn enqueue(r: &Arc<Receiver>, dossier_code: String, delivery: Delivery) -> bool {
    let mut queues = r.queues.lock().unwrap_or_else(|e| e.into_inner());
    let queue = queues.entry(dossier_code).or_insert_with(|| {
        let (tx, rx) = unbounded_channel();
        tokio::spawn(worker(r.clone(), rx));
        tx
    });
    queue.send(delivery).is_ok()
}

/// Processes one dossier's deliveries in the order they came; a failed one is tried again a
/// few times (motcua already heard `204`: the work is ours now).
async fn worker(r: Arc<Receiver>, mut queue: UnboundedReceiver<Delivery>) {
    while let Some(d) = queue.recv().await {
        for attempt in 1..=5u32 {
            match process(&r, &d).await {
                Ok(()) => break,
                Err(e) => {
                    say(
                        "work_failed",
                        json!({"webhook_id": d.webhook_id, "attempt": attempt,
                                               "error": format!("{e:#}")}),
                    );
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
            }
        }
    }
}

/// The work of one delivery: a `task.created` of the system's own agency and sector is done
/// and finished; every delivery ends with a `processed` line.
async fn process(r: &Receiver, d: &Delivery) -> anyhow::Result<()> {
    let role = r.config.role;
    let task_id = d.data["task_id"].as_str().unwrap_or_default();
    let ours = d.data["agency"] == role.agency() && d.data["sector"] == role.sector();
    if d.kind == "task.created" && !ours {
        say(
            "foreign",
            json!({"webhook_id": d.webhook_id, "task_id": task_id,
                               "agency": d.data["agency"], "sector": d.data["sector"]}),
        );
    } else if d.kind == "task.created" {
        let dossier = r.rest.dossier(&d.dossier_code).await?;
        r.rest.check_files(&dossier).await?;
        tokio::time::sleep(Duration::from_millis(r.config.delay_ms)).await;
        match r.rest.claim(task_id).await? {
            (200, _) => finish(r, d, task_id).await?,
            (409, p) => say("skipped", json!({"task_id": task_id, "reason": p["code"]})),
            (status, p) => anyhow::bail!("claim {task_id}: {status} {p}"),
        }
    }
    say(
        "processed",
        json!({"webhook_id": d.webhook_id, "type": d.kind, "dossier_code": d.dossier_code,
               "task_id": task_id}),
    );
    Ok(())
}

/// Finishes a claimed step as `done`.
async fn finish(r: &Receiver, d: &Delivery, task_id: &str) -> anyhow::Result<()> {
    let role = r.config.role;
    match r.rest.complete(task_id, role).await? {
        (200, t) => say(
            "completed",
            json!({"task_id": task_id, "dossier_code": d.dossier_code, "role": role.as_str(),
                   "state": t["state"], "via": "webhook", "webhook_id": d.webhook_id}),
        ),
        (409, p) => say("skipped", json!({"task_id": task_id, "reason": p["code"]})),
        (status, p) => anyhow::bail!("complete {task_id}: {status} {p}"),
    }
    Ok(())
}
