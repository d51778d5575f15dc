//! Serde helpers for the catalogue's textual dates, times and step budgets,
//! so that a file is read strictly and written back in the same notation.

use motcua_calendar::{format_date, format_time_of_day, parse_date, parse_time_of_day};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use time::{Date, Time};

/// Parses a strict `YYYY-MM-DD` date with an error message that does not
/// depend on where the date sits (the caller adds the path).
fn date_from_text(text: &str) -> Result<Date, String> {
    parse_date(text, "")
        .map_err(|_| format!("invalid date `{text}`: expected a real date written YYYY-MM-DD"))
}

/// A required `YYYY-MM-DD` date.
pub(crate) mod date {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_date(*d))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        date_from_text(&text).map_err(D::Error::custom)
    }
}

/// An optional `YYYY-MM-DD` date (`null` or absent is `None`).
pub(crate) mod opt_date {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&format_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => date_from_text(&text).map(Some).map_err(D::Error::custom),
        }
    }
}

/// An optional `HH:MM` time of day.
pub(crate) mod opt_hhmm {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(t: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&format_time_of_day(*t)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse_time_of_day(&text).map(Some).map_err(|_| {
                D::Error::custom(format!("invalid time of day `{text}`: expected HH:MM"))
            }),
        }
    }
}

/// An optional number of hours or days, written back as an integer when it is
/// whole (`8`, not `8.0`) so that an exported file reads like the original.
pub(crate) mod opt_number {
    use super::*;

    /// Largest integer that an `f64` represents exactly.
    const EXACT: f64 = 9_007_199_254_740_992.0;

    pub(crate) fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match *v {
            Some(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < EXACT => {
                s.serialize_i64(x as i64)
            }
            Some(x) => s.serialize_f64(x),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(d)
    }
}
