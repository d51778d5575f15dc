//! The sector connector's gRPC face (`motcua.connector.v1.SectorConnector`, kết nối hệ thống
//! chuyên ngành): a sector system's account receives its steps on a resumable stream,
//! acknowledges (and so claims) them, finishes them by the REST rules (`tasks::finish`), and
//! reads the dossier and its files of a step it has, through intake. The rules are in
//! `domain::connector` and `domain::progress`; the SQL in `store::connector`. Every call is
//! recorded in the audit trail under the account.

use crate::domain::case::Task;
use crate::domain::connector::{self as rules, Offers, Scope};
use crate::domain::progress;
use crate::domain::update::CaseUpdate;
use crate::state::{AppState, task_not_found};
use crate::store;
use crate::tasks::{self, CompleteBody, Outcome, ReturnItem};
use axum::http::StatusCode;
use base64::Engine;
use motcua_audit::{Actor, AuditEntry};
use motcua_auth::{Caller, Role, require_grpc};
use motcua_idempotency::{Answer, IdempotencyKey};
use motcua_problem::{FieldError, Problem, codes};
use motcua_proto::connector::v1 as pb;
use motcua_proto::connector::v1::sector_connector_server::SectorConnector;
use motcua_proto::intake::v1 as intake;
use motcua_proto::timestamp::to_proto;
use prost::Message;
use serde_json::json;
use std::pin::Pin;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status};
use uuid::Uuid;

/// The path `CompleteTask`'s request ids are scoped to (with the account).
const COMPLETE_PATH: &str = "/motcua.connector.v1.SectorConnector/CompleteTask";

/// The connector, served with workflow's state.
#[derive(Clone)]
pub(crate) struct Connector(pub(crate) AppState);

/// A step as the connector sends it; `offer` its position in the account's stream (0: never
/// offered on a stream).
fn sector_task(t: &Task, procedure_code: &str, offer: i64) -> pb::SectorTask {
    pb::SectorTask {
        id: t.id.to_string(),
        dossier_code: t.dossier_code.clone(),
        procedure_code: procedure_code.to_string(),
        name: t.name.clone(),
        agency: t.agency.clone(),
        sector: t.sector.clone().unwrap_or_default(),
        block: u32::try_from(t.block).unwrap_or(0),
        state: t.state.as_str().to_string(),
        claimed_by: t.claimed_by.clone().unwrap_or_default(),
        opened_at: t.opened_at.map(to_proto),
        due_at: t.due_at.map(to_proto),
        budget_minutes: t.budget.as_minutes(),
        offer: u64::try_from(offer).unwrap_or(0),
    }
}

fn invalid(field: &str, message: &str) -> FieldError {
    FieldError::new(field, &codes::INVALID_VALUE, message)
}

/// `422 invalid_argument` with every field at fault at once.
fn invalid_argument(errors: Vec<FieldError>) -> Problem {
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    Problem::new(
        &codes::INVALID_ARGUMENT,
        format!("invalid {}", fields.join(", ")),
    )
    .with_errors(errors)
}

/// A step id as sent: required, a UUID.
fn task_id(raw: &str) -> Result<Uuid, FieldError> {
    match raw {
        "" => Err(FieldError::new("task_id", &codes::REQUIRED, "required")),
        raw => Uuid::parse_str(raw).map_err(|_| invalid("task_id", "a step id (UUID)")),
    }
}

