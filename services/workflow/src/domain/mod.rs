//! Workflow's rules with no I/O: planning a case from its template, forwarding, step clocks
//! that stop while the applicant holds the dossier, finishing steps, following the dossier,
//! near-due and overdue, apology and extension, the inbox. Each use case is a decision that
//! takes what was read and returns a [`update::CaseUpdate`] (or the problem).

pub mod alerts;
pub mod audit;
pub mod case;
pub mod clock;
pub mod extension;
#[cfg(test)]
mod fixtures;
pub mod follow;
pub mod inbox;
pub mod opening;
pub mod plan;
pub mod progress;
pub mod succession;
pub mod update;
