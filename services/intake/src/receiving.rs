//! Receiving dossiers by group commit (tiếp nhận theo lô): every accepted submission at one
//! agency goes to that agency's writer, which takes what arrived while its previous batch was
//! committing and writes it in one transaction — one bump of the day's sequence for the whole
//! batch, the dossiers in order, one commit — then answers each request from its own row. Codes
//! stay gap-free, consecutive and issued in the dossier's transaction; a `201` is sent only
//! after its commit; an idempotency key is claimed in the same transaction as its dossier.
//!
//! What changes is how often the sequence row is locked across an fsync'd commit: once per
//! batch instead of once per dossier. A batch that fails is written again one dossier at a
//! time, so one bad submission cannot fail the others. Two uses of one key in a batch: the
//! first is written, the second answered from it after the commit (a replay).

use crate::domain::dossier_code::CodeFormat;
use crate::domain::submission::Accepted;
use crate::store::{self, outreach::Outreach};
use axum::http::StatusCode;
use motcua_idempotency::{Answer, IdempotencyKey};
use motcua_problem::{Problem, codes};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{Notify, mpsc, oneshot};
use tracing::Instrument;

/// Most submissions written in one transaction.
const MAX_BATCH: usize = 256;

/// One accepted submission waiting for its writer, with the request's span and id: its rows
/// and its events are written under them, so each dossier stays in its own request's trace.
struct Job {
    accepted: Accepted,
    key: IdempotencyKey,
    reply: oneshot::Sender<Result<Answer, Problem>>,
    span: tracing::Span,
    request_id: Option<String>,
}

/// What every writer shares.
struct Writer {
    pool: PgPool,
    outreach: Outreach,
    code_format: CodeFormat,
    relay_wake: Arc<Notify>,
}

/// The writers, one per receiving agency (started on its first submission).
#[derive(Clone)]
pub(crate) struct Receiving {
    writer: Arc<Writer>,
    queues: Arc<Mutex<HashMap<String, mpsc::Sender<Job>>>>,
}

impl Receiving {
    /// Writers over `pool`, announcing through `relay_wake`.
    pub(crate) fn new(
        pool: PgPool,
        outreach: Outreach,
        code_format: CodeFormat,
        relay_wake: Arc<Notify>,
    ) -> Self {
        Self {
            writer: Arc::new(Writer {
                pool,
                outreach,
                code_format,
                relay_wake,
            }),
            queues: Arc::default(),
        }
    }

    /// Writes `accepted` (with its key claimed in the same transaction) and returns the answer
    /// once it is committed: the `201` with the receipt, or the stored answer of an earlier use
    /// of the key.
    pub(crate) async fn receive(
        &self,
        accepted: Accepted,
        key: IdempotencyKey,
    ) -> Result<Answer, Problem> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            accepted,
            key,
            reply,
            span: tracing::Span::current(),
            request_id: motcua_telemetry::request_id::current(),
        };
        self.queue(&job.accepted.agency.code)
            .send(job)
            .await
            .map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())?
    }

    fn queue(&self, agency: &str) -> mpsc::Sender<Job> {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(q) = queues.get(agency).filter(|q| !q.is_closed()) {
            return q.clone();
        }
        let (send, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(self.writer.clone(), jobs));
        queues.insert(agency.to_string(), send.clone());
        send
    }
}

fn unavailable() -> Problem {
    Problem::new(
        &codes::DATABASE_UNAVAILABLE,
        "the dossier writer stopped; retry with the same Idempotency-Key",
    )
}

/// One agency's writer: takes a first submission, then whatever else is already waiting.
async fn run(w: Arc<Writer>, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // A batch straddling midnight writes each day's part on that day's sequence.
        let mut by_day: Vec<Vec<Job>> = Vec::new();
        for job in batch {
            match by_day
                .iter_mut()
                .find(|g| g[0].accepted.day == job.accepted.day)
            {
                Some(group) => group.push(job),
                None => by_day.push(vec![job]),
            }
        }
        for group in by_day {
            write_group(&w, group).await;
        }
    }
}

