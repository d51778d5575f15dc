//! The period a report covers (kỳ báo cáo): local days given as `YYYY-MM-DD`, first and last
//! day inclusive.

use motcua_problem::{FieldError, Problem, codes};
use time::Date;

/// Parses a local date parameter named `field`.
pub fn parse_day(field: &str, raw: &str) -> Result<Date, Problem> {
    Date::parse(
        raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        Problem::new(&codes::INVALID_QUERY, format!("{field} must be YYYY-MM-DD")).with_errors(
            vec![FieldError::new(
                field,
                &codes::INVALID_DATE,
                "expected YYYY-MM-DD",
            )],
        )
    })
}

/// The period from `from` to `to`, both parsed; refused when it ends before it starts.
pub fn period(from: &str, to: &str) -> Result<(Date, Date), Problem> {
    let (from, to) = (parse_day("from", from)?, parse_day("to", to)?);
    if from > to {
        return Err(
            Problem::new(&codes::INVALID_QUERY, "from is after to").with_errors(vec![
                FieldError::new("from", &codes::AFTER_TO, "from must not be after to"),
            ]),
        );
    }
    Ok((from, to))
}

/// The instants a period of local days spans: from the first day's 00:00 (+07:00) to the
/// day after the last, excluded.
pub fn instants(from: Date, to: Date) -> (time::OffsetDateTime, time::OffsetDateTime) {
    let start = |d: Date| d.midnight().assume_offset(motcua_calendar::PROVINCE_OFFSET);
    (start(from), start(to.next_day().unwrap_or(to)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_two_local_days_in_order() {
        let (from, to) = period("2026-11-01", "2026-11-30").unwrap();
        assert!(from < to);
        assert!(period("2026-11-30", "2026-11-01").is_err());
        assert!(period("2026-11-01", "30/11/2026").is_err());
        assert!(parse_day("from", "2026-11-27").is_ok());
        let (a, b) = instants(from, to);
        assert_eq!(
            (a.to_string(), b.to_string()),
            (
                "2026-11-01 0:00:00.0 +07:00:00".to_string(),
                "2026-12-01 0:00:00.0 +07:00:00".to_string()
            )
        );
    }
}
