//! Reporting's rules with no I/O: which events become which facts, what a dossier's facts
//! add to the handling report's flows, how a period's rows are read and computed, overdue and
//! near-due, the compliance kinds, satisfaction and feedback, the service index, the period
//! asked for, and which agency a caller may report on.

pub mod audit;
pub mod compliance;
pub mod dossier;
pub mod facts;
pub mod flows;
pub mod handling;
pub mod overdue;
pub mod period;
pub mod satisfaction;
pub mod scope;
pub mod service_index;
