//! Working-day calendar and deadline arithmetic for motcua (lịch làm việc,
//! thời hạn giải quyết).
//!
//! Pure: no I/O, no clock reads. Procedure time limits are counted in working
//! time inside working sessions (default 07:00–11:30 and 13:30–17:00) on
//! working days (Monday–Friday, minus the published days off, plus make-up
//! working days), in the province's time zone Asia/Ho_Chi_Minh (fixed UTC+7,
//! no daylight saving). The calendar of each year is data
//! ([`YearCalendar`], format of `calendar-vn.json`); a year not loaded falls
//! back to weekends and fixed-date holidays and results touching it are
//! marked `provisional`.
//!
//! * [`WorkingCalendar::add`]: instant + working time → [`Deadline`].
//! * [`WorkingCalendar::deadline`]: receipt + [`TimeLimit`] (cut-off, same-day).
//! * [`WorkingCalendar::elapsed`]: working time between two instants.
//! * [`timeliness`]: early / on time / late.
//! * [`ProcessingClock`]: a budget that pauses and resumes under a
//!   [`SupplementClockPolicy`].

mod calendar;
mod duration;
mod error;
mod limit;
mod processing_clock;
mod session;
mod year;

pub use calendar::{Deadline, Elapsed, WorkingCalendar};
pub use duration::{MINUTES_PER_WORKING_DAY, WorkingDuration};
pub use error::CalendarError;
pub use limit::{TimeLimit, Timeliness, timeliness};
pub use processing_clock::{ProcessingClock, SupplementClockPolicy};
pub use session::{Session, format_time_of_day, parse_time_of_day};
pub use year::{YearCalendar, format_date, parse_date};

/// The province's UTC offset (Asia/Ho_Chi_Minh, +07:00, no daylight saving):
/// every computation happens in this local time.
pub const PROVINCE_OFFSET: time::UtcOffset = time::macros::offset!(+7);

/// An instant in the province's local time (+07:00).
pub fn local(t: time::OffsetDateTime) -> time::OffsetDateTime {
    t.to_offset(PROVINCE_OFFSET)
}

/// An instant as `yyyyMMddHHmmss` in the province's local time: the national portal's time
/// format, and the digits of a PDF date.
pub fn local_compact(t: time::OffsetDateTime) -> String {
    let l = local(t);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        l.year(),
        u8::from(l.month()),
        l.day(),
        l.hour(),
        l.minute(),
        l.second()
    )
}

/// An instant as every answer shows it: RFC 3339 in the province's local time
/// (`2026-11-27T17:00:00+07:00`). Empty only for a year outside 0–9999, which no stored
/// instant has.
pub fn local_rfc3339(t: time::OffsetDateTime) -> String {
    local(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An instant as a notice or form tells people, in the province's local time, the way
/// Vietnamese administrative forms write it: `17 giờ 00 phút, ngày 27/11/2026`.
pub fn spoken_time(t: time::OffsetDateTime) -> String {
    let l = local(t);
    format!(
        "{:02} giờ {:02} phút, ngày {:02}/{:02}/{}",
        l.hour(),
        l.minute(),
        l.day(),
        u8::from(l.month()),
        l.year()
    )
}

/// An instant in a text message, plain ASCII so one SMS holds 160 characters:
/// `17h00 27/11/2026`.
pub fn short_time(t: time::OffsetDateTime) -> String {
    let l = local(t);
    format!(
        "{:02}h{:02} {:02}/{:02}/{}",
        l.hour(),
        l.minute(),
        l.day(),
        u8::from(l.month()),
        l.year()
    )
}

/// Serde for instants shown in the province's local time (`#[serde(with =
/// "motcua_calendar::province_time")]`): written as [`local_rfc3339`], read as any RFC 3339.
pub mod province_time {
    use serde::{Deserializer, Serializer};
    use time::OffsetDateTime;

    /// Writes `t` as RFC 3339 at +07:00.
    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::local_rfc3339(*t))
    }

    /// Reads any RFC 3339 instant.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        time::serde::rfc3339::deserialize(d)
    }

    /// The same for an optional instant (`null` when absent).
    pub mod option {
        use serde::{Deserializer, Serializer};
        use time::OffsetDateTime;

        /// Writes `t` as RFC 3339 at +07:00, or `null`.
        pub fn serialize<S: Serializer>(
            t: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&super::super::local_rfc3339(*t)),
                None => s.serialize_none(),
            }
        }

        /// Reads an optional RFC 3339 instant.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            time::serde::rfc3339::option::deserialize(d)
        }
    }
}
