//! Received dossiers per day (số hồ sơ tiếp nhận theo ngày).

use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_auth::{Caller, Role};
use motcua_calendar::PROVINCE_OFFSET;
use motcua_events::DossierReceived;
use motcua_problem::{ApiQuery, ApiResult, FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool};
use time::Date;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(paths(received_daily), components(schemas(DailyRow, DailyList)))]
pub(crate) struct Doc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/reports/received-daily", get(received_daily))
}

/// Records a received dossier once; a duplicate changes nothing.
pub(crate) async fn record(
    tx: &mut PgConnection,
    ev: &DossierReceived,
) -> Result<bool, sqlx::Error> {
    let day = ev.received_at.to_offset(PROVINCE_OFFSET).date();
    let done = sqlx::query(
        "INSERT INTO dossier_fact (dossier_code, procedure_code, receiving_agency, channel, received_at, received_day, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dossier_code) DO NOTHING",
    )
    .bind(&ev.dossier_code)
    .bind(&ev.procedure_code)
    .bind(&ev.receiving_agency)
    .bind(&ev.channel)
    .bind(ev.received_at)
    .bind(day)
    .bind(ev.due_at)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Follows a dossier's status change (`dossier.*` after receipt).
pub(crate) async fn follow(
    tx: &mut PgConnection,
    ev: &motcua_events::DossierStatusChanged,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE dossier_fact
            SET status = $2, status_code = $3, due_at = $4, updated_at = $5,
                supplement_requested = supplement_requested OR $2 = 'supplement_requested',
                returned_at = CASE WHEN $2 = 'result_returned' THEN $5 ELSE returned_at END
          WHERE dossier_code = $1",
    )
    .bind(&ev.dossier_code)
    .bind(&ev.to_status)
    .bind(ev.status_code)
    .bind(ev.due_at)
    .bind(ev.at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records that processing finished (`case.completed`): the result is at the one-stop.
pub(crate) async fn resolved(
    tx: &mut PgConnection,
    ev: &motcua_events::CaseChanged,
) -> Result<(), sqlx::Error> {
    // Only the time: the status follows intake's events, which arrive in order per dossier.
    sqlx::query(
        "UPDATE dossier_fact SET resolved_at = coalesce(resolved_at, $2) WHERE dossier_code = $1",
    )
    .bind(&ev.dossier_code)
    .bind(ev.at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One day at one agency.
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub(crate) struct DailyRow {
    #[schema(value_type = String, example = "2026-11-27")]
    pub day: Date,
    pub agency: String,
    pub received: i64,
    pub online: i64,
    pub direct_postal: i64,
}

/// Rows, oldest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct DailyList {
    items: Vec<DailyRow>,
    next_cursor: Option<String>,
}

/// Filters.
#[derive(Deserialize, IntoParams)]
pub(crate) struct DailyQuery {
    /// First day (YYYY-MM-DD, local), inclusive.
    from: String,
    /// Last day, inclusive.
    to: String,
    /// Receiving agency.
    agency: Option<String>,
}

/// Counts per day and receiving agency.
pub(crate) async fn daily(
    pool: &PgPool,
    from: Date,
    to: Date,
    agency: Option<&str>,
) -> Result<Vec<DailyRow>, sqlx::Error> {
    sqlx::query_as::<_, DailyRow>(
        "SELECT received_day AS day, receiving_agency AS agency, count(*) AS received,
                count(*) FILTER (WHERE channel = 'online') AS online,
                count(*) FILTER (WHERE channel <> 'online') AS direct_postal
           FROM dossier_fact
          WHERE received_day BETWEEN $1 AND $2 AND ($3::text IS NULL OR receiving_agency = $3)
          GROUP BY received_day, receiving_agency
          ORDER BY received_day, receiving_agency",
    )
    .bind(from)
    .bind(to)
    .bind(agency)
    .fetch_all(pool)
    .await
}

/// Parses a local date parameter.
pub(crate) fn parse_day(field: &str, raw: &str) -> Result<Date, Problem> {
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

/// Received dossiers per day and agency. Inspectors and admins see every agency; agency
/// heads and one-stop officers see their own.
#[utoipa::path(get, path = "/api/v1/reports/received-daily", tag = "reports", params(DailyQuery),
    responses((status = 200, body = DailyList, example = json!({"items": [{"day": "2026-11-27", "agency": "000.25.80.H80",
        "received": 42, "online": 30, "direct_postal": 12}], "next_cursor": null})), (status = 403, description = "not allowed")),
    security(("bearer" = [])))]
async fn received_daily(
    caller: Caller,
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DailyQuery>,
) -> ApiResult<Json<DailyList>> {
    caller.require_any(&[
        Role::Inspector,
        Role::Admin,
        Role::AgencyHead,
        Role::OneStopOfficer,
    ])?;
    let agency = if caller.has_any(&[Role::Inspector, Role::Admin]) {
        q.agency
    } else {
        let own = caller
            .agency
            .clone()
            .ok_or_else(|| Problem::new(&codes::AGENCY_NOT_ALLOWED, "the caller has no agency"))?;
        if q.agency.as_deref().is_some_and(|a| a != own) {
            return Err(Problem::new(
                &codes::AGENCY_NOT_ALLOWED,
                "only the caller's own agency can be reported",
            ));
        }
        Some(own)
    };
    let (from, to) = (parse_day("from", &q.from)?, parse_day("to", &q.to)?);
    if from > to {
        return Err(
            Problem::new(&codes::INVALID_QUERY, "from is after to").with_errors(vec![
                FieldError::new("from", &codes::AFTER_TO, "from must not be after to"),
            ]),
        );
    }
    let items = daily(&s.pool, from, to, agency.as_deref()).await?;
    Ok(Json(DailyList {
        items,
        next_cursor: None,
    }))
}
