//! The catalogue service's own rules with no I/O; the catalogue's rules proper (the file
//! format, validation, succession, stale listings, components) live in the crate
//! `motcua-catalogue-model`. Here: reading dates and working sessions, the deadline question,
//! the public projection of a procedure version, what a publication or an import may write,
//! resolving an agency on a date, and checking a listing; and what the REST API answers —
//! published agencies and procedure versions, a calendar year — as typed documents.

pub mod agency;
pub mod calendar_year;
pub mod dates;
pub mod deadline;
pub mod import;
pub mod listing;
pub mod procedure;
pub mod procedure_parts;
pub mod publication;
pub mod published_agency;
pub mod published_procedure;
pub mod sessions;