/// A completion as sent, parsed once: the step, the REST completion it means, and the key its
/// retries share (scoped to the account, fingerprinted by everything the completion says).
fn parse_completion(
    caller: &Caller,
    r: &pb::CompleteTaskRequest,
) -> Result<(Uuid, CompleteBody, IdempotencyKey), Problem> {
    let mut errors = Vec::new();
    let id = task_id(&r.task_id).map_err(|e| errors.push(e)).ok();
    let outcome = match r.outcome.as_str() {
        "done" => Some(Outcome::Done),
        "return_for_supplement" => Some(Outcome::ReturnForSupplement),
        "refuse" => Some(Outcome::Refuse),
        "" => {
            errors.push(FieldError::new("outcome", &codes::REQUIRED, "required"));
            None
        }
        _ => {
            errors.push(invalid("outcome", "done, return_for_supplement or refuse"));
            None
        }
    };
    let documents = match r.documents_json.trim() {
        "" => Some(Vec::new()),
        text => serde_json::from_str::<Vec<serde_json::Value>>(text)
            .map_err(|_| errors.push(invalid("documents_json", "a JSON array")))
            .ok(),
    };
    let items: Vec<ReturnItem> = r
        .items
        .iter()
        .map(|i| ReturnItem {
            component_code: i.component_code.clone(),
            reason: i.reason.clone(),
            defect: (!i.defect.is_empty()).then(|| i.defect.clone()),
        })
        .collect();
    let fingerprint = json!({
        "task_id": r.task_id, "outcome": r.outcome, "note": r.note, "documents": documents,
        "items": r.items.iter().map(|i| [&i.component_code, &i.reason, &i.defect]).collect::<Vec<_>>(),
        "reasons": r.reasons,
    });
    let key = match r.request_id.as_str() {
        "" => {
            errors.push(FieldError::new("request_id", &codes::REQUIRED, "required"));
            None
        }
        raw => IdempotencyKey::new(
            &caller.sub,
            raw,
            COMPLETE_PATH,
            fingerprint.to_string().as_bytes(),
        )
        .or_else(|| {
            errors.push(invalid("request_id", "1-200 printable ASCII characters"));
            None
        }),
    };
    match (id, outcome, documents, key) {
        (Some(id), Some(outcome), Some(documents), Some(key)) if errors.is_empty() => {
            let note = (!r.note.is_empty()).then(|| r.note.clone());
            let reasons = r.reasons.clone();
            let body = CompleteBody {
                outcome,
                note,
                documents,
                items,
                reasons,
            };
            Ok((id, body, key))
        }
        _ => Err(invalid_argument(errors)),
    }
}

/// The idempotency crate's problems about the key, naming the gRPC field instead of the header.
fn about_request_id(mut p: Problem) -> Problem {
    for e in &mut p.errors {
        if e.field == "Idempotency-Key" {
            e.field = "request_id".into();
        }
    }
    p
}

/// The answer stored under a request id: the encoded step, in base64.
fn stored(t: &pb::SectorTask) -> serde_json::Value {
    json!({"sector_task": base64::engine::general_purpose::STANDARD.encode(t.encode_to_vec())})
}

/// The step an earlier use of the request id answered.
fn replayed(a: &Answer) -> Result<pb::SectorTask, Problem> {
    let bytes = a.body["sector_task"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    bytes
        .and_then(|b| pb::SectorTask::decode(b.as_slice()).ok())
        .ok_or_else(|| {
            tracing::error!("stored CompleteTask answer unreadable");
            Problem::internal()
        })
}

/// Appends one audit entry in its own transaction (a read changes nothing else).
async fn record(s: &AppState, entry: AuditEntry) -> Result<(), Problem> {
    let mut tx = s.pool.begin().await?;
    motcua_audit::append(&mut tx, &[entry]).await?;
    tx.commit().await?;
    Ok(())
}

/// The step `id` as it is now, with its position in the account's stream.
async fn answer(s: &AppState, account: &str, id: Uuid) -> Result<pb::SectorTask, Problem> {
    let (case, t) = tasks::current(s, id).await?;
    let offer = store::connector::position(&mut *s.pool.acquire().await?, account, id).await?;
    Ok(sector_task(&t, &case.procedure_code, offer.unwrap_or(0)))
}

/// Records `caller`'s acknowledgement of step `id` (once; again answers the same) and, the
/// first time, claims the step for the account as REST claim does.
async fn ack(s: &AppState, caller: &Caller, id: Uuid) -> Result<pb::SectorTask, Problem> {
    let (case, _) = s.load_by_task(id).await?;
    let (mut tx, case, tasks) = s.lock(case.id).await?;
    let t = tasks
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| task_not_found(id))?;
    progress::at_callers_agency(t, caller)?;
    let now = s.now();
    let claim = match store::connector::acked(&mut tx, &caller.sub, id).await? {
        true => None,
        false => progress::claim(t, caller, now)?,
    };
    store::connector::ack(&mut tx, &caller.sub, id, now).await?;
    let entry = rules::acked_entry(caller, t, now);
    match claim {
        Some(update) => {
            let mut u = CaseUpdate::new(&case, &tasks, Actor::of(caller), "task.claimed");
            u.tasks.push(update);
            s.write_with(tx, &u, &[entry]).await?;
        }
        None => {
            motcua_audit::append(&mut tx, &[entry]).await?;
            tx.commit().await?;
            s.tasks_wake.notify_waiters();
        }
    }
    answer(s, &caller.sub, id).await
}

