//! Intake's rules with no I/O, so they are easy to test: identifiers, dossier codes, statuses,
//! component checks.

pub mod components;
pub mod dossier_code;
pub mod personal_id;
pub mod status;
pub mod supplement;
pub mod transition;
