//! A year of the working-day calendar over REST (lịch nghỉ lễ, ngày làm bù của một năm): the
//! days off and make-up working days as answered, in the shape of `calendar-vn.json`, and the
//! shape of the body that loads or replaces a year. The calendar crate reads that body (its
//! errors name the entry at fault); here it is described for the OpenAPI document.

use motcua_calendar::{YearCalendar, format_date};
use motcua_problem::{FieldError, Problem, codes};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;
use utoipa::ToSchema;

/// The years a calendar can be loaded for: those the calendar's data format names with four
/// digits. A year outside would be stored, then refused by every service reading the calendar.
pub const LOADABLE_YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// `year`, when a calendar can be loaded for it; otherwise why not.
pub fn loadable(year: i32) -> Result<i32, Problem> {
    if LOADABLE_YEARS.contains(&year) {
        return Ok(year);
    }
    Err(Problem::new(
        &codes::INVALID_CALENDAR,
        format!("{year} is not a four-digit year"),
    )
    .with_errors(vec![FieldError::new(
        "year",
        &codes::INVALID_CALENDAR_FIELD,
        "a four-digit year, 1000 to 9999",
    )]))
}

/// One listed day: a day off (ngày nghỉ) or a make-up working day (ngày làm bù).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalendarDay {
    /// The day (YYYY-MM-DD).
    #[schema(format = Date, example = "2026-01-01")]
    pub date: String,
    /// Its name, e.g. `Tết Dương lịch`; absent when none was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One year's calendar (lịch làm việc của năm): every Monday–Friday is a working day except
/// the days off; the make-up working days are worked even on a weekend.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"days_off": [{"date": "2026-01-01", "name": "Tết Dương lịch"}],
    "working_days": [{"date": "2026-08-22", "name": "make-up working Saturday for 31/08"}]}))]
pub struct CalendarYear {
    /// Public holidays and compensatory days off (ngày nghỉ lễ, nghỉ bù), by date.
    pub days_off: Vec<CalendarDay>,
    /// Make-up working days (ngày làm bù), by date.
    pub working_days: Vec<CalendarDay>,
    /// Remarks about the sources, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl From<&YearCalendar> for CalendarYear {
    fn from(y: &YearCalendar) -> Self {
        let days = |m: &BTreeMap<Date, String>| {
            m.iter()
                .map(|(date, name)| CalendarDay {
                    date: format_date(*date),
                    name: (!name.is_empty()).then(|| name.clone()),
                })
                .collect()
        };
        Self {
            days_off: days(&y.days_off),
            working_days: days(&y.working_days),
            notes: y.notes.clone(),
        }
    }
}

/// A day in a year's body: `"YYYY-MM-DD"`, or the date with its name.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // describes what `YearCalendar::from_json` reads
pub enum CalendarDayEntry {
    /// The day alone (YYYY-MM-DD).
    #[schema(format = Date)]
    Date(String),
    /// The day with its name.
    Named(CalendarDay),
}

/// The body that loads or replaces a year: every date in that year, none listed twice, none
/// both a day off and a working day.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"days_off": [{"date": "2027-01-01", "name": "Tết Dương lịch"}], "working_days": []}))]
#[allow(dead_code)] // describes what `YearCalendar::from_json` reads
pub struct CalendarYearBody {
    /// Days off (ngày nghỉ lễ, nghỉ bù); an empty list when the year has none.
    days_off: Vec<CalendarDayEntry>,
    /// Make-up working days (ngày làm bù); none when absent.
    working_days: Option<Vec<CalendarDayEntry>>,
    /// Remarks about the sources.
    notes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_year_is_answered_as_the_calendar_writes_it() {
        let mut year = YearCalendar::new()
            .with_day_off(date!(2026 - 01 - 01), "Tết Dương lịch")
            .with_day_off(date!(2026 - 04 - 27), "")
            .with_working_day(date!(2026 - 08 - 22), "làm bù");
        assert_eq!(
            serde_json::to_value(CalendarYear::from(&year)).unwrap(),
            year.to_json()
        );
        year.notes = Some("Quyết định 1/QĐ-TTg".into());
        assert_eq!(
            serde_json::to_value(CalendarYear::from(&year)).unwrap(),
            year.to_json()
        );
    }

    #[test]
    fn the_described_body_is_what_the_calendar_reads() {
        let body = r#"{"days_off": ["2027-01-01", {"date": "2027-02-16", "name": "Tết"}],
            "working_days": [{"date": "2027-02-20"}], "notes": "x"}"#;
        assert!(YearCalendar::from_json(2027, body).is_ok());
        assert!(YearCalendar::from_json(2027, "null").is_err());
        assert!(YearCalendar::from_json(2027, r#"{"days_off": [], "extra": 1}"#).is_err());
        assert!(YearCalendar::from_json(10_000, r#"{"days_off": []}"#).is_err());
    }

    #[test]
    fn only_a_four_digit_year_is_loaded() {
        assert_eq!(loadable(2027).unwrap(), 2027);
        for year in [1, 999, 10_000, -2027] {
            assert_eq!(
                loadable(year).unwrap_err().code,
                "invalid_calendar",
                "{year}"
            );
        }
        // The whole calendar, as peers read it, names each year with four digits.
        let mut cal = motcua_calendar::WorkingCalendar::new();
        cal.set_year(1000, YearCalendar::new()).unwrap();
        let json = cal.to_json().to_string();
        assert!(
            motcua_calendar::WorkingCalendar::from_json(&json).is_ok(),
            "{json}"
        );
    }
}