/// Finishes a step for `caller` as REST does, once per request id.
async fn complete(
    s: &AppState,
    caller: &Caller,
    r: &pb::CompleteTaskRequest,
) -> Result<pb::SectorTask, Problem> {
    let (id, completion, key) = parse_completion(caller, r)?;
    if let Some(earlier) = key.precheck(&s.pool).await.map_err(about_request_id)? {
        return replayed(&earlier);
    }
    let (case, t) = tasks::finish(s, caller, id, &completion).await?;
    let offer = store::connector::position(&mut *s.pool.acquire().await?, &caller.sub, id).await?;
    let done = sector_task(&t, &case.procedure_code, offer.unwrap_or(0));
    let mut tx = s.pool.begin().await?;
    // A twin that raced here first stored its answer: it is this call's answer too.
    if let Some(earlier) = key.claim(&mut tx).await.map_err(about_request_id)? {
        return replayed(&earlier);
    }
    key.complete(&mut tx, &Answer::new(StatusCode::OK, stored(&done)))
        .await?;
    tx.commit().await?;
    Ok(done)
}

/// `Ok` when `caller` has a step of dossier `code` that reached it; else the answer of an
/// unknown code.
async fn readable(s: &AppState, caller: &Caller, code: &str) -> Result<(), Problem> {
    let unknown = || Problem::new(&codes::DOSSIER_NOT_FOUND, format!("no dossier {code}"));
    if code.is_empty() {
        return Err(Problem::required("code"));
    }
    let tasks = match s.load(code).await {
        Ok((_, tasks)) => tasks,
        Err(p) if p.code == codes::CASE_NOT_FOUND.code => return Err(unknown()),
        Err(p) => return Err(p),
    };
    match rules::may_read(caller, &tasks) {
        true => Ok(()),
        false => Err(unknown()),
    }
}

/// The steps of one stream, sent until the client leaves or the service stops: what is
/// offerable now, then again after each commit that may have opened steps (or each poll, for
/// steps another replica opened).
async fn feed(
    s: AppState,
    caller: Caller,
    scope: Scope,
    window: usize,
    out: mpsc::Sender<Result<pb::SectorTask, Status>>,
) {
    let mut offers = Offers::default();
    let (wake, shutdown) = (s.tasks_wake.clone(), s.platform.shutdown.clone());
    loop {
        // Listening before reading: a commit between the read and the wait is not missed.
        let woken = wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        match send_next(&s, &caller, &scope, window, &mut offers, &out).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(p) => {
                tracing::warn!(account = %scope.account, code = p.code, "task stream ended");
                let _ = out.send(Err(p.into())).await;
                return;
            }
        }
        tokio::select! {
            _ = &mut woken => {}
            _ = tokio::time::sleep(s.platform.settings.worker_poll) => {}
            _ = shutdown.cancelled() => return,
            _ = out.closed() => return,
        }
    }
}

/// Sends what the window has room for; `false` when the client is gone (or the service stops).
async fn send_next(
    s: &AppState,
    caller: &Caller,
    scope: &Scope,
    window: usize,
    offers: &mut Offers,
    out: &mpsc::Sender<Result<pb::SectorTask, Status>>,
) -> Result<bool, Problem> {
    let mut conn = s.pool.acquire().await?;
    offers.settle(&store::connector::settle(&mut conn, scope, &offers.sent()).await?);
    let room = offers.room(window);
    if room == 0 {
        return Ok(true);
    }
    let limit = i64::try_from(room).unwrap_or(i64::MAX);
    let found = store::connector::next(&mut conn, scope, &offers.sent(), limit).await?;
    let candidates: Vec<Task> = found
        .iter()
        .map(|o| o.task.clone())
        .filter(|t| rules::offerable(t, caller))
        .collect();
    let chosen = offers.take(candidates, window);
    let ids: Vec<Uuid> = chosen.iter().map(|t| t.id).collect();
    let positions = store::connector::offer(&mut conn, &scope.account, &ids, s.now()).await?;
    drop(conn);
    for (t, offer) in chosen.iter().zip(positions) {
        let procedure = found
            .iter()
            .find(|o| o.task.id == t.id)
            .map(|o| o.procedure_code.as_str())
            .unwrap_or_default();
        let sent = tokio::select! {
            r = out.send(Ok(sector_task(t, procedure, offer))) => r.is_ok(),
            // A client that stopped reading does not hold the shutdown back.
            _ = s.platform.shutdown.cancelled() => false,
        };
        if !sent {
            return Ok(false);
        }
    }
    Ok(true)
}

