//! The relay: delivers pending outbox rows to their destinations, at least once.

use crate::Deliver;
use crate::claim::{self, Pending};
use crate::pacing::{self, Burst, Yielding};
use motcua_proto::common::v1::event_receiver_client::EventReceiverClient;
use motcua_telemetry::{propagation, request_id};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

/// No call of a round starts later than this after its claim, so with call deadlines under
/// `claim::LEASE_SECONDS - ROUND_SECONDS` (gRPC 5 s, the national portal 10 s by default) every call
/// ends while the lease holds; what was not tried by then is given back.
const ROUND_SECONDS: u64 = 15;

/// Most events in one `DeliverEvents` call: a call is bounded by the gRPC deadline, so a
/// backlog goes in several.
const CALL_EVENTS: usize = 64;

/// Where one destination's events go.
#[derive(Clone, Debug)]
pub struct RelayDestination {
    /// Destination name as recorded in `outbox_delivery.destination`.
    pub name: &'static str,
    /// How an event gets there.
    pub client: Arc<dyn Deliver>,
    /// Attempts before a delivery becomes a dead letter; `None`: retried until it succeeds.
    pub max_attempts: Option<u32>,
}

impl RelayDestination {
    /// `name`, reached through `client`, a dead letter after `max_attempts` (`None`: never).
    pub fn new<D: Deliver + 'static>(
        name: &'static str,
        client: D,
        max_attempts: Option<u32>,
    ) -> Self {
        Self {
            name,
            client: Arc::new(client),
            max_attempts,
        }
    }
}

/// Delivers the outbox of one producing service.
#[derive(Clone, Debug)]
pub struct Relay {
    pool: PgPool,
    source: &'static str,
    destinations: Arc<HashMap<&'static str, RelayDestination>>,
    wake: Arc<Notify>,
    poll: Duration,
    batch: i64,
    /// Subjects delivered at once.
    parallel: usize,
    /// The producer's own bursts, yielded to for at most the duration (see [`crate::pacing`]).
    yield_to: Option<(Arc<Burst>, Duration)>,
}

impl Relay {
    /// A relay for `source`'s outbox in `pool`, polling every `poll` when not woken.
    pub fn new(
        pool: PgPool,
        source: &'static str,
        destinations: Vec<RelayDestination>,
        poll: Duration,
    ) -> Self {
        Self {
            pool,
            source,
            destinations: Arc::new(destinations.into_iter().map(|d| (d.name, d)).collect()),
            wake: Arc::new(Notify::new()),
            poll,
            batch: 200,
            parallel: 32,
            yield_to: None,
        }
    }

    /// Holds deliveries back while `burst` is on, for at most `limit` in a row (zero: never).
    pub fn yielding_to(mut self, burst: Arc<Burst>, limit: Duration) -> Self {
        self.yield_to = Some((burst, limit));
        self
    }

    /// A relay delivering `source`'s events to other motcua services, each reached at its
    /// configured gRPC endpoint with the platform's service token and deadline. Destination
    /// names are the services' names. A delivery the receiver keeps refusing (a poison event)
    /// becomes a dead letter after `MOTCUA_OUTBOX_MAX_ATTEMPTS` and stops holding back its
    /// subject.
    pub fn to_services(
        pool: PgPool,
        source: motcua_config::ServiceName,
        destinations: &[motcua_config::ServiceName],
        platform: &motcua_server::Platform,
    ) -> anyhow::Result<Self> {
        let settings = &platform.settings;
        let mut out = Vec::with_capacity(destinations.len());
        for d in destinations {
            let channel = motcua_server::connect_peer(
                settings.peers.of(*d),
                source,
                platform.service_keys.clone(),
                settings.grpc_timeout,
            )?;
            out.push(RelayDestination::new(
                d.as_str(),
                EventReceiverClient::new(channel),
                Some(settings.outbox_max_attempts),
            ));
        }
        Ok(Self::new(pool, source.as_str(), out, settings.outbox_poll))
    }

