//! Per-procedure time limits (thời hạn giải quyết) with cut-off and same-day
//! rules, and the early / on time / late judgement.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{OffsetDateTime, Time};

use crate::duration::MINUTES_PER_WORKING_DAY;
use crate::session::opt_hhmm;
use crate::{CalendarError, Deadline, PROVINCE_OFFSET, WorkingCalendar, WorkingDuration};

/// A procedure's time limit as data (thời hạn giải quyết).
///
/// * `working`: working time allowed, counted from the start of counting.
/// * `cutoff`: when the dossier is received on a working day strictly after
///   this local time (e.g. 15:00), counting starts at the first session of the
///   next working day (Decree 63/2024; Decree 297/2025 uses 16:00 with the last
///   business hour).
/// * `same_day`: the result is due at the end of the working day on which
///   counting starts (giải quyết trong ngày); any `working` time is added
///   after that end.
///
/// In JSON this is the catalogue's shape: `{"working_days": 3, "cutoff":
/// "15:00"}`, `{"working_hours": 8}`, `{"working_minutes": 90}` or
/// `{"working_days": 0, "same_day": true}`; at most one of the three working
/// fields, halves allowed for days. It is written back with the largest unit
/// that is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TimeLimit {
    /// Working time allowed (zero for a pure same-day procedure).
    pub working: WorkingDuration,
    /// Due at the end of the working day on which counting starts.
    pub same_day: bool,
    /// Local time of day after which a receipt counts from the next working day.
    pub cutoff: Option<Time>,
}

impl TimeLimit {
    /// A limit of `working` time, no cut-off, not same-day.
    pub const fn new(working: WorkingDuration) -> Self {
        Self {
            working,
            same_day: false,
            cutoff: None,
        }
    }

    /// A same-day procedure (giải quyết trong ngày) with no extra time.
    pub const fn same_day() -> Self {
        Self {
            working: WorkingDuration::ZERO,
            same_day: true,
            cutoff: None,
        }
    }

    /// The same limit with a cut-off time of day.
    pub const fn with_cutoff(mut self, cutoff: Time) -> Self {
        self.cutoff = Some(cutoff);
        self
    }
}

/// The catalogue's JSON shape of a time limit.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeLimitJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    working_days: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    working_hours: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    working_minutes: Option<i64>,
    #[serde(default)]
    same_day: bool,
    #[serde(default, with = "opt_hhmm", skip_serializing_if = "Option::is_none")]
    cutoff: Option<Time>,
}

impl Serialize for TimeLimit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let m = self.working.as_minutes();
        let (days, hours, minutes) = if m % (MINUTES_PER_WORKING_DAY / 2) == 0 {
            (Some(self.working.as_days_f64()), None, None)
        } else if m % 60 == 0 {
            (None, Some(self.working.as_hours_f64()), None)
        } else {
            (None, None, Some(m))
        };
        TimeLimitJson {
            working_days: days,
            working_hours: hours,
            working_minutes: minutes,
            same_day: self.same_day,
            cutoff: self.cutoff,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TimeLimit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = TimeLimitJson::deserialize(deserializer)?;
        let working = match (raw.working_days, raw.working_hours, raw.working_minutes) {
            (Some(d), None, None) => WorkingDuration::days(d).map_err(D::Error::custom)?,
            (None, Some(h), None) => {
                WorkingDuration::from_hours_f64(h).map_err(D::Error::custom)?
            }
            (None, None, Some(m)) if m >= 0 => WorkingDuration::minutes(m),
            (None, None, Some(m)) => {
                return Err(D::Error::custom(CalendarError::BadDuration {
                    value: format!("{m} working minutes"),
                    reason: "negative".to_owned(),
                }));
            }
            (None, None, None) if raw.same_day => WorkingDuration::ZERO,
            (None, None, None) => {
                return Err(D::Error::custom(
                    "a time limit needs `working_days`, `working_hours` or `working_minutes` (or `same_day`)",
                ));
            }
            _ => {
                return Err(D::Error::custom(
                    "give only one of `working_days`, `working_hours`, `working_minutes`",
                ));
            }
        };
        Ok(Self {
            working,
            same_day: raw.same_day,
            cutoff: raw.cutoff,
        })
    }
}

impl WorkingCalendar {
    /// The deadline (ngày hẹn trả kết quả) of a dossier received at
    /// `received_at` under `limit`.
    ///
    /// 1. Where counting starts: when the local receipt day is a working day
    ///    and the local time is strictly after `limit.cutoff`, the first
    ///    session of the next working day; otherwise the receipt instant
    ///    itself (a receipt on a day off, at lunch or after hours counts from
    ///    the next session, as in [`WorkingCalendar::add`]).
    /// 2. Not same-day: `add(start, limit.working)`.
    /// 3. Same-day: the end of the last session of the working day on which
    ///    counting actually starts (a receipt at 17:00 sharp or later counts
    ///    from the next working day), then `limit.working` added to that.
    pub fn deadline(&self, received_at: OffsetDateTime, limit: &TimeLimit) -> Deadline {
        let mut provisional = false;
        let mut start = received_at;
        if let (Some(cutoff), Some(local)) =
            (limit.cutoff, received_at.checked_to_offset(PROVINCE_OFFSET))
        {
            let (working, prov) = self.is_working_day(local.date());
            provisional |= prov;
            if working && local.time() > cutoff {
                let next = self.first_session_after_day(local.date());
                provisional |= next.provisional;
                start = next.at;
            }
        }
        let mut due = if limit.same_day {
            let from = self.counting_start(start);
            let end = self.end_of_day(from);
            if limit.working.is_zero_or_negative() {
                end
            } else {
                let d = self.add(end.at, limit.working);
                Deadline {
                    at: d.at,
                    provisional: d.provisional || end.provisional,
                }
            }
        } else {
            self.add(start, limit.working)
        };
        due.provisional |= provisional;
        due
    }

