//! The facts reporting keeps about a dossier (sổ theo dõi hồ sơ): which delivered event becomes
//! which fact, the province's local day a received dossier is counted on, and one day's counts.

use motcua_calendar::PROVINCE_OFFSET;
use motcua_events::{CaseChanged, DossierReceived, DossierStatusChanged};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// What one delivered event tells reporting.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// A dossier was received (`dossier.received`): counted once, on its local day.
    Received(DossierReceived),
    /// Processing finished (`case.completed`): the result is at the one-stop.
    Resolved(CaseChanged),
    /// The dossier's status changed after receipt (`dossier.*`).
    Followed(DossierStatusChanged),
}

/// Reads an event of type `event_type`; `None` for a type reporting does not follow.
pub fn read(event_type: &str, payload_json: &str) -> Result<Option<Fact>, serde_json::Error> {
    Ok(Some(match event_type {
        motcua_events::DOSSIER_RECEIVED => Fact::Received(serde_json::from_str(payload_json)?),
        motcua_events::CASE_COMPLETED => Fact::Resolved(serde_json::from_str(payload_json)?),
        t if t.starts_with("dossier.") => Fact::Followed(serde_json::from_str(payload_json)?),
        _ => return Ok(None),
    }))
}

/// The day a dossier received at `at` is counted on (ngày tiếp nhận): the province's local
/// date, so a dossier received at 23:30 +07:00 counts on that day, not the UTC one.
pub fn received_day(at: OffsetDateTime) -> Date {
    at.to_offset(PROVINCE_OFFSET).date()
}

/// One day at one agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailyRow {
    /// The local day of receipt.
    #[schema(value_type = String, example = "2026-11-27")]
    pub day: Date,
    /// The receiving agency.
    pub agency: String,
    /// Dossiers received.
    pub received: i64,
    /// Of which online.
    pub online: i64,
    /// Of which at the counter or by post.
    pub direct_postal: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_dossier_counts_on_the_province_day() {
        assert_eq!(
            received_day(datetime!(2026-11-27 16:30 UTC)),
            time::macros::date!(2026 - 11 - 27)
        );
        assert_eq!(
            received_day(datetime!(2026-11-27 17:30 UTC)),
            time::macros::date!(2026 - 11 - 28)
        );
    }

    #[test]
    fn only_followed_events_are_read() {
        assert_eq!(read("case.opened", "{}").unwrap(), None);
        assert!(read(motcua_events::DOSSIER_RECEIVED, "{}").is_err());
        assert!(read("dossier.refused", "not json").is_err());
    }
}
