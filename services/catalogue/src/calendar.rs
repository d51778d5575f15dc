//! The working-day calendar (lịch làm việc) as a service: stored per year, audited on change,
//! held in memory for fast deadline computation, exposed over REST and gRPC.
//!
//! A deadline is computed once and stored by its owner (intake, workflow). Loading a corrected
//! calendar changes future computations only: stored deadlines are not recomputed (see
//! `docs/operations.md`, "a mid-year calendar change").

use crate::{AppState, audit};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_calendar::{
    Deadline, Session, TimeLimit, WorkingCalendar, WorkingDuration, parse_time_of_day,
};
use motcua_problem::{ApiPath, ApiQuery, ApiResult, FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(get_year, put_year, deadline),
    components(schemas(DeadlineAnswer))
)]
pub(crate) struct Doc;

/// The calendar in memory, shared by all handlers; replaced whole on change.
#[derive(Clone)]
pub struct CalendarStore {
    current: Arc<RwLock<Arc<WorkingCalendar>>>,
    /// The province's sessions, when configured (`MOTCUA_WORKING_SESSIONS`).
    province_sessions: Option<Vec<Session>>,
}

/// Parses `07:30-11:30,13:00-17:00` (the `MOTCUA_WORKING_SESSIONS` format).
pub fn parse_sessions_setting(raw: &str) -> anyhow::Result<Vec<Session>> {
    raw.split(',')
        .map(|part| {
            let (a, b) = part.trim().split_once('-').ok_or_else(|| {
                anyhow::anyhow!("MOTCUA_WORKING_SESSIONS: {part:?} is not HH:MM-HH:MM")
            })?;
            Session::parse(a.trim(), b.trim())
                .map_err(|e| anyhow::anyhow!("MOTCUA_WORKING_SESSIONS: {e}"))
        })
        .collect()
}

impl CalendarStore {
    fn base(&self) -> anyhow::Result<WorkingCalendar> {
        let cal = WorkingCalendar::vietnam_default();
        Ok(match &self.province_sessions {
            Some(s) => cal.with_sessions(s.clone())?,
            None => cal,
        })
    }
}

impl CalendarStore {
    /// Loads stored years over the built-in 2025–2026 calendar; stores the built-in years
    /// when the table is empty, so they are visible and auditable.
    pub async fn load(
        pool: &PgPool,
        province_sessions: Option<Vec<Session>>,
    ) -> anyhow::Result<Self> {
        let builtin = WorkingCalendar::vietnam_default();
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM calendar_year")
            .fetch_one(pool)
            .await?;
        if count == 0 {
            for year in builtin.loaded_years() {
                if let Some(data) = builtin.year_to_json(year) {
                    sqlx::query(
                        "INSERT INTO calendar_year (year, data, updated_by) VALUES ($1, $2, 'system')
                         ON CONFLICT (year) DO NOTHING",
                    )
                    .bind(year)
                    .bind(data)
                    .execute(pool)
                    .await?;
                }
            }
        }
        let store = Self {
            current: Arc::new(RwLock::new(Arc::new(builtin))),
            province_sessions,
        };
        store.reload(pool).await?;
        Ok(store)
    }

    /// Re-reads every stored year (other replicas may have changed one).
    pub async fn reload(&self, pool: &PgPool) -> anyhow::Result<()> {
        let rows: Vec<(i32, serde_json::Value)> =
            sqlx::query_as("SELECT year, data FROM calendar_year ORDER BY year")
                .fetch_all(pool)
                .await?;
        let mut cal = self.base()?;
        for (year, data) in rows {
            match WorkingCalendar::year_from_json(year, &data.to_string()) {
                Ok(y) => cal.set_year(year, y)?,
                Err(e) => {
                    tracing::error!(year, error = %e, "stored calendar year unreadable; skipped")
                }
            }
        }
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(cal);
        Ok(())
    }

