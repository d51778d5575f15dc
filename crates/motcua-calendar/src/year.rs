//! One year's days off and extra working days (lịch nghỉ lễ, ngày làm bù),
//! and the per-year bitmap of working days used by the fast arithmetic.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use time::{Date, Month};

use crate::CalendarError;

/// Days off and extra working days of one year (lịch nghỉ lễ, ngày làm bù).
///
/// The government publishes these each autumn for the next year: public
/// holidays and compensatory days off (`days_off`, even on weekdays) and
/// make-up working Saturdays (`working_days`, even on weekends). Every other
/// Monday–Friday is a working day. The map values are the human-readable
/// names from the data (may be empty); they are kept so that the year can be
/// served back unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YearCalendar {
    /// Dates that are not working days although they may be weekdays.
    pub days_off: BTreeMap<Date, String>,
    /// Dates that are working days although they may be Saturdays or Sundays.
    pub working_days: BTreeMap<Date, String>,
    /// Free-text remarks about the sources (the `notes` field of the data).
    pub notes: Option<String>,
}

impl YearCalendar {
    /// An empty year: weekends off, every weekday working.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a day off with its name (builder style).
    pub fn with_day_off(mut self, date: Date, name: impl Into<String>) -> Self {
        self.days_off.insert(date, name.into());
        self
    }

    /// Adds an extra working day with its name (builder style).
    pub fn with_working_day(mut self, date: Date, name: impl Into<String>) -> Self {
        self.working_days.insert(date, name.into());
        self
    }

    /// Parses one year's object, `{"days_off": [...], "working_days": [...]}`,
    /// as found under `years.<year>` in `calendar-vn.json` (and as sent to
    /// `PUT /api/v1/calendar/{year}`). Entries are `{"date": "YYYY-MM-DD",
    /// "name": "..."}` objects or bare `"YYYY-MM-DD"` strings. Every date must
    /// belong to `year`; a date may not be listed twice.
    pub fn from_json(year: i32, json: &str) -> Result<Self, CalendarError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| CalendarError::Syntax(e.to_string()))?;
        Self::from_value(year, &value, "$")
    }

    /// Parses one year's object from an already parsed JSON value; `path`
    /// names where it sits, for error messages.
    pub(crate) fn from_value(year: i32, value: &Value, path: &str) -> Result<Self, CalendarError> {
        check_year(year)?;
        let obj = value.as_object().ok_or_else(|| CalendarError::Json {
            path: path.to_owned(),
            reason: "expected an object with `days_off` and `working_days`".to_owned(),
        })?;
        for key in obj.keys() {
            if !matches!(key.as_str(), "days_off" | "working_days" | "notes") {
                return Err(CalendarError::Json {
                    path: format!("{path}.{key}"),
                    reason: "unknown field (expected `days_off`, `working_days` or `notes`)"
                        .to_owned(),
                });
            }
        }
        let days_off_value = obj.get("days_off").ok_or_else(|| CalendarError::Json {
            path: format!("{path}.days_off"),
            reason: "missing (use an empty list when the year has no day off)".to_owned(),
        })?;
        let days_off = parse_entries(year, days_off_value, &format!("{path}.days_off"))?;
        let working_days = match obj.get("working_days") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(v) => parse_entries(year, v, &format!("{path}.working_days"))?,
        };
        let notes = match obj.get("notes") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(CalendarError::Json {
                    path: format!("{path}.notes"),
                    reason: "expected a string".to_owned(),
                });
            }
        };
        let cal = Self {
            days_off,
            working_days,
            notes,
        };
        cal.validate(year)?;
        Ok(cal)
    }

    /// Checks that every date belongs to `year` and that no date is both a
    /// day off and a working day.
    pub fn validate(&self, year: i32) -> Result<(), CalendarError> {
        check_year(year)?;
        for (list, dates) in [
            ("days_off", &self.days_off),
            ("working_days", &self.working_days),
        ] {
            if let Some(date) = dates.keys().find(|d| d.year() != year) {
                return Err(CalendarError::DateOutsideYear {
                    path: list.to_owned(),
                    year,
                    date: format_date(*date),
                });
            }
        }
        if let Some(date) = self
            .days_off
            .keys()
            .find(|d| self.working_days.contains_key(d))
        {
            return Err(CalendarError::DuplicateDate {
                year,
                date: format_date(*date),
                detail: "both a day off and a working day".to_owned(),
            });
        }
        Ok(())
    }

    /// The year's object in the shape of `calendar-vn.json`
    /// (`{"days_off": [{"date", "name"}], "working_days": [...], "notes"}`).
    pub fn to_json(&self) -> Value {
        let entries = |m: &BTreeMap<Date, String>| {
            Value::Array(
                m.iter()
                    .map(|(date, name)| {
                        let mut e = Map::new();
                        e.insert("date".to_owned(), Value::String(format_date(*date)));
                        if !name.is_empty() {
                            e.insert("name".to_owned(), Value::String(name.clone()));
                        }
                        Value::Object(e)
                    })
                    .collect(),
            )
        };
        let mut obj = Map::new();
        obj.insert("days_off".to_owned(), entries(&self.days_off));
        obj.insert("working_days".to_owned(), entries(&self.working_days));
        if let Some(notes) = &self.notes {
            obj.insert("notes".to_owned(), Value::String(notes.clone()));
        }
        Value::Object(obj)
    }
}

