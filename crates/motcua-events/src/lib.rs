//! The contract of the events that cross service boundaries (sự kiện liên dịch vụ): each
//! event type's name and its JSON payload. Producers and consumers both use these types, so a
//! change in a payload is a compile error on both sides. Documented in `docs/events.md`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Event type: a dossier was received at a one-stop unit and issued a code (tiếp nhận).
pub const DOSSIER_RECEIVED: &str = "dossier.received";

/// Payload of [`DOSSIER_RECEIVED`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierReceived {
    /// Dossier code (mã hồ sơ).
    pub dossier_code: String,
    /// Procedure code (mã TTHC).
    pub procedure_code: String,
    /// Procedure version used to check the dossier.
    pub procedure_version: i32,
    /// Receiving one-stop unit's agency code.
    pub receiving_agency: String,
    /// `counter`, `online` or `postal`.
    pub channel: String,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// The appointment on the receipt.
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    /// Whether the due date is provisional (a year without a loaded calendar).
    pub due_provisional: bool,
}

/// The services that consume events, by name: the relay's destinations.
pub mod destination {
    /// The workflow service (opens a case per received dossier).
    pub const WORKFLOW: &str = "workflow";
    /// The reporting service (counts).
    pub const REPORTING: &str = "reporting";
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn payload_round_trips_with_rfc3339_times() {
        let p = DossierReceived {
            dossier_code: "000.25.80.H80-261127-0001".into(),
            procedure_code: "1.001193".into(),
            procedure_version: 1,
            receiving_agency: "000.25.80.H80".into(),
            channel: "counter".into(),
            received_at: datetime!(2026-11-27 09:00 +07:00),
            due_at: datetime!(2026-11-27 17:00 +07:00),
            due_provisional: false,
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["received_at"], "2026-11-27T09:00:00+07:00");
        let back: DossierReceived = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
    }
}