/// Writes a group and answers it; the second use of a key in the group is answered from the
/// first's stored answer after the commit.
async fn write_group(w: &Writer, group: Vec<Job>) {
    let mut first_uses: Vec<Job> = Vec::with_capacity(group.len());
    let mut repeats: Vec<Job> = Vec::new();
    for job in group {
        if first_uses.iter().any(|f| f.key.same_key(&job.key)) {
            repeats.push(job);
        } else {
            first_uses.push(job);
        }
    }
    let n = first_uses.len();
    let (jobs, results) = match write(w, first_uses).await {
        (jobs, Ok(answers)) => (jobs, answers.into_iter().map(Ok).collect::<Vec<_>>()),
        (jobs, Err(e)) if n == 1 => (jobs, vec![Err(e)]),
        (jobs, Err(e)) => {
            tracing::warn!(batch = n, error = %e.detail, "batch failed; writing its dossiers one at a time");
            let mut results = Vec::with_capacity(n);
            let mut written = Vec::with_capacity(n);
            for job in jobs {
                let (mut one, r) = write(w, vec![job]).await;
                written.append(&mut one);
                results.push(r.map(|mut a| a.remove(0)));
            }
            (written, results)
        }
    };
    w.relay_wake.notify_one();
    for (job, result) in jobs.into_iter().zip(results) {
        let _ = job.reply.send(result);
    }
    for job in repeats {
        let answer = match job.key.precheck(&w.pool).await {
            Ok(Some(answer)) => Ok(answer),
            Ok(None) => Err(unavailable()),
            Err(p) => Err(p),
        };
        let _ = job.reply.send(answer);
    }
}

/// One transaction for `jobs` (one agency, one day, distinct keys): claims every key, takes
/// the sequence numbers of the claimed ones in one bump, inserts their dossiers in order, stores
/// their answers, commits. Returns the jobs back with one answer each, in order.
async fn write(w: &Writer, jobs: Vec<Job>) -> (Vec<Job>, Result<Vec<Answer>, Problem>) {
    let result = write_tx(w, &jobs).await;
    (jobs, result)
}

/// Where a batch's time goes, for `/metrics` (`motcua_intake_batch_phase_seconds{phase}`):
/// claiming the keys, writing the dossiers (the sequence row is locked from here), committing.
fn phase(name: &'static str, since: Instant) -> Instant {
    metrics::histogram!("motcua_intake_batch_phase_seconds", "phase" => name)
        .record(since.elapsed().as_secs_f64());
    Instant::now()
}

async fn write_tx(w: &Writer, jobs: &[Job]) -> Result<Vec<Answer>, Problem> {
    metrics::histogram!("motcua_intake_batch_size").record(jobs.len() as f64);
    let started = Instant::now();
    let mut tx = w.pool.begin().await?;
    let mut answers: Vec<Option<Answer>> = Vec::with_capacity(jobs.len());
    for job in jobs {
        answers.push(job.key.claim(&mut tx).await?);
    }
    let claimed = phase("claim", started);
    let fresh: Vec<usize> = (0..jobs.len()).filter(|i| answers[*i].is_none()).collect();
    if let Some(first) = fresh.first() {
        let a = &jobs[*first].accepted;
        let n = i32::try_from(fresh.len()).unwrap_or(i32::MAX);
        let start = store::sequence::take(&mut tx, &a.agency.code, a.day, n).await?;
        for (offset, i) in fresh.iter().enumerate() {
            let seq = start + i32::try_from(offset).unwrap_or(i32::MAX);
            let job = &jobs[*i];
            let issued = job.accepted.issue(&w.code_format, seq)?;
            let insert =
                store::dossiers::insert(&mut tx, &issued, &w.outreach).instrument(job.span.clone());
            match &job.request_id {
                Some(id) => motcua_telemetry::request_id::scope(id.clone(), insert).await?,
                None => insert.await?,
            }
            let answer = Answer::new(StatusCode::CREATED, issued.answer);
            job.key.complete(&mut tx, &answer).await?;
            answers[*i] = Some(answer);
        }
    }
    let written = phase("write", claimed);
    tx.commit().await?;
    phase("commit", written);
    Ok(answers.into_iter().flatten().collect())
}
