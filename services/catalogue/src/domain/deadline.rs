//! The deadline question (hạn giải quyết) as the public calendar endpoint takes it: a start
//! instant and a time limit in working days or hours, with an optional cut-off and same-day
//! rule, read into what the working-day calendar computes with.

use motcua_calendar::{TimeLimit, WorkingDuration, parse_time_of_day};
use motcua_problem::{FieldError, Problem, codes};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;

/// Deadline question: exactly one of `working_days` or `working_hours`, or neither with
/// `same_day=true`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// Start instant (RFC 3339 with offset), e.g. the receipt time.
    #[param(format = DateTime, example = "2026-04-24T16:00:00+07:00")]
    pub start: String,
    /// Working days (ngày làm việc), whole or half.
    #[param(minimum = 0, maximum = 1000000, multiple_of = 0.5, example = 3)]
    pub working_days: Option<f64>,
    /// Working hours (giờ làm việc), alternative to `working_days`; a whole number of minutes.
    #[param(minimum = 0, maximum = 8000000, example = 8)]
    pub working_hours: Option<f64>,
    /// Local cut-off `HH:MM`: received after it, counting starts the next working day.
    #[param(
        pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        example = "15:00"
    )]
    pub cutoff: Option<String>,
    /// Same-day procedure: due at the end of the working day counting starts on.
    pub same_day: Option<bool>,
    /// Agency whose working sessions apply (empty: the province's).
    pub agency: Option<String>,
}

/// The start and the time limit `q` asks about, or the first parameter at fault.
pub fn question(q: &DeadlineQuery) -> Result<(OffsetDateTime, TimeLimit), Problem> {
    let start = OffsetDateTime::parse(&q.start, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            Problem::new(&codes::INVALID_QUERY, "bad start").with_errors(vec![FieldError::new(
                "start",
                &codes::INVALID_DATETIME,
                "expected RFC 3339 with offset",
            )])
        })?;
    let working = match (q.working_days, q.working_hours) {
        (Some(d), None) => {
            WorkingDuration::days(d).map_err(|e| field_problem("working_days", e))?
        }
        (None, Some(h)) => {
            WorkingDuration::from_hours_f64(h).map_err(|e| field_problem("working_hours", e))?
        }
        (None, None) if q.same_day == Some(true) => WorkingDuration::ZERO,
        _ => {
            return Err(Problem::new(
                &codes::INVALID_QUERY,
                "give exactly one of working_days or working_hours",
            )
            .with_errors(vec![FieldError::new(
                "working_days",
                &codes::EXACTLY_ONE,
                "give working_days or working_hours",
            )]));
        }
    };
    let cutoff = match q.cutoff.as_deref() {
        Some(c) => Some(parse_time_of_day(c).map_err(|e| field_problem("cutoff", e))?),
        None => None,
    };
    let limit = TimeLimit {
        working,
        same_day: q.same_day.unwrap_or(false),
        cutoff,
    };
    Ok((start, limit))
}

fn field_problem(field: &str, e: impl std::fmt::Display) -> Problem {
    Problem::new(&codes::INVALID_QUERY, format!("{field}: {e}")).with_errors(vec![FieldError::new(
        field,
        &codes::INVALID_VALUE,
        e.to_string(),
    )])
}