    /// Early / on time / late of a finish against a deadline; see [`timeliness`].
    pub fn timeliness(&self, finished_at: OffsetDateTime, deadline: OffsetDateTime) -> Timeliness {
        if finished_at > deadline {
            Timeliness::Late
        } else if finished_at
            .checked_to_offset(PROVINCE_OFFSET)
            .map_or(finished_at.date(), |l| l.date())
            < self.working_day_of(deadline)
        {
            Timeliness::Early
        } else {
            Timeliness::OnTime
        }
    }
}

/// Early / on time / late (trước hạn / đúng hạn / quá hạn), as recorded on the
/// processing control slip and in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Finished before the working day of the deadline (trước hạn).
    Early,
    /// Finished on the working day of the deadline, not after it (đúng hạn).
    OnTime,
    /// Finished after the deadline instant (quá hạn).
    Late,
}

impl Timeliness {
    /// The stored and serialised name: `early`, `on_time`, `late`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Early => "early",
            Self::OnTime => "on_time",
            Self::Late => "late",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Early, Self::OnTime, Self::Late]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// Judges a finish against a deadline (the stored appointment instant):
///
/// * **late** when `finished_at` is after `deadline`;
/// * otherwise **early** when `finished_at` falls (local date, +07:00) before
///   the deadline's working day, i.e. the deadline's local date when that is a
///   working day, else the nearest earlier working day (so finishing on Friday
///   against a deadline stored on a Sunday is on time);
/// * otherwise **on time** (same working day, up to and including the
///   deadline instant).
pub fn timeliness(
    cal: &WorkingCalendar,
    finished_at: OffsetDateTime,
    deadline: OffsetDateTime,
) -> Timeliness {
    cal.timeliness(finished_at, deadline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::time;

    #[test]
    fn timeliness_names_are_its_serialised_names_and_parse_back() {
        for t in [Timeliness::Early, Timeliness::OnTime, Timeliness::Late] {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
            assert_eq!(Timeliness::parse(t.as_str()), Some(t));
        }
        assert_eq!(Timeliness::parse("soon"), None);
    }

    #[test]
    fn catalogue_shapes_parse() {
        let l: TimeLimit =
            serde_json::from_str(r#"{"working_days": 0, "same_day": true, "cutoff": "15:00"}"#)
                .unwrap();
        assert_eq!(l, TimeLimit::same_day().with_cutoff(time!(15:00)));
        let l: TimeLimit =
            serde_json::from_str(r#"{"working_days": 3, "cutoff": "15:00"}"#).unwrap();
        assert_eq!(l.working, WorkingDuration::hours(24));
        assert!(!l.same_day);
        let l: TimeLimit = serde_json::from_str(r#"{"working_days": 12.5}"#).unwrap();
        assert_eq!(l.working, WorkingDuration::hours(100));
        assert_eq!(l.cutoff, None);
        let l: TimeLimit = serde_json::from_str(r#"{"working_hours": 1}"#).unwrap();
        assert_eq!(l.working, WorkingDuration::minutes(60));
        let l: TimeLimit = serde_json::from_str(r#"{"same_day": true}"#).unwrap();
        assert_eq!(l, TimeLimit::same_day());
    }

    #[test]
    fn bad_limits_are_refused() {
        for bad in [
            r#"{"working_days": 0.3}"#,
            r#"{"working_days": -1}"#,
            r#"{"working_days": 1, "working_hours": 8}"#,
            r#"{"working_minutes": -5}"#,
            r#"{"cutoff": "15:00"}"#,
            r#"{"working_days": 1, "cutoff": "25:00"}"#,
            r#"{"working_days": 1, "cut_off": "15:00"}"#,
        ] {
            assert!(
                serde_json::from_str::<TimeLimit>(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn limits_round_trip_with_exact_units() {
        for (limit, json) in [
            (
                TimeLimit::new(WorkingDuration::days(2.5).unwrap()).with_cutoff(time!(15:00)),
                r#"{"working_days":2.5,"same_day":false,"cutoff":"15:00"}"#,
            ),
            (
                TimeLimit::new(WorkingDuration::hours(3)),
                r#"{"working_hours":3.0,"same_day":false}"#,
            ),
            (
                TimeLimit::new(WorkingDuration::minutes(90)),
                r#"{"working_minutes":90,"same_day":false}"#,
            ),
        ] {
            let text = serde_json::to_string(&limit).unwrap();
            assert_eq!(text, json);
            assert_eq!(serde_json::from_str::<TimeLimit>(&text).unwrap(), limit);
        }
    }
}
