//! The public REST calls a sector system makes: reading a dossier and its files from intake
//! (each file's SHA-256 checked), claiming and finishing steps and reading its inbox at
//! workflow, and subscribing to webhooks.

use crate::Config;
use crate::roles::Role;
use anyhow::{Context, bail};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// An HTTP client with the account's token and motcua's base URLs.
#[derive(Clone)]
pub struct Rest {
    http: reqwest::Client,
    token: String,
    workflow: String,
    intake: String,
}

/// A status and a JSON body (`null` when there is none).
pub type Answer = (u16, Value);

impl Rest {
    /// The client of `config`.
    pub fn new(config: &Config) -> Rest {
        Rest {
            http: reqwest::Client::new(),
            token: config.token.clone(),
            workflow: config.workflow_rest.trim_end_matches('/').to_string(),
            intake: config.intake_rest.trim_end_matches('/').to_string(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> anyhow::Result<Answer> {
        let res = req.bearer_auth(&self.token).send().await?;
        let status = res.status().as_u16();
        let body = res.json().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    /// `GET /api/v1/dossiers/{code}` at intake.
    pub async fn dossier(&self, code: &str) -> anyhow::Result<Value> {
        let url = format!("{}/api/v1/dossiers/{code}", self.intake);
        match self.send(self.http.get(url)).await? {
            (200, d) => Ok(d),
            (status, body) => bail!("GET dossier {code}: {status} {body}"),
        }
    }

    /// Downloads every file of the dossier `d` and checks it against its listed SHA-256;
    /// answers how many there were.
    pub async fn check_files(&self, d: &Value) -> anyhow::Result<usize> {
        let code = d["code"].as_str().context("dossier without code")?;
        let mut n = 0;
        for file in d["components"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["files"].as_array().into_iter().flatten())
        {
            let id = file["id"].as_str().context("file without id")?;
            let url = format!("{}/api/v1/dossiers/{code}/files/{id}", self.intake);
            let res = self.http.get(url).bearer_auth(&self.token).send().await?;
            if res.status() != 200 {
                bail!("GET file {id} of {code}: {}", res.status());
            }
            let bytes = res.bytes().await?;
            let digest = hex(&Sha256::digest(&bytes));
            if Some(digest.as_str()) != file["sha256"].as_str() {
                bail!(
                    "file {id} of {code}: SHA-256 {digest} is not the listed {}",
                    file["sha256"]
                );
            }
            crate::say(
                "file_checked",
                json!({"dossier_code": code, "file_id": id, "size": bytes.len()}),
            );
            n += 1;
        }
        Ok(n)
    }

    /// `POST /api/v1/tasks/{id}/claim`.
    pub async fn claim(&self, task_id: &str) -> anyhow::Result<Answer> {
        let url = format!("{}/api/v1/tasks/{task_id}/claim", self.workflow);
        self.send(
            self.http
                .post(url)
                .header("Idempotency-Key", format!("claim-{task_id}")),
        )
        .await
    }

    /// `POST /api/v1/tasks/{id}/complete` as `done`, with the role's note and documents; the
    /// idempotency key is the step id, so a retry changes nothing.
    pub async fn complete(&self, task_id: &str, role: Role) -> anyhow::Result<Answer> {
        let url = format!("{}/api/v1/tasks/{task_id}/complete", self.workflow);
        let body =
            json!({"outcome": "done", "note": role.note(), "documents": role.documents(task_id)});
        let req = self
            .http
            .post(url)
            .header("Idempotency-Key", format!("complete-{task_id}"));
        self.send(req.json(&body)).await
    }

    /// The steps of the account's inbox claimed by `sub` (every page).
    pub async fn claimed_by(&self, sub: &str) -> anyhow::Result<Vec<Value>> {
        let mut mine = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{}/api/v1/tasks?state=claimed", self.workflow);
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let (status, page) = self.send(self.http.get(url)).await?;
            if status != 200 {
                bail!("GET /api/v1/tasks: {status} {page}");
            }
            let items = page["items"].as_array().cloned().unwrap_or_default();
            mine.extend(items.into_iter().filter(|t| t["claimed_by"] == sub));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return Ok(mine),
            }
        }
    }

    /// `POST /api/v1/subscriptions`: answers the subscription's id and secret.
    pub async fn subscribe(&self, url: &str, types: &[String]) -> anyhow::Result<(String, String)> {
        let req = self
            .http
            .post(format!("{}/api/v1/subscriptions", self.workflow))
            .header("Idempotency-Key", format!("subscribe-{url}"))
            .json(&json!({"url": url, "event_types": types}));
        match self.send(req).await? {
            (201, s) => {
                let id = s["id"].as_str().context("subscription without id")?;
                let secret = s["secret"]
                    .as_str()
                    .context("subscription without secret")?;
                Ok((id.to_string(), secret.to_string()))
            }
            (status, body) => bail!("POST /api/v1/subscriptions: {status} {body}"),
        }
    }
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
