//! Receiving dossiers by group commit (tiếp nhận theo lô): every accepted submission goes to
//! the writer of its receiving agency (a fixed share of the agencies per writer), which takes
//! what arrived while its previous batch was committing and writes it in one transaction — one
//! bump of each agency's day sequence, one statement per table for all the dossiers, one
//! commit — then answers each request from its own row. Codes stay gap-free, consecutive and
//! issued in the dossier's transaction; a `201` is sent only after its commit; an idempotency
//! key is claimed in the same transaction as its dossier.
//!
//! What changes is how often the sequence row is locked across an fsync'd commit, and how many
//! statements a dossier costs: once per batch instead of once per dossier. A batch that fails
//! is written again one dossier at a time, so one bad submission cannot fail the others. Two
//! uses of one key in a batch: the first is written, the second answered from it after the
//! commit (a replay). A batch straddling midnight numbers each day's part on that day's
//! sequence.

use crate::domain::dossier_code::CodeFormat;
use crate::domain::submission::Accepted;
use crate::store::{self, outreach::Outreach, receipts::Receipt};
use axum::http::StatusCode;
use motcua_idempotency::{Answer, IdempotencyKey};
use motcua_outbox::{Origin, pacing::Burst};
use motcua_problem::{Problem, codes};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{Notify, mpsc, oneshot};
use tracing::Instrument;

/// Most submissions written in one transaction.
const MAX_BATCH: usize = 256;
/// Writers per process: each takes the agencies hashed to it, whatever their number, so
/// submissions spread over many agencies are still written many to a transaction, and two
/// commits can overlap.
const WRITERS: usize = 2;

/// One accepted submission waiting for its writer, with the request's span and id: its rows
/// and its events are written under them, so each dossier stays in its own request's trace.
struct Job {
    accepted: Accepted,
    key: IdempotencyKey,
    reply: oneshot::Sender<Result<Answer, Problem>>,
    span: tracing::Span,
    request_id: Option<String>,
    source: Option<String>,
}

/// What every writer shares.
struct Writer {
    pool: PgPool,
    outreach: Outreach,
    code_format: CodeFormat,
    relay_wake: Arc<Notify>,
    /// Told how many requests each batch took, so the relay yields while they queue up.
    burst: Arc<Burst>,
}

/// The writers, each for a fixed share of the receiving agencies (started on first use).
#[derive(Clone)]
pub(crate) struct Receiving {
    writer: Arc<Writer>,
    queues: Arc<Mutex<HashMap<usize, mpsc::Sender<Job>>>>,
}

