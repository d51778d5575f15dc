//! Working sessions (buổi làm việc) of a day and time-of-day parsing.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::Time;
use time::macros::time;

use crate::CalendarError;

/// Nanoseconds in one hour / minute / second, for positions within a day.
pub(crate) const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub(crate) const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SECOND;
pub(crate) const NANOS_PER_HOUR: i64 = 60 * NANOS_PER_MINUTE;

/// A working session within a day, e.g. 07:00–11:30 (buổi sáng) or 13:30–17:00
/// (buổi chiều). Counting of working time happens only inside sessions.
///
/// In JSON a session is a two-element array `["07:00", "11:30"]`, as in the
/// `working_sessions` of `calendar-vn.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Session {
    /// First instant of the session.
    pub start: Time,
    /// End of the session; a deadline may fall exactly here.
    pub end: Time,
}

impl Session {
    /// A session from `start` to `end`; refused unless `start < end`.
    pub fn new(start: Time, end: Time) -> Result<Self, CalendarError> {
        if start >= end {
            return Err(CalendarError::BadSession(format!(
                "session {} must start before it ends",
                Self { start, end }
            )));
        }
        Ok(Self { start, end })
    }

    /// A session from `HH:MM` texts, e.g. `Session::parse("07:00", "11:30")`.
    pub fn parse(start: &str, end: &str) -> Result<Self, CalendarError> {
        Self::new(parse_time_of_day(start)?, parse_time_of_day(end)?)
    }

    /// The default morning and afternoon sessions of state agencies in
    /// Viet Nam: 07:00–11:30 and 13:30–17:00 (8 working hours).
    pub fn vietnam_default() -> Vec<Self> {
        vec![
            Self {
                start: time!(07:00),
                end: time!(11:30),
            },
            Self {
                start: time!(13:30),
                end: time!(17:00),
            },
        ]
    }

    /// Length of the session in nanoseconds.
    pub(crate) fn nanos(&self) -> i64 {
        nanos_of_day(self.end) - nanos_of_day(self.start)
    }
}

/// Checks that `sessions` is non-empty, each session starts before it ends,
/// and the sessions are sorted and do not overlap (touching is allowed).
pub(crate) fn validate_sessions(sessions: &[Session]) -> Result<(), CalendarError> {
    if sessions.is_empty() {
        return Err(CalendarError::BadSession(
            "at least one working session is needed".to_owned(),
        ));
    }
    for s in sessions {
        if s.start >= s.end {
            return Err(CalendarError::BadSession(format!(
                "session {s} must start before it ends"
            )));
        }
    }
    for pair in sessions.windows(2) {
        if let [a, b] = pair
            && b.start < a.end
        {
            return Err(CalendarError::BadSession(format!(
                "sessions must be sorted and must not overlap: {a} then {b}"
            )));
        }
    }
    Ok(())
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}–{}",
            format_time_of_day(self.start),
            format_time_of_day(self.end)
        )
    }
}

impl Serialize for Session {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        [format_time_of_day(self.start), format_time_of_day(self.end)].serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Session {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let [start, end] = <[String; 2]>::deserialize(deserializer)?;
        Self::parse(&start, &end).map_err(D::Error::custom)
    }
}

/// Parses a local time of day written `HH:MM` or `HH:MM:SS` (24-hour clock).
pub fn parse_time_of_day(text: &str) -> Result<Time, CalendarError> {
    let bad = || CalendarError::BadTime {
        value: text.to_owned(),
    };
    let mut parts = text.split(':');
    let mut field = |max: u8, required: bool| -> Result<Option<u8>, CalendarError> {
        match parts.next() {
            None if !required => Ok(None),
            None => Err(bad()),
            Some(p) => {
                if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let v: u8 = p.parse().map_err(|_| bad())?;
                if v > max {
                    return Err(bad());
                }
                Ok(Some(v))
            }
        }
    };
    let h = field(23, true)?.unwrap_or(0);
    let m = field(59, true)?.unwrap_or(0);
    let s = field(59, false)?.unwrap_or(0);
    if parts.next().is_some() {
        return Err(bad());
    }
    Time::from_hms(h, m, s).map_err(|_| bad())
}

/// Writes a time of day as `HH:MM`, or `HH:MM:SS` when it has seconds.
pub fn format_time_of_day(t: Time) -> String {
    if t.second() == 0 && t.nanosecond() == 0 {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    }
}

/// Position of `t` within its day, in nanoseconds since midnight.
pub(crate) fn nanos_of_day(t: Time) -> i64 {
    let (h, m, s, ns) = t.as_hms_nano();
    i64::from(h) * NANOS_PER_HOUR
        + i64::from(m) * NANOS_PER_MINUTE
        + i64::from(s) * NANOS_PER_SECOND
        + i64::from(ns)
}

/// The time of day `nanos` after midnight (clamped into the day).
pub(crate) fn time_from_nanos(nanos: i64) -> Time {
    let n = nanos.clamp(0, 24 * NANOS_PER_HOUR - 1);
    let h = (n / NANOS_PER_HOUR) as u8;
    let m = ((n / NANOS_PER_MINUTE) % 60) as u8;
    let s = ((n / NANOS_PER_SECOND) % 60) as u8;
    let ns = (n % NANOS_PER_SECOND) as u32;
    Time::from_hms_nano(h, m, s, ns).unwrap_or(Time::MIDNIGHT)
}

/// Serde helpers for an optional `HH:MM` time of day (used for cut-offs).
pub(crate) mod opt_hhmm {
    use super::{format_time_of_day, parse_time_of_day};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Time;

    pub(crate) fn serialize<S: Serializer>(t: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_time_of_day(*t)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse_time_of_day(&text).map(Some).map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_times_of_day() {
        assert_eq!(parse_time_of_day("07:00"), Ok(time!(07:00)));
        assert_eq!(parse_time_of_day("15:00:30"), Ok(time!(15:00:30)));
        for bad in [
            "7:00",
            "24:00",
            "12:60",
            "12",
            "",
            "12:00:00:00",
            "ab:cd",
            "+1:00",
        ] {
            assert!(parse_time_of_day(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn validates_sessions() {
        assert!(validate_sessions(&Session::vietnam_default()).is_ok());
        assert!(validate_sessions(&[]).is_err());
        let morning = Session::parse("07:00", "11:30").unwrap();
        let overlapping = Session::parse("11:00", "17:00").unwrap();
        assert!(validate_sessions(&[morning, overlapping]).is_err());
        assert!(validate_sessions(&[overlapping, morning]).is_err());
        let touching = Session::parse("11:30", "17:00").unwrap();
        assert!(validate_sessions(&[morning, touching]).is_ok());
        assert!(Session::parse("11:30", "07:00").is_err());
        assert!(Session::parse("07:00", "07:00").is_err());
    }

    #[test]
    fn session_json_is_a_pair_of_times() {
        let s: Session = serde_json::from_str(r#"["13:30","17:00"]"#).unwrap();
        assert_eq!(
            s,
            Session {
                start: time!(13:30),
                end: time!(17:00)
            }
        );
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"["13:30","17:00"]"#);
        assert!(serde_json::from_str::<Session>(r#"["17:00","13:30"]"#).is_err());
    }

    #[test]
    fn nanos_round_trip() {
        let t = time!(13:30:15.5);
        assert_eq!(time_from_nanos(nanos_of_day(t)), t);
    }
}
