//! Reporting's shared state (trạng thái dùng chung): what its handlers, gRPC face and event
//! receiver all need, kept here so no module has to reach back into `lib.rs`.

use motcua_catalogue_client::Catalogue;
use motcua_server::{Platform, ReadinessDetail};
use sqlx::PgPool;

/// Shared state of reporting's handlers, gRPC face and event receiver.
/// One `Arc` over its [`Parts`] (a clone is a reference count).
pub(crate) type AppState = motcua_server::Shared<Parts>;

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
