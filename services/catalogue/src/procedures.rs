//! Procedures (thủ tục hành chính) and their published versions: search, and the version in
//! force on a date.

use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_calendar::{PROVINCE_OFFSET, TimeLimit};
use motcua_problem::{ApiPath, ApiQuery, ApiResult, FieldError, Problem};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};
use time::Date;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(search, get_procedure),
    components(schemas(ProcedureSummary, ProcedureList))
)]
pub(crate) struct Doc;

/// One published version of a procedure, as stored.
#[derive(Debug, Clone, FromRow)]
pub(crate) struct ProcedureVersion {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub field: String,
    pub level: String,
    pub online_level: String,
    pub effective_from: Date,
    pub time_limit: serde_json::Value,
    pub body: serde_json::Value,
}

impl ProcedureVersion {
    /// The time limit as the calendar understands it.
    pub(crate) fn limit(&self) -> Result<TimeLimit, Problem> {
        serde_json::from_value(self.time_limit.clone()).map_err(|e| {
            tracing::error!(code = %self.code, error = %e, "stored time limit unreadable");
            Problem::internal()
        })
    }

    /// The public JSON: the published document plus version metadata.
    fn to_json(&self) -> serde_json::Value {
        let mut doc = self.body.clone();
        if let Some(o) = doc.as_object_mut() {
            o.insert("version".into(), self.version.into());
            o.insert(
                "effective_from".into(),
                self.effective_from.to_string().into(),
            );
            o.insert("time_limit".into(), self.time_limit.clone());
        }
        doc
    }
}

/// A search hit.
#[derive(Debug, Serialize, FromRow, ToSchema)]
pub(crate) struct ProcedureSummary {
    /// National code, e.g. `1.001193`.
    pub code: String,
    pub name: String,
    pub field: String,
    /// `province` or `commune`.
    pub level: String,
    pub online_level: String,
    pub version: i32,
}

/// Search results.
#[derive(Serialize, ToSchema)]
pub(crate) struct ProcedureList {
    items: Vec<ProcedureSummary>,
    next_cursor: Option<String>,
}

/// Search filters.
#[derive(Deserialize, IntoParams)]
pub(crate) struct SearchQuery {
    /// Free text; Vietnamese diacritics and case are ignored.
    q: Option<String>,
    field: Option<String>,
    level: Option<String>,
    /// Implementing agency code.
    agency: Option<String>,
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/procedures", get(search))
        .route("/api/v1/procedures/{code}", get(get_procedure))
}

/// Today's date in the province.
pub(crate) fn today(s: &AppState) -> Date {
    s.platform.clock.now().to_offset(PROVINCE_OFFSET).date()
}

/// Searches procedures in force today (public). `dang ky khai sinh` finds `Đăng ký khai sinh`.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures", params(SearchQuery),
    responses((status = 200, body = ProcedureList,
        example = json!({"items": [{"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
            "level": "commune", "online_level": "full", "version": 1}], "next_cursor": null}))))]
async fn search(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<ProcedureList>> {
    let items = search_in_force(
        &s.pool,
        today(&s),
        &q.q.unwrap_or_default(),
        q.field,
        q.level,
        q.agency,
        50,
    )
    .await?;
    Ok(Json(ProcedureList {
        items,
        next_cursor: None,
    }))
}

/// Procedures in force on `at` matching the filters, best match first.
pub(crate) async fn search_in_force(
    pool: &PgPool,
    at: Date,
    q: &str,
    field: Option<String>,
    level: Option<String>,
    agency: Option<String>,
    limit: i64,
) -> Result<Vec<ProcedureSummary>, sqlx::Error> {
    sqlx::query_as::<_, ProcedureSummary>(
        "WITH current AS (
             SELECT DISTINCT ON (code) * FROM procedure_version
              WHERE effective_from <= $1 ORDER BY code, effective_from DESC)
         SELECT code, name, field, level, online_level, version FROM current
          WHERE ($2 = '' OR public.unaccent(lower(name)) LIKE '%' || public.unaccent(lower($2)) || '%'
                         OR public.similarity(public.unaccent(lower(name)), public.unaccent(lower($2))) > 0.2)
            AND ($3::text IS NULL OR field = $3)
            AND ($4::text IS NULL OR level = $4)
            AND ($5::text IS NULL OR body::text LIKE '%' || $5 || '%')
          ORDER BY public.similarity(public.unaccent(lower(name)), public.unaccent(lower($2))) DESC, code
          LIMIT $6",
    )
    .bind(at)
    .bind(q.trim())
    .bind(field)
    .bind(level)
    .bind(agency)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Version selector.
#[derive(Deserialize, IntoParams)]
pub(crate) struct AtQuery {
    /// Date (YYYY-MM-DD) the returned version must be in force on; default today.
    at: Option<String>,
}

/// Parses a `YYYY-MM-DD` parameter.
pub(crate) fn parse_date(field: &str, raw: &str) -> Result<Date, Problem> {
    Date::parse(
        raw,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        Problem::unprocessable("invalid_query", "bad date").with_errors(vec![FieldError::new(
            field,
            "invalid_date",
            "expected YYYY-MM-DD",
        )])
    })
}

/// The version of a procedure in force on a date (public), with components, fees, time limits
/// and steps.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures", params(("code" = String, Path, example = "1.001193"), AtQuery),
    responses((status = 200, description = "the published procedure version", content_type = "application/json"),
              (status = 404, description = "unknown procedure or none in force on that date")))]
async fn get_procedure(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    let at = match q.at {
        Some(raw) => parse_date("at", &raw)?,
        None => today(&s),
    };
    Ok(Json(version_at(&s.pool, &code, at).await?.to_json()))
}

/// The version of `code` in force on `at`.
pub(crate) async fn version_at(
    pool: &PgPool,
    code: &str,
    at: Date,
) -> Result<ProcedureVersion, Problem> {
    sqlx::query_as::<_, ProcedureVersion>(
        "SELECT code, version, name, field, level, online_level, effective_from, time_limit, body
           FROM procedure_version WHERE code = $1 AND effective_from <= $2
          ORDER BY effective_from DESC LIMIT 1",
    )
    .bind(code)
    .bind(at)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        Problem::not_found(
            "procedure_not_found",
            format!("no version of procedure {code} is in force on {at}"),
        )
    })
}
