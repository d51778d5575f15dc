//! Reporting's SQL, one module per table group: dossier facts, steps, compliance, the
//! handling report's flows, the overdue candidates, ratings and feedback, inspectors' views.

pub mod compliance;
pub mod facts;
pub mod flows;
pub mod overdue;
pub mod satisfaction;
pub mod steps;
pub mod views;
