//! All of the catalogue's SQL, by table group. Rows are parsed into typed values here, at the
//! edge: a stored body the catalogue format cannot read is an error, not a guess.

pub mod agencies;
pub mod audit;
pub mod calendar;
pub mod documents;
pub mod listings;
pub mod procedures;
