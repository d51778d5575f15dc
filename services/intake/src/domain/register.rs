//! The dossier register (sổ theo dõi hồ sơ): which dossiers a member of staff may list, the
//! filters as types, and the keyset cursor (stable under inserts).

use super::status::DossierStatus;
use motcua_auth::{Caller, Role};
use motcua_calendar::PROVINCE_OFFSET;
use motcua_problem::{FieldError, Problem, codes};
use serde::Deserialize;
use time::{Date, OffsetDateTime, Time};
use utoipa::IntoParams;

/// Filters of the register, as sent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// Status name, e.g. `processing`.
    #[param(schema_with = status_names)]
    pub status: Option<String>,
    /// Receiving agency (staff of an agency see their own only).
    #[param(min_length = 1)]
    pub agency: Option<String>,
    /// First receipt date (YYYY-MM-DD, local), inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last receipt date, inclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^-?[0-9]{1,16}~.+$")]
    pub cursor: Option<String>,
    /// Page size (default 50; below 1 counts as 1, above 200 as 200).
    pub limit: Option<i64>,
}

/// The status names the register filters on: every [`DossierStatus`]'s API name.
fn status_names() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(DossierStatus::ALL.iter().map(|s| s.as_str())))
        .build()
}

/// Filters of the register, parsed and allowed for the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterFilter {
    /// Only this receiving agency.
    pub agency: Option<String>,
    /// Only this status.
    pub status: Option<DossierStatus>,
    /// Received at or after.
    pub start: Option<OffsetDateTime>,
    /// Received before.
    pub end: Option<OffsetDateTime>,
    /// After this row (receipt instant, code), newest first.
    pub after: Option<(OffsetDateTime, String)>,
    /// Rows per page.
    pub limit: i64,
}

fn bad(field: &str, message: &str) -> Problem {
    Problem::new(&codes::INVALID_QUERY, format!("{field}: {message}"))
        .with_errors(vec![FieldError::new(field, &codes::INVALID_VALUE, message)])
}

fn day(field: &str, raw: Option<&str>) -> Result<Option<Date>, Problem> {
    raw.map(|r| {
        Date::parse(r, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| bad(field, "expected YYYY-MM-DD"))
    })
    .transpose()
}

fn midnight(d: Date) -> OffsetDateTime {
    d.with_time(Time::MIDNIGHT).assume_offset(PROVINCE_OFFSET)
}

/// The filter for `caller`: inspectors and admins see every agency; one-stop officers and
/// agency heads the dossiers their own unit received.
pub fn filter(caller: &Caller, q: &RegisterQuery) -> Result<RegisterFilter, Problem> {
    if q.agency.as_deref() == Some("") {
        return Err(bad("agency", "empty: leave it out for every agency"));
    }
    let agency = if caller.has_any(&[Role::Inspector, Role::Admin]) {
        q.agency.clone()
    } else {
        let own = caller
            .agency
            .clone()
            .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_ALLOWED, "the caller has no agency"))?;
        if q.agency.as_deref().is_some_and(|a| a != own) {
            return Err(Problem::new(
                &codes::AGENCY_NOT_ALLOWED,
                "only the dossiers of the caller's own unit",
            ));
        }
        Some(own)
    };
    let status = q
        .status
        .as_deref()
        .map(|s| DossierStatus::parse(s).ok_or_else(|| bad("status", "unknown status")))
        .transpose()?;
    Ok(RegisterFilter {
        agency,
        status,
        start: day("from", q.from.as_deref())?.map(midnight),
        end: day("to", q.to.as_deref())?
            .and_then(|d| d.next_day())
            .map(midnight),
        after: q.cursor.as_deref().map(decode_cursor).transpose()?,
        limit: q.limit.unwrap_or(50).clamp(1, 200),
    })
}

/// `<unix microseconds>~<code>` of the last row of a page.
pub fn encode_cursor(at: OffsetDateTime, code: &str) -> String {
    format!("{}~{code}", at.unix_timestamp_nanos() / 1000)
}

fn decode_cursor(raw: &str) -> Result<(OffsetDateTime, String), Problem> {
    let (micros, code) = raw
        .split_once('~')
        .ok_or_else(|| bad("cursor", "not a cursor from this API"))?;
    let micros: i128 = micros
        .parse()
        .map_err(|_| bad("cursor", "not a cursor from this API"))?;
    let nanos = micros
        .checked_mul(1000)
        .ok_or_else(|| bad("cursor", "out of range"))?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map_err(|_| bad("cursor", "out of range"))?;
    Ok((at, code.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(roles: &[Role], agency: Option<&str>) -> Caller {
        Caller {
            sub: "x".into(),
            roles: roles.to_vec(),
            agency: agency.map(str::to_string),
            sector: None,
            id_number: None,
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = time::macros::datetime!(2026-11-27 09:00:00.123456 +07:00);
        let c = encode_cursor(at, "000.25.80.H80-261127-0001");
        assert_eq!(
            decode_cursor(&c).unwrap(),
            (at, "000.25.80.H80-261127-0001".to_string())
        );
        assert!(decode_cursor("nonsense").is_err());
        assert!(decode_cursor("12x~a").is_err());
        assert!(
            decode_cursor("170141183460469231731687303715884105727~a").is_err(),
            "overflow is an error, not a panic"
        );
    }

    #[test]
    fn staff_see_their_own_unit_only_and_inspectors_all() {
        let q = RegisterQuery {
            agency: Some("B".into()),
            ..Default::default()
        };
        let officer = caller(&[Role::OneStopOfficer], Some("A"));
        assert_eq!(filter(&officer, &q).unwrap_err().code, "agency_not_allowed");
        let own = filter(&officer, &RegisterQuery::default()).unwrap();
        assert_eq!(own.agency.as_deref(), Some("A"));
        let inspector = caller(&[Role::Inspector], None);
        assert_eq!(filter(&inspector, &q).unwrap().agency.as_deref(), Some("B"));
        assert_eq!(
            filter(&caller(&[Role::AgencyHead], None), &q)
                .unwrap_err()
                .code,
            "agency_not_allowed"
        );
    }

    #[test]
    fn the_date_range_is_whole_local_days() {
        let q = RegisterQuery {
            from: Some("2026-11-27".into()),
            to: Some("2026-11-27".into()),
            ..Default::default()
        };
        let f = filter(&caller(&[Role::Admin], None), &q).unwrap();
        assert_eq!(
            f.start,
            Some(time::macros::datetime!(2026-11-27 00:00 +07:00))
        );
        assert_eq!(
            f.end,
            Some(time::macros::datetime!(2026-11-28 00:00 +07:00))
        );
    }
}
