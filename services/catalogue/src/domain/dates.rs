//! Dates as the catalogue's parameters give them (`YYYY-MM-DD`, the province's local day): the
//! date a procedure version or an agency must be in force on.

use motcua_problem::{FieldError, Problem, codes};
use time::Date;

/// Parses a `YYYY-MM-DD` parameter named `field`.
pub fn parse_date(field: &str, raw: &str) -> Result<Date, Problem> {
    Date::parse(
        raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        Problem::new(&codes::INVALID_QUERY, "bad date").with_errors(vec![FieldError::new(
            field,
            &codes::INVALID_DATE,
            "expected YYYY-MM-DD",
        )])
    })
}