/// Refuses years the calendar cannot hold: four digits, as the stored and exchanged form
/// keys years (a year 1 once loaded made the whole calendar unreadable to every service).
pub(crate) fn check_year(year: i32) -> Result<(), CalendarError> {
    if (1000..=9999).contains(&year) {
        Ok(())
    } else {
        Err(CalendarError::BadYear(year))
    }
}

fn parse_entries(
    year: i32,
    value: &Value,
    path: &str,
) -> Result<BTreeMap<Date, String>, CalendarError> {
    let items = value.as_array().ok_or_else(|| CalendarError::Json {
        path: path.to_owned(),
        reason: "expected a list of {\"date\": \"YYYY-MM-DD\", \"name\": \"...\"}".to_owned(),
    })?;
    let mut out = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let (date_text, name, date_path) = match item {
            Value::String(s) => (s.as_str(), String::new(), item_path.clone()),
            Value::Object(o) => {
                let date_path = format!("{item_path}.date");
                let date = match o.get("date") {
                    Some(Value::String(s)) => s.as_str(),
                    Some(_) => {
                        return Err(CalendarError::Json {
                            path: date_path,
                            reason: "expected a string YYYY-MM-DD".to_owned(),
                        });
                    }
                    None => {
                        return Err(CalendarError::Json {
                            path: date_path,
                            reason: "missing".to_owned(),
                        });
                    }
                };
                let name = match o.get("name") {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(_) => {
                        return Err(CalendarError::Json {
                            path: format!("{item_path}.name"),
                            reason: "expected a string".to_owned(),
                        });
                    }
                };
                (date, name, date_path)
            }
            _ => {
                return Err(CalendarError::Json {
                    path: item_path,
                    reason: "expected {\"date\": \"YYYY-MM-DD\", \"name\": \"...\"}".to_owned(),
                });
            }
        };
        let date = parse_date(date_text, &date_path)?;
        if date.year() != year {
            return Err(CalendarError::DateOutsideYear {
                path: date_path,
                year,
                date: date_text.to_owned(),
            });
        }
        if out.insert(date, name).is_some() {
            return Err(CalendarError::DuplicateDate {
                year,
                date: date_text.to_owned(),
                detail: format!("listed twice in `{path}`"),
            });
        }
    }
    Ok(out)
}

/// Parses a strict `YYYY-MM-DD` date; `path` names the entry for errors.
pub fn parse_date(text: &str, path: &str) -> Result<Date, CalendarError> {
    let bad = || CalendarError::BadDate {
        path: path.to_owned(),
        value: text.to_owned(),
    };
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            Some(
                part.iter()
                    .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')),
            )
        } else {
            None
        }
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(bad());
    };
    let month = Month::try_from(m as u8).map_err(|_| bad())?;
    Date::from_calendar_date(y as i32, month, d as u8).map_err(|_| bad())
}

/// Writes a date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Bit patterns of Monday–Friday for a year whose 1 January falls on the
/// weekday with index `phase` (0 = Monday): bit `i` is day-of-year `i + 1`.
const WEEKDAY_PATTERNS: [[u64; 6]; 7] = [
    weekday_pattern(0),
    weekday_pattern(1),
    weekday_pattern(2),
    weekday_pattern(3),
    weekday_pattern(4),
    weekday_pattern(5),
    weekday_pattern(6),
];

