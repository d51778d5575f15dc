//! The working-day calendar (lịch làm việc) over REST: a year's days off and extra working
//! days (read by anyone, replaced by catalogue admins, audited), an agency's own working
//! sessions, and the deadline question. The calendar itself is held in memory
//! ([`crate::state::CalendarStore`]) for fast deadline computation.

use crate::domain::deadline::{self, DeadlineQuery};
use crate::domain::sessions::sessions_from_json;
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_calendar::{Deadline, WorkingCalendar};
use motcua_problem::{ApiPath, ApiQuery, ApiResult, FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(get_year, put_year, deadline),
    components(schemas(DeadlineAnswer))
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
    /// `[["07:30","11:30"],["13:00","16:30"]]`, or null.
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    sessions: Option<serde_json::Value>,
}

/// Sets the working sessions of one agency (catalogue_admin; audited). Deadlines computed with
/// `agency=` then count that agency's sessions.
#[utoipa::path(put, path = "/api/v1/agencies/{code}/working-sessions", tag = "calendar",
    params(("code" = String, Path, example = "000.25.80.H80")),
    request_body(content = AgencySessions, example = json!({"sessions": [["07:30", "11:30"], ["13:00", "16:30"]]})),
    responses((status = 200, content_type = "application/json"), (status = 403, description = "not catalogue_admin"),
              (status = 404, description = "unknown agency"), (status = 422, description = "invalid sessions")),
    security(("bearer" = [])))]
async fn put_agency_sessions(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    motcua_problem::ApiJson(body): motcua_problem::ApiJson<AgencySessions>,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(&[Role::CatalogueAdmin])?;
    let sessions = body.sessions.filter(|v| !v.is_null());
    if let Some(v) = &sessions {
        sessions_from_json(v).map_err(|e| {
            Problem::new(&codes::INVALID_SESSIONS, e.clone()).with_errors(vec![FieldError::new(
                "sessions",
                &codes::INVALID_SESSIONS_FIELD,
                e,
            )])
        })?;
    }
    let mut tx = s.pool.begin().await?;
    if !store::agencies::set_working_sessions(&mut tx, &code, sessions.as_ref(), &caller.sub)
        .await?
    {
        return Err(Problem::new(
            &codes::AGENCY_NOT_FOUND,
            format!("no agency {code}"),
        ));
    }
    tx.commit().await?;
    Ok(Json(
        serde_json::json!({ "agency": code, "sessions": sessions }),
    ))
}

/// Days off and extra working days of a year (public).
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "calendar", params(("year" = i32, Path, example = 2026)),
    responses((status = 200, content_type = "application/json",
        example = json!({"days_off": [{"date": "2026-01-01", "name": "Tết Dương lịch"}], "working_days": [{"date": "2026-08-22", "name": "make-up working Saturday for 31/08"}]})),
        (status = 404, description = "year not loaded")))]
async fn get_year(
    State(s): State<AppState>,
    ApiPath(year): ApiPath<i32>,
) -> ApiResult<Json<serde_json::Value>> {
    s.calendar
        .get()
        .year_to_json(year)
        .map(Json)
        .ok_or_else(|| {
            Problem::new(
                &codes::CALENDAR_YEAR_NOT_LOADED,
                format!("the calendar of {year} is not loaded"),
            )
        })
}

/// Loads or replaces a year's calendar (catalogue_admin; audited). Deadlines already stored
/// are not changed.
#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "calendar", params(("year" = i32, Path, example = 2027)),
    request_body(content = serde_json::Value, example = json!({"days_off": [{"date": "2027-01-01", "name": "Tết Dương lịch"}], "working_days": []})),
    responses((status = 200, content_type = "application/json"), (status = 403, description = "not catalogue_admin"),
              (status = 422, description = "invalid calendar")),
    security(("bearer" = [])))]
async fn put_year(
    caller: Caller,
    State(s): State<AppState>,
    ApiPath(year): ApiPath<i32>,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    caller.require_any(&[Role::CatalogueAdmin])?;
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
    let stored = next.year_to_json(year).unwrap_or_default();
    let mut tx = s.pool.begin().await?;
    store::calendar::put_year(&mut tx, year, &stored, &caller.sub).await?;
    tx.commit().await?;
    s.calendar.replace(next);
    Ok(Json(stored))
}

/// A computed deadline.
#[derive(Serialize, ToSchema)]
pub(crate) struct DeadlineAnswer {
    /// RFC 3339 at +07:00.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, example = "2026-12-01T10:00:00+07:00")]
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

/// Computes a deadline on the working-day calendar (public).
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar", params(DeadlineQuery),
    responses((status = 200, body = DeadlineAnswer, example = json!({"deadline": "2026-12-01T10:00:00+07:00", "provisional": false})),
              (status = 422, description = "invalid parameters")))]
async fn deadline(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<Json<DeadlineAnswer>> {
    let (start, limit) = deadline::question(&q)?;
    let cal = s.calendar.for_agency(&s.pool, q.agency.as_deref()).await?;
    Ok(Json(cal.deadline(start, &limit).into()))
}
