//! Procedures (thủ tục hành chính) and their published versions over REST: search, the
//! version in force on a date, and publishing a new version.

use crate::domain::procedure::{ProcedureInForce, ProcedureSummary, PublishedVersion};
use crate::domain::publication;
use crate::import::{self, ImportError};
use crate::state::AppState;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_audit::Actor;
use motcua_catalogue_model::ProcedureEntry;
use motcua_problem::{ApiPath, ApiQuery, ApiResult, FieldError, Problem, codes};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// This resource's part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(search, get_procedure, publish),
    components(schemas(ProcedureSummary, ProcedureList, ProcedureInForce, PublishedVersion))
)]
pub(crate) struct Doc;

/// Search results (kết quả tra cứu thủ tục), best match first, at most 50.
#[derive(Serialize, ToSchema)]
pub(crate) struct ProcedureList {
    /// The procedures in force today that match.
    items: Vec<ProcedureSummary>,
    /// Always null: the results are one page.
    next_cursor: Option<String>,
}

/// Longest search text accepted, in characters (the parameter's `maxLength`): no one types
/// more, and each character costs the trigram comparison with every procedure.
const MAX_SEARCH_CHARS: usize = 200;

/// Search filters; each one absent or empty matches everything.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchQuery {
    /// Free text; Vietnamese diacritics and case are ignored. At most 200 characters.
    #[param(example = "dang ky khai sinh", max_length = 200)]
    q: Option<String>,
    /// Field (lĩnh vực), exactly as published, e.g. `Hộ tịch`.
    field: Option<String>,
    /// Level (cấp): `province` or `commune`; another value matches nothing.
    level: Option<String>,
    /// An agency the version names (implementing, deciding, coordinating, or owning a step).
    agency: Option<String>,
}

/// This resource's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/procedures", get(search).post(publish))
        .route("/api/v1/procedures/{code}", get(get_procedure))
}

/// Searches procedures in force today (public). `dang ky khai sinh` finds `Đăng ký khai sinh`.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures", params(SearchQuery),
    responses((status = 200, description = "the matching procedures in force today", body = ProcedureList,
        example = json!({"items": [{"code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
            "level": "commune", "online_level": "full", "version": 1}], "next_cursor": null})),
        (status = 422, description = "a search text over 200 characters (`q`, `too_long`): invalid_query")))]
async fn search(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<ProcedureList>> {
    let text = q.q.unwrap_or_default();
    if text.chars().count() > MAX_SEARCH_CHARS {
        return Err(
            Problem::new(&codes::INVALID_QUERY, "the search text is too long").with_errors(vec![
                FieldError::new(
                    "q",
                    &codes::TOO_LONG,
                    format!("at most {MAX_SEARCH_CHARS} characters"),
                ),
            ]),
        );
    }
    let items = store::procedures::search_in_force(
        &s.pool,
        s.today(),
        &text,
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

/// Version selector.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AtQuery {
    /// Date (YYYY-MM-DD) the returned version must be in force on; default today.
    #[param(format = Date, example = "2025-07-01")]
    at: Option<String>,
}

/// The version of a procedure in force on a date (public), with components, fees, time limits
/// and steps.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures", params(("code" = String, Path, example = "1.001193"), AtQuery),
    responses((status = 200, description = "the published procedure version", body = ProcedureInForce,
        example = json!({"code": "1.001193", "version": 1, "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch",
            "level": "commune", "online_level": "full", "effective_from": "2025-07-01",
            "time_limit": {"working_days": 0, "same_day": true, "cutoff": "15:00"},
            "components": [{"code": "TK", "name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0, "required": true}],
            "steps": [{"name": "Thẩm định, ghi sổ hộ tịch, trình ký", "agency": "000.30.80.H80", "working_hours": 6}],
            "supplement_clock_policy": "restart"})),
              (status = 404, description = "procedure_not_found: unknown procedure or none in force on that date")))]
async fn get_procedure(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AtQuery>,
) -> ApiResult<Json<ProcedureInForce>> {
    let at = s.date_asked(q.at.as_deref())?;
    Ok(Json(s.version_at(&code, at).await?.published()?))
}

/// Publishes a procedure version (catalogue_admin; audited). The body is one procedure entry of
/// the catalogue file format. Without `version`, the next version number is used. It is
/// validated in the context of everything stored (agencies referenced, template budget against
/// the time limit, effective dates); a published version is never changed.
#[utoipa::path(post, path = "/api/v1/procedures", tag = "procedures",
    request_body(content = ProcedureEntry, description = "one procedure version in the catalogue file format; \
        `version` may be left out (the next number is used)", example = json!({
        "code": "1.001193", "name": "Thủ tục đăng ký khai sinh", "field": "Hộ tịch", "level": "commune",
        "online_level": "full", "time_limit": {"working_days": 0, "same_day": true, "cutoff": "15:00"},
        "decision": {"number": "123/QĐ-UBND", "date": "2026-11-20", "effective_from": "2026-12-01"},
        "components": [{"code": "TK", "name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0, "required": true}],
        "steps": [{"name": "Thẩm định", "agency": "000.30.80.H80", "working_hours": 6}]})),
    responses((status = 201, description = "published", body = PublishedVersion),
              (status = 403, description = "role_not_allowed: not catalogue_admin"),
              (status = 409, description = "version_exists: that version is published (and immutable)"),
              (status = 422, description = "procedure_invalid: every error of the entry, per field")),
    security(("bearer" = [])))]
pub(crate) async fn publish(
    caller: motcua_auth::Caller,
    State(s): State<AppState>,
    body: axum::body::Bytes,
) -> ApiResult<(axum::http::StatusCode, Json<PublishedVersion>)> {
    let raw = publication::parse_body(&body)?;
    let next = store::procedures::next_version(&s.pool, &publication::requested_code(&raw)).await?;
    let stored = import::load(&s.pool).await.map_err(import_problem)?;
    let entry = publication::prepare(stored, raw, next)?;
    let mut tx = s.pool.begin().await?;
    if !store::procedures::publish(&mut tx, &entry, &Actor::of(&caller)).await? {
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
        Json(PublishedVersion::from(&entry)),
    ))
}

fn import_problem(e: ImportError) -> Problem {
    match e {
        ImportError::Database(e) => e.into(),
        ImportError::Invalid(errors) => publication::entry_problem(errors, 0),
    }
}
