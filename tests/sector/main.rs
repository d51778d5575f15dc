//! A reference sector system (hệ thống chuyên ngành): a civil-status registry, a residence
//! registry, a social-insurance office, a land registry or a tax authority that does its steps
//! of motcua's dossiers through the public connector API only — over the gRPC stream
//! (`--mode stream`, [`stream`]) or signed REST webhooks (`--mode webhook`, [`webhook`]). It is
//! the proof that a third party can plug in (docs/connectors.md quotes it), and the end-to-end
//! tests (`tests/e2e/connectors.rs`) run it as its own process.
//!
//! ```text
//! SECTOR_TOKEN=… sector-system --role civil_status|residence|social_insurance|land|tax
//!     --mode stream|webhook [--workflow-grpc URL] [--workflow-rest URL] [--intake-rest URL]
//!     [--listen 127.0.0.1:0] [--event-types task.created,…] [--refuse-for-secs N]
//!     [--refuse-first N] [--late-answers N --late-ms N] [--delay-ms N] [--window N]
//!     [--clock-offset-secs N]
//! ```
//!
//! It prints one JSON line per thing it did on stdout (`{"event":"completed",…}`), so a test
//! can count. In webhook mode, the lines `refuse` and `accept` on stdin make it answer `503` to
//! every delivery, or stop doing so (a receiver that is down, then back).

mod rest;
mod roles;
mod stream;
mod verify;
mod webhook;

use roles::Role;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

/// How the system receives its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `SectorConnector.StreamTasks` over gRPC.
    Stream,
    /// Signed REST webhooks to its own HTTP server.
    Webhook,
}

/// The command line and `SECTOR_TOKEN`.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which system it plays.
    pub role: Role,
    /// Stream or webhooks.
    pub mode: Mode,
    /// Workflow's gRPC endpoint, e.g. `http://127.0.0.1:9083` (stream mode).
    pub workflow_grpc: String,
    /// Workflow's REST base URL, e.g. `http://127.0.0.1:8083`.
    pub workflow_rest: String,
    /// Intake's REST base URL, e.g. `http://127.0.0.1:8082` (webhook mode).
    pub intake_rest: String,
    /// The account's bearer token.
    pub token: String,
    /// Where the webhook server listens.
    pub listen: String,
    /// Event types to subscribe to.
    pub event_types: Vec<String>,
    /// Answer `503` to deliveries for this long after starting.
    pub refuse_for_secs: u64,
    /// Answer `503` to this many deliveries first.
    pub refuse_first: u64,
    /// Answer this many deliveries taken only after `late_ms` (past motcua's timeout).
    pub late_answers: u64,
    /// How late (milliseconds).
    pub late_ms: u64,
    /// Time spent "doing" each step before finishing it (milliseconds).
    pub delay_ms: u64,
    /// The stream's window.
    pub window: u32,
    /// Added to this machine's clock when checking webhook timestamps (a clock known to be off).
    pub clock_offset_secs: i64,
}

impl Config {
    /// Parses `args` (without the program name); `token` is `SECTOR_TOKEN`.
    fn parse(args: &[String], token: Option<String>) -> Result<Config, String> {
        let mut c = Config {
            role: Role::CivilStatus,
            mode: Mode::Stream,
            workflow_grpc: "http://127.0.0.1:9083".into(),
            workflow_rest: "http://127.0.0.1:8083".into(),
            intake_rest: "http://127.0.0.1:8082".into(),
            token: token
                .filter(|t| !t.is_empty())
                .ok_or("SECTOR_TOKEN is not set")?,
            listen: "127.0.0.1:0".into(),
            event_types: vec!["task.created".into()],
            refuse_for_secs: 0,
            refuse_first: 0,
            late_answers: 0,
            late_ms: 0,
            delay_ms: 0,
            window: 16,
            clock_offset_secs: 0,
        };
        let mut role = None;
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it.next().ok_or(format!("{flag} needs a value"))?.clone();
            let number = || {
                value
                    .parse::<i64>()
                    .map_err(|_| format!("{flag}: not a number"))
            };
            match flag.as_str() {
                "--role" => {
                    role = Some(Role::parse(&value).ok_or(format!("unknown role {value}"))?)
                }
                "--mode" => {
                    c.mode = match value.as_str() {
                        "stream" => Mode::Stream,
                        "webhook" => Mode::Webhook,
                        _ => return Err(format!("unknown mode {value}")),
                    }
                }
                "--workflow-grpc" => c.workflow_grpc = value,
                "--workflow-rest" => c.workflow_rest = value,
                "--intake-rest" => c.intake_rest = value,
                "--listen" => c.listen = value,
                "--event-types" => c.event_types = value.split(',').map(str::to_string).collect(),
                "--refuse-for-secs" => c.refuse_for_secs = number()?.max(0) as u64,
                "--refuse-first" => c.refuse_first = number()?.max(0) as u64,
                "--late-answers" => c.late_answers = number()?.max(0) as u64,
                "--late-ms" => c.late_ms = number()?.max(0) as u64,
                "--delay-ms" => c.delay_ms = number()?.max(0) as u64,
                "--window" => c.window = number()?.clamp(1, 500) as u32,
                "--clock-offset-secs" => c.clock_offset_secs = number()?,
                _ => return Err(format!("unknown flag {flag}")),
            }
        }
        c.role = role.ok_or("--role is required")?;
        Ok(c)
    }

    /// Now on the clock motcua signs with, in Unix seconds.
    pub fn now_unix(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        wall + self.clock_offset_secs
    }
}

/// Prints one line of what the system did: `event` and the fields of `fields`.
pub fn say(event: &str, fields: Value) {
    let mut line = json!({ "event": event });
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    println!("{line}");
}

/// The `sub` claim of a JWT (not verified: it is our own token), to recognise our own claims.
pub fn token_subject(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims["sub"].as_str().map(str::to_string)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::parse(&args, std::env::var("SECTOR_TOKEN").ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sector-system: {e}");
            std::process::exit(2);
        }
    };
    say(
        "started",
        json!({"role": config.role.as_str(), "agency": config.role.agency(),
               "sector": config.role.sector(), "mode": format!("{:?}", config.mode).to_lowercase()}),
    );
    let done = match config.mode {
        Mode::Stream => stream::run(config).await,
        Mode::Webhook => webhook::run(config).await,
    };
    if let Err(e) = done {
        say("stopped", json!({"error": format!("{e:#}")}));
        std::process::exit(1);
    }
}