impl Receiving {
    /// Writers over `pool`, announcing through `relay_wake` and reporting bursts to `burst`.
    pub(crate) fn new(
        pool: PgPool,
        outreach: Outreach,
        code_format: CodeFormat,
        relay_wake: Arc<Notify>,
        burst: Arc<Burst>,
    ) -> Self {
        Self {
            writer: Arc::new(Writer {
                pool,
                outreach,
                code_format,
                relay_wake,
                burst,
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
            source: motcua_telemetry::client_addr::current().map(|a| a.to_string()),
        };
        self.queue(&job.accepted.agency.code)
            .send(job)
            .await
            .map_err(|_| unavailable())?;
        answer.await.map_err(|_| unavailable())?
    }

    /// The queue of the writer that takes `agency`'s submissions (always the same one, so an
    /// agency's sequence row is only ever locked by one writer of this process).
    fn queue(&self, agency: &str) -> mpsc::Sender<Job> {
        let writer = agency.bytes().fold(0usize, |h, b| {
            h.wrapping_mul(31).wrapping_add(usize::from(b))
        }) % WRITERS;
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(q) = queues.get(&writer).filter(|q| !q.is_closed()) {
            return q.clone();
        }
        let (send, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(self.writer.clone(), jobs));
        queues.insert(writer, send.clone());
        send
    }
}

fn unavailable() -> Problem {
    Problem::new(
        &codes::DATABASE_UNAVAILABLE,
        "the dossier writer stopped; retry with the same Idempotency-Key",
    )
}

/// One writer: takes a first submission, then whatever else is already waiting.
async fn run(w: Arc<Writer>, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        write_group(&w, batch).await;
    }
}

/// Writes a group and answers it; the second use of a key in the group is answered from the
/// first's stored answer after the commit.
async fn write_group(w: &Writer, group: Vec<Job>) {
    w.burst.wrote(group.len());
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
/// their answers, commits — one statement per table for the whole batch. Returns the jobs back with one answer each, in order.
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
    let keys: Vec<&IdempotencyKey> = jobs.iter().map(|j| &j.key).collect();
    let mut answers = IdempotencyKey::claim_all(&keys, &mut tx).await?;
    let claimed = phase("claim", started);
    let fresh: Vec<usize> = (0..jobs.len()).filter(|i| answers[*i].is_none()).collect();
    if !fresh.is_empty() {
        // Each agency's day takes its numbers in one bump, all in one statement.
        let mut days: std::collections::BTreeMap<(&str, time::Date), Vec<usize>> =
            Default::default();
        for i in &fresh {
            let a = &jobs[*i].accepted;
            days.entry((a.agency.code.as_str(), a.day))
                .or_default()
                .push(*i);
        }
        let wanted: Vec<(&str, time::Date, i32)> = days
            .iter()
            .map(|((agency, day), group)| {
                (
                    *agency,
                    *day,
                    i32::try_from(group.len()).unwrap_or(i32::MAX),
                )
            })
            .collect();
        let starts = store::sequence::take_all(&mut tx, &wanted).await?;
        let mut seqs = HashMap::with_capacity(fresh.len());
        for (group, start) in days.values().zip(starts) {
            for (offset, i) in group.iter().enumerate() {
                seqs.insert(*i, start + i32::try_from(offset).unwrap_or(i32::MAX));
            }
        }
        let mut batch = Vec::with_capacity(fresh.len());
        for i in &fresh {
            let seq = seqs.get(i).copied().ok_or_else(Problem::internal)?;
            let job = &jobs[*i];
            let (trace_id, traceparent) = job.span.in_scope(|| {
                (
                    motcua_telemetry::propagation::current_trace_id(),
                    motcua_telemetry::propagation::current_traceparent(),
                )
            });
            batch.push(Receipt {
                issued: job.accepted.issue(&w.code_format, seq)?,
                origin: Origin {
                    traceparent,
                    request_id: job.request_id.clone(),
                },
                trace_id,
                source: job.source.clone(),
            });
        }
        store::receipts::insert_all(&mut tx, &batch).await?;
        // What the portal and the applicant are told, in each request's own trace.
        for (r, i) in batch.iter().zip(&fresh) {
            let job = &jobs[*i];
            let told = store::outreach::after_receipt(
                &mut tx,
                &w.outreach,
                &r.issued,
                r.issued.accepted.received_at,
            )
            .instrument(job.span.clone());
            match &job.request_id {
                Some(id) => motcua_telemetry::request_id::scope(id.clone(), told).await?,
                None => told.await?,
            }
        }
        // Last writes of the batch: the audit chain's head is held until the commit.
        store::receipts::audit_all(&mut tx, &batch).await?;
        let done: Vec<Answer> = batch
            .into_iter()
            .map(|r| Answer::new(StatusCode::CREATED, r.issued.answer))
            .collect();
        let pairs: Vec<(&IdempotencyKey, &Answer)> =
            fresh.iter().map(|i| &jobs[*i].key).zip(&done).collect();
        IdempotencyKey::complete_all(&pairs, &mut tx).await?;
        for (i, answer) in fresh.iter().zip(done) {
            answers[*i] = Some(answer);
        }
    }
    let written = phase("write", claimed);
    tx.commit().await?;
    phase("commit", written);
    Ok(answers.into_iter().flatten().collect())
}
