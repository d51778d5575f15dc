//! The dossier register (sổ theo dõi hồ sơ): staff list dossiers by status, receiving agency
//! and receipt date, newest first, a page at a time (keyset cursor, stable under inserts).

use crate::AppState;
use crate::domain::status::DossierStatus;
use crate::dossiers::{local, rfc3339};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_calendar::PROVINCE_OFFSET;
use motcua_problem::{ApiQuery, ApiResult, FieldError, Problem, codes};
use serde::Deserialize;
use serde_json::json;
use time::{Date, OffsetDateTime, Time};
use utoipa::{IntoParams, OpenApi};

#[derive(OpenApi)]
#[openapi(paths(list))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/dossiers", get(list))
}

/// One line of the register.
#[derive(sqlx::FromRow)]
struct RegisterRow {
    code: String,
    procedure_code: String,
    receiving_agency: String,
    channel: String,
    status: String,
    status_code: i16,
    applicant: serde_json::Value,
    received_at: OffsetDateTime,
    due_at: OffsetDateTime,
}

/// Filters of the register.
#[derive(Deserialize, IntoParams)]
pub(crate) struct ListQuery {
    /// Status name, e.g. `processing`.
    status: Option<String>,
    /// Receiving agency (staff of an agency see their own only).
    agency: Option<String>,
    /// First receipt date (YYYY-MM-DD, local), inclusive.
    from: Option<String>,
    /// Last receipt date, inclusive.
    to: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size (default 50, at most 200).
    limit: Option<i64>,
}

fn bad(field: &str, message: &str) -> Problem {
    Problem::new(&codes::INVALID_QUERY, format!("{field}: {message}"))
        .with_errors(vec![FieldError::new(field, &codes::INVALID_VALUE, message)])
}

fn day(field: &str, raw: &Option<String>) -> Result<Option<Date>, Problem> {
    raw.as_deref()
        .map(|r| {
            Date::parse(r, time::macros::format_description!("[year]-[month]-[day]"))
                .map_err(|_| bad(field, "expected YYYY-MM-DD"))
        })
        .transpose()
}

/// `<unix microseconds>~<code>` of the last row of a page.
fn encode_cursor(at: OffsetDateTime, code: &str) -> String {
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

/// Lists dossiers for staff: inspectors and admins see every agency; one-stop officers and
/// agency heads see the dossiers their own unit received.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(ListQuery),
    responses((status = 200, content_type = "application/json",
        example = json!({"items": [{"code": "000.25.80.H80-261127-0001", "procedure_code": "1.001193", "receiving_agency": "000.25.80.H80",
            "channel": "counter", "status": "processing", "status_code": 4, "applicant_name": "Nguyễn Văn An",
            "received_at": "2026-11-27T09:00:00+07:00", "due_at": "2026-11-27T17:00:00+07:00"}], "next_cursor": null})),
        (status = 403, description = "not staff, or another agency"), (status = 422, description = "bad filter")),
    security(("bearer" = [])))]
async fn list(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(&[
        Role::Inspector,
        Role::Admin,
        Role::OneStopOfficer,
        Role::AgencyHead,
    ])?;
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
    if let Some(st) = q.status.as_deref()
        && DossierStatus::parse(st).is_none()
    {
        return Err(bad("status", "unknown status"));
    }
    let start =
        day("from", &q.from)?.map(|d| d.with_time(Time::MIDNIGHT).assume_offset(PROVINCE_OFFSET));
    let end = day("to", &q.to)?
        .and_then(|d| d.next_day())
        .map(|d| d.with_time(Time::MIDNIGHT).assume_offset(PROVINCE_OFFSET));
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows: Vec<RegisterRow> = sqlx::query_as(
        "SELECT code, procedure_code, receiving_agency, channel, status, status_code, applicant, received_at, due_at
           FROM dossier
          WHERE ($1::text IS NULL OR receiving_agency = $1)
            AND ($2::text IS NULL OR status = $2)
            AND ($3::timestamptz IS NULL OR received_at >= $3)
            AND ($4::timestamptz IS NULL OR received_at < $4)
            AND ($5::timestamptz IS NULL OR (received_at, code) < ($5, $6))
          ORDER BY received_at DESC, code DESC
          LIMIT $7",
    )
    .bind(&agency)
    .bind(&q.status)
    .bind(start)
    .bind(end)
    .bind(after.as_ref().map(|a| a.0))
    .bind(after.as_ref().map(|a| a.1.clone()).unwrap_or_default())
    .bind(limit + 1)
    .fetch_all(&s.pool)
    .await?;
    let more = rows.len() as i64 > limit;
    let page = &rows[..rows.len().min(limit as usize)];
    let next_cursor = if more {
        page.last().map(|r| encode_cursor(r.received_at, &r.code))
    } else {
        None
    };
    let items: Vec<_> = page
        .iter()
        .map(|r| {
            json!({
                "code": r.code, "procedure_code": r.procedure_code, "receiving_agency": r.receiving_agency,
                "channel": r.channel, "status": r.status, "status_code": r.status_code,
                "applicant_name": r.applicant.get("full_name"),
                "received_at": rfc3339(local(r.received_at)), "due_at": rfc3339(local(r.due_at)),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items, "next_cursor": next_cursor })))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = time::macros::datetime!(2026-11-27 09:00:00.123456 +07:00);
        let c = super::encode_cursor(at, "000.25.80.H80-261127-0001");
        assert_eq!(
            super::decode_cursor(&c).unwrap(),
            (at, "000.25.80.H80-261127-0001".to_string())
        );
        assert!(super::decode_cursor("nonsense").is_err());
        assert!(super::decode_cursor("12x~a").is_err());
        assert!(
            super::decode_cursor("170141183460469231731687303715884105727~a").is_err(),
            "overflow is an error, not a panic"
        );
    }
}