#[tonic::async_trait]
impl SectorConnector for Connector {
    type StreamTasksStream = ReceiverStream<Result<pb::SectorTask, Status>>;
    type GetFileStream = Pin<Box<dyn Stream<Item = Result<pb::FileChunk, Status>> + Send>>;

    async fn stream_tasks(
        &self,
        req: Request<pb::StreamTasksRequest>,
    ) -> Result<Response<Self::StreamTasksStream>, Status> {
        let caller = require_grpc(&req, &[Role::SectorSystem])?.clone();
        let scope = Scope::of(&caller)?;
        let window = rules::window(req.get_ref().window)?;
        let after = json!({"window": window, "sector": scope.sector});
        let entry = rules::read_entry(
            &caller,
            "connector.stream_opened",
            &scope.agency,
            after,
            self.0.now(),
        );
        record(&self.0, entry).await?;
        let (tx, rx) = mpsc::channel(window);
        tokio::spawn(feed(self.0.clone(), caller, scope, window, tx));
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn ack_task(
        &self,
        req: Request<pb::AckTaskRequest>,
    ) -> Result<Response<pb::SectorTask>, Status> {
        let caller = require_grpc(&req, &[Role::SectorSystem])?;
        let id = task_id(&req.get_ref().task_id).map_err(|e| invalid_argument(vec![e]))?;
        Ok(Response::new(ack(&self.0, caller, id).await?))
    }

    async fn complete_task(
        &self,
        req: Request<pb::CompleteTaskRequest>,
    ) -> Result<Response<pb::SectorTask>, Status> {
        let caller = require_grpc(&req, &[Role::SectorSystem])?;
        Ok(Response::new(
            complete(&self.0, caller, req.get_ref()).await?,
        ))
    }

    async fn get_dossier(
        &self,
        req: Request<pb::GetDossierRequest>,
    ) -> Result<Response<pb::Dossier>, Status> {
        let caller = require_grpc(&req, &[Role::SectorSystem])?;
        let code = req.get_ref().code.clone();
        readable(&self.0, caller, &code).await?;
        let asked = intake::GetDossierRequest { code: code.clone() };
        let d = self.0.intake.clone().get_dossier_contents(asked).await;
        let d = d.map_err(|e| Problem::from_status(&e))?.into_inner();
        let after = json!({"components": d.components.len()});
        let entry = rules::read_entry(caller, "connector.dossier_read", &code, after, self.0.now());
        record(&self.0, entry).await?;
        Ok(Response::new(d))
    }

    async fn get_file(
        &self,
        req: Request<pb::GetFileRequest>,
    ) -> Result<Response<Self::GetFileStream>, Status> {
        let caller = require_grpc(&req, &[Role::SectorSystem])?;
        let r = req.get_ref().clone();
        for (field, value) in [("dossier_code", &r.dossier_code), ("file_id", &r.file_id)] {
            if value.is_empty() {
                return Err(Problem::required(field).into());
            }
        }
        readable(&self.0, caller, &r.dossier_code).await?;
        let chunks = self.0.intake.clone().get_file(r.clone()).await;
        let chunks = chunks.map_err(|e| Problem::from_status(&e))?.into_inner();
        let after = json!({"file_id": r.file_id});
        let entry = rules::read_entry(
            caller,
            "connector.file_read",
            &r.dossier_code,
            after,
            self.0.now(),
        );
        record(&self.0, entry).await?;
        let relayed = chunks.map(|c| c.map_err(|e| Status::from(Problem::from_status(&e))));
        Ok(Response::new(Box::pin(relayed)))
    }
}

#[cfg(test)]
#[path = "connector_tests.rs"]
mod tests;
