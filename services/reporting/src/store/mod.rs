//! Reporting's SQL, one module per table group: dossier facts, steps, compliance, and the
//! handling report's flows.

pub mod compliance;
pub mod facts;
pub mod flows;
pub mod steps;
pub mod views;
