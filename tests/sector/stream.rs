//! Stream mode: the system holds `SectorConnector.StreamTasks` open and, for each step offered,
//! acknowledges it (motcua claims it for the account), reads the dossier and every file (the
//! chunks joined, their SHA-256 checked), does the work and finishes the step as `done` with the
//! step id as `request_id`, so a retry after a crash changes nothing. When the stream drops it
//! reconnects with a growing, jittered delay (from 100 ms, doubling up to 5 s: the scale of a
//! test; the guide advises 1 s up to a minute); before each (re)connection it first finishes the
//! steps it acknowledged but had not finished (its claims in the REST inbox), because motcua
//! does not offer an acknowledged step again.

use crate::rest::{Rest, hex};
use crate::{Config, say, token_subject};
use anyhow::{Context, bail};
use motcua_proto::connector::v1::sector_connector_client::SectorConnectorClient;
use motcua_proto::connector::v1::{
    AckTaskRequest, CompleteTaskRequest, GetDossierRequest, GetFileRequest, SectorTask,
    StreamTasksRequest,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tonic::transport::Channel;
use tonic::{Code, Request};

type Client = SectorConnectorClient<Channel>;

/// Runs the stream loop until the process is stopped.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let rest = Rest::new(&config);
    let mut delay = Duration::from_millis(100);
    loop {
        match session(&config, &rest).await {
            Ok(()) => {
                say("stream_ended", json!({}));
                delay = Duration::from_millis(100);
            }
            Err(e) => say("stream_error", json!({"error": format!("{e:#}")})),
        }
        // Growing delay with jitter, so that many systems do not reconnect in step.
        let jitter = uuid::Uuid::new_v4().as_u128() as u64 % (delay.as_millis() as u64 / 2 + 1);
        tokio::time::sleep(delay + Duration::from_millis(jitter)).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// One connection: recover the unfinished acknowledged steps, then follow the stream.
async fn session(config: &Config, rest: &Rest) -> anyhow::Result<()> {
    let channel = Channel::from_shared(config.workflow_grpc.clone())?
        .connect()
        .await
        .context("connecting to workflow gRPC")?;
    let mut client = SectorConnectorClient::new(channel);
    let sub = token_subject(&config.token).context("SECTOR_TOKEN has no sub")?;
    for task in rest.claimed_by(&sub).await? {
        let (id, code) = (task["id"].as_str(), task["dossier_code"].as_str());
        if let (Some(id), Some(code)) = (id, code) {
            say("recovering", json!({"task_id": id, "dossier_code": code}));
            work(config, &mut client, id, code).await?;
        }
    }
    let open = StreamTasksRequest {
        window: config.window,
    };
    let mut stream = client
        .stream_tasks(authed(open, &config.token))
        .await?
        .into_inner();
    say("connected", json!({}));
    while let Some(task) = stream.message().await? {
        handle(config, &mut client, task).await?;
    }
    Ok(())
}

/// One step offered on the stream: acknowledge it, then do it. A step someone else took in the
/// meantime, or that ended, is skipped.
async fn handle(config: &Config, client: &mut Client, task: SectorTask) -> anyhow::Result<()> {
    say(
        "received",
        json!({"task_id": task.id, "dossier_code": task.dossier_code, "offer": task.offer,
               "agency": task.agency, "sector": task.sector, "name": task.name}),
    );
    let ack = AckTaskRequest {
        task_id: task.id.clone(),
    };
    match client.ack_task(authed(ack, &config.token)).await {
        Ok(_) => {}
        Err(s) if matches!(s.code(), Code::FailedPrecondition | Code::PermissionDenied) => {
            say(
                "skipped",
                json!({"task_id": task.id, "reason": s.message()}),
            );
            return Ok(());
        }
        Err(s) => return Err(s.into()),
    }
    say(
        "acknowledged",
        json!({"task_id": task.id, "dossier_code": task.dossier_code}),
    );
    work(config, client, &task.id, &task.dossier_code).await
}

/// The work of an acknowledged step: read the dossier and its files, then finish it.
async fn work(config: &Config, client: &mut Client, id: &str, code: &str) -> anyhow::Result<()> {
    let get = GetDossierRequest {
        code: code.to_string(),
    };
    let dossier = client
        .get_dossier(authed(get, &config.token))
        .await?
        .into_inner();
    for file in dossier.components.iter().flat_map(|c| &c.files) {
        let size = download(config, client, code, &file.id, &file.sha256).await?;
        say(
            "file_checked",
            json!({"dossier_code": code, "file_id": file.id, "size": size}),
        );
    }
    tokio::time::sleep(Duration::from_millis(config.delay_ms)).await;
    let role = config.role;
    let complete = CompleteTaskRequest {
        task_id: id.to_string(),
        request_id: id.to_string(),
        outcome: "done".into(),
        note: role.note().into(),
        documents_json: role.documents(id).to_string(),
        ..Default::default()
    };
    match client.complete_task(authed(complete, &config.token)).await {
        Ok(done) => {
            let t = done.into_inner();
            say(
                "completed",
                json!({"task_id": t.id, "dossier_code": t.dossier_code, "role": role.as_str(),
                       "state": t.state, "via": "stream"}),
            );
            Ok(())
        }
        Err(s) if s.code() == Code::FailedPrecondition => {
            say("skipped", json!({"task_id": id, "reason": s.message()}));
            Ok(())
        }
        Err(s) => Err(s.into()),
    }
}

/// Downloads a file with `GetFile`, joins the chunks in order and checks the SHA-256; answers
/// its length.
async fn download(
    config: &Config,
    client: &mut Client,
    code: &str,
    file_id: &str,
    sha256: &str,
) -> anyhow::Result<usize> {
    let req = GetFileRequest {
        dossier_code: code.into(),
        file_id: file_id.into(),
    };
    let mut chunks = client
        .get_file(authed(req, &config.token))
        .await?
        .into_inner();
    let mut content = Vec::new();
    while let Some(chunk) = chunks.message().await? {
        if chunk.offset != content.len() as u64 {
            bail!(
                "file {file_id} of {code}: chunk at {} after {} bytes",
                chunk.offset,
                content.len()
            );
        }
        content.extend_from_slice(&chunk.data);
    }
    let digest = hex(&Sha256::digest(&content));
    if digest != sha256 {
        bail!("file {file_id} of {code}: SHA-256 {digest} is not the listed {sha256}");
    }
    Ok(content.len())
}

/// A request with the account's bearer token.
fn authed<T>(msg: T, token: &str) -> Request<T> {
    let mut req = Request::new(msg);
    if let Ok(v) = format!("Bearer {token}").parse() {
        req.metadata_mut().insert("authorization", v);
    }
    req
}
