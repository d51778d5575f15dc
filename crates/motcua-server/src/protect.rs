//! Server protection on REST (bảo vệ máy chủ): a service serves at most so many requests at
//! once (more are answered `503 overloaded` at once, with `Retry-After`, instead of queueing
//! until memory runs out), each request has a time budget (past it, `503 request_timeout`),
//! and a body over the route's limit is `413 body_too_large` as problem+json, whichever
//! extractor read it. Routes that take uploaded files get a larger body limit and a longer
//! budget ([`Uploads`]); every other route keeps the small defaults.
//!
//! The budget is set before routing's inner layers run and may be raised by them: a route's
//! own layer cannot run before the platform's, so [`Uploads`] raises the budget the platform
//! layer set, and that layer waits for the budget as it stands.

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use motcua_config::Protection;
use motcua_problem::{PROBLEM_JSON, Problem, body_too_large, codes};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// The time a request may take, in milliseconds; an upload route raises it.
#[derive(Clone, Debug)]
struct TimeBudget(Arc<AtomicU64>);

impl TimeBudget {
    fn new(limit: Duration) -> Self {
        Self(Arc::new(AtomicU64::new(millis(limit))))
    }

    fn get(&self) -> Duration {
        Duration::from_millis(self.0.load(Ordering::Relaxed))
    }

    fn raise(&self, limit: Duration) {
        self.0.fetch_max(millis(limit), Ordering::Relaxed);
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The platform's guard of one service's REST routes: its permits and the default budget.
#[derive(Clone, Debug)]
pub(crate) struct Guard {
    permits: Arc<Semaphore>,
    timeout: Duration,
}

impl Guard {
    /// A guard with the configured concurrency limit and request timeout.
    pub(crate) fn new(p: &Protection) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(p.max_concurrent_requests)),
            timeout: p.request_timeout,
        }
    }
}

/// The guard as a middleware (`axum::middleware::from_fn_with_state`).
pub(crate) async fn guard(State(g): State<Guard>, mut req: Request, next: Next) -> Response {
    let Ok(_permit) = g.permits.clone().try_acquire_owned() else {
        return Problem::new(
            &codes::OVERLOADED,
            "the service is serving as many requests as it may; retry shortly",
        )
        .retry_after(1)
        .into_response();
    };
    let budget = TimeBudget::new(g.timeout);
    req.extensions_mut().insert(budget.clone());
    let started = Instant::now();
    let run = next.run(req);
    tokio::pin!(run);
    let res = loop {
        tokio::select! {
            res = &mut run => break res,
            () = tokio::time::sleep_until(started + budget.get()) => {
                // The budget may have been raised while this timer ran: wait for the rest.
                if started.elapsed() >= budget.get() {
                    tracing::warn!(budget_ms = millis(budget.get()), "request stopped at its time limit");
                    return Problem::new(
                        &codes::REQUEST_TIMEOUT,
                        "the request took longer than the server allows and was stopped",
                    )
                    .into_response();
                }
            }
        }
    };
    problem_for_plain_413(res)
}

/// axum's own rejection of an over-long body (the `Bytes` and `String` extractors) is plain
/// text; the contract says every error is problem+json with a declared code.
fn problem_for_plain_413(res: Response) -> Response {
    let problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|c| c.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !problem {
        return body_too_large().into_response();
    }
    res
}

/// What a route that takes uploaded files (a submission, a supplement) may use beyond the
/// others: a larger body and a longer time budget (`MOTCUA_UPLOAD_BODY_LIMIT_BYTES`,
/// `MOTCUA_UPLOAD_TIMEOUT_MS`). Only such routes get it, so a large body cannot be sent
/// anywhere else.
#[derive(Clone, Copy, Debug)]
pub struct Uploads {
    body_limit: usize,
    timeout: Duration,
}

impl Uploads {
    /// The upload limits configured for this process.
    pub fn of(p: &Protection) -> Self {
        Self {
            body_limit: p.upload_body_limit,
            timeout: p.upload_timeout,
        }
    }

    /// `route` with the upload limits (the methods added to it after this call keep the
    /// defaults).
    pub fn route<S>(self, route: MethodRouter<S>) -> MethodRouter<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        route.layer(DefaultBodyLimit::max(self.body_limit)).layer(
            axum::middleware::from_fn_with_state(self.timeout, raise_budget),
        )
    }
}

async fn raise_budget(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    if let Some(budget) = req.extensions().get::<TimeBudget>() {
        budget.raise(limit);
    }
    next.run(req).await
}
