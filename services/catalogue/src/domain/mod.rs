//! The catalogue service's own rules with no I/O; the catalogue's rules proper (the file
//! format, validation, succession, stale listings, components) live in the crate
//! `motcua-catalogue-model`. Here: reading dates and working sessions, the deadline question,
//! the public projection of a procedure version, what a publication or an import may write,
//! resolving an agency on a date, and checking a listing; and what the REST API answers — an
//! agency on a date, a procedure version in force, a calendar year — as typed documents (the
//! agencies and procedure versions themselves are the crate's entry types, which describe
//! their own OpenAPI schemas).

pub mod agency;
pub mod calendar_year;
pub mod dates;
pub mod deadline;
pub mod import;
pub mod listing;
pub mod procedure;
pub mod publication;
pub mod sessions;

#[cfg(test)]
mod answer_tests;
