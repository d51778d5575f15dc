//! The working-day calendar (lịch làm việc) over REST: a year's days off and extra working
//! days (read by anyone, replaced by catalogue admins, audited), an agency's own working
//! sessions, and the deadline question. The calendar itself is held in memory
//! ([`crate::state::CalendarStore`]) for fast deadline computation.

use crate::domain::calendar_year::{
    self, CalendarDay, CalendarDayEntry, CalendarYear, CalendarYearBody,
};
use crate::domain::deadline::{self, DeadlineQuery};
use crate::domain::sessions::sessions_from_json;
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_audit::Actor;
use motcua_auth::Caller;
use motcua_calendar::{Deadline, WorkingCalendar};
use motcua_catalogue_model::sessions_schema;
use motcua_problem::{ApiPath, ApiQuery, ApiResult, FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(get_year, put_year, deadline, put_agency_sessions),
    components(schemas(
        DeadlineAnswer,
        CalendarYear,
        CalendarDay,
        CalendarYearBody,
        CalendarDayEntry,
        AgencySessions,
        AgencySessionsSet
    ))
)]
pub(crate) struct Doc;

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calendar/deadline", get(deadline))
        .route("/api/v1/calendar/{year}", get(get_year).put(put_year))
        .route(
            "/api/v1/agencies/{code}/working-sessions",
            axum::routing::put(put_agency_sessions),
        )
}

/// An agency's own working sessions, or `null` to follow the province's.
#[derive(Deserialize, ToSchema)]
pub(crate) struct AgencySessions {
    /// `[["07:30","11:30"],["13:00","16:30"]]`: `[start, end]` pairs of local `HH:MM`, in order
    /// and not overlapping; or null.
    #[schema(schema_with = sessions_schema)]
    sessions: Option<serde_json::Value>,
}

/// An agency's working sessions as set (buổi làm việc của cơ quan).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"agency": "000.25.80.H80", "sessions": [["07:30", "11:30"], ["13:00", "16:30"]]}))]
pub(crate) struct AgencySessionsSet {
    /// The agency's code.
    agency: String,
    /// Its own sessions, `[start, end]` pairs of local `HH:MM`; null when it follows the
    /// province's.
    #[schema(schema_with = sessions_schema)]
    sessions: Option<Vec<[String; 2]>>,
}

/// Sets the working sessions of one agency (catalogue_admin; audited). Deadlines computed with
/// `agency=` then count that agency's sessions.
#[utoipa::path(put, path = "/api/v1/agencies/{code}/working-sessions", tag = "calendar",
    params(("code" = String, Path, description = "agency code", example = "000.25.80.H80")),
    request_body(content = AgencySessions, example = json!({"sessions": [["07:30", "11:30"], ["13:00", "16:30"]]})),
    responses((status = 200, description = "the sessions as set", body = AgencySessionsSet),
              (status = 403, description = "role_not_allowed: not catalogue_admin"),
              (status = 404, description = "agency_not_found: unknown agency"),
              (status = 422, description = "invalid_sessions: malformed, out of order or overlapping")),
    security(("bearer" = [])))]
async fn put_agency_sessions(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    motcua_problem::ApiJson(body): motcua_problem::ApiJson<AgencySessions>,
) -> ApiResult<Json<AgencySessionsSet>> {
    let sessions = body.sessions.filter(|v| !v.is_null());
    let invalid = |e: String| {
        Problem::new(&codes::INVALID_SESSIONS, e.clone()).with_errors(vec![FieldError::new(
            "sessions",
            &codes::INVALID_SESSIONS_FIELD,
            e,
        )])
    };
    let pairs = match &sessions {
        Some(v) => {
            sessions_from_json(v).map_err(invalid)?;
            Some(
                serde_json::from_value::<Vec<[String; 2]>>(v.clone())
                    .map_err(|e| invalid(e.to_string()))?,
            )
        }
        None => None,
    };
    let mut tx = s.pool.begin().await?;
    if !store::agencies::set_working_sessions(
        &mut tx,
        &code,
        sessions.as_ref(),
        &Actor::of(&caller),
    )
    .await?
    {
        return Err(Problem::new(
            &codes::AGENCY_NOT_FOUND,
            format!("no agency {code}"),
        ));
    }
    tx.commit().await?;
    Ok(Json(AgencySessionsSet {
        agency: code,
        sessions: pairs,
    }))
}