const fn weekday_pattern(phase: usize) -> [u64; 6] {
    let mut words = [0u64; 6];
    let mut i = 0;
    while i < 6 * 64 {
        if (phase + i) % 7 < 5 {
            words[i / 64] |= 1 << (i % 64);
        }
        i += 1;
    }
    words
}

/// Working days of one year as a bitmap indexed by day of year, so that the
/// deadline arithmetic tests a day with one shift and counts whole spans of
/// days with `count_ones`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct YearBits {
    words: [u64; 6],
    days: u16,
}

impl YearBits {
    /// Monday–Friday of `year`, without any holiday.
    fn weekdays(year: i32) -> Option<Self> {
        let jan1 = Date::from_ordinal_date(year, 1).ok()?;
        let phase = usize::from(jan1.weekday().number_days_from_monday());
        let days = time::util::days_in_year(year);
        let mut words = WEEKDAY_PATTERNS[phase % 7];
        // Clear the bits past the last day of the year (days is 365 or 366).
        words[5] &= (1u64 << (days - 320)) - 1;
        Some(Self { words, days })
    }

    /// The fallback for a year whose calendar is not loaded: weekends and the
    /// fixed-date statutory holidays 1/1, 30/4, 1/5 and 2/9 are off.
    pub(crate) fn fallback(year: i32) -> Option<Self> {
        let mut bits = Self::weekdays(year)?;
        let leap = u16::from(time::util::is_leap_year(year));
        for ordinal in [1, 120 + leap, 121 + leap, 245 + leap] {
            bits.set(ordinal, false);
        }
        Some(bits)
    }

    /// The working days of `year` according to its published calendar.
    pub(crate) fn loaded(year: i32, cal: &YearCalendar) -> Option<Self> {
        let mut bits = Self::weekdays(year)?;
        for d in cal.days_off.keys().filter(|d| d.year() == year) {
            bits.set(d.ordinal(), false);
        }
        for d in cal.working_days.keys().filter(|d| d.year() == year) {
            bits.set(d.ordinal(), true);
        }
        Some(bits)
    }

    fn set(&mut self, ordinal: u16, working: bool) {
        if ordinal == 0 || ordinal > self.days {
            return;
        }
        let i = usize::from(ordinal - 1);
        if working {
            self.words[i / 64] |= 1 << (i % 64);
        } else {
            self.words[i / 64] &= !(1 << (i % 64));
        }
    }

    /// Number of days in the year (365 or 366).
    #[inline]
    pub(crate) fn days(&self) -> u16 {
        self.days
    }

    /// Whether day-of-year `ordinal` (1-based) is a working day.
    #[inline]
    pub(crate) fn is_working(&self, ordinal: u16) -> bool {
        let i = usize::from(ordinal.wrapping_sub(1));
        match self.words.get(i / 64) {
            Some(w) => (w >> (i % 64)) & 1 == 1,
            None => false,
        }
    }

