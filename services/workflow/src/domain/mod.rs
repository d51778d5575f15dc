//! Workflow's rules with no I/O: planning a case from its template, forwarding, step clocks
//! that stop while the applicant holds the dossier, finishing steps, following the dossier,
//! near-due and overdue, apology and extension, the inbox, webhooks to sector systems (which
//! events, to whom, signed how), the sector connector's stream and scope. Each use case is a
//! decision that takes what was read and returns a [`update::CaseUpdate`] (or the problem).

pub mod alerts;
pub mod audit;
pub mod case;
pub mod clock;
pub mod connector;
pub mod delivery;
pub mod extension;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod follow;
pub mod inbox;
pub mod opening;
pub mod plan;
pub mod progress;
pub mod subscription;
pub mod succession;
pub mod update;
pub mod webhook;
