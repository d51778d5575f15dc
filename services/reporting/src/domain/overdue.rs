//! Overdue and near-due (quá hạn, sắp đến hạn): a dossier or step past its deadline, or within
//! the configured working hours of it, with how late (or how close) in working time on the
//! responsible agency's calendar. A dossier waiting for the applicant is neither: its clock is
//! stopped.

use motcua_calendar::{WorkingCalendar, WorkingDuration};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// How urgent a deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// Past it.
    Overdue,
    /// Within the margin.
    NearDue,
}

/// Judges `deadline` at `now`: overdue with the working minutes past it, near-due with the
/// working minutes left when they are within `margin`, otherwise nothing.
pub fn judge(
    cal: &WorkingCalendar,
    now: OffsetDateTime,
    deadline: OffsetDateTime,
    margin: WorkingDuration,
) -> Option<(Urgency, i64)> {
    if deadline < now {
        return Some((
            Urgency::Overdue,
            cal.elapsed(deadline, now).duration.as_minutes(),
        ));
    }
    let left = cal.elapsed(now, deadline).duration;
    (left.as_minutes() <= margin.as_minutes()).then_some((Urgency::NearDue, left.as_minutes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn late_and_near_are_counted_in_working_time() {
        let cal = WorkingCalendar::vietnam_default();
        let margin = WorkingDuration::hours(4);
        // Due Friday 17:00, now Monday 09:00: two working hours late (the day starts at 07:00;
        // Saturday and Sunday are skipped).
        let due = datetime!(2026-11-27 17:00 +07:00);
        assert_eq!(
            judge(&cal, datetime!(2026-11-30 09:00 +07:00), due, margin),
            Some((Urgency::Overdue, 120))
        );
        assert_eq!(
            judge(&cal, datetime!(2026-11-27 14:00 +07:00), due, margin),
            Some((Urgency::NearDue, 180))
        );
        assert_eq!(
            judge(&cal, datetime!(2026-11-27 08:00 +07:00), due, margin),
            None
        );
    }
}
