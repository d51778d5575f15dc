//! Intake's rules with no I/O, so they are easy to test: each use case is a decision that takes
//! what was read (the caller, the request, the catalogue's answers, the dossier, now) and
//! returns everything to write or a refusal with every problem at once.

pub mod access;
pub mod actions;
pub mod applicant;
pub mod byte_range;
pub mod case_events;
pub mod change;
pub mod components;
pub mod dossier;
pub mod dossier_code;
pub mod files;
#[cfg(test)]
mod fixtures;
pub mod national_portal;
pub mod notices;
pub mod payment;
pub mod payment_callback;
pub mod payment_signature;
pub mod personal_id;
pub mod printed;
pub mod receipt;
pub mod register;
pub mod status;
pub mod submission;
pub mod submitter;
pub mod supplement;
pub mod supplement_items;
pub mod tax_code;
pub mod transition;
