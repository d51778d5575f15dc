//! Reporting's rules with no I/O: which events become which facts, the province's local day a
//! dossier is counted on, the period asked for, and which agency a caller may report on.

pub mod facts;
pub mod period;
pub mod scope;