    /// A handle the producer pokes after committing an event, so delivery starts at once.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Runs until `shutdown` is cancelled; a batch in progress is finished first.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut yielding = Yielding::new(self.yield_to.as_ref().map_or(Duration::ZERO, |y| y.1));
        let burst_on = || self.yield_to.as_ref().is_some_and(|(burst, _)| burst.on());
        loop {
            if yielding.hold(burst_on()) {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(pacing::TICK) => continue,
                }
            }
            let round = std::time::Instant::now();
            let delivered = match self.deliver_batch().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(source = self.source, error = %e, "outbox relay batch failed");
                    0
                }
            };
            yielding.delivered(delivered, usize::try_from(self.batch).unwrap_or(usize::MAX));
            let rest = yielding.rest_after(burst_on(), round.elapsed());
            if !rest.is_zero() {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(rest) => {}
                }
            }
            if shutdown.is_cancelled() {
                return;
            }
            if delivered as i64 >= self.batch {
                continue;
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
    }

    /// Claims up to one batch of due deliveries to this relay's own destinations and attempts
    /// each once. Returns how many rows were attempted. A relay claims only what it can
    /// deliver, so a slow destination outside motcua gets a relay of its own and never holds
    /// back the events between motcua's services. A destination that takes batches (another
    /// motcua service) gets its due events in up to [`LANES`] concurrent calls, each for its
    /// own subjects; the others one call per event, subjects concurrently.
    ///
    /// No transaction stays open while a destination is called: the claim leases the rows for
    /// [`crate::claim::LEASE_SECONDS`] (another replica skips them meanwhile, and takes them up again if this
    /// one dies), and the outcomes are written afterwards.
    pub async fn deliver_batch(&self) -> Result<usize, sqlx::Error> {
        let pending = claim::due(
            &self.pool,
            self.source,
            self.destinations.keys().copied(),
            self.batch,
        )
        .await?;
        let n = pending.len();
        // No call starts after this: every call ends (its own deadline) before the lease does,
        // so no other replica can take a row while this round may still deliver it.
        let until = tokio::time::Instant::now() + Duration::from_secs(ROUND_SECONDS);
        let mut batched: std::collections::BTreeMap<String, Vec<Pending>> = Default::default();
        let mut singly = Vec::new();
        for p in pending {
            match self.destinations.get(p.destination.as_str()) {
                Some(d) if d.client.batches() => {
                    batched.entry(p.destination.clone()).or_default().push(p)
                }
                _ => singly.push(p),
            }
        }
        let mut running = tokio::task::JoinSet::new();
        for (destination, group) in batched {
            for lane in lanes(group) {
                let (relay, destination) = (self.clone(), destination.clone());
                running
                    .spawn(async move { relay.deliver_together(&destination, lane, until).await });
            }
        }
        let relay = self.clone();
        running.spawn(async move { relay.deliver_singly(singly, until).await });
        let (mut delivered, mut untried, mut failed) =
            (Vec::with_capacity(n), Vec::new(), Vec::new());
        while let Some(done) = running.join_next().await {
            let Ok(outcomes) = done else { continue };
            for (p, outcome) in outcomes {
                match outcome {
                    Some(Ok(())) => delivered.push((p.event_id, p.destination)),
                    Some(Err(e)) => failed.push((p, e)),
                    None => untried.push((p.event_id, p.destination)),
                }
            }
        }
        mark(&self.pool, &delivered, Mark::Delivered).await?;
        mark(&self.pool, &untried, Mark::Released).await?;
        if !failed.is_empty() {
            let mut tx = self.pool.begin().await?;
            for (p, e) in failed {
                self.record_failure(&mut tx, &p, e).await?;
            }
            tx.commit().await?;
        }
        Ok(n)
    }

    /// `destination`'s due events in calls of at most [`CALL_EVENTS`] (each bounded by the
    /// call deadline), in order. `None`: not tried (held back behind an earlier event of its
    /// subject that was not taken, in this call or an earlier one, or the round's time is up).
    /// A call that fails as a whole (the receiver down, its deadline passed, an older receiver
    /// without `DeliverEvents`) is tried again one event per call, so only the events that
    /// really fail are charged an attempt.
    async fn deliver_together(
        &self,
        destination: &str,
        pending: Vec<Pending>,
        until: tokio::time::Instant,
    ) -> Vec<(Pending, Option<Result<(), String>>)> {
        let Some(d) = self.destinations.get(destination) else {
            return Vec::new();
        };
        let mut blocked = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(pending.len());
        let mut pending = pending.into_iter().peekable();
        while pending.peek().is_some() {
            let mut call = Vec::with_capacity(CALL_EVENTS);
            while call.len() < CALL_EVENTS
                && let Some(p) = pending.next()
            {
                match blocked.contains(&p.event.subject) || tokio::time::Instant::now() >= until {
                    true => out.push((p, None)),
                    false => call.push(p),
                }
            }
            if call.is_empty() {
                continue;
            }
            let span =
                tracing::info_span!("outbox.deliver_batch", destination, events = call.len());
            let events = call.iter().map(|p| p.event.clone()).collect();
            let outcomes: Vec<Option<Result<(), String>>> = match d
                .client
                .deliver_all(events)
                .instrument(span)
                .await
            {
                Ok(outcomes) if outcomes.len() == call.len() => outcomes
                    .into_iter()
                    .map(|o| match (o.taken, o.error.is_empty()) {
                        (true, _) => Some(Ok(())),
                        (false, false) => Some(Err(o.error)),
                        (false, true) => None,
                    })
                    .collect(),
                failed => {
                    let why = failed
                        .err()
                        .unwrap_or_else(|| "outcomes do not match the events".into());
                    tracing::warn!(destination, events = call.len(), error = %why, "batch call failed; delivering one event per call");
                    let mut one_by_one = Vec::with_capacity(call.len());
                    for p in &call {
                        one_by_one.push(match tokio::time::Instant::now() >= until {
                            true => None,
                            false => Some(self.deliver_one(p).await),
                        });
                    }
                    one_by_one
                }
            };
            for (p, outcome) in call.into_iter().zip(outcomes) {
                if !matches!(outcome, Some(Ok(()))) {
                    blocked.insert(p.event.subject.clone());
                }
                out.push((p, outcome));
            }
        }
        out
    }

    /// One call per event; subjects concurrently, each subject's events in order, stopping at
    /// its first failure.
    async fn deliver_singly(
        &self,
        pending: Vec<Pending>,
        until: tokio::time::Instant,
    ) -> Vec<(Pending, Option<Result<(), String>>)> {
        let mut groups: std::collections::BTreeMap<(String, String), Vec<Pending>> =
            Default::default();
        for p in pending {
            groups
                .entry((p.destination.clone(), p.event.subject.clone()))
                .or_default()
                .push(p);
        }
        let permits = Arc::new(tokio::sync::Semaphore::new(self.parallel));
        let mut running = tokio::task::JoinSet::new();
        for (_, group) in groups {
            let (relay, permits) = (self.clone(), permits.clone());
            running.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let mut outcomes = Vec::with_capacity(group.len());
                let mut stop = false;
                for p in group {
                    if stop || tokio::time::Instant::now() >= until {
                        // After a failure later events of this subject wait for it; after the
                        // round's time, the lease is given back.
                        outcomes.push((p, None));
                        continue;
                    }
                    let outcome = relay.deliver_one(&p).await;
                    stop = outcome.is_err();
                    outcomes.push((p, Some(outcome)));
                }
                outcomes
            });
        }
        let mut all = Vec::new();
        while let Some(done) = running.join_next().await {
            if let Ok(mut outcomes) = done {
                all.append(&mut outcomes);
            }
        }
        all
    }

    /// Records a failed attempt: retried after a backoff, or a dead letter when it was the
    /// destination's last allowed one.
    async fn record_failure(
        &self,
        tx: &mut sqlx::PgConnection,
        p: &Pending,
        err: String,
    ) -> Result<(), sqlx::Error> {
        match err {
            err if self.spent(p) => {
                tracing::error!(
                    event_id = %p.event_id, destination = %p.destination, attempts = p.attempts + 1,
                    error = %err, "event delivery failed for the last time: dead letter"
                );
                sqlx::query(
                    "UPDATE outbox_delivery SET attempts = attempts + 1, last_error = $3, dead_at = now()
                      WHERE event_id = $1 AND destination = $2 AND delivered_at IS NULL",
                )
                .bind(p.event_id)
                .bind(&p.destination)
                .bind(err)
                .execute(&mut *tx)
                .await?;
            }
            err => {
                let backoff = backoff_seconds(p.attempts);
                tracing::warn!(
                    event_id = %p.event_id, destination = %p.destination, attempts = p.attempts + 1,
                    retry_in_s = backoff, error = %err, "event delivery failed; will retry"
                );
                sqlx::query(
                    "UPDATE outbox_delivery
                        SET attempts = attempts + 1, last_error = $3,
                            next_attempt_at = now() + make_interval(secs => $4)
                      WHERE event_id = $1 AND destination = $2 AND delivered_at IS NULL",
                )
                .bind(p.event_id)
                .bind(&p.destination)
                .bind(err)
                .bind(backoff as f64)
                .execute(&mut *tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Whether this failed attempt was the destination's last allowed one.
    fn spent(&self, p: &Pending) -> bool {
        self.destinations
            .get(p.destination.as_str())
            .and_then(|d| d.max_attempts)
            .is_some_and(|max| i64::from(p.attempts) + 1 >= i64::from(max))
    }

    async fn deliver_one(&self, p: &Pending) -> Result<(), String> {
        let Some(destination) = self.destinations.get(p.destination.as_str()) else {
            return Err(format!(
                "no client configured for destination {}",
                p.destination
            ));
        };
        let client = destination.client.clone();
        let span = tracing::info_span!(
            "outbox.deliver",
            event_id = %p.event_id,
            event_type = %p.event.r#type,
            destination = %p.destination
        );
        if !p.event.traceparent.is_empty() {
            propagation::set_parent_from_traceparent(&span, &p.event.traceparent);
        }
        let event = p.event.clone();
        let call = async move { client.deliver(event).await }.instrument(span);
        match (!p.event.request_id.is_empty()).then(|| p.event.request_id.clone()) {
            Some(id) => request_id::scope(id, call).await,
            None => call.await,
        }
    }
}

/// Calls to one batching destination at once. The receiver applies each call's events in their
/// order and commits; concurrent calls let its commits share a flush of the WAL instead of
/// queuing behind each other (a backlog drained one commit at a time is bound by the disk's
/// flushes, not by anyone's CPU).
const LANES: usize = 4;

/// `group` split into up to [`LANES`] lanes by subject, each in the group's order: a subject's
/// events all go in one lane, so they still arrive in the order they were recorded.
fn lanes(group: Vec<Pending>) -> Vec<Vec<Pending>> {
    use std::hash::{Hash, Hasher};
    let mut lanes: Vec<Vec<Pending>> = (0..LANES).map(|_| Vec::new()).collect();
    for p in group {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        p.event.subject.hash(&mut h);
        let lane = usize::try_from(h.finish() % LANES as u64).unwrap_or(0);
        lanes[lane].push(p);
    }
    lanes.retain(|l| !l.is_empty());
    lanes
}

/// What a round writes about a delivery it did not fail.
enum Mark {
    /// Taken by the destination.
    Delivered,
    /// Not tried (held back behind its subject's earlier event): its lease is given back.
    Released,
}

/// Writes the outcome of a round's deliveries of one kind, in one statement.
async fn mark(pool: &PgPool, rows: &[(Uuid, String)], kind: Mark) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let (ids, names): (Vec<Uuid>, Vec<String>) = rows.iter().cloned().unzip();
    let set = match kind {
        Mark::Delivered => "delivered_at = now(), attempts = d.attempts + 1, last_error = NULL",
        Mark::Released => "next_attempt_at = now()",
    };
    // A row another relay delivered meanwhile keeps what that relay wrote.
    let only = match kind {
        Mark::Delivered => "",
        Mark::Released => "AND d.delivered_at IS NULL",
    };
    let sql = format!(
        "UPDATE outbox_delivery d SET {set}
           FROM unnest($1::uuid[], $2::text[]) AS t(event_id, destination)
          WHERE d.event_id = t.event_id AND d.destination = t.destination {only}"
    );
    // `set` and `only` are constant clauses chosen above.
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&ids)
        .bind(&names)
        .execute(pool)
        .await?;
    Ok(())
}

/// Retry delay after `attempts` failed attempts: 1 s, 2 s, 4 s … capped at 5 minutes.
pub fn backoff_seconds(attempts: i32) -> i64 {
    let exp = attempts.clamp(0, 16) as u32;
    (1i64 << exp).min(300)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(super::backoff_seconds(0), 1);
        assert_eq!(super::backoff_seconds(3), 8);
        assert_eq!(super::backoff_seconds(40), 300);
        assert_eq!(super::backoff_seconds(-2), 1);
    }
}
