//! Procedures (thủ tục hành chính) and their published versions: search, and the version in
//! force on a date.

use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_calendar::{PROVINCE_OFFSET, TimeLimit};
use motcua_problem::{ApiPath, ApiQuery, ApiResult, FieldError, Problem, codes};
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
        .route("/api/v1/procedures", get(search).post(publish))
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
    let q = motcua_catalogue_model::fold(q);
    sqlx::query_as::<_, ProcedureSummary>(
        "WITH current AS (
             SELECT DISTINCT ON (code) * FROM procedure_version
              WHERE effective_from <= $1 AND (effective_until IS NULL OR effective_until >= $1)
              ORDER BY code, effective_from DESC)
         SELECT code, name, field, level, online_level, version FROM current
          WHERE ($2 = '' OR search_key LIKE '%' || $2 || '%' OR public.word_similarity($2, search_key) > 0.4)
            AND ($3::text IS NULL OR field = $3)
            AND ($4::text IS NULL OR level = $4)
            AND ($5::text IS NULL OR $5 = ANY(agencies))
          ORDER BY (search_key LIKE '%' || $2 || '%') DESC,
                   public.similarity($2, search_key) DESC, code
          LIMIT $6",
    )
    .bind(at)
    .bind(q)
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
        Problem::new(&codes::INVALID_QUERY, "bad date").with_errors(vec![FieldError::new(
            field,
            &codes::INVALID_DATE,
            "expected YYYY-MM-DD",
        )])
    })
}

/// The version of a procedure in force on a date (public), with components, fees, time limits
/// and steps.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures", params(("code" = String, Path, example = "1.001193"), AtQuery),
    responses((status = 200, description = "the published procedure version", content_type = "application/json",
        example = json!({"code": "1.001193", "version": 1, "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
            "level": "commune", "online_level": "full", "effective_from": "2025-07-01",
            "time_limit": {"working_days": 0, "same_day": true, "cutoff": "15:00"},
            "components": [{"code": "TK", "name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0, "required": true}],
            "steps": [{"name": "Thẩm định, ghi sổ hộ tịch, trình ký", "agency": "000.30.80.H80", "working_hours": 6}],
            "supplement_clock_policy": "restart"})),
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
           FROM procedure_version
          WHERE code = $1 AND effective_from <= $2 AND (effective_until IS NULL OR effective_until >= $2)
          ORDER BY effective_from DESC LIMIT 1",
    )
    .bind(code)
    .bind(at)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        Problem::new(
            &codes::PROCEDURE_NOT_FOUND,
            format!("no version of procedure {code} is in force on {at}"),
        )
    })
}

/// Publishes a procedure version (catalogue_admin; audited). The body is one procedure entry of
/// the catalogue file format. Without `version`, the next version number is used. It is
/// validated in the context of everything stored (agencies referenced, template budget against
/// the time limit, effective dates); a published version is never changed.
#[utoipa::path(post, path = "/api/v1/procedures", tag = "procedures",
    request_body(content = Object, example = json!({
        "code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch", "level": "commune",
        "online_level": "full", "time_limit": {"working_days": 0, "same_day": true, "cutoff": "15:00"},
        "decision": {"number": "123/QĐ-UBND", "date": "2026-11-20", "effective_from": "2026-12-01"},
        "components": [{"code": "TK", "name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0, "required": true}],
        "steps": [{"name": "Thẩm định", "agency": "000.30.80.H80", "working_hours": 6}]})),
    responses((status = 201, description = "published"), (status = 403, description = "not catalogue_admin"),
              (status = 409, description = "version_exists"), (status = 422, description = "invalid, errors per field")),
    security(("bearer" = [])))]
pub(crate) async fn publish(
    caller: motcua_auth::Caller,
    State(s): State<AppState>,
    body: axum::body::Bytes,
) -> ApiResult<(axum::http::StatusCode, Json<serde_json::Value>)> {
    caller.require_any(&[motcua_auth::Role::CatalogueAdmin])?;
    let mut raw: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        Problem::new(&codes::INVALID_BODY, "the body is not JSON").with_errors(vec![
            FieldError::new("body", &codes::INVALID_JSON, e.to_string()),
        ])
    })?;
    let code = raw
        .get("code")
        .and_then(|c| c.as_str())
        .unwrap_or_default()
        .to_string();
    let next: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(version), 0) + 1 FROM procedure_version WHERE code = $1",
    )
    .bind(&code)
    .fetch_one(&s.pool)
    .await?;
    if let Some(o) = raw.as_object_mut() {
        o.entry("version").or_insert(next.into());
    }
    let mut file = crate::import::load(&s.pool).await.map_err(import_problem)?;
    let entry: motcua_catalogue_model::ProcedureEntry =
        match motcua_catalogue_model::CatalogueFile::parse(
            &serde_json::json!({"agencies": [], "procedures": [raw]}).to_string(),
        ) {
            Ok(mut f) => f.procedures.remove(0),
            Err(errors) => return Err(entry_problem(errors, 0)),
        };
    if file
        .procedures
        .iter()
        .any(|p| p.code == entry.code && p.version == entry.version)
    {
        return Err(Problem::new(
            &codes::VERSION_EXISTS,
            format!(
                "version {} of {} is published and immutable; publish a new version",
                entry.version, entry.code
            ),
        ));
    }
    let index = file.procedures.len();
    file.procedures.push(entry.clone());
    let errors: Vec<_> = motcua_catalogue_model::validate(&file)
        .into_iter()
        .filter(|e| e.field.starts_with(&format!("procedures[{index}]")))
        .collect();
    if !errors.is_empty() {
        return Err(entry_problem(errors, index));
    }
    let mut tx = s.pool.begin().await?;
    if !crate::import::publish_version(&mut tx, &entry, &caller.sub).await? {
        return Err(Problem::new(
            &codes::VERSION_EXISTS,
            format!(
                "version {} of {} was published meanwhile",
                entry.version, entry.code
            ),
        ));
    }
    tx.commit().await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({
            "code": entry.code, "version": entry.version,
            "effective_from": entry.effective_from().to_string(),
        })),
    ))
}

fn import_problem(e: crate::import::ImportError) -> Problem {
    match e {
        crate::import::ImportError::Database(e) => e.into(),
        crate::import::ImportError::Invalid(errors) => entry_problem(errors, 0),
    }
}

/// Entry errors as field errors, with paths relative to the request body.
fn entry_problem(errors: Vec<motcua_catalogue_model::EntryError>, index: usize) -> Problem {
    let prefix = format!("procedures[{index}]");
    let fields = errors
        .into_iter()
        .map(|e| {
            let field = e
                .field
                .strip_prefix(&prefix)
                .map(|f| f.trim_start_matches('.').to_string())
                .unwrap_or(e.field);
            FieldError::relayed(
                if field.is_empty() {
                    "body".to_string()
                } else {
                    field
                },
                &e.code,
                e.message,
            )
        })
        .collect();
    Problem::new(
        &codes::PROCEDURE_INVALID,
        "the procedure version has errors",
    )
    .with_errors(fields)
}
