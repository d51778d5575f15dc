//! Notices (thông báo) to applicants and agency heads: what the applicant is told after the
//! counter (receipt, supplement request, apology, stop, result ready) and what an agency head
//! is told before and after a deadline (near-due, overdue).
//!
//! A service decides *which* notices a change causes (its own pure rules) and calls [`record`]
//! in the transaction of the change: each notice is rendered from a template kept as a file
//! (`templates/<name>.<email|sms>.txt`) and stored once per cause, channel and recipient, so a
//! redelivered event never records it twice. A [`Sender`] (a background worker) sends pending
//! notices by e-mail (SMTP) or SMS (a provider's HTTP API), retries with backoff, and records
//! each one's delivery status. Tables: [`TABLE_DDL`], copied into each service's migrations.

mod contacts;
mod send;
mod store;
mod template;

pub use contacts::{Contact, Contacts};
pub use send::Sender;
pub use store::{Delivery, deliveries, record};
pub use template::{RenderError, Template, render};

/// The notice table a service needs (copy into its migrations).
pub const TABLE_DDL: &str = include_str!("notice.sql");

/// How a notice travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// E-mail over SMTP.
    Email,
    /// SMS through the provider's HTTP API.
    Sms,
}

impl Channel {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

/// One notice to record: the cause, the template, who gets it, and the values it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NoticeDraft {
    /// What caused it (an event id or an alert's key): at most one notice per cause, channel
    /// and recipient is ever recorded.
    pub cause: String,
    /// The dossier it is about.
    pub dossier_code: Option<String>,
    /// Which template.
    pub template: Template,
    /// E-mail or SMS.
    pub channel: Channel,
    /// The address or phone number.
    pub recipient: String,
    /// The template's values, by placeholder name.
    pub values: Vec<(&'static str, String)>,
}
