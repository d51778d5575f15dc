//! Reporting's shared state (trạng thái dùng chung): what its handlers, gRPC face and event
//! receiver all need, kept here so no module has to reach back into `lib.rs`.

use motcua_catalogue_client::Catalogue;
use motcua_server::{Platform, ReadinessDetail};
use sqlx::PgPool;
use std::sync::Arc;

/// Shared state of reporting's handlers, gRPC face and event receiver.
/// A clone is one reference count: axum clones the state for every request and every layer
/// that holds it, so what it holds lives once, in [`Parts`].
#[derive(Clone)]
pub(crate) struct AppState(Arc<Parts>);

impl AppState {
    /// The state holding `parts`.
    pub(crate) fn new(parts: Parts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What the state holds.
pub(crate) struct Parts {
    /// Reporting's own schema (facts, flows, inbox).
    pub(crate) pool: PgPool,
    /// Settings, the token verifier, the clock and shutdown.
    pub(crate) platform: Platform,
    /// The catalogue: agencies' working calendars (timeliness, paused working time).
    pub(crate) catalogue: Catalogue,
    /// What `/readyz` shows: the event lag per source.
    pub(crate) readiness: ReadinessDetail,
}
