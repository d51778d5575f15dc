//! Reporting's background loops: none yet. Every fact it keeps arrives as an event from intake
//! or workflow and is applied when delivered (`events.rs`); the daily counts are computed when
//! asked for, so nothing runs on a timer.

use crate::state::AppState;
use motcua_server::Worker;

/// The background loops `motcua` runs for reporting, by name: empty, since no fact or rollup is
/// kept up to date on a timer.
pub(crate) fn all(_state: &AppState) -> Vec<(&'static str, Worker)> {
    Vec::new()
}