fn year_not_loaded(year: i32) -> Problem {
    Problem::new(
        &codes::CALENDAR_YEAR_NOT_LOADED,
        format!("the calendar of {year} is not loaded"),
    )
}

/// Days off and extra working days of a year (public).
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, minimum = 1000, maximum = 9999, example = 2026)),
    responses((status = 200, description = "the year's days off and make-up working days", body = CalendarYear),
        (status = 404, description = "calendar_year_not_loaded: year not loaded")))]
async fn get_year(
    State(s): State<AppState>,
    ApiPath(year): ApiPath<i32>,
) -> ApiResult<Json<CalendarYear>> {
    let cal = s.calendar.get();
    let loaded = cal.year(year).ok_or_else(|| year_not_loaded(year))?;
    Ok(Json(CalendarYear::from(loaded)))
}

/// Loads or replaces a year's calendar (catalogue_admin; audited). Deadlines already stored
/// are not changed.
#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "a four-digit year", minimum = 1000, maximum = 9999, example = 2027)),
    request_body = CalendarYearBody,
    responses((status = 200, description = "the year as loaded", body = CalendarYear),
              (status = 403, description = "role_not_allowed: not catalogue_admin"),
              (status = 422, description = "invalid_calendar: not a four-digit year; a date outside the year, listed \
                twice, or both a day off and a working day; a body that is not the year's object")),
    security(("bearer" = [])))]
async fn put_year(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(year): ApiPath<i32>,
    body: axum::body::Bytes,
) -> ApiResult<Json<CalendarYear>> {
    let year = calendar_year::loadable(year)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| Problem::new(&codes::INVALID_BODY, "body is not UTF-8"))?;
    let parsed =
        WorkingCalendar::year_from_json(year, text).map_err(|e| {
            Problem::new(&codes::INVALID_CALENDAR, e.to_string()).with_errors(vec![
                FieldError::new("body", &codes::INVALID_CALENDAR_FIELD, e.to_string()),
            ])
        })?;
    let mut next = (*s.calendar.get()).clone();
    next.set_year(year, parsed)
        .map_err(|e| Problem::new(&codes::INVALID_CALENDAR, e.to_string()))?;
    let loaded = next.year(year).ok_or_else(Problem::internal)?; // set just above
    let (stored, answer) = (loaded.to_json(), CalendarYear::from(loaded));
    let mut tx = s.pool.begin().await?;
    store::calendar::put_year(&mut tx, year, &stored, &Actor::of(&caller)).await?;
    tx.commit().await?;
    s.calendar.replace(next);
    Ok(Json(answer))
}

/// A computed deadline (hạn giải quyết).
#[derive(Serialize, ToSchema)]
pub(crate) struct DeadlineAnswer {
    /// The deadline, RFC 3339 at +07:00.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime, example = "2026-12-01T10:00:00+07:00")]
    deadline: OffsetDateTime,
    /// True when the deadline falls in a year whose calendar is not loaded.
    provisional: bool,
}

impl From<Deadline> for DeadlineAnswer {
    fn from(d: Deadline) -> Self {
        Self {
            deadline: d.at,
            provisional: d.provisional,
        }
    }
}

/// Computes a deadline on the working-day calendar (public). Give exactly one of
/// `working_days` or `working_hours` — or neither with `same_day=true`.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses((status = 200, description = "the deadline", body = DeadlineAnswer,
            example = json!({"deadline": "2026-12-01T10:00:00+07:00", "provisional": false})),
              (status = 404, description = "agency_not_found: `agency` is not a known agency"),
              (status = 422, description = "invalid_query: a malformed parameter, or not exactly one of \
                working_days / working_hours (nor same_day)")))]
async fn deadline(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineAnswer>> {
    let (start, limit) = deadline::question(&q)?;
    let cal = s.calendar.for_agency(&s.pool, q.agency.as_deref()).await?;
    Ok(Json(cal.deadline(start, &limit).into()))
}
