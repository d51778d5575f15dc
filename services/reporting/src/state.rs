//! Reporting's shared state (trạng thái dùng chung): what its handlers, gRPC face and event
//! receiver all need, kept here so no module has to reach back into `lib.rs`.

use motcua_server::Platform;
use sqlx::PgPool;

/// Shared state of reporting's handlers, gRPC face and event receiver.
#[derive(Clone)]
pub(crate) struct AppState {
    /// Reporting's own schema (`dossier_fact`, `inbox_event`).
    pub(crate) pool: PgPool,
    /// Settings, the token verifier, the clock and shutdown.
    pub(crate) platform: Platform,
}