    /// The calendar now in force.
    pub fn get(&self) -> Arc<WorkingCalendar> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reloads every 60 s until shutdown, so replicas converge after a `PUT`.
    pub(crate) async fn refresh_worker(self, pool: PgPool, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
            if let Err(e) = self.reload(&pool).await {
                tracing::warn!(error = %e, "calendar reload failed");
            }
        }
    }

    /// The calendar with `agency`'s own working sessions when it has them.
    pub(crate) async fn for_agency(
        &self,
        pool: &PgPool,
        agency: Option<&str>,
    ) -> Result<Arc<WorkingCalendar>, Problem> {
        let cal = self.get();
        let Some(code) = agency.filter(|a| !a.is_empty()) else {
            return Ok(cal);
        };
        let row: Option<Option<serde_json::Value>> =
            sqlx::query_scalar("SELECT working_sessions FROM agency WHERE code = $1")
                .bind(code)
                .fetch_optional(pool)
                .await?;
        let Some(sessions) = row else {
            return Err(Problem::new(
                &codes::AGENCY_NOT_FOUND,
                format!("no agency {code}"),
            ));
        };
        let Some(sessions) = sessions else {
            return Ok(cal);
        };
        let pairs: Vec<(String, String)> = serde_json::from_value(sessions).map_err(|e| {
            tracing::error!(agency = code, error = %e, "stored working sessions unreadable");
            Problem::internal()
        })?;
        let parsed = pairs
            .iter()
            .map(|(a, b)| Session::parse(a, b))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                tracing::error!(agency = code, error = %e, "stored working sessions invalid");
                Problem::internal()
            })?;
        let custom = (*cal).clone().with_sessions(parsed).map_err(|e| {
            tracing::error!(agency = code, error = %e, "stored working sessions invalid");
            Problem::internal()
        })?;
        Ok(Arc::new(custom))
    }
}

/// Parses `[["07:30","11:30"],["13:00","16:30"]]`.
fn sessions_from_json(v: &serde_json::Value) -> Result<Vec<Session>, String> {
    let pairs: Vec<(String, String)> =
        serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
    let sessions = pairs
        .iter()
        .map(|(a, b)| Session::parse(a, b))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    // The calendar checks order and overlap.
    WorkingCalendar::new()
        .with_sessions(sessions.clone())
        .map_err(|e| e.to_string())?;
    Ok(sessions)
}

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
    let before: Option<Option<serde_json::Value>> =
        sqlx::query_scalar("SELECT working_sessions FROM agency WHERE code = $1 FOR UPDATE")
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(before) = before else {
        return Err(Problem::new(
            &codes::AGENCY_NOT_FOUND,
            format!("no agency {code}"),
        ));
    };
    sqlx::query("UPDATE agency SET working_sessions = $2 WHERE code = $1")
        .bind(&code)
        .bind(&sessions)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &caller.sub,
        "agency.working_sessions",
        &code,
        before.as_ref(),
        sessions.as_ref(),
    )
    .await?;
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
    let before: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT data FROM calendar_year WHERE year = $1 FOR UPDATE")
            .bind(year)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query(
        "INSERT INTO calendar_year (year, data, updated_by, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (year) DO UPDATE SET data = EXCLUDED.data, updated_by = EXCLUDED.updated_by, updated_at = now()",
    )
    .bind(year)
    .bind(&stored)
    .bind(&caller.sub)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &caller.sub,
        "calendar.put",
        &year.to_string(),
        before.as_ref(),
        Some(&stored),
    )
    .await?;
    tx.commit().await?;
    *s.calendar
        .current
        .write()
        .unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
    Ok(Json(stored))
}

/// Deadline question.
#[derive(Deserialize, IntoParams)]
pub(crate) struct DeadlineQuery {
    /// Start instant (RFC 3339), e.g. the receipt time.
    start: String,
    /// Working days (halves allowed).
    working_days: Option<f64>,
    /// Working hours (alternative to `working_days`).
    working_hours: Option<f64>,
    /// Local cut-off `HH:MM`: received after it, counting starts the next working day.
    cutoff: Option<String>,
    /// Same-day procedure: due at the end of the working day counting starts on.
    same_day: Option<bool>,
    /// Agency whose working sessions apply.
    agency: Option<String>,
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
    let cal = s.calendar.for_agency(&s.pool, q.agency.as_deref()).await?;
    Ok(Json(cal.deadline(start, &limit).into()))
}

fn field_problem(field: &str, e: impl std::fmt::Display) -> Problem {
    Problem::new(&codes::INVALID_QUERY, format!("{field}: {e}")).with_errors(vec![FieldError::new(
        field,
        &codes::INVALID_VALUE,
        e.to_string(),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_sessions_setting_is_parsed_and_checked() {
        let s = parse_sessions_setting("07:30-11:30, 13:00-17:00").unwrap();
        assert_eq!(s.len(), 2);
        assert!(parse_sessions_setting("07:30/11:30").is_err());
        assert!(parse_sessions_setting("11:30-07:30").is_err());
    }

    #[test]
    fn agency_sessions_must_be_ordered_and_disjoint() {
        assert!(
            sessions_from_json(&serde_json::json!([["08:00", "10:30"], ["14:00", "17:00"]]))
                .is_ok()
        );
        assert!(
            sessions_from_json(&serde_json::json!([["08:00", "12:00"], ["11:00", "17:00"]]))
                .is_err()
        );
        assert!(sessions_from_json(&serde_json::json!("08:00-12:00")).is_err());
    }
}