    /// Number of working days with day-of-year in `from..=to` (1-based).
    pub(crate) fn count(&self, from: u16, to: u16) -> u32 {
        let from = from.max(1);
        let to = to.min(self.days);
        if from > to {
            return 0;
        }
        let (a, b) = (usize::from(from - 1), usize::from(to - 1));
        let mut total = 0;
        for k in a / 64..=b / 64 {
            let lo = if k == a / 64 { a % 64 } else { 0 };
            let hi = if k == b / 64 { b % 64 } else { 63 };
            let width = hi - lo + 1;
            let mask = if width == 64 {
                u64::MAX
            } else {
                ((1u64 << width) - 1) << lo
            };
            total += (self.words[k] & mask).count_ones();
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parses_strict_dates() {
        assert_eq!(parse_date("2026-04-27", "x"), Ok(date!(2026 - 04 - 27)));
        for bad in [
            "2026-4-27",
            "2026-02-30",
            "2026-13-01",
            "26-04-27",
            "2026/04/27",
            "２０２６-04-27",
        ] {
            assert!(parse_date(bad, "x").is_err(), "{bad:?} should be refused");
        }
        assert_eq!(format_date(date!(2026 - 04 - 07)), "2026-04-07");
    }

    #[test]
    fn fallback_year_has_weekends_and_fixed_holidays_off() {
        let bits = YearBits::fallback(2027).unwrap();
        assert_eq!(bits.days(), 365);
        let off = [
            date!(2027 - 01 - 01),
            date!(2027 - 04 - 30),
            date!(2027 - 09 - 02),
        ];
        for d in off {
            assert!(!bits.is_working(d.ordinal()), "{d} should be off");
        }
        // 2027-05-01 is a Saturday anyway; 2027-01-04 is a plain Monday.
        assert!(!bits.is_working(date!(2027 - 05 - 01).ordinal()));
        assert!(bits.is_working(date!(2027 - 01 - 04).ordinal()));
        assert!(!bits.is_working(date!(2027 - 01 - 02).ordinal()));
        // 2028 is a leap year: the holidays move by one ordinal.
        let leap = YearBits::fallback(2028).unwrap();
        assert_eq!(leap.days(), 366);
        assert!(!leap.is_working(date!(2028 - 05 - 01).ordinal()));
        assert!(!leap.is_working(date!(2028 - 01 - 01).ordinal()));
        assert!(leap.is_working(date!(2028 - 12 - 29).ordinal()));
        // 261 weekdays in 2027, minus 1/1 (Fri), 30/4 (Fri), 2/9 (Thu).
        assert_eq!(bits.count(1, 365), 258);
    }

    #[test]
    fn count_matches_bit_by_bit() {
        let bits = YearBits::fallback(2028).unwrap();
        for (from, to) in [
            (1, 366),
            (1, 1),
            (60, 130),
            (64, 65),
            (63, 64),
            (300, 366),
            (200, 100),
        ] {
            let slow = (from..=to).filter(|o| bits.is_working(*o)).count() as u32;
            assert_eq!(bits.count(from, to), slow, "{from}..={to}");
        }
    }

    #[test]
    fn year_json_round_trip_and_errors() {
        let json = r#"{"days_off":[{"date":"2026-04-27","name":"bù"},"2026-04-30"],
                      "working_days":[{"date":"2026-08-22"}], "notes": "n"}"#;
        let y = YearCalendar::from_json(2026, json).unwrap();
        assert_eq!(y.days_off.len(), 2);
        assert_eq!(y.days_off[&date!(2026 - 04 - 27)], "bù");
        assert!(y.working_days.contains_key(&date!(2026 - 08 - 22)));
        let again = YearCalendar::from_json(2026, &y.to_json().to_string()).unwrap();
        assert_eq!(again, y);

        let err = YearCalendar::from_json(2026, r#"{"days_off":[{"date":"2026-02-30"}]}"#);
        assert!(
            matches!(err, Err(CalendarError::BadDate { ref path, .. }) if path == "$.days_off[0].date")
        );
        let err = YearCalendar::from_json(2025, r#"{"days_off":["2026-01-01"]}"#);
        assert!(matches!(
            err,
            Err(CalendarError::DateOutsideYear { year: 2025, .. })
        ));
        let err = YearCalendar::from_json(
            2026,
            r#"{"days_off":["2026-08-22"],"working_days":["2026-08-22"]}"#,
        );
        assert!(matches!(err, Err(CalendarError::DuplicateDate { .. })));
        let err = YearCalendar::from_json(2026, r#"{"days_off":["2026-01-01","2026-01-01"]}"#);
        assert!(matches!(err, Err(CalendarError::DuplicateDate { .. })));
        let err = YearCalendar::from_json(2026, r#"{"days_of":[]}"#);
        assert!(matches!(err, Err(CalendarError::Json { ref path, .. }) if path == "$.days_of"));
        assert!(matches!(
            YearCalendar::from_json(2026, "{"),
            Err(CalendarError::Syntax(_))
        ));
        assert!(matches!(
            YearCalendar::from_json(0, r#"{"days_off":[]}"#),
            Err(CalendarError::BadYear(0))
        ));
        // Years must be four digits: anything else could be loaded but never read back.
        for year in [1, 999, 10_000] {
            assert!(matches!(
                YearCalendar::from_json(year, r#"{"days_off":[]}"#),
                Err(CalendarError::BadYear(y)) if y == year
            ));
        }
    }
}
