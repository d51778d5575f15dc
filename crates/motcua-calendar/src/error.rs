//! Errors of the calendar crate.

use thiserror::Error;

/// Everything that can be wrong with calendar data or calendar input.
///
/// Each variant names the value (and, for JSON, the path of the entry) at fault
/// so that an administrator loading a year's calendar (lịch nghỉ lễ) can fix it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// The text is not JSON at all.
    #[error("calendar data is not valid JSON: {0}")]
    Syntax(String),
    /// The JSON is well formed but an entry has the wrong shape or value.
    #[error("calendar data at `{path}`: {reason}")]
    Json {
        /// JSON path of the entry at fault, e.g. `years.2026.days_off[3].date`.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A date that is not a real `YYYY-MM-DD` calendar date.
    #[error("invalid date `{value}` at `{path}`: expected a real date written YYYY-MM-DD")]
    BadDate {
        /// JSON path (or argument name) of the date.
        path: String,
        /// The text that was given.
        value: String,
    },
    /// A time of day that is not `HH:MM` (or `HH:MM:SS`).
    #[error("invalid time of day `{value}`: expected HH:MM")]
    BadTime {
        /// The text that was given.
        value: String,
    },
    /// A date listed under a year it does not belong to.
    #[error("date {date} at `{path}` does not belong to year {year}")]
    DateOutsideYear {
        /// JSON path (or field name) of the entry.
        path: String,
        /// The year the entry was listed under.
        year: i32,
        /// The date, as `YYYY-MM-DD`.
        date: String,
    },
    /// The same date is listed twice, or both as a day off and as a working day.
    #[error("date {date} is listed more than once in year {year} ({detail})")]
    DuplicateDate {
        /// The year concerned.
        year: i32,
        /// The date, as `YYYY-MM-DD`.
        date: String,
        /// Which lists it appears in.
        detail: String,
    },
    /// A year outside the range the calendar can represent (1..=9999).
    #[error("year {0} is outside the supported range 1..=9999")]
    BadYear(i32),
    /// Working sessions that are empty, reversed, unsorted or overlapping.
    #[error("invalid working sessions: {0}")]
    BadSession(String),
    /// A working duration that is negative, not a number, or not a permitted fraction.
    #[error("invalid working duration {value}: {reason}")]
    BadDuration {
        /// The value that was given.
        value: String,
        /// Why it is refused.
        reason: String,
    },
    /// A time zone other than the province's fixed UTC+7.
    #[error("unsupported time zone `{0}`: only Asia/Ho_Chi_Minh (+07:00) is supported")]
    UnsupportedTimeZone(String),
    /// `pause` on a processing clock that is already paused.
    #[error("the processing clock is already paused")]
    ClockAlreadyPaused,
    /// `resume` on a processing clock that is running.
    #[error("the processing clock is not paused")]
    ClockNotPaused,
}
